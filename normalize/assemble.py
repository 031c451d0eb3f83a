"""The four tables put together from processed parts: in input order, duplicates settled, accounted.

A run processes its records in batches (`pipeline.run_batches`); each batch's frames, a *part*,
carry the record key (`_key`) and the row's place within its record (`_i`) on every row, and each
document its near-duplicate signature (`_signature`, `dedup.signature` of its text). `plan`
joins the parts to the records' input positions, clusters the signatures into `documents`'
`duplicate_of` and `similarity`, and gives the tables as queries (`LazyTables`), read only where
they are written; `pipeline.process` collects them, `resume.run` streams them from its checkpoint
parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from normalize import dedup, schemas
from normalize.overview import Overview, overview
from normalize.read import Reject
from normalize.tables import DOCUMENTS, REJECTS, TABLES

REJECT_TYPES = {**schemas.POLARS_TYPES["rejects"], "_order": pl.Int64()}
# a document's signature in the parts (null with dedup off); never written to OUT
SIGNATURE = "_signature"


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

    def collect(self) -> dict[str, pl.DataFrame]:
        """The four tables read into memory, by name (`pipeline.Tables(**collected)`)."""
        documents, mentions, edits = pl.collect_all([self.documents, self.mentions, self.edits])
        return {"documents": documents, "mentions": mentions, "edits": edits, "rejects": self.rejects}

    def overview(self, chars_with_text: int = 300_000) -> Overview:
        """The run's figures and a sample, read by the streaming engine from narrow columns."""
        return overview(self.documents, self.mentions, self.edits, self.rejects, chars_with_text)


def plan(
    parts: Sequence[dict[str, pl.DataFrame | pl.LazyFrame]],
    order: pl.DataFrame,
    read_rejects: list[dict],
    n_records: int,
    near_duplicates: dedup.DedupOptions | None = None,
) -> LazyTables:
    """The four tables from processed (and validated) parts, in input order, deduplicated.

    `order` maps each processed record's `_key` to its position in the input (`_order`);
    `read_rejects` are the records rejected while reading, each with its `_order`.
    Duplicate doc_ids: the first document in input order keeps the id, later ones are
    rejects. Only narrow columns are read here (ids, positions, signatures); the accounting
    is checked on them: every record is in exactly one of documents or rejects.
    `near_duplicates`: the options the parts' signatures were made with (`with_duplicates`).
    """
    order = order.select(pl.col("_key").cast(pl.String), pl.col("_order").cast(pl.Int64)).lazy()

    def table(name: str) -> pl.LazyFrame:
        frames = [p[name].lazy() for p in parts] or [empty_part(name).lazy()]
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
    rejects = [rejected, reject_frame(read_rejects)]
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
    rejects_df = pl.concat([r.select(list(REJECT_TYPES)).cast(REJECT_TYPES) for r in rejects], how="vertical")
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

    documents = with_duplicates(final("documents"), near_duplicates)
    return LazyTables(documents, final("mentions"), final("edits"), rejects_df.drop("_order"))


def with_duplicates(documents: pl.LazyFrame, options: dedup.DedupOptions | None) -> pl.LazyFrame:
    """Documents (with their `_signature`) with `duplicate_of` and `similarity` in its place:
    `dedup.clusters` of every document's signature, made with `options` (None: dedup off, both
    null). The clusters are computed here, from the narrow columns; the documents stay a query,
    joined to them where they are written."""
    if options is None:
        off = documents.with_columns(duplicate_of=pl.lit(None, pl.String), similarity=pl.lit(None, pl.Float64))
        return off.select(DOCUMENTS.names)
    found = dedup.clusters(documents.select("doc_id", "published", signature=pl.col(SIGNATURE)), options)
    return documents.join(found.lazy(), on="doc_id", how="left", maintain_order="left").select(DOCUMENTS.names)


def part_types(name: str) -> dict[str, pl.DataType]:
    """The columns of a table's rows in a part, with their types: the contract's but the per-run
    ones, the record key, and a document's signature."""
    table = TABLES[name]
    types = {c: t for c, t in table.dtypes.items() if c in table.row_names}
    return {**types, "_key": pl.String(), **({SIGNATURE: dedup.SIGNATURE_DTYPE} if name == "documents" else {})}


def empty_part(name: str) -> pl.DataFrame:
    """A part of a table with no rows: its columns, the record key and the row's place."""
    return pl.DataFrame(schema=part_types(name)).with_row_index("_i")


def reject_frame(rows: list[dict]) -> pl.DataFrame:
    """Rejects made while reading (`reject_row`) as a frame."""
    return pl.DataFrame(rows, schema=REJECT_TYPES)


def reject_row(rec: Reject, order: int) -> dict:
    """A record rejected while reading, at its input position `order`."""
    row = REJECTS.row(doc_id=rec.doc_id, source_path=rec.source_path, reason=rec.reason, stage=rec.stage)
    return {**row, "_order": order}
