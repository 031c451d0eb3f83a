"""Faults of the environment: a full disk, a read-only or vanished OUT, input files that go away
or cannot be read, a gazetteer cache that cannot be written.

A fault of OUT stops the run with one line naming the path and the cause, exit 3, no traceback
and no half-written table; the same command run again once the fault is gone ends with the
tables of an uninterrupted run, byte for byte. A fault of one input file is that file's reject.
Faults are injected where the run writes and reads (`NORMALIZE_IO_FAULT`, inherited by worker
processes) and, where this machine lets a test mount one, met for real on a small tmpfs.
"""

from __future__ import annotations

import errno
import logging
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from runs import TABLES, assert_same_bytes, command, corpus, env, leftovers, run, run_subprocess

from normalize import cache, cli, faults, pipeline, read, write

BATCH = ("--batch-size", "4")


@pytest.fixture(autouse=True)
def _counts_from_zero():
    faults.reset()  # `part#2` counts the parts of the run under test, not of the tests before it
    yield
    faults.reset()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """14 documents and a JSONL file (16 records, 4 parts of 4), and the tables of an uninterrupted run."""
    base = tmp_path_factory.mktemp("faults")
    inp = corpus(base / "in", 14)
    (inp / "rows.jsonl").write_text('{"id": "r1", "text": "Минск."}\nbroken\n', encoding="utf-8")
    r = run_subprocess(inp, base / "reference", "-j1", *BATCH)
    assert r.code == 0, r.err
    return inp, base / "reference"


def error_line(err: str) -> str:
    """The one line a run that failed printed: no traceback, nothing else."""
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("normalize: error: "), err
    assert "Traceback" not in err
    return lines[0]


def assert_nothing_half_written(out: Path) -> None:
    """No temporary file, no run.json claiming a set, and every table there is whole."""
    assert leftovers(out) == []
    assert not (out / "run.json").exists()
    for table in out.glob("*.parquet"):
        pl.read_parquet(table)


# --- recognising the errors -----------------------------------------------------------------

POLARS_ENOSPC = "parquet: File out of specification: underlying IO error: No space left on device (os error 28)"


