"""Near-duplicates in a run (normalize.dedup through `normalize IN OUT`, the library and resume):
the clustering rules on documents as the command reads and cleans them, the options, the summary,
run.json and the report. The signature and clustering rules themselves: test_dedup.py.

The articles below are made up for these tests.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import polars as pl
import pytest
from runs import assert_same_tables, run, run_subprocess
from test_dedup import span

import normalize
from normalize import cli, dedup

# an article as an agency prints it (dateline, date, outlet), made up for these tests
ARTICLE = (
    "Министры внутренних дел Киргизии и Казахстана провели в Бишкеке рабочую встречу, посвящённую борьбе "
    "с незаконным оборотом наркотиков на общей границе. Стороны договорились создать совместную рабочую "
    "группу, обмениваться оперативной информацией в режиме реального времени и проводить ежегодные учения "
    "пограничных подразделений.\n\n"
    "Особое внимание уделили подготовке кадров: в следующем году сотрудники обеих стран пройдут стажировку "
    "в учебных центрах друг друга. По итогам встречи подписан протокол о сотрудничестве на ближайшие три года."
)
# the same article reposted: other page chrome, a typo, its last sentence dropped
REPOST = (
    "Главная / Новости / Общество\n\nПоделиться\n\n"
    + ARTICLE.replace("незаконным", "незаконым").replace(
        " По итогам встречи подписан протокол о сотрудничестве на ближайшие три года.", ""
    )
    + "\n\nПодписывайтесь на наш канал в Telegram"
)
# another article on the same topic
OTHER = (
    "Делегация МВД Белоруссии посетила Пекин, где обсудила с коллегами из Министерства общественной "
    "безопасности Китая вопросы подготовки специалистов. Белорусская сторона предложила расширить обмен "
    "курсантами, а китайская пригласила преподавателей академии МВД на летние курсы по кибербезопасности. "
    "Следующая встреча запланирована на осень в Минске."
)

# too few words to tell a copy from a coincidence (7 shingles of 3 words; at least 10 are needed)
SHORT = "Встреча министров прошла в Бишкеке в рабочей обстановке."


def dated(day: int, text: str) -> str:
    """The text under an agency dateline: `published` is 2024-03-`day`."""
    return f"Бишкек, {day:02d}.03.2024. /Кабар/.\n\n{text}"


# A~B and B~C, but A and C alike only at Jaccard 0.43 (test_dedup: the chain)
A, B, C = span(0, 300), span(60, 360), span(120, 420)


def write(folder: Path, docs: dict[str, str]) -> Path:
    for doc_id, text in docs.items():
        path = folder / f"{doc_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def duplicates(out: Path) -> dict[str, str | None]:
    docs = pl.read_parquet(out / "documents.parquet")
    return dict(docs.select("doc_id", "duplicate_of").iter_rows())


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        pytest.param(
            {"kabar/a": dated(12, ARTICLE), "site/b": dated(13, REPOST)},
            {"kabar/a": None, "site/b": "kabar/a"},
            id="a repost with other page chrome, a typo and a sentence less is a copy",
        ),
        pytest.param(
            {"a": dated(14, REPOST), "b": dated(12, ARTICLE), "c": dated(13, ARTICLE)},
            {"a": "b", "b": None, "c": "b"},
            id="the earliest published heads the cluster, whatever the doc_id",
        ),
        pytest.param(
            {"b": dated(12, ARTICLE), "a": dated(12, REPOST)},
            {"a": None, "b": "a"},
            id="a tie in published goes to the smaller doc_id",
        ),
        pytest.param(
            {"a": ARTICLE, "b": dated(20, REPOST)},
            {"a": "b", "b": None},
            id="a document without a date comes after the dated ones",
        ),
        pytest.param(
            {"a": A, "b": B, "c": C},
            {"a": None, "b": "a", "c": "a"},
            id="a chain A~B~C is one cluster",
        ),
        pytest.param(
            {"a": A, "c": C},
            {"a": None, "c": None},
            id="without B, A and C are not alike",
        ),
        pytest.param(
            {"a": dated(12, ARTICLE), "b": dated(12, OTHER)},
            {"a": None, "b": None},
            id="another article on the same topic is not a copy",
        ),
        pytest.param(
            {"a": dated(12, ARTICLE), "s1": SHORT, "s2": SHORT, "s3": dated(13, SHORT)},
            {"a": None, "s1": None, "s2": None, "s3": None},
            id="a short text matches nothing, not even its copy",
        ),
    ],
)
def test_clusters_in_a_run(docs, expected, tmp_path, capsys):
    r = run(write(tmp_path / "in", docs), tmp_path / "out", "-q", capsys=capsys)
    assert r.code == 0, r.err
    assert duplicates(r.out) == expected


REPOSTED = {"kabar/a": dated(12, ARTICLE), "site/b": dated(13, REPOST), "site/c": dated(14, ARTICLE), "other": OTHER}


def test_summary_run_json_and_report_show_the_clusters(tmp_path, capsys):
    r = run(write(tmp_path / "in", REPOSTED), tmp_path / "out", "--report", capsys=capsys)
    assert r.code == 0, r.err
    assert "  near-duplicates: 2 duplicates in 1 cluster; largest: kabar/a and 2 copies (site/c, site/b)\n" in r.err
    assert r.report["dedup"] == {
        "options": {"threshold": 0.5, "shingle": 3, "permutations": 128, "bands": 32, "min_shingles": 10},
        "documents": 4,
        "clusters": 1,
        "duplicates": 2,
        "largest": {"head": "kabar/a", "size": 3, "example": ["kabar/a", "site/c", "site/b"]},
    }
    page = (r.out / "report.html").read_text(encoding="utf-8")
    assert '<table id="duplicates">' in page
    # estimates of the exact Jaccard of the shingles: 0.654 (site/b) and 0.945 (site/c, its dateline differs)
    assert "<tr><td>kabar/a</td><td>3</td><td>0.67</td><td>site/c, site/b</td></tr>" in page
    assert "duplicate of: kabar/a (similarity 0.91)" in page


def test_no_dedup_leaves_both_columns_null(tmp_path, capsys):
    r = run(write(tmp_path / "in", REPOSTED), tmp_path / "out", "--no-dedup", "--report", capsys=capsys)
    assert r.code == 0, r.err
    docs = r.documents
    assert docs.columns[-2:] == ["duplicate_of", "similarity"]
    assert docs.select(pl.col("duplicate_of", "similarity").null_count()).row(0) == (4, 4)
    assert r.report["dedup"] is None
    assert "near-duplicates" not in r.err
    assert 'id="duplicates"' not in (r.out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--dedup-threshold", "0.9"), {"site/b": None, "site/c": "kabar/a"}),  # the repost is at 0.63
        (("--dedup-threshold", "0.6"), {"site/b": "kabar/a", "site/c": "kabar/a"}),
        (("--dedup-shingle", "1"), {"site/b": "kabar/a", "site/c": "kabar/a"}),
    ],
)
def test_options_change_what_is_a_copy(args, expected, tmp_path, capsys):
    r = run(write(tmp_path / "in", REPOSTED), tmp_path / "out", "-q", *args, capsys=capsys)
    assert r.code == 0, r.err
    found = duplicates(r.out)
    assert {k: found[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--dedup-threshold", "0"), "normalize: error: dedup threshold must be in (0, 1], not 0.0"),
        (("--dedup-threshold", "1.01"), "normalize: error: dedup threshold must be in (0, 1], not 1.01"),
        (("--dedup-threshold", "x"), "normalize: argument --dedup-threshold: invalid float value: 'x' (see --help)"),
        (("--dedup-shingle", "0"), "normalize: error: dedup shingle size must be at least 1 word, not 0"),
        (("--dedup-shingle", "2.5"), "normalize: argument --dedup-shingle: invalid int value: '2.5' (see --help)"),
        (
            ("--no-dedup", "--dedup-threshold", "0.7"),
            "normalize: error: --no-dedup and --dedup-threshold/--dedup-shingle contradict each other",
        ),
    ],
)
def test_bad_dedup_options_exit_2_with_one_line(args, message, tmp_path, capsys):
    inp, out = write(tmp_path / "in", REPOSTED), tmp_path / "out"
    try:
        code = cli.main([str(inp), str(out), *args])
    except SystemExit as exc:  # argparse's own errors end the parse
        code = exc.code
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [message]
    assert not out.exists()


def test_a_new_threshold_reuses_the_checkpoints_a_new_shingle_does_not(tmp_path, capsys):
    inp, out = write(tmp_path / "in", REPOSTED), tmp_path / "out"
    assert run(inp, out, "-q", capsys=capsys).report["processed"] == 4
    again = run(inp, out, "-q", "--dedup-threshold", "0.9", capsys=capsys)
    assert (again.report["processed"], again.report["reused"]) == (0, 4)  # clustering only
    assert duplicates(out)["site/b"] is None
    other = run(inp, out, "-q", "--dedup-shingle", "4", capsys=capsys)
    assert (other.report["processed"], other.report["reused"]) == (4, 0)  # the signatures change
    off = run(inp, out, "-q", "--no-dedup", capsys=capsys)
    assert off.report["processed"] == 4


def test_a_killed_run_resumes_to_the_same_clusters(tmp_path):
    """Killed after its second checkpoint part, a run started again (with two workers this time)
    ends with the tables, clusters included, of a run that was never stopped."""
    docs = {**REPOSTED, **{f"chain/{k}": v for k, v in (("a", A), ("b", B), ("c", C))}}
    inp = write(tmp_path / "in", docs)
    ref = run_subprocess(inp, tmp_path / "ref", "-j1", "--batch-size", "2")
    assert ref.code == 0, ref.err
    expected = duplicates(ref.out)
    assert expected["site/b"] == "kabar/a" and expected["chain/c"] == "chain/a"
    killed = run_subprocess(inp, tmp_path / "out", "-j1", "--batch-size", "2", fault="part:2")
    assert killed.code == -signal.SIGKILL
    rerun = run_subprocess(inp, tmp_path / "out", "-j2", "--batch-size", "2")
    assert rerun.code == 0, rerun.err
    assert 0 < rerun.report["processed"] < len(docs)
    assert_same_tables(ref.out, rerun.out)
    assert rerun.report["dedup"] == ref.report["dedup"]


FRAME = pl.DataFrame({"doc_id": list(REPOSTED), "text": list(REPOSTED.values())})


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: normalize.normalize_frame(FRAME), {"site/b": "kabar/a", "site/c": "kabar/a"}),
        (lambda: normalize.normalize_frame(FRAME, dedup=None), {"site/b": None, "site/c": None}),
        (
            lambda: normalize.normalize_frame(FRAME, dedup=dedup.DedupOptions(threshold=0.9)),
            {"site/b": None, "site/c": "kabar/a"},
        ),
        (lambda: FRAME.normalize.tables(), {"site/b": "kabar/a", "site/c": "kabar/a"}),
    ],
)
def test_the_library_marks_copies_as_the_command_does(call, expected):
    documents = call().documents
    assert documents.columns[-2:] == ["duplicate_of", "similarity"]
    found = dict(documents.select("doc_id", "duplicate_of").iter_rows())
    assert {k: found[k] for k in expected} == expected


def test_run_takes_the_options_and_the_tables_equal_the_commands(tmp_path, capsys):
    inp = write(tmp_path / "in", REPOSTED)
    result = normalize.run(inp, tmp_path / "lib", workers=1, dedup=dedup.DedupOptions(threshold=0.9))
    assert result.info["dedup"]["options"]["threshold"] == 0.9 and result.info["dedup"]["duplicates"] == 1
    assert run(inp, tmp_path / "cli", "-q", "--dedup-threshold", "0.9", capsys=capsys).code == 0
    # the command runs with the mini gazetteer: compare what dedup decides
    lib = pl.read_parquet(tmp_path / "lib" / "documents.parquet").select("doc_id", "duplicate_of", "similarity")
    cli = pl.read_parquet(tmp_path / "cli" / "documents.parquet").select("doc_id", "duplicate_of", "similarity")
    assert lib.equals(cli)
    with pytest.raises(ValueError, match="dedup must be a DedupOptions or None, not float"):
        normalize.run(inp, tmp_path / "bad", dedup=0.9)


def test_the_signature_stays_in_the_checkpoints(tmp_path, capsys):
    r = run(write(tmp_path / "in", REPOSTED), tmp_path / "out", "-q", capsys=capsys)
    parts = list((r.out / ".normalize" / "parts").glob("*/documents.parquet"))
    assert parts and all("_signature" in pl.read_parquet_schema(p) for p in parts)
    assert "_signature" not in r.documents.columns
    assert json.loads((r.out / "run.json").read_text(encoding="utf-8"))["dedup"]["clusters"] == 1


def test_the_readme_example_prints_what_its_comment_says(capsys):
    """README's near-duplicates example (test_readme runs it too) prints the list its last line's
    comment shows."""
    from conftest import ROOT

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Near-duplicates", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    shown = code.strip().splitlines()[-1].split("  # ", 1)[1]
    assert capsys.readouterr().out.strip() == shown == "[None, 'a']"


def test_a_document_rejected_for_its_doc_id_is_in_no_cluster(tmp_path, capsys):
    # a.jsonl's row comes first and keeps the id a; a.txt, the article's earliest copy, is a reject
    inp = write(tmp_path / "in", {"a": dated(11, ARTICLE), "b": dated(13, ARTICLE)})
    (inp / "a.jsonl").write_text(json.dumps({"id": "a", "text": dated(12, OTHER)}, ensure_ascii=False) + "\n")
    r = run(inp, tmp_path / "out", "-q", capsys=capsys)
    assert r.code == 0, r.err
    assert r.reason("a") == (f"duplicate doc_id (first in {inp / 'a.jsonl'})", "read")
    assert duplicates(r.out) == {"a": None, "b": None}
