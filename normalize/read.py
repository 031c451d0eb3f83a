"""Read: turn an input folder or file into records, every one a document or a reject.

Folders are walked recursively for `.txt` and `.html`/`.htm` pages (doc_id = path
relative to IN without the suffix), `.jsonl`, `.csv` and `.parquet` (columns `id` or
`doc_id`, and `text` or `html`; other columns are kept as metadata). Files of other
types are skipped and counted by extension (`scan`); a single file of another type is
an `InputError`. Symlinks that lead outside IN are not followed (each is a reject);
with `follow_symlinks` they are, and symlink loops are cut.

Every record — a `.txt` file, a JSONL or CSV line, a parquet row — comes out as
exactly one `RawDoc` or `Reject`; a table file that cannot be read at all, or holds
no records, is one reject. Memory stays bounded by the size limit: a JSONL line or a
table cell longer than `MAX_DOC_BYTES` is rejected without being held whole.
"""

from __future__ import annotations

import codecs
import csv
import errno
import json
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from normalize import faults

SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".csv", ".parquet")
PAGES = (".html", ".htm")  # saved web pages: the article is extracted (`page.py`)
# the largest document (raw bytes of a .txt file, UTF-8 bytes of a table cell) that is processed
MAX_DOC_BYTES = 50_000_000
_PARQUET_SLICE = 1_000
_CSV_SNIFF = 1 << 20


@dataclass
class RawDoc:
    """One input document before decoding: raw bytes (files) or text (table rows).

    `kind` is "html" for a saved web page (a `.html` file, a table's `html` cell), whose
    article is extracted when it is decoded; "text" otherwise."""

    doc_id: str
    source_path: str
    data: bytes | None = None
    text: str | None = None
    meta: dict[str, object] = field(default_factory=dict)
    kind: str = "text"


@dataclass
class Reject:
    doc_id: str
    source_path: str
    reason: str
    stage: str = "read"


class InputError(ValueError):
    """The input as a whole cannot be read (missing, unreadable, a file of an unsupported type)."""


@dataclass(frozen=True)
class Inputs:
    """What `scan` found under IN: the entries to read, and the files skipped for their type."""

    files: list[Path]
    skipped: tuple[tuple[str, int], ...] = ()  # (extension, files), most first, then by extension

    @property
    def n_skipped(self) -> int:
        return sum(n for _, n in self.skipped)

    def skipped_line(self) -> str | None:
        """One line for a run's summary: «skipped 3 files of other types: .md 2, .pdf 1»; None if none."""
        if not self.skipped:
            return None
        n = self.n_skipped
        kinds = ", ".join(f"{ext} {k}" for ext, k in self.skipped)
        return f"skipped {n} file{'s' if n != 1 else ''} of other types: {kinds}"

    def empty_line(self, root: Path) -> str | None:
        """One line when IN holds nothing to read (an empty folder, or only other types); else None."""
        if self.files:
            return None
        skipped = self.skipped_line()
        return f"{root}: no input files ({supported()})" + (f"; {skipped}" if skipped else "")


def supported() -> str:
    """The input types, as error messages and the empty-folder line name them."""
    return "supported: " + ", ".join(SUFFIXES)


def _extension(name: str) -> str:
    """A skipped file's extension as counted: «.md», «.tar.gz» is «.gz», none is «(none)»."""
    suffix = Path(name).suffix.lower()
    return suffix if suffix and suffix != name.lower() else "(none)"


