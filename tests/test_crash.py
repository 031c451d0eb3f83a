"""Crash safety, resume and determinism.

A run killed with SIGKILL (by fault injection at named points, and by a real kill of
the process group at an arbitrary moment) and started again with the same arguments
ends with exactly the tables of an uninterrupted run and no temporary files; records
already finished are not processed again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from runs import MINI, TEXT, assert_same_tables, command, corpus, env, leftovers, run, run_subprocess

from normalize import cli, resume

BATCH = ("--batch-size", "4")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, Path]:
    """30 documents (8 parts of 4) and the tables of an uninterrupted run over them."""
    base = tmp_path_factory.mktemp("crash")
    inp = corpus(base / "in", 30)
    (inp / "rows.jsonl").write_text('{"id": "r1", "text": "Минск."}\nbroken\n', encoding="utf-8")
    ref = base / "reference"
    r = run_subprocess(inp, ref, "-j1", *BATCH)
    assert r.code == 0, r.err
    assert r.report["records"] == 32 and r.report["processed"] == 31  # the broken line is rejected while reading
    return inp, ref


def _killed_then_rerun(inp: Path, ref: Path, out: Path, fault: str) -> dict:
    killed = run_subprocess(inp, out, "-j1", *BATCH, fault=fault)
    assert killed.code == -signal.SIGKILL, killed.err
    rerun = run_subprocess(inp, out, "-j1", *BATCH)
    assert rerun.code == 0, rerun.err
    assert_same_tables(ref, out)
    assert leftovers(out) == []
    rep = rerun.report
    assert rep["records"] == rep["documents"] + rep["rejects"] == 32
    return rep


@pytest.mark.parametrize("fault", ["part:2", "tmp:mentions", "table:documents", "compact"])
def test_killed_run_completes_on_rerun(small, tmp_path, fault):
    inp, ref = small
    if fault == "compact":
        # parts are compacted only when some hold records the input no longer has: leave such
        # parts behind with a complete run over another input first
        other = tmp_path / "other"
        shutil.copytree(inp, other)
        assert run_subprocess(other, tmp_path / "out", "-j1", *BATCH).code == 0
    rep = _killed_then_rerun(inp, ref, tmp_path / "out", fault)
    if fault == "part:2":
        assert rep["reused"] == 8 and rep["processed"] == 23  # the two finished parts are not redone
    else:
        assert rep["reused"] == 31 and rep["processed"] == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "fault", ["part:1", "part:7", "tmp:documents", "table:mentions", "tmp:edits", "table:rejects", "tmp:run"]
)
def test_killed_run_completes_on_rerun_everywhere(small, tmp_path, fault):
    _killed_then_rerun(*small, tmp_path / "out", fault)


def test_tables_are_never_half_written_and_run_json_marks_a_complete_set(small, tmp_path):
    """Killed between two tables: the report is gone, so no caller mistakes the mix for a result."""
    inp = tmp_path / "in"
    shutil.copytree(small[0], inp)
    out = tmp_path / "out"
    assert run_subprocess(inp, out, "-j1", *BATCH).code == 0
    (inp / "doc0000.txt").write_text("Изменённый текст: " + TEXT, encoding="utf-8")
    killed = run_subprocess(inp, out, "-j1", *BATCH, fault="table:mentions")
    assert killed.code == -signal.SIGKILL
    assert not (out / "run.json").exists()
    rerun = run_subprocess(inp, out, "-j1", *BATCH)
    assert rerun.code == 0 and (out / "run.json").exists() and leftovers(out) == []
    assert rerun.report["processed"] == 0  # the changed document was finished before the kill
    fresh = run_subprocess(inp, tmp_path / "fresh", "-j1", "--no-resume")
    assert_same_tables(fresh.out, out)


def _wait_for(pred, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise TimeoutError
        time.sleep(0.005)


def test_real_sigkill_mid_run_then_rerun(tmp_path):
    """SIGKILL to the whole process group (parent and workers) while parts are being written."""
    long_text = (TEXT + " Далее подробности. ") * 40
    inp = corpus(tmp_path / "in", 120, long_text)
    ref = tmp_path / "reference"
    assert run_subprocess(inp, ref, "-j1", "--batch-size", "3").code == 0
    out = tmp_path / "out"
    p = subprocess.Popen(
        command(inp, out, "-j2", "--batch-size", "3"),
        env=env(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parts = out / ".normalize" / "parts"
    try:
        _wait_for(lambda: parts.is_dir() and sum(1 for q in parts.iterdir() if not q.name.startswith(".")) >= 3)
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    assert p.returncode == -signal.SIGKILL
    assert not (out / "run.json").exists(), "the run finished before it was killed; make the corpus bigger"
    rerun = run_subprocess(inp, out, "-j2", "--batch-size", "3")
    assert rerun.code == 0, rerun.err
    assert_same_tables(ref, out)
    assert leftovers(out) == []
    rep = rerun.report
    assert rep["reused"] >= 9 and rep["reused"] + rep["processed"] == rep["records"] == 120


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 0.8, 1.2, 1.6, 2.0, 2.5])
def test_sigkill_at_any_moment(tmp_path, delay):
    inp = corpus(tmp_path / "in", 60, (TEXT + " Далее. ") * 20)
    ref = tmp_path / "reference"
    assert run_subprocess(inp, ref, "-j1", "--batch-size", "5").code == 0
    out = tmp_path / "out"
    p = subprocess.Popen(command(inp, out, "-j2", "--batch-size", "5"), env=env(), start_new_session=True)
    time.sleep(delay)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    rerun = run_subprocess(inp, out, "-j2", "--batch-size", "5")
    assert rerun.code == 0, rerun.err
    assert_same_tables(ref, out)
    assert leftovers(out) == []


def test_unchanged_inputs_are_not_reprocessed(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 12)
    out = tmp_path / "out"
    first = run(inp, out, "--batch-size", "5", capsys=capsys)
    assert first.code == 0 and first.report["processed"] == 12
    assert len(list((out / ".normalize" / "parts").iterdir())) == 3  # a fresh run's parts are kept as written
    again = run(inp, out, "--batch-size", "5", capsys=capsys)
    assert again.report["processed"] == 0 and again.report["reused"] == 12
    assert "(0 processed, 12 reused from an earlier run)" in again.err
    (inp / "doc0003.txt").write_text("Новый текст о Минске.", encoding="utf-8")
    (inp / "doc0011.txt").unlink()
    changed = run(inp, out, "--batch-size", "5", capsys=capsys)
    assert changed.report["processed"] == 1 and changed.report["reused"] == 10
    fresh = run(inp, tmp_path / "fresh", "--no-resume", capsys=capsys)
    assert_same_tables(fresh.out, out)
    assert len(list((out / ".normalize" / "parts").iterdir())) == 1  # compacted to what the run used
    # another gazetteer set (or normalize version, or code) is another configuration: nothing reused
    other = tmp_path / "other.yaml"
    other.write_text(MINI.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert cli.main([str(inp), str(out), "-g", str(other), "--no-bundled", "-j1", "-q"]) == 0
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["processed"] == 11


def test_no_resume_processes_everything(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 5)
    out = tmp_path / "out"
    run(inp, out, capsys=capsys)
    again = run(inp, out, "--no-resume", capsys=capsys)
    assert again.report["processed"] == 5 and again.report["reused"] == 0


def test_determinism_whatever_the_workers(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 40)
    (inp / "z.jsonl").write_text(
        "".join(f'{{"id": "j{i}", "text": "Строка {i}: Минск и Кыргызстан."}}\n' for i in range(20)), encoding="utf-8"
    )
    one = run(inp, tmp_path / "one", "-j1", "--batch-size", "7", capsys=capsys)
    three = run(inp, tmp_path / "three", "-j3", "--batch-size", "3", capsys=capsys)
    assert one.code == three.code == 0
    assert_same_tables(one.out, three.out)
    for name in ("documents", "mentions", "edits", "rejects"):
        a = (one.out / f"{name}.parquet").read_bytes()
        b = (three.out / f"{name}.parquet").read_bytes()
        assert a == b, f"{name}.parquet differs byte for byte"
    ids = one.documents["doc_id"].to_list()
    assert ids == [f"doc{i:04d}" for i in range(40)] + [f"j{i}" for i in range(20)]  # input order


def test_two_runs_cannot_share_an_output_folder(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 2)
    out = tmp_path / "out"
    out.mkdir()
    with resume.locked(out):
        r = run(inp, out, capsys=capsys)
    assert r.code == 2
    assert r.err.strip().count("\n") == 0 and "another normalize run" in r.err
    assert run(inp, out, capsys=capsys).code == 0


def test_the_lock_is_held_until_the_tables_are_written(tmp_path, monkeypatch):
    """A second run started while the first writes its tables stops; it neither sweeps the first's
    temporary files nor writes over its tables."""
    import normalize
    from normalize import write

    inp = corpus(tmp_path / "in", 2)
    out = tmp_path / "out"
    real = write.write_tables
    seen: list[str] = []

    def write_tables(tables, folder, fmt):
        if not seen:
            seen.append("second run")
            with pytest.raises(write.OutputError, match="another normalize run"):
                normalize.run(inp, out, workers=1, progress=False)
            seen.append("refused")
        return real(tables, folder, fmt)

    monkeypatch.setattr(write, "write_tables", write_tables)
    result = normalize.run(inp, out, workers=1, progress=False)
    assert seen == ["second run", "refused"]
    assert result.documents == 2 and (out / "run.json").is_file()
