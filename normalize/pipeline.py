"""The pipeline: read → decode → clean → fix → link → validate, as a library API.

`normalize_frame` takes a polars frame of (doc_id, text) and returns the four
tables; `process` does the same for records from `read`. Both mark near-duplicate documents
(`documents.duplicate_of`, `similarity`: normalize.dedup) unless given `dedup=None`.
`normalize.run` (runner.py) adds reading a folder, checkpoints and writing: what the
`normalize IN OUT` command does.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import polars as pl

from normalize import assemble, dedup, schemas
from normalize.dedup import DEFAULT as DEFAULT_DEDUP
from normalize.dedup import DedupOptions
from normalize.gazetteer import Gazetteer, command_layers
from normalize.overview import Overview, overview
from normalize.read import RawDoc, Reject
from normalize.stages import Compiled, Rows, process_one
from normalize.tables import TABLE_NAMES

T = TypeVar("T")
BATCH = 256
BATCH_BYTES = 64_000_000  # a batch also ends when its records hold this many bytes


@dataclass
class Tables:
    """The pipeline's output: documents, mentions, edits and rejects."""

    documents: pl.DataFrame
    mentions: pl.DataFrame
    edits: pl.DataFrame
    rejects: pl.DataFrame

    def items(self) -> list[tuple[str, pl.DataFrame]]:
        return [
            ("documents", self.documents),
            ("mentions", self.mentions),
            ("edits", self.edits),
            ("rejects", self.rejects),
        ]

    def overview(self, chars_with_text: int = 300_000) -> Overview:
        """The tables' figures and a sample of the first documents (`Overview`)."""
        return overview(self.documents, self.mentions, self.edits, self.rejects, chars_with_text)


def gazetteer_stack(gazetteers: Sequence[str | Path] | None = None, bundled: bool = True) -> tuple[str, ...]:
    """The layers a run stacks, one path each: the bundled set first (unless `bundled` is false),
    then each of `gazetteers` in order. The workers and the caches take the stack in this form."""
    return tuple(str(p) for layer in command_layers(gazetteers or (), bundled=bundled) for p in layer.paths)


@lru_cache(maxsize=8)
def _compile_cached(layers: tuple[str, ...]) -> Compiled:
    from normalize import cache  # compiled once per gazetteer content, kept on disk (normalize/cache.py)

    # the stack is explicit here (the bundled set is its first path, if it is in it)
    return Compiled.of(*cache.compile_gazetteers(layers, bundled=False))


@lru_cache(maxsize=8)
def _gazetteer_cached(layers: tuple[str, ...]) -> Gazetteer:
    from normalize import cache

    return cache.load_gazetteer(layers, bundled=False)


def run_gazetteer(layers: tuple[str, ...], workers: int) -> Gazetteer:
    """The merged gazetteer of the stack `layers` (`gazetteer_stack`) as the main process of a run
    with `workers` needs it: with one worker it is the worker, and compiles the stack whole; with
    more, only the gazetteer (its digest, its size), and the cache entry the workers will read
    written if it is missing. Errors in the gazetteer files are raised here, before any worker starts."""
    return _compile_cached(layers).gazetteer if workers <= 1 else _gazetteer_cached(layers)


def compile_gazetteers(dirs: Sequence[str | Path] | None = None, bundled: bool = True) -> Compiled:
    """Load and compile a gazetteer stack: the bundled set (unless `bundled` is false), then each
    of `dirs` stacked on top, in order; cached per process."""
    return _compile_cached(gazetteer_stack(dirs, bundled))


# --- batches: the unit of work (and of checkpointing, see resume.py) -------------------

Batch = list[tuple[str, RawDoc]]  # (record key, record)
NAMES = TABLE_NAMES


def _frame(name: str, rows: list[dict]) -> pl.DataFrame:
    if not rows:  # the columns of a row (not the contract's per-run ones), as in a batch with rows
        return assemble.empty_part(name).drop(assemble.SIGNATURE, strict=False)
    df = schemas.frame(name, rows, {"_key": pl.String()})
    if "_key" not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias("_key"))
    return df.with_columns(pl.col("_key").cast(pl.String)).with_row_index("_i")


def _process_rows(batch: Batch, layers: tuple[str, ...]) -> Rows:
    compiled = _compile_cached(layers)
    rows = Rows()
    for key, rec in batch:
        one = process_one(rec, compiled)
        if len(one.documents) + len(one.rejects) != 1:  # pragma: no cover - a bug, not an input problem
            raise AssertionError(f"record {rec.doc_id!r}: {len(one.documents)} documents, {len(one.rejects)} rejects")
        for name in NAMES:
            for row in getattr(one, name):
                row["_key"] = key
        rows.extend(one)
    return rows


