"""A run's figures, read from its tables: what the summary, run.json and the report say.

`overview` reads narrow columns (and a sample of the first documents) through the streaming
engine, so it works on a run's lazy tables as well as on frames in memory; `ranked_counts` is
the one order in which counts are listed everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from normalize.dedup import ClusterSummary, summarize


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
    # near-duplicate clusters (documents.duplicate_of); None for documents without the column
    dedup: ClusterSummary | None = None


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
    has_clusters = "duplicate_of" in documents.collect_schema().names()
    clusters = summarize(documents.select("doc_id", "duplicate_of", "similarity")) if has_clusters else None
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
        dedup=clusters,
    )