@pytest.mark.parametrize(
    ("error", "code", "cause"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/o/x"), errno.ENOSPC, "No space left on device"),
        (OSError("No space left on device (os error 28)"), errno.ENOSPC, "No space left on device"),  # polars' own
        (pl.exceptions.ComputeError(POLARS_ENOSPC), errno.ENOSPC, "No space left on device"),
        (pl.exceptions.ComputeError("sink: Read-only file system"), errno.EROFS, "Read-only file system"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory"), errno.ENOENT, "No such file or directory"),
        (pl.exceptions.ComputeError("cannot compare string with numeric type"), None, None),  # a bug, not the disk
        (ValueError("No space left on device (os error 28)"), None, None),  # not an I/O error type
    ],
)
def test_io_errors_are_recognised_whoever_raises_them(error, code, cause):
    assert faults.errno_of(error) == code
    if cause is None:
        with pytest.raises(type(error)), faults.writing("/o/x"):
            raise error
        return
    with pytest.raises(faults.IOFault) as caught, faults.writing("/o/x"):
        raise error
    assert str(caught.value) == f"/o/x: cannot write: {cause}" and caught.value.errno == code
    again = pickle.loads(pickle.dumps(caught.value))  # crosses the process pool whole
    assert (str(again), again.errno) == (str(caught.value), code)


# --- OUT: a full disk, read-only, a write refused ---------------------------------------------


@pytest.mark.parametrize(
    ("fault", "args", "named", "cause"),
    [
        ("part#2=ENOSPC", (), ".normalize/parts", "No space left on device"),  # a checkpoint part
        ("part#2=ENOSPC:polars", (), ".normalize/parts", "No space left on device"),  # as polars reports it
        ("write:mentions.parquet=ENOSPC:polars", (), "mentions.parquet", "No space left on device"),
        ("write:documents.parquet=EDQUOT", (), "documents.parquet", "Disk quota exceeded"),
        ("write:edits.parquet=EACCES", (), "edits.parquet", "Permission denied"),
        ("write:run.json=ENOSPC", (), "run.json", "No space left on device"),
        ("write:report.html=ENOSPC", ("--report",), "report.html", "No space left on device"),
        ("write:outputs.json=EROFS", (), ".normalize/outputs.json", "Read-only file system"),
        ("write:manifest.json=EIO", (), ".normalize/manifest.json", "Input/output error"),
        ("out=EROFS", (), "", "Read-only file system"),  # OUT refuses a file before anything starts
    ],
)
def test_a_write_refused_is_one_line_exit_3_and_a_rerun_completes(
    reference, tmp_path, capsys, monkeypatch, fault, args, named, cause
):
    inp, ref = reference
    out = tmp_path / "out"
    monkeypatch.setenv(faults.ENV, fault)
    failed = run(inp, out, *BATCH, *args, capsys=capsys)
    assert failed.code == cli.EXIT_IO == 3, failed.err
    line = error_line(failed.err)
    assert f"{out / named if named else out}: cannot " in line and cause in line, line
    assert_nothing_half_written(out)
    monkeypatch.delenv(faults.ENV)
    rerun = run(inp, out, *BATCH, *args, capsys=capsys)
    assert rerun.code == 0, rerun.err
    assert_same_bytes(ref, out)
    assert leftovers(out) == [] and rerun.report["records"] == 16
    if fault.startswith("part"):  # the part written before the disk filled up is not redone
        assert (rerun.report["reused"], rerun.report["processed"]) == (4, 11)


@pytest.mark.parametrize("fault", ["read-part#2=EIO", "read-part#2=EACCES:polars"])
def test_a_part_the_disk_cannot_read_now_is_kept(reference, tmp_path, capsys, monkeypatch, fault):
    """A checkpoint part that fails to read with an I/O error is not damaged: exit 3, nothing
    removed, and the run after reuses it (a damaged part, below, is removed and redone)."""
    inp, ref = reference
    out = tmp_path / "out"
    assert run(inp, out, *BATCH, capsys=capsys).code == 0
    parts = sorted(p.name for p in (out / ".normalize" / "parts").iterdir())
    monkeypatch.setenv(faults.ENV, fault)
    failed = run(inp, out, *BATCH, capsys=capsys)
    assert failed.code == cli.EXIT_IO, failed.err
    assert ".normalize/parts/" in error_line(failed.err) and ": cannot read: " in error_line(failed.err)
    assert sorted(p.name for p in (out / ".normalize" / "parts").iterdir()) == parts
    monkeypatch.delenv(faults.ENV)
    rerun = run(inp, out, *BATCH, capsys=capsys)
    assert rerun.code == 0 and (rerun.report["reused"], rerun.report["processed"]) == (15, 0)
    assert_same_bytes(ref, out)


def test_a_damaged_part_is_removed_and_its_records_redone(reference, tmp_path, capsys):
    inp, ref = reference
    out = tmp_path / "out"
    assert run(inp, out, *BATCH, capsys=capsys).code == 0
    first, second = sorted((out / ".normalize" / "parts").iterdir())[:2]
    (first / "documents.parquet").unlink()
    (second / "rejects.parquet").write_bytes(b"not parquet")
    rerun = run(inp, out, *BATCH, capsys=capsys)
    assert rerun.code == 0, rerun.err
    assert rerun.report["reused"] + rerun.report["processed"] == 15 and rerun.report["processed"] >= 2  # 1 read reject
    assert_same_bytes(ref, out)


def test_a_full_disk_in_a_worker_process_is_one_line_and_the_rerun_resumes(reference, tmp_path):
    """Workers write the parts: their error crosses the process pool and is still one line, exit 3."""
    inp, ref = reference
    out = tmp_path / "out"
    failed = run_subprocess(inp, out, "-j2", *BATCH, io_fault="part#2=ENOSPC:polars")
    assert failed.code == 3, failed.err
    line = error_line(failed.err)
    assert f"{out / '.normalize' / 'parts'}: cannot write: No space left on device" in line
    assert_nothing_half_written(out)
    rerun = run_subprocess(inp, out, "-j2", *BATCH)
    assert rerun.code == 0, rerun.err
    assert_same_bytes(ref, out)
    assert rerun.report["reused"] >= 4  # each worker's first part


# --- OUT removed while the run goes on -----------------------------------------------------------


def _remove_out_after_the_first_part(monkeypatch, out: Path) -> None:
    original = pipeline.run_batches

    def batches(*args, **kwargs):
        for i, result in enumerate(original(*args, **kwargs)):
            yield result
            if i == 0:
                shutil.rmtree(out)

    monkeypatch.setattr(pipeline, "run_batches", batches)


def _remove_out_before_the_tables(monkeypatch, out: Path) -> None:
    original = write.write_tables

    def tables(*args, **kwargs):
        shutil.rmtree(out)
        return original(*args, **kwargs)

    monkeypatch.setattr(write, "write_tables", tables)


@pytest.mark.parametrize("remove", [_remove_out_after_the_first_part, _remove_out_before_the_tables])
def test_out_removed_mid_run(reference, tmp_path, capsys, monkeypatch, remove):
    inp, ref = reference
    out = tmp_path / "out"
    remove(monkeypatch, out)
    failed = run(inp, out, *BATCH, capsys=capsys)
    assert failed.code == 3, failed.err
    assert error_line(failed.err).startswith(f"normalize: error: {out}: the output folder went away during the run")
    monkeypatch.undo()
    rerun = run(inp, out, *BATCH, capsys=capsys)
    assert rerun.code == 0, rerun.err
    assert_same_bytes(ref, out)


# --- an input file that goes away or cannot be read: its reject, and the run goes on ----------


def _vanish(monkeypatch, inp: Path) -> None:
    original = read.scan

    def scan(*args, **kwargs):
        found = original(*args, **kwargs)
        (inp / "doc0003.txt").unlink()  # listed, then gone before it is read
        return found

    monkeypatch.setattr(read, "scan", scan)


@pytest.mark.parametrize(
    ("how", "doc_id", "reason"),
    [
        (_vanish, "doc0003", "unreadable: No such file or directory (removed during the run)"),
        ("read:doc0005.txt=EACCES", "doc0005", "unreadable: Permission denied"),
        ("read:rows.jsonl=EIO", "rows", "unreadable: Input/output error"),
    ],
)
def test_an_input_file_that_goes_away_or_turns_unreadable_is_a_reject(
    reference, tmp_path, capsys, monkeypatch, how, doc_id, reason
):
    inp = tmp_path / "in"
    shutil.copytree(reference[0], inp)
    if callable(how):
        how(monkeypatch, inp)
    else:
        monkeypatch.setenv(faults.ENV, how)
    r = run(inp, tmp_path / "out", *BATCH, capsys=capsys)
    assert r.code == 0, r.err
    assert r.reason(doc_id) == (reason, "read")
    rep = r.report
    assert rep["records"] == rep["documents"] + rep["rejects"]
    assert rep["documents"] == 14  # of 15: the run went on with the rest


# --- the gazetteer cache: run without it, one warning ---------------------------------------------


def _file_in_the_way(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    return tmp_path / "file" / "cache"


@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        (None, "Not a directory"),  # a file where the folder should be
        ("cache=ENOSPC", "No space left on device"),  # the disk fills up while the entry is written
        ("cache=EROFS", "Read-only file system"),
    ],
)
def test_an_unwritable_cache_is_one_warning(tmp_path, monkeypatch, caplog, mini_gazetteer, fault, cause):
    where = _file_in_the_way(tmp_path) if fault is None else tmp_path / "cache"
    monkeypatch.setenv("NORMALIZE_CACHE", str(where))
    if fault:
        monkeypatch.setenv(faults.ENV, fault)
    with caplog.at_level(logging.WARNING, logger="normalize.cache"):
        for _ in range(3):  # compiled three times, said once
            _, index = cache.compile_gazetteers([mini_gazetteer], bundled=False)
    assert index.n_keys > 0
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith(f"normalize: warning: gazetteer cache {where} not writable ({cause})"), line
    assert "\n" not in line
    if where.is_dir():
        assert list(where.iterdir()) == []  # no half an entry


