"""Gazetteer layers through every entry point: the bundled set at the bottom, each `--gazetteers` on
top, in order, `--no-bundled` for none (the merge rules themselves: test_layers.py).

OWN (tests/fixtures/layers) stands on its own or on the bundled set: `team/kyrgyzstan` has the
Wikidata id of the bundled country/kg and `org/gosduma` that of the bundled agency/ru-state-duma (each
one entity, the user's id and name); the bundled agency/kg-mvd (parent country/kg) follows the new id.
TEAM is README's example, a layer that only makes sense on the bundled set (it updates `country/by`,
its agency's parent is `country/ru`).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import FIXTURES, ROOT
from runs import corpus

import normalize
from normalize import cache, cli, diff, pipeline, suggest
from normalize.check import label
from normalize.gazetteer import bundled_dir

TEAM = ROOT / "examples" / "gazetteers" / "team"
OWN = FIXTURES / "layers" / "own.yaml"
TEXT = "Депутаты Госдумы приняли делегацию МВД Кыргызстана в Минске."
STACKED = ["org/gosduma", "agency/kg-mvd", "team/kyrgyzstan", "city/minsk"]  # in order of first mention
ALONE = ["org/gosduma", "team/kyrgyzstan"]  # the team's layer on nothing
BUNDLED = ["agency/ru-state-duma", "agency/kg-mvd", "country/kg", "city/minsk"]  # no layer on the bundled set
STACKS = [([OWN], True, STACKED), ([OWN], False, ALONE), ([], True, BUNDLED), ([], False, [])]
IDS = ["own-on-bundled", "own-alone", "bundled", "nothing"]


def ids_in_order(mentions: pl.DataFrame) -> list[str]:
    return list(dict.fromkeys(mentions.sort("start")["entity_id"].to_list()))


# --- the library: every entry point takes gazetteers= and bundled= ---------------------------------


@pytest.mark.parametrize(("gazetteers", "bundled", "expected"), STACKS, ids=IDS)
def test_normalize_frame_and_process(gazetteers, bundled, expected) -> None:
    frame = pl.DataFrame({"doc_id": ["a"], "text": [TEXT]})
    assert ids_in_order(normalize.normalize_frame(frame, gazetteers, bundled=bundled).mentions) == expected
    assert ids_in_order(frame.normalize.tables(gazetteers, bundled=bundled).mentions) == expected
    got = frame.select(pl.col("text").normalize.entity_ids(gazetteers, bundled=bundled))["text"][0]
    assert got.to_list() == expected


@pytest.mark.parametrize(("gazetteers", "bundled", "expected"), STACKS[:2], ids=IDS[:2])
def test_the_library_run_and_the_command(gazetteers, bundled, expected, tmp_path: Path) -> None:
    inp = corpus(tmp_path / "in", 1, TEXT)
    result = normalize.run(inp, tmp_path / "lib", gazetteers=gazetteers, bundled=bundled, workers=1)
    assert ids_in_order(pl.read_parquet(result.tables["mentions"])) == expected
    flags = [a for g in gazetteers for a in ("-g", str(g))] + ([] if bundled else ["--no-bundled"])
    assert cli.main([str(inp), str(tmp_path / "cli"), *flags, "-j1", "-q"]) == 0
    for name in ("documents", "mentions", "edits", "rejects"):
        assert (tmp_path / "cli" / f"{name}.parquet").read_bytes() == result.tables[name].read_bytes()


def test_explain_and_suggest_stack_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", TEXT, "-g", str(TEAM), "--json"]) == 0
    mentions = json.loads(capsys.readouterr().out)["mentions"]
    assert list(dict.fromkeys(m["entity_id"] for m in mentions)) == STACKED
    assert [m["canonical"] for m in mentions if m["entity_id"] == "team/kyrgyzstan"] == ["Кыргызстан"]
    inp = corpus(tmp_path / "in", 2, TEXT + " Марат Жумабеков встретил Марата Жумабекова.")
    names = {c.name for c in suggest.suggest(inp, [OWN], workers=1, bundled=False)}
    assert "Марат Жумабеков" in names and "Минск" in names  # alone, OWN has no Минск
    assert "Минск" not in {c.name for c in suggest.suggest(inp, [OWN], workers=1)}


# --- the compile cache: one key per stack ---------------------------------------------------------


def test_the_cache_key_is_the_stack(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
    (a / "x.yaml").write_text("entities:\n  - {id: x/1, type: city, name: Ош}\n", encoding="utf-8")
    (a / "y.yaml").write_text("entities:\n  - {id: y/1, type: city, name: Талас}\n", encoding="utf-8")
    both_in_a = cache.key([a, b], bundled=False)
    shutil.move(a / "y.yaml", b / "y.yaml")  # the same files and folders, another boundary
    assert cache.key([a, b], bundled=False) != both_in_a
    assert cache.key([a, b], bundled=False) != cache.key([b, a], bundled=False)  # the order
    assert cache.key([a], bundled=True) != cache.key([a], bundled=False)  # the bundled set under it
    assert cache.key([a], bundled=True) == cache.key([bundled_dir(), a], bundled=False)  # one stack, one key
    assert cache.key([], bundled=False) != cache.key([], bundled=True)


# --- empty and rules-only stacks run: cleaning and rules, no mentions --------------------------------

RULES_ONLY = """rules:
  - id: typo/knd
    find: КНД
    replace: КНР
    examples:
      - {in: "опыт КНД", out: "опыт КНР"}