def safe_str(s: str) -> str:
    """A string that can be stored: undecodable file-name bytes and lone surrogates escaped."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogateescape" if _only_escapes(s) else "surrogatepass").decode(
            "utf-8", "backslashreplace"
        )


def _only_escapes(s: str) -> bool:
    return all(0xDC80 <= ord(ch) <= 0xDCFF for ch in s if 0xD800 <= ord(ch) <= 0xDFFF)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def _under(real: str, folder_real: str) -> bool:
    return real == folder_real or real.startswith(folder_real.rstrip(os.sep) + os.sep)


def _excluded(path: Path, exclude: Path | None) -> bool:
    if exclude is None:
        return False
    try:
        return os.path.samefile(path, exclude) or _inside(path, exclude)
    except OSError:
        return False


def input_files(root: Path, follow_symlinks: bool = False, exclude: Path | None = None) -> list[Path]:
    """Every input entry below root (or root itself), in a stable order (`scan`'s files)."""
    return scan(root, follow_symlinks, exclude).files


def scan(root: Path, follow_symlinks: bool = False, exclude: Path | None = None) -> Inputs:
    """Every input entry below root (or root itself), in a stable order, and the files skipped.

    Entries are files with a known suffix, plus symlinks (to files or folders) that
    lead outside root and are not followed: `read` turns those into rejects. The
    folder `exclude` (the output folder, when it lies inside IN) is skipped. Other
    files are counted by extension. Raises InputError when root is missing or
    unreadable, or is a single file of an unsupported type.
    """
    root = Path(root)
    if not root.exists():
        if root.is_symlink():
            raise InputError(f"{root}: broken symlink")
        raise InputError(f"{root}: no such file or directory")
    if root.is_file():
        if not os.access(root, os.R_OK):
            raise InputError(f"{root}: permission denied")
        if root.suffix.lower() not in SUFFIXES:
            what = f"'{root.suffix}'" if root.suffix else "without an extension"
            raise InputError(f"{root}: unsupported file type {what} ({supported()})")
        return Inputs([root])
    if not os.access(root, os.R_OK | os.X_OK):
        raise InputError(f"{root}: permission denied")
    files: list[Path] = []
    skipped: dict[str, int] = {}
    visited: set[str] = {os.path.realpath(root)}
    # a regular file is inside `exclude` only when its folder is: one check per folder, not per file
    exclude_real = os.path.realpath(exclude) if exclude is not None else None
    # top-down as os.walk, but from os.scandir's entries, whose kind (file, folder, symlink) the
    # directory listing itself gives: no stat call per file
    pending = [root]
    while pending:
        here = pending.pop()
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed is passed over
        here_excluded = exclude_real is not None and _under(os.path.realpath(here), exclude_real)
        subdirs: list[Path] = []
        for entry in entries:
            p = here / entry.name
            link = entry.is_symlink()
            if entry.is_dir():  # follows a symlink, as os.walk's listing does
                if _excluded(p, exclude):
                    continue
                if link:
                    if not follow_symlinks:
                        if not _inside(p, root):
                            files.append(p)  # reported, not followed
                        continue
                    real = os.path.realpath(p)
                    if real in visited:
                        continue  # a loop, or a folder already walked
                    visited.add(real)
                elif follow_symlinks:
                    visited.add(os.path.realpath(p))
                subdirs.append(p)
                continue
            if (here_excluded or (exclude is not None and link)) and _excluded(p, exclude):
                continue
            if p.suffix.lower() in SUFFIXES or (link and not follow_symlinks and not _inside(p, root)):
                files.append(p)
            else:
                ext = _extension(entry.name)
                skipped[ext] = skipped.get(ext, 0) + 1
        pending.extend(reversed(subdirs))
    return Inputs(files, tuple(sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0]))))


def _doc_id(path: Path, root: Path) -> str:
    if root.is_file():
        return safe_str(path.stem)
    return _id_of(path.relative_to(root).as_posix())


def _id_of(rel: str) -> str:
    """The doc_id of a file by its path relative to IN (with /): the path without a known suffix."""
    stem, dot, suffix = rel.rpartition(".")
    known = dot and "/" not in suffix and f".{suffix.lower()}" in SUFFIXES and stem and not stem.endswith("/")
    return safe_str(stem if known else rel)


