"""Read: turn an input folder or file into records, every one a document or a reject.

Folders are walked recursively for `.txt` (doc_id = path relative to IN without the
suffix), `.jsonl`, `.csv` and `.parquet` (columns `id` or `doc_id`, and `text`; other
columns are kept as metadata). Symlinks that lead outside IN are not followed.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

SUFFIXES = (".txt", ".jsonl", ".csv", ".parquet")
MAX_DOC_BYTES = 50_000_000


@dataclass
class RawDoc:
    """One input document before decoding: raw bytes (files) or text (table rows)."""

    doc_id: str
    source_path: str
    data: bytes | None = None
    text: str | None = None
    meta: dict[str, object] = field(default_factory=dict)


@dataclass
class Reject:
    doc_id: str
    source_path: str
    reason: str
    stage: str = "read"


class InputError(ValueError):
    """The input as a whole cannot be read (missing, unreadable)."""


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def input_files(root: Path, follow_symlinks: bool = False) -> list[Path]:
    """Every readable input file below root (or root itself), in a stable order."""
    if not root.exists():
        raise InputError(f"{root}: no such file or directory")
    if root.is_file():
        return [root]
    if not os.access(root, os.R_OK | os.X_OK):
        raise InputError(f"{root}: permission denied")
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow_symlinks):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix.lower() in SUFFIXES:
                files.append(p)
    return files


def _doc_id(path: Path, root: Path) -> str:
    if root.is_file():
        return path.stem
    return path.relative_to(root).with_suffix("").as_posix()


def _table_records(
    path: Path, rel: str, rows: Iterator[tuple[int, dict[str, object] | str]]
) -> Iterator[RawDoc | Reject]:
    for line_no, row in rows:
        where = f"{rel}:{line_no}"
        if isinstance(row, str):
            yield Reject(where, str(path), row)
            continue
        doc_id = row.get("doc_id", row.get("id"))
        text = row.get("text")
        if doc_id is None or str(doc_id) == "":
            yield Reject(where, str(path), "missing id/doc_id")
            continue
        if not isinstance(text, str):
            yield Reject(str(doc_id), str(path), f"line {line_no}: missing or non-string 'text'")
            continue
        meta = {k: v for k, v in row.items() if k not in ("id", "doc_id", "text")}
        yield RawDoc(str(doc_id), str(path), text=text, meta=meta)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, object] | str]]:
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8-sig" if line_no == 1 else "utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield line_no, f"line {line_no}: invalid JSON ({exc.__class__.__name__}: {str(exc)[:80]})"
                continue
            yield line_no, row if isinstance(row, dict) else f"line {line_no}: not a JSON object"


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, object] | str]]:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        yield reader.line_num, dict(row)


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, object] | str]]:
    for batch in pl.read_parquet(path).iter_slices(10_000):
        for i, row in enumerate(batch.iter_rows(named=True)):
            yield i + 1, row


def read(root: Path, follow_symlinks: bool = False) -> Iterator[RawDoc | Reject]:
    """Every record under root, as a RawDoc or a Reject, in a stable order."""
    root = Path(root)
    seen: dict[str, str] = {}
    for path in input_files(root, follow_symlinks):
        rel = path.name if root.is_file() else path.relative_to(root).as_posix()
        if not follow_symlinks and path.is_symlink() and not _inside(path, root):
            yield Reject(_doc_id(path, root), str(path), "symlink pointing outside the input folder (not followed)")
            continue
        suffix = path.suffix.lower()
        try:
            if suffix == ".txt":
                size = path.stat().st_size
                if size > MAX_DOC_BYTES:
                    yield Reject(_doc_id(path, root), str(path), f"document too large ({size} bytes > {MAX_DOC_BYTES})")
                    continue
                records: Iterator[RawDoc | Reject] = iter(
                    [RawDoc(_doc_id(path, root), str(path), data=path.read_bytes())]
                )
            elif suffix == ".jsonl":
                records = _table_records(path, rel, _jsonl_rows(path))
            elif suffix == ".csv":
                records = _table_records(path, rel, _csv_rows(path))
            else:
                records = _table_records(path, rel, _parquet_rows(path))
            for rec in records:
                if isinstance(rec, RawDoc):
                    if rec.doc_id in seen:
                        yield Reject(rec.doc_id, rec.source_path, f"duplicate doc_id (first in {seen[rec.doc_id]})")
                        continue
                    seen[rec.doc_id] = rec.source_path
                yield rec
        except (OSError, pl.exceptions.PolarsError, csv.Error) as exc:
            yield Reject(_doc_id(path, root), str(path), f"unreadable: {exc.__class__.__name__}: {str(exc)[:120]}")
