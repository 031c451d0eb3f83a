"""The pipeline: read → decode → clean → fix → link → validate, as a library API.

`normalize_frame` takes a polars frame of (doc_id, text) and returns the four
tables; `process` does the same for records from `read`. The CLI is a thin layer
over `run`, which adds writing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import polars as pl

from normalize import gazetteer as gz
from normalize import link, meta, schemas
from normalize import read as read_mod
from normalize.clean import PREPARE, STRIP, clean
from normalize.decode import DecodeError, decode_input
from normalize.fix import RuleTimeout, fix
from normalize.read import RawDoc, Reject
from normalize.trace import TracedText

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


@dataclass
class Compiled:
    """A gazetteer ready for use: the loaded set and its linking index."""

    gazetteer: gz.Gazetteer
    index: link.Index


@lru_cache(maxsize=8)
def _compile_cached(dirs: tuple[str, ...]) -> Compiled:
    from normalize import cache  # compiled once per gazetteer content, kept on disk (normalize/cache.py)

    return Compiled(*cache.compile_gazetteers([Path(d) for d in dirs] or None))


def compile_gazetteers(dirs: Sequence[str | Path] | None = None) -> Compiled:
    """Load and compile gazetteers (bundled by default); cached per process."""
    return _compile_cached(tuple(str(d) for d in dirs or ()))


@dataclass
class _Rows:
    documents: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    edits: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)

    def extend(self, other: _Rows) -> None:
        self.documents += other.documents
        self.mentions += other.mentions
        self.edits += other.edits
        self.rejects += other.rejects


def process_one(rec: RawDoc, compiled: Compiled) -> _Rows:
    """Run one record through decode, clean, fix and link: one document row or one reject.

    An unexpected error on one document is that document's reject (naming the stage),
    never the end of the run.
    """
    stage = ["decode"]
    try:
        return _process_one(rec, compiled, stage)
    except (RecursionError, ValueError, TypeError, IndexError, KeyError, AttributeError, RuntimeError) as exc:
        out = _Rows()
        out.rejects.append(
            {
                "doc_id": rec.doc_id,
                "source_path": rec.source_path,
                "reason": f"internal error: {exc.__class__.__name__}: {str(exc)[:200]}",
                "stage": stage[0],
            }
        )
        return out


def _too_large(rec: RawDoc) -> int | None:
    """The record's size in bytes when it is over MAX_DOC_BYTES."""
    if rec.data is not None:
        return len(rec.data) if len(rec.data) > read_mod.MAX_DOC_BYTES else None
    text = rec.text or ""
    if len(text) * 4 <= read_mod.MAX_DOC_BYTES:
        return None
    n = len(text.encode("utf-8", errors="surrogatepass"))
    return n if n > read_mod.MAX_DOC_BYTES else None


def _process_one(rec: RawDoc, compiled: Compiled, stage: list[str]) -> _Rows:
    out = _Rows()

    def reject(reason: str, where: str) -> _Rows:
        out.rejects.append({"doc_id": rec.doc_id, "source_path": rec.source_path, "reason": reason, "stage": where})
        return out

    size = _too_large(rec)
    if size is not None:
        return reject(f"document too large ({size} bytes > {read_mod.MAX_DOC_BYTES})", "read")
    raw_bytes = rec.data if rec.data is not None else (rec.text or "").encode("utf-8", errors="surrogatepass")
    try:
        decoded = decode_input(rec.data, rec.text, rec.kind)
    except DecodeError as exc:
        return reject(str(exc), "decode")
    raw_text = decoded.text
    encoding = decoded.encoding + ("+mojibake-repaired" if decoded.repaired else "")
    if not raw_text.strip():
        return reject("empty document", "decode")
    stage[0] = "clean"
    doc = TracedText(raw_text)
    clean(doc, PREPARE)
    info = meta.extract(doc.text, decoded.page)
    clean(doc, STRIP)
    if not doc.text:
        return reject("nothing left after cleaning (all boilerplate)", "clean")
    stage[0] = "fix"
    try:
        fix(doc, compiled.gazetteer.rules)
    except RuleTimeout as exc:
        return reject(str(exc), "fix")
    stage[0] = "link"
    text = doc.text
    entities = compiled.index.entities
    mentions = []
    for m in link.find_mentions(text, compiled.index):
        ent = entities[m.entity]
        mentions.append(
            {
                "doc_id": rec.doc_id,
                "start": m.start,
                "end": m.end,
                "text": text[m.start : m.end],
                "entity_id": ent.id,
                "entity_type": ent.type,
                "canonical": ent.name,
                "wikidata": ent.wikidata,
                "method": m.method,
                "score": m.score,
                "src_start": doc.to_raw(m.start, "start"),
                "src_end": doc.to_raw(m.end, "end"),
            }
        )
    out.documents.append(
        {
            "doc_id": rec.doc_id,
            "text": text,
            "source_path": rec.source_path,
            "published": info.published,
            "source": info.source,
            "place": info.place,
            "n_chars_raw": len(raw_text),
            "sha256": hashlib.sha256(raw_bytes).hexdigest(),
            "encoding": encoding,
            "meta": json.dumps(rec.meta, ensure_ascii=False, default=str) if rec.meta else None,
        }
    )
    out.edits.extend(
        {
            "doc_id": rec.doc_id,
            "rule_id": e.step,
            "before": e.before,
            "after": e.after,
            "start": e.start,
            "end": e.end,
        }
        for e in doc.edits
    )
    out.mentions = mentions
    return out