def _scalar_id(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        s = safe_str(str(value))
        return s if s.strip() else None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def _table_records(
    path: Path, rel: str, rows: Iterator[tuple[int, dict[str, object] | str]]
) -> Iterator[RawDoc | Reject]:
    src = safe_str(str(path))
    n = 0
    for line_no, row in rows:
        n += 1
        where = f"{rel}:{line_no}"
        if isinstance(row, str):
            yield Reject(where, src, row)
            continue
        raw_id = row.get("doc_id", row.get("id"))
        doc_id = _scalar_id(raw_id)
        if doc_id is None:
            what = (
                "missing id/doc_id"
                if raw_id is None or raw_id == ""
                else f"id/doc_id is not a string or number ({type(raw_id).__name__})"
            )
            yield Reject(where, src, f"line {line_no}: {what}")
            continue
        text = row.get("text")
        kind = "text"
        if (not isinstance(text, str) or not text.strip()) and isinstance(row.get("html"), str):
            text, kind = row["html"], "html"  # a saved page: its article is extracted when decoded
        if not isinstance(text, str):
            yield Reject(doc_id, src, f"line {line_no}: missing or non-string 'text'")
            continue
        if len(text) > MAX_DOC_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_DOC_BYTES:
            yield Reject(doc_id, src, f"line {line_no}: document too large (> {MAX_DOC_BYTES} bytes)")
            continue
        meta = {k: v for k, v in row.items() if k not in ("id", "doc_id", "text", kind)}
        yield RawDoc(doc_id, src, text=text, meta=meta, kind=kind)
    if n == 0:
        yield Reject(rel, src, "empty file (no records)")


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, object] | str]]:
    limit = MAX_DOC_BYTES + 1_000_000  # room for the id and the JSON escapes
    with path.open("rb") as fh:
        line_no = 0
        while True:
            raw = fh.readline(limit)
            if not raw:
                break
            line_no += 1
            if not raw.endswith(b"\n") and len(raw) >= limit:
                while (more := fh.readline(1 << 20)) and not more.endswith(b"\n"):
                    pass  # skip the rest of an over-long line without holding it
                yield line_no, f"line {line_no}: document too large (line longer than {limit} bytes)"
                continue
            if not raw.strip():
                continue  # a blank line is not a record
            try:
                row = json.loads(raw.decode("utf-8-sig" if line_no == 1 else "utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                yield line_no, f"line {line_no}: invalid JSON ({exc.__class__.__name__}: {str(exc)[:80]})"
                continue
            yield line_no, row if isinstance(row, dict) else f"line {line_no}: not a JSON object"


def _csv_encoding(path: Path) -> str:
    """The CSV file's encoding, judged on its first megabyte."""
    from normalize.decode import DecodeError, decode

    with path.open("rb") as fh:
        sample = fh.read(_CSV_SNIFF)
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        enc = decode(sample).encoding
    except DecodeError:
        return "utf-8"
    return "utf-16" if enc.startswith("utf-16") else enc


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, object] | str]]:
    csv.field_size_limit(min(sys.maxsize, MAX_DOC_BYTES + 1))
    with path.open("r", encoding=_csv_encoding(path), errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, f"line {reader.line_num}: invalid CSV ({str(exc)[:80]})"
                if "field larger" in str(exc):
                    continue
                return
            if None in row:  # more fields than the header
                row.pop(None)
            yield reader.line_num, dict(row)


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, object] | str]]:
    lf = pl.scan_parquet(path)
    total = lf.select(pl.len()).collect().item()
    row_no = 0
    for offset in range(0, total, _PARQUET_SLICE):
        for row in lf.slice(offset, _PARQUET_SLICE).collect().iter_rows(named=True):
            row_no += 1
            yield row_no, row


