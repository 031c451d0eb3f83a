"""Near-duplicate clusters on Spark: `dedup.clusters` with Spark's own operations.

The signatures are made per partition, with the documents (`normalize.spark`); this module
clusters them without bringing them to the driver, step for step as `dedup.clusters` does, so
the two give the same `duplicate_of` and `similarity`:

- each document's *order key*: its published date as `yyyy-MM-dd` (ten `~` when there is none,
  which sort after every digit: no date comes last), then its doc_id; the smallest key of a
  cluster is its head, as `dedup.clusters` ranks by (published, nulls last; doc_id);
- every (band, band values) bucket links each member to its smallest key, and a link is kept
  when the two signatures agree on at least `threshold` of their positions;
- connected components by min-label propagation with pointer jumping, a round a few joins and
  a count, until a round changes no label (rounds grow with the log of a chain's length);
- every other member of a component gets its head's doc_id and the share of positions where
  its signature agrees with the head's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from normalize.dedup import DedupOptions

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame

_NO_DATE = "~" * 10  # after every yyyy-MM-dd


def order_key(published: Column, doc_id: Column) -> Column:
    """The string whose order is `dedup.clusters`' order of heads: published (nulls last), doc_id."""
    from pyspark.sql import functions as F

    return F.concat(F.coalesce(F.date_format(published, "yyyy-MM-dd"), F.lit(_NO_DATE)), doc_id)


def agreement(a: Column, b: Column, k: int) -> Column:
    """Estimated Jaccard of two signature columns: the share of the k positions where they agree."""
    from pyspark.sql import functions as F

    same = F.zip_with(a, b, lambda x, y: F.when(x == y, 1).otherwise(0))
    return F.aggregate(same, F.lit(0), lambda acc, x: acc + x) / F.lit(k)


def components(edges: DataFrame) -> DataFrame:
    """Connected components of an undirected graph of (u, v) rows: (node, label), the label the
    smallest node of the component (string order), computed with joins and group-bys."""
    from pyspark.sql import functions as F

    labels = (
        edges.select(F.col("u").alias("node")).union(edges.select(F.col("v").alias("node"))).distinct()
    ).withColumn("label", F.col("node"))
    while True:
        lu = labels.select(F.col("node").alias("u"), F.col("label").alias("lu"))
        lv = labels.select(F.col("node").alias("v"), F.col("label").alias("lv"))
        ends = edges.join(lu, "u").join(lv, "v").select("u", "v", F.least("lu", "lv").alias("m"))
        hooked = (
            labels.union(ends.select(F.col("u").alias("node"), F.col("m").alias("label")))
            .union(ends.select(F.col("v").alias("node"), F.col("m").alias("label")))
            .groupBy("node")
            .agg(F.min("label").alias("label"))
        )
        up = hooked.select(F.col("node").alias("label"), F.col("label").alias("up"))
        jumped = (
            hooked.join(up, "label", "left")
            .select("node", F.least("label", F.coalesce("up", "label")).alias("label"))
            .localCheckpoint()  # each round on the last one's result, not on a lineage that grows
        )
        before = labels.withColumnRenamed("label", "before")
        if jumped.join(before, "node").where(F.col("label") != F.col("before")).isEmpty():
            return jumped
        labels = jumped


def clusters(documents: DataFrame, signature: str, options: DedupOptions) -> DataFrame:
    """(doc_id, duplicate_of, similarity) for every document in a near-duplicate cluster but its
    head; `documents` has doc_id (unique), published and the `signature` column (array of
    `options.permutations` longs, null for a document without one)."""
    from pyspark.sql import functions as F

    k, rows, bands = options.permutations, options.rows, options.bands
    signed = documents.where(F.col(signature).isNotNull()).select(
        order_key(F.col("published"), F.col("doc_id")).alias("r"), F.col(signature).alias("sig")
    )
    # a row per (document, band): the band's number and values, its bucket (1-based slices)
    buckets = [F.struct(F.lit(b).alias("band"), F.slice("sig", b * rows + 1, rows).alias("key")) for b in range(bands)]
    banded = signed.select("r", F.explode(F.array(*buckets)).alias("bucket")).select("r", "bucket.band", "bucket.key")
    heads = banded.groupBy("band", "key").agg(F.min("r").alias("head"))
    links = (
        banded.join(heads, ["band", "key"])
        .where(F.col("r") != F.col("head"))
        .select(F.col("r").alias("u"), F.col("head").alias("v"))
        .distinct()
    )
    su = signed.select(F.col("r").alias("u"), F.col("sig").alias("su"))
    sv = signed.select(F.col("r").alias("v"), F.col("sig").alias("sv"))
    alike = agreement(F.col("su"), F.col("sv"), k) >= options.threshold
    edges = links.join(su, "u").join(sv, "v").where(alike).select("u", "v")
    members = components(edges).where(F.col("node") != F.col("label"))
    head_of = len(_NO_DATE) + 1  # the doc_id in an order key: after the date
    return (
        members.join(signed.select(F.col("r").alias("node"), F.col("sig").alias("sn")), "node")
        .join(signed.select(F.col("r").alias("label"), F.col("sig").alias("sl")), "label")
        .select(
            F.expr(f"substring(node, {head_of})").alias("doc_id"),
            F.expr(f"substring(label, {head_of})").alias("duplicate_of"),
            agreement(F.col("sn"), F.col("sl"), k).cast("double").alias("similarity"),
        )
    )
