"""Checkpoints and resume: a killed run, started again, redoes only what it had not finished.

Every input record gets a key: the SHA-256 of its doc_id, source path and content
(the raw bytes of a file, the text of a table row), salted with the run's
configuration digest (normalize version, every source file of the package, the
gazetteer digest, the size limit, dedup's `signature_config`). Records are processed in batches; each finished
batch is written as a *part*, a folder `OUT/.normalize/parts/<hash>/` holding the
batch's rows of the four tables (each row with its record key). A part is written
under a `.tmp-` name and renamed when complete, so a part either exists whole or not
at all.

A run first indexes the parts already in OUT and processes only the records whose
keys it does not find (by default; `resume=False` starts from scratch). The tables
are then assembled from the parts in input order, so they are the same whether a
record was processed now or in an earlier, killed run, and whatever the number of
workers. After the tables are written, parts that hold records no longer in the
input are compacted away (`finish`). A lock file keeps two runs from sharing one OUT: `locked`
holds it from before the first temporary file is swept until the tables and the manifest are written.

Layout of OUT/.normalize/: `lock`, `manifest.json` (the last completed run: its
configuration digest, options and counts), `outputs.json` (the files runs wrote into OUT:
outputs.py), `parts/`. A part that cannot be written (a full disk, OUT read-only or gone)
raises `faults.IOFault`, in the worker that wrote it; the parts already written stay.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain
from pathlib import Path

import polars as pl

from normalize import __version__, assemble, digest, faults, pipeline, read, write
from normalize.assemble import LazyTables
from normalize.dedup import SIGNATURE_VERSION, DedupOptions
from normalize.pipeline import NAMES

FORMAT = 2  # bump when the part layout changes (2: documents carry `_signature`)
STATE = ".normalize"


@dataclass
class Outcome:
    """What `run` did: the tables (over the checkpoint parts) and the accounting."""

    tables: LazyTables  # the four tables as queries over the parts (documents never all in memory)
    documents: int  # rows of documents
    files: int
    records: int  # input records: each is in exactly one of documents or rejects
    processed: int  # records processed in this run
    reused: int  # records taken from parts of an earlier run
    config: str  # the configuration digest
    # which records each part holds for this run, and whether some part holds others, for compaction
    _used: dict[Path, list[str]] | None = None
    _stale: bool = False


def config_digest(gazetteer_digest: str, signing: DedupOptions | None = None) -> str:
    h = hashlib.sha256()
    parts = (str(FORMAT), __version__, digest.code_digest(), gazetteer_digest, str(read.MAX_DOC_BYTES))
    for part in (*parts, signature_config(signing)):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def signature_config(signing: DedupOptions | None) -> str:
    """What a part's signatures depend on: the signature algorithm's version, shingle size, signature
    length and the least shingles (a change reprocesses the records); threshold and bands only change
    the clustering at the end."""
    if signing is None:
        return "dedup off"
    return (
        f"dedup v{SIGNATURE_VERSION} shingle={signing.shingle} permutations={signing.permutations} "
        f"min={signing.min_shingles}"
    )


def record_key(config: str, rec: read.RawDoc, seen: Counter) -> str:
    """The record's key: configuration, doc_id, source path and content; repeats numbered."""
    content = rec.data if rec.data is not None else (rec.text or "").encode("utf-8", errors="surrogatepass")
    h = hashlib.sha256()
    for part in (config, rec.doc_id, rec.source_path):
        h.update(part.encode("utf-8", errors="surrogatepass"))
        h.update(b"\0")
    h.update(hashlib.sha256(content).digest())
    key = h.hexdigest()
    n = seen[key]
    seen[key] += 1
    return key if n == 0 else hashlib.sha256(f"{key}#{n}".encode()).hexdigest()


# --- parts -------------------------------------------------------------------------


def _part_keys(part: Path) -> list[str]:
    faults.inject("read-part", part)
    keys: list[str] = []
    for name in ("documents", "rejects"):
        keys += pl.read_parquet(part / f"{name}.parquet", columns=["_key"])["_key"].to_list()
    return keys


def index_parts(parts_dir: Path, sizes: dict[Path, int] | None = None) -> dict[str, Path]:
    """Record key → the part holding it. A damaged part (a file missing, a parquet file that is not
    one) is removed, and its records are processed again; a part the disk cannot read now (EIO,
    EACCES) is kept and the run stops with an `IOFault`, since its records are fine and the next run
    reuses them.

    `sizes`, when given, receives the number of records each part holds."""
    index: dict[str, Path] = {}
    for part in sorted(parts_dir.iterdir()):
        if part.name.startswith(write.TMP_PREFIX) or not part.is_dir():
            continue
        try:
            keys = _part_keys(part)
        except (OSError, pl.exceptions.PolarsError) as exc:
            code = faults.errno_of(exc)
            if code is not None and code != errno.ENOENT:
                raise faults.fault(part, exc, "read") from exc
            shutil.rmtree(part, ignore_errors=True)
            continue
        for k in keys:
            index.setdefault(k, part)
        if sizes is not None:
            sizes[part] = len(keys)
    return index


