"""Write tables atomically: each goes to a temporary file in OUT, then is renamed.

A crash leaves either the previous table or the new one, never half of one, and
temporary files carry a `.tmp-` prefix so a later run can sweep them away.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import polars as pl

FORMATS = ("parquet", "csv", "jsonl")
TMP_PREFIX = ".tmp-"


class OutputError(ValueError):
    """OUT cannot be used (a file in the way, no permission)."""


def prepare_out(out: Path) -> None:
    """Create OUT if needed and remove temporary files left by a crashed run."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: output path exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create output directory ({exc.strerror})") from None
    if not os.access(out, os.W_OK):
        raise OutputError(f"{out}: output directory is not writable")
    for stale in out.glob(TMP_PREFIX + "*"):
        stale.unlink(missing_ok=True)


def _atomic(out: Path, name: str, write) -> Path:
    final = out / name
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix="-" + name, dir=out)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final


def write_table(df: pl.DataFrame, out: Path, name: str, fmt: str = "parquet") -> Path:
    """Write one table as OUT/<name>.<fmt>, atomically."""
    if fmt == "parquet":
        return _atomic(out, f"{name}.parquet", lambda p: df.write_parquet(p, row_group_size=50_000))
    if fmt == "csv":
        return _atomic(out, f"{name}.csv", lambda p: df.write_csv(p))
    if fmt == "jsonl":
        return _atomic(out, f"{name}.jsonl", lambda p: df.write_ndjson(p))
    raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")


def write_json(data: dict, out: Path, name: str) -> Path:
    """Write a JSON report atomically."""

    def dump(p: str) -> None:
        Path(p).write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")

    return _atomic(out, name, dump)