# --- batches: the unit of work (and of checkpointing, see resume.py) -------------------

Batch = list[tuple[str, RawDoc]]  # (record key, record)
NAMES = ("documents", "mentions", "edits", "rejects")


def _frame(name: str, rows: list[dict]) -> pl.DataFrame:
    df = schemas.frame(name, rows, {"_key": pl.String()})
    if "_key" not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias("_key"))
    return df.with_columns(pl.col("_key").cast(pl.String)).with_row_index("_i")


def _process_rows(batch: Batch, dirs: tuple[str, ...]) -> _Rows:
    compiled = _compile_cached(dirs)
    rows = _Rows()
    for key, rec in batch:
        one = process_one(rec, compiled)
        if len(one.documents) + len(one.rejects) != 1:  # pragma: no cover - a bug, not an input problem
            raise AssertionError(f"record {rec.doc_id!r}: {len(one.documents)} documents, {len(one.rejects)} rejects")
        for name in NAMES:
            for row in getattr(one, name):
                row["_key"] = key
        rows.extend(one)
    return rows


def _frames(rows: _Rows) -> dict[str, pl.DataFrame]:
    return {name: _frame(name, getattr(rows, name)) for name in NAMES}


def process_batch(batch: Batch, dirs: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    """Process and validate keyed records; every row of the four frames carries its record's `_key`.

    Each record yields exactly one row in documents or rejects (plus its mentions and
    edits), and all rows of one record are in one batch, in their order (`_i`).
    """
    return _validated(_frames(_process_rows(batch, dirs)))


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


def _process_and_sink(batch: Batch, dirs: tuple[str, ...], sink: Callable[[dict[str, pl.DataFrame]], T] | None):
    frames = process_batch(batch, dirs)
    return frames if sink is None else sink(frames)


def run_batches(
    batches: Iterable[Batch],
    dirs: tuple[str, ...],
    workers: int = 1,
    sink: Callable[[dict[str, pl.DataFrame]], T] | None = None,
) -> Iterator:
    """Results of `process_batch` in batch order, or of `sink` applied to them where they were made.

    With workers > 1 the batches go to a process pool with only a few in flight, so memory
    stays bounded whatever the input size; a sink (writing a checkpoint part, say) then runs
    in the worker too, so the main process only reads and hands out records.
    """
    _compile_cached(dirs)  # compile (and fill the on-disk cache) once, before any worker starts
    if workers <= 1:
        for batch in batches:
            yield _process_and_sink(batch, dirs, sink)
        return
    import multiprocessing as mp
    from collections import deque

    # spawn, not fork: forking a process whose polars thread pool is running can deadlock the child;
    # workers load the compiled gazetteer from the on-disk cache instead of inheriting it
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        in_flight: deque = deque()
        for batch in batches:
            in_flight.append(pool.submit(_process_and_sink, batch, dirs, sink))
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


def _reject_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={**schemas.POLARS_TYPES["rejects"], "_order": pl.Int64()})


