"""`normalize gazetteers diff OLD NEW --corpus DIR`: added, removed and relinked mentions."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import SEEDS, need

from normalize import diff
from normalize.cli import main

CORPUS = {
    "a": "Ван Сяохун прибыл в Минск. Марат Жумабеков встретил его в Минске.",
    "b": "Делегация ОДКБ и Марат Жумабеков обсудили миграцию.",
}


@pytest.fixture
def sets(tmp_path: Path, mini_gazetteer: Path) -> tuple[Path, Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in CORPUS.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    old = tmp_path / "old.yaml"
    old.write_text(mini_gazetteer.read_text(encoding="utf-8"), encoding="utf-8")
    new = tmp_path / "new.yaml"
    text = mini_gazetteer.read_text(encoding="utf-8")
    text = text.replace("{id: city/minsk,", "{id: city/minsk-by,")  # relink
    text = "\n".join(line for line in text.splitlines() if "org/odkb" not in line)  # remove
    text += "\n  - {id: person/zhumabekov, type: person, name: Марат Жумабеков, gender: m}\n"  # add
    new.write_text(text, encoding="utf-8")
    return old, new, corpus


def test_compare_by_position():
    cols = {"text": "x", "entity_type": "t", "canonical": "X", "method": "exact"}
    old = pl.DataFrame(
        [
            {"doc_id": "a", "start": s, "end": e, "entity_id": i, **cols}
            for s, e, i in [(0, 3, "p"), (5, 8, "q"), (10, 12, "r")]
        ]
    )
    new = pl.DataFrame(
        [
            {"doc_id": "a", "start": s, "end": e, "entity_id": i, **cols}
            for s, e, i in [(0, 3, "p"), (5, 8, "q2"), (20, 22, "s")]
        ]
    )
    added, removed, relinked, unchanged = diff.compare(old, new)
    assert added.select("start", "entity_id").rows() == [(20, "s")]
    assert removed.select("start", "entity_id").rows() == [(10, "r")]
    assert relinked.select("start", "entity_id", "entity_id_new").rows() == [(5, "q", "q2")]
    assert unchanged == 1


def test_diff_added_removed_relinked(sets):
    old, new, corpus = sets
    d = diff.diff([old], [new], corpus, bundled=False)
    assert sorted(d.added["text"].to_list()) == ["Марат Жумабеков", "Марат Жумабеков"]
    assert d.removed.select("doc_id", "text", "entity_id").rows() == [("b", "ОДКБ", "org/odkb")]
    assert sorted(set(d.relinked.select("entity_id", "entity_id_new").rows())) == [("city/minsk", "city/minsk-by")]
    assert d.relinked.height == 2 and d.unchanged == 1  # Ван Сяохун
    assert d.entities_added == ["city/minsk-by", "person/zhumabekov"]
    assert d.entities_removed == ["city/minsk", "org/odkb"]
    assert d.removed["context"][0] == "…Делегация [ОДКБ] и Марат Жумабеков обсудили миграцию.…"


def test_cli_text_and_github(sets, capsys, tmp_path, monkeypatch):
    old, new, corpus = sets
    assert main(["gazetteers", "diff", str(old), str(new), "--corpus", str(corpus), "-j", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("gazetteers diff: 2 added, 1 removed, 2 relinked, 1 unchanged mentions in 2 documents")
    assert "+2    Марат Жумабеков (person/zhumabekov)" in text
    assert "~2    city/minsk → city/minsk-by" in text
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert (
        main(["gazetteers", "diff", str(old), str(new), "--corpus", str(corpus), "--format", "github", "-j", "1"]) == 0
    )
    md = capsys.readouterr().out
    assert md.startswith("### 📝 Gazetteer change on the corpus")
    assert "| 1 | Организация Договора о коллективной безопасности `org/odkb` | …Делегация **ОДКБ** и" in md
    assert "| 2 | `city/minsk` | `city/minsk-by` |" in md
    assert summary.read_text(encoding="utf-8") == md


def test_cli_errors(sets, capsys, tmp_path):
    old, _new, corpus = sets
    assert main(["gazetteers", "diff", str(old), str(tmp_path / "nope"), "--corpus", str(corpus)]) == 2
    assert "nope" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:  # --corpus is required
        main(["gazetteers", "diff", str(old), str(old)])
    assert exc.value.code == 2
    assert main(["gazetteers", "frobnicate"]) == 2


def test_no_change_on_seeds(capsys):
    need(SEEDS)
    from normalize.gazetteer import bundled_dir

    assert main(["gazetteers", "diff", str(bundled_dir()), str(bundled_dir()), "--corpus", str(SEEDS), "-j", "1"]) == 0
    out = capsys.readouterr().out
    assert "0 added, 0 removed, 0 relinked" in out and "no mention changes" in out


@pytest.mark.parametrize(
    ("documents", "text", "markdown"),
    [
        (1, "unchanged mentions in 1 document\n", "· 1 document"),
        (2, "unchanged mentions in 2 documents\n", "· 2 documents"),
    ],
)
def test_counts_take_the_number_of_their_noun(documents, text, markdown):
    none = pl.DataFrame(schema={k: pl.String for k in ("doc_id", "text", "entity_id", "canonical", "context")})
    d = diff.GazetteerDiff(none, none, none, 0, documents, [], [], [])
    assert text in diff.format_text(d) and markdown in diff.format_markdown(d)
    assert "**0** mentions added" in diff.format_markdown(d)