def _frames(rows: Rows) -> dict[str, pl.DataFrame]:
    return {name: _frame(name, getattr(rows, name)) for name in NAMES}


def process_batch(
    batch: Batch, layers: tuple[str, ...], signing: DedupOptions | None = None
) -> dict[str, pl.DataFrame]:
    """Process and validate keyed records with the stack `layers` (`gazetteer_stack`); every row of the
    four frames carries its record's `_key`.

    Each record yields exactly one row in documents or rejects (plus its mentions and
    edits), and all rows of one record are in one batch, in their order (`_i`). Each document
    carries the signature of its text made with `signing` (`assemble.SIGNATURE`; null for None).
    """
    rows = _process_rows(batch, layers)
    frames = _validated(_frames(rows))
    # the texts as the rows hold them (Python strings): reading them back out of the frame cost 5 µs a document
    texts = None if signing is None else [row["text"] for row in rows.documents]
    frames["documents"] = with_signatures(frames["documents"], signing, texts)
    return frames


def with_signatures(
    documents: pl.DataFrame, options: DedupOptions | None, texts: Sequence[str] | None = None
) -> pl.DataFrame:
    """Documents with the near-duplicate signature of their text (`assemble.SIGNATURE`), null for None.

    Made here, in the worker that cleaned the texts, for the whole batch at once (`dedup.signatures`,
    vectorised with numpy). `texts`, when given, are the texts of the rows the documents were made
    from, by `_i` (validation may have dropped some since): the signatures are made of them."""
    if options is None:
        return documents.with_columns(pl.lit(None, dedup.SIGNATURE_DTYPE).alias(assemble.SIGNATURE))
    if texts is None:
        return documents.with_columns(dedup.signatures(documents["text"].to_list(), options).alias(assemble.SIGNATURE))
    made = dedup.signatures(texts, options)
    return documents.with_columns(made.gather(documents["_i"]).alias(assemble.SIGNATURE))