@dataclass
class LazyTables:
    """The four tables as queries over the processed parts, not yet read: documents,
    mentions and edits stream from the parts to where they are written (`write`); the
    rejects, small, are in memory."""

    documents: pl.LazyFrame
    mentions: pl.LazyFrame
    edits: pl.LazyFrame
    rejects: pl.DataFrame

    def items(self) -> list[tuple[str, pl.LazyFrame | pl.DataFrame]]:
        return [
            ("documents", self.documents),
            ("mentions", self.mentions),
            ("edits", self.edits),
            ("rejects", self.rejects),
        ]

    def collect(self) -> Tables:
        documents, mentions, edits = pl.collect_all([self.documents, self.mentions, self.edits])
        return Tables(documents, mentions, edits, self.rejects)

    def overview(self, chars_with_text: int = 300_000) -> Overview:
        """The run's figures and a sample, read by the streaming engine from narrow columns."""
        return overview(self.documents, self.mentions, self.edits, self.rejects, chars_with_text)


@dataclass(frozen=True)
class Overview:
    """What a run's summary and run.json say: counts and rankings, and a sample of the first
    documents with their text and mentions (what `suggest.quick` reads). Its size does not grow
    with the corpus, but for the rejects (in memory anyway) and the entity ranking (bounded by
    the gazetteer)."""

    documents: int
    n_chars: int
    mentions: int
    edits: int
    mentions_by_type: list[tuple[str, int]]  # most first, then by name
    entities: list[tuple[str, str, int]]  # (canonical, entity_type, mentions), most first
    edits_by_step: list[tuple[str, int]]  # step: the rule_id's first two parts, "clean/unicode"
    rejects: pl.DataFrame
    rejects_by_reason: list[tuple[str, int]]
    rejects_by_stage: list[tuple[str, int]]
    sample_documents: pl.DataFrame  # the first documents, up to `chars_with_text` characters
    sample_mentions: pl.DataFrame  # their mentions


def ranked_counts(frame: pl.LazyFrame | pl.DataFrame, *keys: str) -> pl.LazyFrame:
    """Rows per value of `keys` (column `len`), most first, ties by the keys: the order in which
    the summary, run.json and the report list counts."""
    return frame.lazy().group_by(*keys).len().sort(["len", *keys], descending=[True, *[False] * len(keys)])


def overview(
    documents: pl.LazyFrame | pl.DataFrame,
    mentions: pl.LazyFrame | pl.DataFrame,
    edits: pl.LazyFrame | pl.DataFrame,
    rejects: pl.DataFrame,
    chars_with_text: int = 300_000,
) -> Overview:
    """The figures of four tables, and the first documents up to `chars_with_text` characters."""
    documents, mentions, edits = documents.lazy(), mentions.lazy(), edits.lazy()
    totals, by_entity, by_type, by_step, by_reason, by_stage, lengths = pl.collect_all(
        [
            documents.select(pl.len().alias("n"), pl.col("n_chars_raw").sum().alias("chars")),
            ranked_counts(mentions, "canonical", "entity_type"),
            ranked_counts(mentions, "entity_type"),
            ranked_counts(edits.select(pl.col("rule_id").str.extract(r"^([^/]+/[^/]+)", 1).alias("step")), "step"),
            ranked_counts(rejects, "reason"),
            ranked_counts(rejects, "stage"),
            documents.select(pl.col("text").str.len_chars()),
        ],
        engine="streaming",
    )
    lengths = lengths.to_series()
    k = int((lengths.cum_sum() - lengths < chars_with_text).sum())
    sample_docs = documents.head(k).collect(engine="streaming")
    # the ids as a frame: a semi join on a lazy head() lost rows in the streaming engine (polars 2.1)
    sample_mentions = mentions.join(
        sample_docs.select("doc_id").lazy(), on="doc_id", how="semi", maintain_order="left"
    ).collect(engine="streaming")
    return Overview(
        documents=int(totals["n"][0]),
        n_chars=int(totals["chars"][0] or 0),
        mentions=int(by_entity["len"].sum()),
        edits=int(by_step["len"].sum()),
        mentions_by_type=by_type.rows(),
        entities=by_entity.rows(),
        edits_by_step=by_step.rows(),
        rejects=rejects,
        rejects_by_reason=by_reason.rows(),
        rejects_by_stage=by_stage.rows(),
        sample_documents=sample_docs,
        sample_mentions=sample_mentions,
    )