def _plain_txt(path: Path, root: Path) -> RawDoc | None:
    """A regular .txt file under a root folder, read with one open and one fstat; else None.

    This is the path almost every input takes; anything unusual (a symlink, a FIFO, a file
    over the size limit) is left to `read_file`'s general path, which names the problem.
    """
    name = str(path)
    prefix = str(root).rstrip(os.sep) + os.sep
    if not name.startswith(prefix) or name[-4:].lower() != ".txt" or len(os.path.basename(name)) <= 4:
        return None
    try:
        if os.path.islink(name):
            return None
        faults.inject(f"read:{path.name}", path)
        # non-blocking, so that a FIFO named *.txt is seen by fstat instead of waiting for a writer
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_DOC_BYTES:
                return None
            chunks = [os.read(fd, st.st_size + 1)]
            while chunks[-1] and sum(map(len, chunks)) <= st.st_size:  # a short read: read on to the end
                chunks.append(os.read(fd, st.st_size + 1))
            data = b"".join(chunks) if len(chunks) > 1 else chunks[0]
            if len(data) > st.st_size:  # the file grew while read: the general path reads it whole
                return None
        finally:
            os.close(fd)
    except OSError:
        return None
    return RawDoc(_id_of(name[len(prefix) :].replace(os.sep, "/")), safe_str(name), data=data)


def read_file(path: Path, root: Path, follow_symlinks: bool = False) -> Iterator[RawDoc | Reject]:
    """The records of one input entry (from `input_files`)."""
    fast = _plain_txt(path, root)
    if fast is not None:
        yield fast
        return
    root = Path(root)
    rel = safe_str(path.name if root.is_file() else path.relative_to(root).as_posix())
    src = safe_str(str(path))
    if not follow_symlinks and path.is_symlink() and not _inside(path, root):
        yield Reject(_doc_id(path, root), src, "symlink pointing outside the input folder (not followed)")
        return
    suffix = path.suffix.lower()
    produced = 0
    try:
        faults.inject(f"read:{path.name}", path)
        if path.is_dir():
            return
        if not path.is_file():  # a FIFO, socket or device would block or never end
            if path.is_symlink() and not path.exists():
                raise FileNotFoundError(errno.ENOENT, "No such file or directory (broken symlink)", str(path))
            if not path.exists():  # listed when the run started, gone since
                raise FileNotFoundError(errno.ENOENT, "No such file or directory (removed during the run)", str(path))
            yield Reject(_doc_id(path, root), src, "not a regular file")
            return
        if suffix == ".txt" or suffix in PAGES:
            size = path.stat().st_size
            if size > MAX_DOC_BYTES:
                yield Reject(_doc_id(path, root), src, f"document too large ({size} bytes > {MAX_DOC_BYTES})")
                return
            data = path.read_bytes()
            produced += 1
            yield RawDoc(_doc_id(path, root), src, data=data, kind="html" if suffix in PAGES else "text")
            return
        if suffix == ".jsonl":
            records = _table_records(path, rel, _jsonl_rows(path))
        elif suffix == ".csv":
            records = _table_records(path, rel, _csv_rows(path))
        elif suffix == ".parquet":
            records = _table_records(path, rel, _parquet_rows(path))
        else:  # a followed symlink whose name has another suffix: not an input
            yield Reject(_doc_id(path, root), src, f"unsupported file type '{suffix}' ({supported()})")
            return
        for rec in records:
            produced += 1
            yield rec
    except (OSError, pl.exceptions.PolarsError, csv.Error, UnicodeError, ValueError) as exc:
        # the records already given stand; the rest of the file is one reject
        what = "unreadable" if produced == 0 else f"unreadable after {produced} records"
        # the cause of an OS error is its own words (the path is the reject's source_path)
        why = f"{exc.__class__.__name__}: {str(exc)[:120]}"
        if isinstance(exc, OSError) and exc.strerror:
            why = exc.strerror
        yield Reject(_doc_id(path, root) if produced == 0 else f"{rel}:rest", src, f"{what}: {why}")


def read(root: Path, follow_symlinks: bool = False, exclude: Path | None = None) -> Iterator[RawDoc | Reject]:
    """Every record under root, as a RawDoc or a Reject, in a stable order.

    Duplicate doc_ids are not settled here but when the tables are assembled
    (`pipeline`): the first document in input order keeps the id.
    """
    root = Path(root)
    for path in input_files(root, follow_symlinks, exclude):
        yield from read_file(path, root, follow_symlinks)