def _put_part(parts_dir: Path, keys: list[str], fill: Callable[[Path], None]) -> Path:
    """A part named after its records' keys, filled in a temporary folder and renamed into place.

    A part either exists whole or not at all; one that already exists (the same records,
    written by another worker or an earlier run) is taken as it is.
    """
    name = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:40]
    final = parts_dir / name
    if final.exists():
        return final
    tmp = parts_dir / f"{write.TMP_PREFIX}{name}-{os.getpid()}"
    # a full disk, a read-only or vanished OUT: an IOFault naming the parts folder, raised
    # where the part is written (a worker, too) and carried whole across the process pool
    with faults.writing(parts_dir):
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            faults.inject("part", tmp)
            fill(tmp)
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)  # never half a part; a full disk gets its space back
            if final.exists():
                return final
            raise
    return final


def write_part(parts_dir: Path, frames: dict[str, pl.DataFrame]) -> Path:
    """Write one batch's frames as a part, atomically (a folder renamed into place)."""

    def fill(tmp: Path) -> None:
        for table in NAMES:
            frames[table].write_parquet(tmp / f"{table}.parquet")

    return _put_part(parts_dir, frames["documents"]["_key"].to_list() + frames["rejects"]["_key"].to_list(), fill)


def _write_part_keys(parts_dir: Path, frames: dict[str, pl.DataFrame]) -> tuple[Path, list[str]]:
    """Write a batch's part; the part and the keys of the records it holds."""
    part = write_part(parts_dir, frames)
    return part, frames["documents"]["_key"].to_list() + frames["rejects"]["_key"].to_list()


def _scan(part: Path, keys: list[str]) -> dict[str, pl.LazyFrame]:
    """The rows of the given records in a part, not yet read."""
    wanted = pl.Series(keys, dtype=pl.String).implode()
    return {t: pl.scan_parquet(part / f"{t}.parquet").filter(pl.col("_key").is_in(wanted)) for t in NAMES}


# --- the run -----------------------------------------------------------------------


class _Lock:
    """An exclusive lock on OUT's state folder, released when the process ends (even killed)."""

    def __init__(self, path: Path):
        with faults.writing(path):
            self.fh = path.open("a")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            where = path.parent.parent
            raise write.OutputError(f"{where}: another normalize run is using this output folder") from None

    def release(self) -> None:
        self.fh.close()


def state_dir(out: Path) -> Path:
    return Path(out) / STATE


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold OUT's lock (OUT must exist): a second run into OUT fails with a one-line OutputError
    instead of sweeping this run's temporary files or writing its tables over them."""
    state = state_dir(out)
    with faults.writing(state):
        state.mkdir(exist_ok=True)
    lock = _Lock(state / "lock")
    try:
        yield
    finally:
        lock.release()


def run(
    input_path: Path,
    out: Path,
    gazetteers: Sequence[str | Path] | None = None,
    workers: int = 1,
    follow_symlinks: bool = False,
    resume: bool = True,
    track: Callable[[Iterable], Iterable] | None = None,
    batch_size: int = pipeline.BATCH,
    files: list[Path] | None = None,
    bundled: bool = True,
    dedup: DedupOptions | None = None,
    hold_lock: bool = True,
) -> Outcome:
    """Read, process (what is not already in OUT's parts) and assemble; OUT must be prepared.

    The gazetteers stack on the bundled set (none if `bundled` is false), as for `pipeline.process`.

    `files` is `read.input_files` of the input when the caller has listed it already; `dedup`,
    the near-duplicate options (None: off); `hold_lock=False` when the caller holds `locked(out)`
    already (the runner does, until its tables are written).

    Raises read.InputError, write.OutputError or GazetteerError for problems with the
    run as a whole; every problem with a record is a reject.
    """
    input_path, out = Path(input_path), Path(out)
    if input_path.is_dir() and out.exists() and os.path.samefile(input_path, out):
        raise write.OutputError(f"{out}: the output folder must not be the input folder")
    state = state_dir(out)
    parts_dir = state / "parts"
    with faults.writing(parts_dir):
        parts_dir.mkdir(parents=True, exist_ok=True)
    with locked(out) if hold_lock else contextlib.nullcontext():
        layers = pipeline.gazetteer_stack(gazetteers, bundled)
        return _run(
            input_path, out, parts_dir, layers, workers, follow_symlinks, resume, track, batch_size, files, dedup
        )