def test_an_unwritable_cache_warns_once_per_run_not_once_per_worker(tmp_path):
    inp = corpus(tmp_path / "in", 12)
    blocked = tmp_path / "file"
    blocked.write_text("x", encoding="utf-8")
    p = subprocess.run(
        [*command(inp, tmp_path / "out"), "-j2", *BATCH],
        env=env(NORMALIZE_CACHE=str(blocked / "cache")),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"normalize: warning: gazetteer cache {blocked / 'cache'}"), lines


# --- the help says what exit 3 means ---------------------------------------------------------------


def test_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    for code, meaning in cli.EXIT_CODES:
        assert f"  {code}  {meaning}" in text
    assert "3  could not read or write while running (disk full" in text


# --- for real: a small tmpfs, where this machine lets a test mount one ------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """mount(name, size) → a fresh tmpfs folder; skipped where mounting is not permitted."""
    mounted: list[Path] = []

    def mount(name: str, size: str) -> Path:
        where = tmp_path / name
        where.mkdir()
        if shutil.which("mount") is None:
            pytest.skip("no mount command here; the injected faults above cover the same paths")
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
        if p.returncode != 0:
            why = p.stderr.decode(errors="replace").strip() or f"exit {p.returncode}"
            pytest.skip(f"cannot mount a tmpfs here ({why}); the injected faults above cover the same paths")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True, capture_output=True)


