"""Stale output: OUT after a run holds exactly that run's outputs, and never loses a user's file.

`run.json` lists what the run wrote (`outputs`); what an earlier run wrote and this one did not
(a report, another format's tables) is removed, also after a run that failed in between, and
also when the earlier run was made by a version that kept no list. Only names normalize writes
are ever removed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from runs import TABLES, corpus, run

from normalize import faults, outputs

USER_FILES = ("notes.txt", "documents.xlsx", "mine/report.html", "mine/documents.parquet")


def tables(fmt: str) -> list[str]:
    return [f"{t}.{fmt}" for t in TABLES]


def listing(out: Path) -> list[str]:
    """Every file in OUT but normalize's state folder, relative to OUT."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and ".normalize" not in p.parts)


def with_user_files(out: Path) -> Path:
    for name in USER_FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("the user's own", encoding="utf-8")
    return out


@pytest.mark.parametrize(
    ("first", "second", "written"),
    [
        (("--report",), (), [*tables("parquet"), "run.json"]),  # the old report goes
        (("--format", "csv"), (), [*tables("parquet"), "run.json"]),  # the other format's tables go
        (("--format", "jsonl", "--report"), ("--format", "csv"), [*tables("csv"), "run.json"]),
        ((), ("--report",), [*tables("parquet"), "report.html", "run.json"]),
        (("--format", "csv"), ("--format", "csv"), [*tables("csv"), "run.json"]),
    ],
)
def test_out_holds_exactly_the_last_runs_outputs_and_the_users_files(tmp_path, capsys, first, second, written):
    inp = corpus(tmp_path / "in", 2)
    out = with_user_files(tmp_path / "out")
    assert run(inp, out, *first, capsys=capsys).code == 0
    last = run(inp, out, *second, capsys=capsys)
    assert last.code == 0, last.err
    assert listing(out) == sorted([*written, *USER_FILES])
    assert sorted(json.loads((out / "run.json").read_text(encoding="utf-8"))["outputs"]) == sorted(written)


def test_a_table_the_user_made_is_not_normalizes_to_remove(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 1)
    out = tmp_path / "out"
    out.mkdir()
    (out / "documents.csv").write_text("doc_id\nmine\n", encoding="utf-8")  # never written by normalize
    assert run(inp, out, capsys=capsys).code == 0
    assert run(inp, out, "--report", capsys=capsys).code == 0
    assert (out / "documents.csv").read_text(encoding="utf-8") == "doc_id\nmine\n"


def test_what_a_failed_run_began_is_removed_by_the_next(tmp_path, capsys, monkeypatch):
    """A run that failed while writing removed run.json; the list in the state folder still knows."""
    inp = corpus(tmp_path / "in", 2)
    out = tmp_path / "out"
    assert run(inp, out, "--format", "csv", "--report", capsys=capsys).code == 0
    monkeypatch.setenv(faults.ENV, "write:mentions.parquet=ENOSPC")
    assert run(inp, out, capsys=capsys).code == 3
    assert not (out / "run.json").exists()
    monkeypatch.setenv(faults.ENV, "write:rejects.jsonl=ENOSPC")
    faults.reset()
    assert run(inp, out, "--format", "jsonl", capsys=capsys).code == 3  # a third format, begun
    monkeypatch.delenv(faults.ENV)
    assert run(inp, out, capsys=capsys).code == 0
    assert listing(out) == sorted([*tables("parquet"), "run.json"])


def test_an_out_from_before_the_list(tmp_path, capsys):
    """run.json of a version that listed nothing: the tables of its format were normalize's."""
    inp = corpus(tmp_path / "in", 1)
    out = with_user_files(tmp_path / "out")
    for name in tables("csv"):
        (out / name).write_text("x\n", encoding="utf-8")
    (out / "run.json").write_text(json.dumps({"format": "csv", "documents": 1}), encoding="utf-8")
    assert run(inp, out, capsys=capsys).code == 0
    assert listing(out) == sorted([*tables("parquet"), "run.json", *USER_FILES])


@pytest.mark.parametrize(
    ("listed", "removed"),
    [
        (["documents.csv", "report.html", "run.json"], {"documents.csv", "report.html"}),
        (["notes.txt", "../outside.txt", "mine/report.html", "/etc/hostname"], set()),  # never normalize's
        (["documents.csv/..", "documents.csv.bak", "DOCUMENTS.CSV"], set()),
        ("documents.csv", set()),  # not a list: nothing
    ],
)
def test_only_names_normalize_writes_are_ever_removed(tmp_path, listed, removed):
    out = tmp_path / "out"
    (out / ".normalize").mkdir(parents=True)
    (out / ".normalize" / outputs.LEDGER).write_text(json.dumps({"outputs": listed}), encoding="utf-8")
    assert outputs.written_before(out) - {"run.json"} == removed
    before = outputs.claim(out, outputs.planned("parquet", report=False))
    assert sorted(outputs.settle(out, before, outputs.planned("parquet", report=False))) == sorted(removed)