def _run(
    input_path: Path,
    out: Path,
    parts_dir: Path,
    layers: tuple[str, ...],
    workers: int,
    follow_symlinks: bool,
    resume: bool,
    track: Callable[[Iterable], Iterable] | None,
    batch_size: int,
    files: list[Path] | None,
    dedup: DedupOptions | None = None,
) -> Outcome:
    write.sweep(parts_dir.parent)
    write.sweep(parts_dir)
    if not resume:
        shutil.rmtree(parts_dir, ignore_errors=True)
        with faults.writing(parts_dir):
            parts_dir.mkdir(parents=True)
    config = config_digest(pipeline.run_gazetteer(layers, workers).digest, dedup)
    sizes: dict[Path, int] = {}
    done = index_parts(parts_dir, sizes)
    if files is None:
        files = read.input_files(input_path, follow_symlinks, exclude=out)
    # the bar counts files, as its total does (a table file holds many records)
    tracked: Iterable[Path] = files if track is None else track(files)
    records: Iterable = chain.from_iterable(read.read_file(p, input_path, follow_symlinks) for p in tracked)

    read_rejects: list[dict] = []
    keys: list[str] = []
    orders: list[int] = []
    counts = {"records": 0, "reused": 0, "processed": 0}
    seen: Counter = Counter()

    def todo() -> Iterator[tuple[str, read.RawDoc]]:
        for i, rec in enumerate(records):
            counts["records"] = i + 1
            if isinstance(rec, read.Reject):
                read_rejects.append(assemble.reject_row(rec, i))
                continue
            key = record_key(config, rec, seen)
            keys.append(key)
            orders.append(i)
            if key in done:
                counts["reused"] += 1
                continue
            counts["processed"] += 1
            yield key, rec

    written = 0
    sink = partial(_write_part_keys, parts_dir)  # runs where the batch was processed (a worker)
    batched = pipeline.batches(todo(), batch_size)
    for part, part_keys in pipeline.run_batches(batched, layers, workers, sink, signing=dedup):
        for k in part_keys:
            done.setdefault(k, part)
        sizes[part] = len(part_keys)
        written += 1
        write.fault(f"part:{written}")

    by_part: dict[Path, list[str]] = {}
    for k in keys:
        by_part.setdefault(done[k], []).append(k)
    # parts in the order of their first record: in a fresh run that is input order, and the
    # tables stream from the parts to OUT without being sorted or held (assemble.plan)
    parts = [_scan(p, ks) for p, ks in by_part.items()]
    order = pl.DataFrame({"_key": keys, "_order": orders}, schema={"_key": pl.String, "_order": pl.Int64})
    tables = assemble.plan(parts, order, read_rejects, counts["records"], dedup)
    return Outcome(
        tables=tables,
        documents=counts["records"] - tables.rejects.height,
        files=len(files),
        records=counts["records"],
        processed=counts["processed"],
        reused=counts["reused"],
        config=config,
        _used=by_part,
        _stale=any(len(by_part.get(p, ())) < n for p, n in sizes.items()),
    )


def finish(out: Path, result: Outcome, options: dict) -> None:
    """After the tables are written: compact the parts to what this run used; write the manifest.

    Parts that hold only records of this run are kept as they are (a fresh run rewrites
    nothing); once some part holds records the input no longer has (or a record is in two
    parts, after a killed run), the records the run used are merged into one part.
    """
    out = Path(out)
    parts_dir = state_dir(out) / "parts"
    used = result._used or {}
    if result._stale:
        existing = [p for p in parts_dir.iterdir() if p.is_dir() and not p.name.startswith(write.TMP_PREFIX)]
        keep = _merge_parts(parts_dir, used) if used else None
        write.fault("compact")
        for p in existing:
            if p != keep:
                shutil.rmtree(p, ignore_errors=True)
    manifest = {
        "format": FORMAT,
        "version": __version__,
        "config": result.config,
        "options": options,
        "files": result.files,
        "records": result.records,
        "documents": result.documents,
        "rejects": result.tables.rejects.height,
    }
    write.write_json(manifest, state_dir(out), "manifest.json")


def _merge_parts(parts_dir: Path, used: dict[Path, list[str]]) -> Path:
    """One part with the rows of the records this run used, streamed from the parts that hold them.

    A record's rows come from the one part the run took them from (a record may sit in two
    parts after a killed run); `_i` keeps the order of a record's rows, as before.
    """

    def fill(tmp: Path) -> None:
        for table in NAMES:
            scans = [lf[table] for lf in (_scan(p, ks) for p, ks in sorted(used.items()))]
            merged = pl.concat(scans, how="vertical_relaxed")
            merged.sink_parquet(tmp / f"{table}.parquet", row_group_size=write.row_group_size(table))

    return _put_part(parts_dir, [k for ks in used.values() for k in ks], fill)


def load_manifest(out: Path) -> dict | None:
    try:
        return json.loads((state_dir(out) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