def test_a_real_full_disk(tmp_path, tmpfs):
    """OUT on a 64 KB filesystem: the parts fill it; exit 3 in one line; with room, the rerun resumes."""
    inp = corpus(tmp_path / "in", 40)
    ref = run_subprocess(inp, tmp_path / "ref", "-j1", *BATCH)
    assert ref.code == 0, ref.err
    disk = tmpfs("disk", "64k")
    out = disk / "out"
    failed = run_subprocess(inp, out, "-j2", *BATCH)
    assert failed.code == 3, failed.err
    line = error_line(failed.err)
    assert f"normalize: error: {out}" in line and "No space left on device" in line, line
    assert_nothing_half_written(out)
    remount(disk, "size=8m")
    rerun = run_subprocess(inp, out, "-j2", *BATCH)
    assert rerun.code == 0, rerun.err
    assert_same_bytes(ref.out, out)
    assert rerun.report["reused"] > 0 and leftovers(out) == []


def test_a_real_read_only_filesystem(tmp_path, tmpfs, capsys):
    """A finished run's OUT remounted read-only: a new run says so and leaves the set as it was."""
    inp = corpus(tmp_path / "in", 6)
    disk = tmpfs("disk", "8m")
    out = disk / "out"
    assert run(inp, out, capsys=capsys).code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    remount(disk, "ro")
    failed = run(inp, out, "--format", "csv", capsys=capsys)
    assert failed.code == 3
    assert error_line(failed.err).startswith(f"normalize: error: {out}: cannot write: Read-only file system")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    fresh = run(inp, disk / "new", capsys=capsys)
    assert fresh.code == 3
    assert "cannot create the output folder: Read-only file system" in error_line(fresh.err)
    remount(disk, "rw")
    again = run(inp, out, "--format", "csv", capsys=capsys)
    assert again.code == 0, again.err
    names = sorted(p.name for p in out.iterdir() if p.is_file())
    assert names == sorted([f"{t}.csv" for t in TABLES] + ["run.json"])  # the parquet set is gone


def test_a_real_read_only_cache(tmp_path, tmpfs, monkeypatch, caplog, mini_gazetteer):
    disk = tmpfs("cache", "1m")
    remount(disk, "ro")
    monkeypatch.setenv("NORMALIZE_CACHE", str(disk / "normalize"))
    with caplog.at_level(logging.WARNING, logger="normalize.cache"):
        _, index = cache.compile_gazetteers([mini_gazetteer], bundled=False)
    assert index.n_keys > 0
    (line,) = [r.getMessage() for r in caplog.records]
    assert "not writable (Read-only file system); running without it" in line


def test_os_access_is_not_the_judge(tmp_path, capsys, monkeypatch):
    """A folder that takes files is used whatever os.access says (root, ACLs, network mounts)."""
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    out = tmp_path / "out"
    write.prepare_out(out)
    assert out.is_dir() and leftovers(out) == []