"""


@pytest.mark.parametrize(("rules", "edits"), [(False, set()), (True, {"rule/typo/knd"})], ids=["empty", "rules-only"])
def test_an_empty_or_rules_only_stack_runs(rules: bool, edits: set[str], tmp_path: Path, capsys) -> None:
    inp = corpus(tmp_path / "in", 2, "Опыт КНД и МВД Кыргызстана.\nПоделиться")
    flags = ["--no-bundled"]
    if rules:
        (tmp_path / "rules.yaml").write_text(RULES_ONLY, encoding="utf-8")
        flags += ["-g", str(tmp_path / "rules.yaml")]
    assert cli.main([str(inp), str(tmp_path / "out"), *flags, "-j1", "-q"]) == 0
    assert capsys.readouterr().err == ""
    out = tmp_path / "out"
    assert pl.read_parquet(out / "documents.parquet").height == 2
    assert pl.read_parquet(out / "rejects.parquet").height == 0
    assert pl.read_parquet(out / "mentions.parquet").height == 0
    rule_ids = set(pl.read_parquet(out / "edits.parquet")["rule_id"])
    assert "clean/boilerplate/share-buttons" in rule_ids  # cleaning runs with no gazetteer at all
    assert {r for r in rule_ids if r.startswith("rule/")} == edits


# --- gazetteers show | path | check | diff ----------------------------------------------------------


def test_show_gives_each_field_with_where_it_came_from(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gazetteers", "show", "team/kyrgyzstan", "-g", str(TEAM)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "team/kyrgyzstan: Кыргызстан (country)"
    # «  field  value  file:line», or «  value  file:line» for a further item of a list field
    where = {row[-2]: row[-1].rsplit(":", 1)[0] for row in (re.split(r"\s{2,}", line.strip()) for line in lines[1:])}
    mine, bundled = str(TEAM / "entities.yaml"), str(bundled_dir() / "countries.yaml")
    assert {where[v] for v in ("team/kyrgyzstan", "country", "Кыргызстан", "Q813")} == {label(Path(mine))}
    assert {where[v] for v in ("Киргизия", "КР", "киргизский")} == {label(Path(bundled))}  # the bundled names stay


@pytest.mark.parametrize(
    ("argv", "code", "out", "err"),
    [
        (["Госдума", "-g", str(TEAM)], 0, "org/gosduma: Государственная дума (organization)", ""),
        (["country/kg"], 0, "country/kg: Киргизия (country)", ""),
        # merged away: the entity it went into, and where
        (["country/kg", "-g", str(TEAM)], 0, "country/kg was merged into team/kyrgyzstan (", ""),
        (["country/kgz"], 1, "", "(nearest ids: country/kz, country/kg"),
        (["country/kg", "--no-bundled"], 1, "", "no entity"),
        (["x", "-g", "/nonexistent/gazetteers"], 2, "", "normalize: error: /nonexistent/gazetteers"),
    ],
)
def test_show_finds_by_id_or_name(argv, code, out, err, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gazetteers", "show", *argv]) == code
    captured = capsys.readouterr()
    assert captured.out.startswith(out) and err in captured.err
    assert captured.err.count("\n") == (1 if err else 0)


def test_show_says_where_an_id_was_merged_or_dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "drop.yaml").write_text("entities:\n  - id: country/kg\n    drop: true\n", encoding="utf-8")
    assert cli.main(["gazetteers", "show", "country/kg", "-g", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("normalize gazetteers show: country/kg was dropped at ") and "drop.yaml:2" in err
    assert cli.main(["gazetteers", "show", "country/kg", "-g", str(TEAM)]) == 0
    first, second = capsys.readouterr().out.splitlines()[:2]
    assert first.startswith("country/kg was merged into team/kyrgyzstan (") and "entities.yaml:5" in first
    assert second == "team/kyrgyzstan: Кыргызстан (country)"


def test_path_is_where_the_bundled_set_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gazetteers", "path"]) == 0
    assert capsys.readouterr().out == f"{bundled_dir()}\n"


@pytest.mark.parametrize(
    ("flags", "code", "expected"),
    [
        (["-g", str(TEAM)], 0, ["warning [layer-merge] 'team/kyrgyzstan' has the wikidata Q813 of 'country/kg'"]),
        (["-g", str(TEAM), "--errors-only"], 0, ["0 errors, 0 warnings in 9 files"]),
        # on nothing, the update of country/by lacks a type and country/ru (the agency's parent) is not there
        (["-g", str(TEAM), "--no-bundled"], 1, ["'country/by' is missing required field 'type'", "[dangling-parent]"]),
        ([str(TEAM), "-g", str(TEAM)], 2, []),
    ],
)
def test_check_takes_the_layer_flags(flags, code, expected, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gazetteers", "check", *flags]) == code
    out = capsys.readouterr().out
    assert all(e in out for e in expected), out


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus(tmp_path_factory.mktemp("diff") / "in", 2, TEXT)


def test_diff_of_stacks(texts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = diff.diff([], [TEAM], texts)  # what stacking the team's layer on the bundled set does
    assert sorted(set(d.relinked.select("entity_id", "entity_id_new").rows())) == [
        ("agency/ru-state-duma", "org/gosduma"),
        ("country/kg", "team/kyrgyzstan"),
    ]
    assert d.added.height == 0 and d.removed.height == 0
    assert "org/gosduma" in d.entities_added and {"country/kg", "agency/ru-state-duma"} <= set(d.entities_removed)
    assert cli.main(["gazetteers", "diff", "--new", str(TEAM), "--corpus", str(texts), "-j1"]) == 0
    # per document, twice: Госдумы and Кыргызстана relinked, МВД Кыргызстана and Минске unchanged
    out = capsys.readouterr().out
    assert out.startswith("gazetteers diff: 0 added, 0 removed, 8 relinked, 8 unchanged mentions in 2 documents")


@pytest.mark.parametrize(
    "argv",
    [
        ["OLD", "NEW", "--new", "x"],  # both ways at once
        ["OLD", "NEW", "--no-bundled"],  # positional sets are alone already
        ["OLD"],  # NEW missing
        [],  # nothing to compare
    ],
)
def test_diff_usage_errors_are_one_line(argv, texts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gazetteers", "diff", *argv, "--corpus", str(texts)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("normalize: error: gazetteers diff: give OLD NEW")


def test_compile_gazetteers_spells_the_stack_out() -> None:
    assert pipeline.gazetteer_stack([TEAM]) == (str(bundled_dir()), str(TEAM))
    assert pipeline.gazetteer_stack([TEAM], bundled=False) == (str(TEAM),)
    assert pipeline.compile_gazetteers([], bundled=False).gazetteer.entities == ()
