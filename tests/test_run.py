"""`normalize.run(IN, OUT)`: the command as a library call, the same tables and run.json."""

from __future__ import annotations

import json

import pytest
from runs import MINI, TEXT, assert_same_tables, corpus, run

import normalize
from normalize import cli, read, suggest, write
from normalize.runner import RunOptions


def test_the_library_run_writes_what_the_command_writes(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 3)
    (inp / "bad.txt").write_bytes(b"\x00binary")
    command = run(inp, tmp_path / "command", capsys=capsys)
    result = normalize.run(inp, tmp_path / "library", gazetteers=[MINI], bundled=False, workers=1)
    assert_same_tables(command.out, result.out)
    info = json.loads(result.run_json.read_text(encoding="utf-8"))
    assert info == result.info
    for key in ("files", "records", "documents", "rejects", "mentions", "edits", "processed", "reused"):
        assert getattr(result, key) == info[key] == command.report[key], key
    assert (result.records, result.documents, result.rejects, result.invalid) == (4, 3, 1, 0)
    assert result.tables == {name: tmp_path / "library" / f"{name}.parquet" for name in result.tables}
    assert sorted(result.tables) == ["documents", "edits", "mentions", "rejects"]
    assert all(path.is_file() for path in result.tables.values())
    assert result.report is None and result.unlinked is None
    assert result.overview.documents == 3 and result.chars_per_second == info["chars_per_second"] > 0


def test_the_progress_bar_counts_files_as_its_total_does(tmp_path, monkeypatch):
    from normalize import progress, runner

    inp = corpus(tmp_path / "in", 1)
    (inp / "table.csv").write_text("doc_id,text\na,Первый текст.\nb,Второй текст.\nc,Третий.\n", encoding="utf-8")
    bars: list[progress.Progress] = []

    class Recorded(progress.Progress):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bars.append(self)

    monkeypatch.setattr(runner, "Progress", Recorded)
    result = normalize.run(inp, tmp_path / "out", gazetteers=[MINI], bundled=False, workers=1)
    assert result.records == 4  # three rows of the table, one text file
    (bar,) = bars
    assert (bar.total, bar.done, bar.label) == (2, 2, "file")


@pytest.mark.parametrize("bundled", [True, False])
def test_run_json_names_the_layers_base_first(tmp_path, bundled):
    from normalize.gazetteer import bundled_dir

    inp = corpus(tmp_path / "in", 1)
    result = normalize.run(inp, tmp_path / "out", gazetteers=[MINI], bundled=bundled, workers=1)
    expected = [str(bundled_dir()), str(MINI)] if bundled else [str(MINI)]
    assert result.info["gazetteers"] == expected


@pytest.mark.parametrize(
    ("options", "fields", "expected"),
    [
        (None, {"format": "csv"}, {"format": "csv", "report": False}),
        (RunOptions(format="jsonl", report=True), {}, {"format": "jsonl", "report": True}),
        (RunOptions(format="jsonl"), {"format": "csv"}, {"format": "csv"}),  # the names win
    ],
)
def test_options_as_a_record_or_by_name(tmp_path, options, fields, expected):
    inp = corpus(tmp_path / "in", 1)
    result = normalize.run(inp, tmp_path / "out", options, gazetteers=(MINI,), bundled=False, workers=1, **fields)
    assert result.info["format"] == expected["format"]
    assert result.tables["documents"] == tmp_path / "out" / f"documents.{expected['format']}"
    assert result.tables["documents"].is_file()
    if "report" in expected:
        assert (result.report == tmp_path / "out" / "report.html") is expected["report"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"format": "xml"}, "unknown format 'xml'"),
        ({"workers": 0}, "workers must be at least 1"),
    ],
)
def test_bad_options(fields, message):
    with pytest.raises(ValueError, match=message):
        RunOptions(**fields)


def test_options_hold_paths(tmp_path):
    assert RunOptions(gazetteers=[str(MINI)]).gazetteers == (MINI,)
    assert RunOptions(gazetteers=None).gazetteers == ()  # type: ignore[arg-type]


def test_problems_with_the_run_raise_for_the_caller(tmp_path):
    with pytest.raises(read.InputError, match="no such file"):
        normalize.run(tmp_path / "missing", tmp_path / "out", workers=1)
    inp = corpus(tmp_path / "in", 1)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(write.OutputError, match="not a directory"):
        normalize.run(inp, tmp_path / "file", gazetteers=[MINI], bundled=False, workers=1)


def test_a_rerun_reuses_and_reports_no_throughput(tmp_path):
    inp = corpus(tmp_path / "in", 2)
    first = normalize.run(inp, tmp_path / "out", gazetteers=[MINI], bundled=False, workers=1, unlinked=True)
    again = normalize.run(inp, tmp_path / "out", gazetteers=[MINI], bundled=False, workers=1)
    assert (first.processed, first.reused) == (2, 0) and first.unlinked is not None
    assert (again.processed, again.reused) == (0, 2) and again.chars_per_second is None


def test_suggest_as_a_library_call_is_what_the_command_prints(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 2, TEXT + " Марат Жумабеков встретил Марата Жумабекова.")
    found = suggest.suggest(inp, [MINI], workers=1, bundled=False)
    assert "Марат Жумабеков" in [c.name for c in found]
    assert cli.main(["suggest", str(inp), "-g", str(MINI), "--no-bundled", "-j", "1"]) == 0
    assert capsys.readouterr().out == suggest.to_yaml(found)
