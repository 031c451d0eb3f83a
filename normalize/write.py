"""Write tables atomically: each goes to a temporary file in OUT, then is renamed.

A crash leaves either the previous table or the new one, never half of one, and
temporary files carry a `.tmp-` prefix so a later run can sweep them away. The run
report `run.json` is removed before the tables are replaced and written after them,
so while it exists the tables beside it are one complete, consistent set.

A write that the environment refuses (a full disk, a read-only or vanished OUT) raises
`faults.IOFault` naming the file; the temporary file is removed, so the table before the run
(or none) stays in place. What a run wrote into OUT, so that the next run removes what it
no longer writes, is kept by `outputs.py`.

`NORMALIZE_FAULT=<point>` kills the process with SIGKILL at a named point (tests of
crash safety only): `tmp:<name>` with a table's temporary file written but not yet
renamed, `table:<name>` just after it is renamed; `resume.py` adds its own points.
(`NORMALIZE_IO_FAULT` makes writes fail instead: `faults.py`.)
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from normalize import faults

FORMATS = ("parquet", "csv", "jsonl")
_UMASK = os.umask(0)
os.umask(_UMASK)
TMP_PREFIX = ".tmp-"


class OutputError(ValueError):
    """OUT cannot be used as given (a file in the way, a broken symlink): a usage error."""


def fault(point: str) -> None:
    """Die here, as a crash would, when NORMALIZE_FAULT names this point (tests only)."""
    if os.environ.get("NORMALIZE_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def sweep(folder: Path) -> None:
    """Remove temporary files and folders a killed run left in folder."""
    if not folder.is_dir():
        return
    for stale in folder.glob(TMP_PREFIX + "*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def prepare_out(out: Path, swept: bool = True) -> None:
    """Create OUT if needed, check that it takes a file, remove temporary files left by a crashed run
    (`swept=False`: not yet, the caller sweeps once it holds OUT's lock).

    A path that cannot be a folder (a file, or a file on the way) is an `OutputError`; a
    folder the environment does not let us write (read-only, no permission, full) an `IOFault`."""
    if out.is_symlink() and not out.exists():
        raise OutputError(f"{out}: output path is a broken symlink")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: output path exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.EEXIST):
            raise OutputError(f"{out}: cannot create output directory ({exc.strerror})") from None
        raise faults.fault(out, exc, "create the output folder") from None
    # a file made and removed: the folder's real answer with its cause (read-only, full, no
    # permission), where os.access only says yes or no
    with faults.writing(out):
        faults.inject("out", out)
        fd, probe = tempfile.mkstemp(prefix=TMP_PREFIX, dir=out)
        os.close(fd)
        os.unlink(probe)
        if swept:
            sweep(out)


def _atomic(out: Path, name: str, write) -> Path:
    final = out / name
    with faults.writing(final):
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix="-" + name, dir=out)
        os.close(fd)
        try:
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; tables are ordinary files
            faults.inject(f"write:{name}", final)
            write(tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            fault(f"tmp:{name.split('.')[0]}")
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)  # a full disk gets its space back; no half a table
            raise
    return final


# a parquet row group is buffered whole before it is written: documents carry their full text,
# so theirs hold fewer rows (a few MB each) and memory stays flat on any corpus
_ROW_GROUPS = {"documents": 1_000}


def row_group_size(table: str) -> int:
    """Rows per parquet row group for a table (parts and output alike)."""
    return _ROW_GROUPS.get(table, 50_000)


def write_table(df: pl.DataFrame | pl.LazyFrame, out: Path, name: str, fmt: str = "parquet") -> Path:
    """Write one table as OUT/<name>.<fmt>, atomically; a LazyFrame is streamed (sunk), never held whole."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    lf = df.lazy()
    sinks = {
        "parquet": lambda p: lf.sink_parquet(p, row_group_size=row_group_size(name)),
        "csv": lambda p: lf.sink_csv(p),
        "jsonl": lambda p: lf.sink_ndjson(p),
    }
    return _atomic(out, f"{name}.{fmt}", sinks[fmt])


def write_tables(tables, out: Path, fmt: str, report_name: str = "run.json") -> None:
    """Remove the run report, then replace the tables; the caller writes the report after them,
    so the report is gone while the tables change.

    `tables`: (name, frame) pairs, or anything with such `.items()`. The tables are written
    at the same time, one thread each: polars works outside the GIL, and at the end of a run
    the cores are otherwise idle."""
    items = list(tables.items() if hasattr(tables, "items") else tables)
    with faults.writing(out / report_name):
        (out / report_name).unlink(missing_ok=True)

    def one(name: str, df: pl.DataFrame | pl.LazyFrame) -> None:
        write_table(df, out, name, fmt)
        fault(f"table:{name}")

    with ThreadPoolExecutor(max_workers=max(1, len(items))) as pool:
        for done in [pool.submit(one, name, df) for name, df in items]:
            done.result()


def write_json(data: dict, out: Path, name: str) -> Path:
    """Write a JSON report atomically."""

    def dump(p: str) -> None:
        Path(p).write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")

    return _atomic(out, name, dump)


def write_text(text: str, out: Path, name: str) -> Path:
    """Write a text file (UTF-8) atomically."""
    return _atomic(out, name, lambda p: Path(p).write_text(text, encoding="utf-8"))