def plan(
    parts: Sequence[dict[str, pl.DataFrame | pl.LazyFrame]],
    order: pl.DataFrame,
    read_rejects: list[dict],
    n_records: int,
) -> LazyTables:
    """The four tables from processed (and validated) parts, in input order, deduplicated.

    `order` maps each processed record's `_key` to its position in the input (`_order`);
    `read_rejects` are the records rejected while reading, each with its `_order`.
    Duplicate doc_ids: the first document in input order keeps the id, later ones are
    rejects. Only narrow columns are read here (ids, positions); the accounting is checked
    on them: every record is in exactly one of documents or rejects.
    """
    order = order.select(pl.col("_key").cast(pl.String), pl.col("_order").cast(pl.Int64)).lazy()

    def table(name: str) -> pl.LazyFrame:
        frames = [p[name].lazy() for p in parts] or [_frame(name, []).lazy()]
        return pl.concat(frames, how="vertical_relaxed").join(order, on="_key", how="inner", maintain_order="left")

    docs, rejected = pl.collect_all(
        [
            table("documents").select("doc_id", "source_path", "_order"),
            table("rejects").select(*schemas.POLARS_TYPES["rejects"], "_order"),
        ]
    )
    # parts taken in input order (a fresh run) need no sort: the tables then stream
    in_order = docs["_order"].is_sorted() and rejected["_order"].is_sorted()
    docs = docs if in_order else docs.sort("_order")
    rejects = [rejected, _reject_frame(read_rejects)]
    first = docs.unique("doc_id", keep="first", maintain_order=True)
    dups = docs.join(
        first.select("doc_id", pl.col("_order").alias("_first"), pl.col("source_path").alias("_fp")), on="doc_id"
    ).filter(pl.col("_order") != pl.col("_first"))
    gone = dups["_order"].implode()
    if dups.height:
        rejects.append(
            dups.select(
                "doc_id",
                "source_path",
                (pl.lit("duplicate doc_id (first in ") + pl.col("_fp") + pl.lit(")")).alias("reason"),
                pl.lit("read").alias("stage"),
                "_order",
            )
        )
    types = {**schemas.POLARS_TYPES["rejects"], "_order": pl.Int64()}
    rejects_df = pl.concat([r.select(list(types)).cast(types) for r in rejects], how="vertical")
    rejects_df = rejects_df.sort("_order", maintain_order=True)
    kept = docs.height - dups.height
    seen = pl.concat([docs["_order"], rejects_df["_order"]])
    if kept + rejects_df.height != n_records or seen.n_unique() != n_records:
        raise AssertionError(f"accounting: {n_records} records but {kept} documents + {rejects_df.height} rejects")

    def final(name: str) -> pl.LazyFrame:
        lf = table(name)
        if dups.height:
            lf = lf.filter(~pl.col("_order").is_in(gone))
        if not in_order:
            lf = lf.sort("_order", "_i")
        return lf.drop("_order", "_i", "_key")

    return LazyTables(final("documents"), final("mentions"), final("edits"), rejects_df.drop("_order"))


def assemble(
    parts: Sequence[dict[str, pl.DataFrame | pl.LazyFrame]],
    order: pl.DataFrame,
    read_rejects: list[dict],
    n_records: int,
) -> Tables:
    """`plan`, read into memory."""
    return plan(parts, order, read_rejects, n_records).collect()


def _reject_row(rec: Reject, order: int) -> dict:
    return {
        "doc_id": rec.doc_id,
        "source_path": rec.source_path,
        "reason": rec.reason,
        "stage": rec.stage,
        "_order": order,
    }


def process(
    records: Iterable[RawDoc | Reject],
    gazetteers: Sequence[str | Path] | None = None,
    workers: int = 1,
) -> Tables:
    """Run records through the pipeline (in `workers` processes) and validate the tables.

    The tables are in input order whatever `workers` is."""
    dirs = tuple(str(d) for d in gazetteers or ())
    read_rejects: list[dict] = []
    keyed: list[tuple[str, int]] = []
    n = 0

    def docs() -> Iterator[tuple[str, RawDoc]]:
        nonlocal n
        for i, rec in enumerate(records):
            n = i + 1
            if isinstance(rec, Reject):
                read_rejects.append(_reject_row(rec, i))
            else:
                keyed.append((str(i), i))
                yield str(i), rec

    parts = list(run_batches(batches(docs()), dirs, workers))
    order = pl.DataFrame(
        {"_key": [k for k, _ in keyed], "_order": [i for _, i in keyed]}, schema={"_key": pl.String, "_order": pl.Int64}
    )
    return assemble(parts, order, read_rejects, n)


def normalize_frame(
    frame: pl.DataFrame | pl.LazyFrame,
    gazetteers: Sequence[str | Path] | None = None,
    workers: int = 1,
) -> Tables:
    """The library entry point: a frame with `doc_id` (or `id`) and `text` in, the four tables out."""
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
    return process(records, gazetteers, workers)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