def _validated(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """A record with any row that fails its schema becomes one reject with the reasons.

    Done per batch, where the rows are made, so no step after it holds a whole table;
    duplicate doc_ids span batches and are settled when the tables are put together.
    """
    whys = []
    for name in ("documents", "mentions", "edits"):
        _good, bad = schemas.validate(name, frames[name], unique_ids=False)
        if bad.height:
            whys.append(bad.select("_key", (pl.lit(f"{name} row failed validation: ") + pl.col("reason")).alias("why")))
    if not whys:
        return frames
    bad = (
        pl.concat(whys)
        .group_by("_key", maintain_order=True)
        .agg(pl.col("why").unique(maintain_order=True).str.join("; ").str.slice(0, 1000).alias("reason"))
    )
    docs = frames["documents"]
    new_rejects = bad.join(docs.select("_key", "_i", "doc_id", "source_path"), on="_key", how="left").select(
        pl.col("doc_id").fill_null(""),
        pl.col("source_path").fill_null(""),
        "reason",
        pl.lit("validate").alias("stage"),
        "_key",
        pl.col("_i").fill_null(0),
    )
    gone = bad["_key"].implode()
    out = {name: frames[name].filter(~pl.col("_key").is_in(gone)) for name in ("documents", "mentions", "edits")}
    rejects = frames["rejects"]
    out["rejects"] = pl.concat([rejects, new_rejects.select(rejects.columns).cast(rejects.schema)])
    return out


def _process_and_sink(
    batch: Batch,
    layers: tuple[str, ...],
    sink: Callable[[dict[str, pl.DataFrame]], T] | None,
    signing: DedupOptions | None = None,
):
    frames = process_batch(batch, layers, signing)
    return frames if sink is None else sink(frames)


def _start_worker(layers: tuple[str, ...]) -> None:
    """A worker process's start: the stack loaded, then every object alive frozen out of the cyclic
    collector's reach (`gc.freeze`). They are the modules and the index, hundreds of thousands of
    objects that live as long as the worker: each full collection walked them all again (about 60 ms a
    collection on the bundled set). The process is the pool's, so freezing its heap touches no caller's.

    OpenBLAS, which numpy loads with itself (for signatures: normalize.minhash), starts a thread per
    core and sizes its buffers for them when it loads; the workers never multiply matrices, so one
    thread does: that halves numpy's import (about 35 ms CPU a worker)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _compile_cached(layers)
    gc.freeze()


def run_batches(
    batches: Iterable[Batch],
    layers: tuple[str, ...],
    workers: int = 1,
    sink: Callable[[dict[str, pl.DataFrame]], T] | None = None,
    signing: DedupOptions | None = None,
) -> Iterator:
    """Results of `process_batch` (with the stack `layers`, as `gazetteer_stack` gives it; signatures
    made with `signing`) in batch order, or of `sink` applied to them where they were made.

    With workers > 1 the batches go to a process pool with only a few in flight, so memory
    stays bounded whatever the input size; a sink (writing a checkpoint part, say) then runs
    in the worker too, so the main process only reads and hands out records.
    """
    run_gazetteer(layers, workers)  # compile (and fill the on-disk cache) once, before any worker starts
    if workers <= 1:
        for batch in batches:
            yield _process_and_sink(batch, layers, sink, signing)
        return
    import multiprocessing as mp
    from collections import deque

    # spawn, not fork: forking a process whose polars thread pool is running can deadlock the child;
    # workers load the compiled gazetteer from the on-disk cache instead of inheriting it
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_start_worker, initargs=(layers,)
    ) as pool:
        in_flight: deque = deque()
        for batch in batches:
            in_flight.append(pool.submit(_process_and_sink, batch, layers, sink, signing))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def batches(records: Iterable[tuple[str, RawDoc]], size: int = BATCH, max_bytes: int = BATCH_BYTES) -> Iterator[Batch]:
    """Keyed records cut into batches of at most `size` records or about `max_bytes`."""
    batch: Batch = []
    nbytes = 0
    for key, rec in records:
        batch.append((key, rec))
        nbytes += len(rec.data) if rec.data is not None else len(rec.text or "")
        if len(batch) >= size or nbytes >= max_bytes:
            yield batch
            batch, nbytes = [], 0
    if batch:
        yield batch

def process(
    records: Iterable[RawDoc | Reject],
    gazetteers: Sequence[str | Path] | None = None,
    workers: int = 1,
    *,
    bundled: bool = True,
    dedup: DedupOptions | None = DEFAULT_DEDUP,
) -> Tables:
    """Run records through the pipeline (in `workers` processes) and validate the tables.

    The gazetteers are the bundled set (none if `bundled` is false) with each of `gazetteers`
    stacked on top, in order. The tables are in input order whatever `workers` is. Near-duplicates
    are found with the `dedup` options (`documents.duplicate_of`, `similarity`); None leaves both null."""
    layers = gazetteer_stack(gazetteers, bundled)
    read_rejects: list[dict] = []
    keyed: list[tuple[str, int]] = []
    n = 0

    def docs() -> Iterator[tuple[str, RawDoc]]:
        nonlocal n
        for i, rec in enumerate(records):
            n = i + 1
            if isinstance(rec, Reject):
                read_rejects.append(assemble.reject_row(rec, i))
            else:
                keyed.append((str(i), i))
                yield str(i), rec

    parts = list(run_batches(batches(docs()), layers, workers, signing=dedup))
    order = pl.DataFrame(
        {"_key": [k for k, _ in keyed], "_order": [i for _, i in keyed]}, schema={"_key": pl.String, "_order": pl.Int64}
    )
    return Tables(**assemble.plan(parts, order, read_rejects, n, dedup).collect())


def normalize_frame(
    frame: pl.DataFrame | pl.LazyFrame,
    gazetteers: Sequence[str | Path] | None = None,
    workers: int = 1,
    *,
    bundled: bool = True,
    dedup: DedupOptions | None = DEFAULT_DEDUP,
) -> Tables:
    """The library entry point: a frame with `doc_id` (or `id`) and `text` in, the four tables out.

    `gazetteers` stack on the bundled set, in order; `bundled=False` starts from nothing.
    Near-duplicates are found with the `dedup` options; None: off."""
    df = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    id_col = "doc_id" if "doc_id" in df.columns else "id"
    if id_col not in df.columns or "text" not in df.columns:
        raise ValueError(f"normalize_frame needs columns doc_id (or id) and text; got {df.columns}")
    source = "source_path" if "source_path" in df.columns else None
    extra = [c for c in df.columns if c not in (id_col, "text", "source_path", "id", "doc_id")]
    records: list[RawDoc | Reject] = []
    seen: set[str] = set()
    for row in df.iter_rows(named=True):
        doc_id = str(row[id_col]) if row[id_col] is not None else ""
        path = str(row[source]) if source else "<frame>"
        if not doc_id:
            records.append(Reject("<missing id>", path, "missing doc_id"))
        elif doc_id in seen:
            records.append(Reject(doc_id, path, "duplicate doc_id"))
        elif not isinstance(row["text"], str):
            records.append(Reject(doc_id, path, "missing text"))
        else:
            seen.add(doc_id)
            records.append(RawDoc(doc_id, path, text=row["text"], meta={c: row[c] for c in extra}))
    return process(records, gazetteers, workers, bundled=bundled, dedup=dedup)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
