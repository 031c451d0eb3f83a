"""The pipeline: read → decode → clean → fix → link → validate, as a library API.

`normalize_frame` takes a polars frame of (doc_id, text) and returns the four
tables; `process` does the same for records from `read`. The CLI is a thin layer
over `run`, which adds writing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, repeat
from pathlib import Path

import polars as pl

from normalize import gazetteer as gz
from normalize import link, meta, schemas
from normalize.clean import PREPARE, STRIP, clean
from normalize.decode import DecodeError, decode
from normalize.fix import RuleTimeout, fix
from normalize.read import RawDoc, Reject
from normalize.trace import TracedText

BATCH = 256


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
    """Run one record through decode, clean, fix and link."""
    out = _Rows()
    raw_bytes = rec.data if rec.data is not None else (rec.text or "").encode("utf-8", errors="surrogatepass")
    if rec.text is not None:
        raw_text, encoding = rec.text, "text"
    else:
        try:
            decoded = decode(raw_bytes)
        except DecodeError as exc:
            out.rejects.append(
                {"doc_id": rec.doc_id, "source_path": rec.source_path, "reason": str(exc), "stage": "decode"}
            )
            return out
        raw_text, encoding = decoded.text, decoded.encoding + ("+mojibake-repaired" if decoded.repaired else "")
    if not raw_text.strip():
        out.rejects.append(
            {"doc_id": rec.doc_id, "source_path": rec.source_path, "reason": "empty document", "stage": "decode"}
        )
        return out
    doc = TracedText(raw_text)
    clean(doc, PREPARE)
    info = meta.extract(doc.text)
    clean(doc, STRIP)
    if not doc.text:
        out.rejects.append(
            {
                "doc_id": rec.doc_id,
                "source_path": rec.source_path,
                "reason": "nothing left after cleaning (all boilerplate)",
                "stage": "clean",
            }
        )
        return out
    try:
        fix(doc, compiled.gazetteer.rules)
    except RuleTimeout as exc:
        out.rejects.append({"doc_id": rec.doc_id, "source_path": rec.source_path, "reason": str(exc), "stage": "fix"})
        return out
    text = doc.text
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
        }
    )
    for e in doc.edits:
        out.edits.append(
            {
                "doc_id": rec.doc_id,
                "rule_id": e.step,
                "before": e.before,
                "after": e.after,
                "start": e.start,
                "end": e.end,
            }
        )
    entities = compiled.index.entities
    for m in link.find_mentions(text, compiled.index):
        ent = entities[m.entity]
        out.mentions.append(
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
    return out


def _process_batch(batch: list[RawDoc | Reject], dirs: tuple[str, ...]) -> _Rows:
    compiled = _compile_cached(dirs)
    out = _Rows()
    for rec in batch:
        if isinstance(rec, Reject):
            out.rejects.append(
                {"doc_id": rec.doc_id, "source_path": rec.source_path, "reason": rec.reason, "stage": rec.stage}
            )
        else:
            out.extend(process_one(rec, compiled))
    return out


def _batches(records: Iterable[RawDoc | Reject], size: int) -> Iterator[list[RawDoc | Reject]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch


def process(
    records: Iterable[RawDoc | Reject],
    gazetteers: Sequence[str | Path] | None = None,
    workers: int = 1,
) -> Tables:
    """Run records through the pipeline (in `workers` processes) and validate the tables."""
    dirs = tuple(str(d) for d in gazetteers or ())
    _compile_cached(dirs)  # compile before forking, so workers share it
    rows = _Rows()
    if workers <= 1:
        for batch in _batches(records, BATCH):
            rows.extend(_process_batch(batch, dirs))
    else:
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            for part in pool.map(_process_batch, _batches(records, BATCH), repeat(dirs), chunksize=1):
                rows.extend(part)
    return _tables(rows)


def _tables(rows: _Rows) -> Tables:
    frames = {name: schemas.frame(name, getattr(rows, name)) for name in schemas.TABLES}
    rejects = [frames["rejects"]]
    valid: dict[str, pl.DataFrame] = {}
    for name in ("documents", "mentions", "edits"):
        good, bad = schemas.validate(name, frames[name])
        valid[name] = good
        if bad.height:
            rejects.append(
                bad.select(
                    pl.col("doc_id").cast(pl.String),
                    (pl.col("source_path") if "source_path" in bad.columns else pl.lit(""))
                    .cast(pl.String)
                    .alias("source_path"),
                    (pl.lit(f"{name} row failed validation: ") + pl.col("reason")).alias("reason"),
                    pl.lit("validate").alias("stage"),
                )
            )
    rejected_docs = set()
    for extra in rejects[1:]:
        rejected_docs |= set(extra["doc_id"].to_list())
    if rejected_docs:
        # a document with an invalid row is rejected whole, so its tables stay consistent
        ids = pl.Series(sorted(rejected_docs), dtype=pl.String)
        for name in ("documents", "mentions", "edits"):
            valid[name] = valid[name].filter(~pl.col("doc_id").is_in(ids))
    rejects_df = pl.concat([r.select(list(schemas.POLARS_TYPES["rejects"])) for r in rejects], how="vertical")
    return Tables(valid["documents"], valid["mentions"], valid["edits"], rejects_df)


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
            records.append(RawDoc(doc_id, path, text=row["text"]))
    return process(records, gazetteers, workers)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
