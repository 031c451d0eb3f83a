"""The pipeline on Apache Spark: the same tables from a corpus in a data lake (`pip install 'normalize[spark]'`).

    from normalize.spark import normalize_spark
    tables = normalize_spark(spark.read.parquet("s3://lake/news/"))      # doc_id (or id) + text
    tables["mentions"].write.parquet("s3://lake/news-mentions/")

Each partition runs `normalize.pipeline.process` on its records through `mapInArrow`:
one pass per Arrow batch emits the rows of all four tables in one union schema with a
`table` column, which is persisted and split into `documents`, `mentions`, `edits` and
`rejects` with the contract columns of `normalize.schemas`. Results do not change:

- records are built as `normalize_frame` builds them (a missing id or text is a reject);
  a binary `data` column (e.g. from `read_files`) is decoded as `normalize IN OUT` decodes
  files, so the tables equal the command's;
- a duplicate doc_id is rejected across the whole frame, not only within a partition
  (the first in the frame's order is kept), as `normalize_frame` does;
- near-duplicates: each document's signature is made in its partition (`dedup.signatures`)
  and the signatures are clustered with Spark's joins and group-bys (`spark_dedup`), never
  collected to the driver, into the `duplicate_of` and `similarity` the command gives;
- the gazetteer is compiled once per Python worker (and cached on its disk, see
  `normalize.cache`): the bundled set from the installed package (unless `bundled`
  is false), with the files of `gazetteers` stacked on it, read on the driver and
  shipped to the executors, so they need not see the driver's file system.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from normalize import dedup, schemas
from normalize.dedup import DEFAULT as DEFAULT_DEDUP
from normalize.dedup import DedupOptions

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

TABLE_COLUMN = "table"
SIGNATURE_COLUMN = "__normalize_signature"  # a document's signature in the union (Spark has no unsigned ints)
_ROW = "__normalize_row"
_DUP = "__normalize_duplicate"
_SIGNATURE_TYPE = pl.List(pl.Int64())

_ARROW = {
    pl.String(): pa.large_string(),
    pl.Int64(): pa.int64(),
    pl.Float64(): pa.float64(),
    pl.Date(): pa.date32(),
    _SIGNATURE_TYPE: pa.list_(pa.int64()),
}


def _union_columns() -> dict[str, pl.DataType]:
    cols: dict[str, pl.DataType] = {TABLE_COLUMN: pl.String()}
    for table in schemas.TABLE_NAMES:
        for name, dtype in schemas.POLARS_TYPES[table].items():
            if name in cols and cols[name] != dtype:
                raise TypeError(f"column {name!r} has two types in the union schema")
            cols.setdefault(name, dtype)
    return {**cols, SIGNATURE_COLUMN: _SIGNATURE_TYPE}


def _spark_schema():
    from pyspark.sql import types as T

    spark_types = {
        pl.String(): T.StringType(),
        pl.Int64(): T.LongType(),
        pl.Float64(): T.DoubleType(),
        pl.Date(): T.DateType(),
        _SIGNATURE_TYPE: T.ArrayType(T.LongType()),
    }
    return T.StructType([T.StructField(n, spark_types[t], True) for n, t in _union_columns().items()])


# --- gazetteers on the executors ------------------------------------------------------


def _pack_gazetteers(
    dirs: Sequence[str | Path] | None, bundled: bool = True
) -> tuple[tuple[tuple[str, bytes], ...], ...] | None:
    """The gazetteer files of each dir (layer), (relative path, bytes), read on the driver."""
    if not dirs:
        return None
    from normalize import gazetteer as gz
    from normalize.layers import command_layers, stack

    packed = []
    for d in dirs:
        d = Path(d)
        files = gz.gazetteer_files([d])  # raises GazetteerError for a missing dir, as the CLI does
        base = d.parent if d.is_file() else d
        packed.append(tuple((f.relative_to(base).as_posix(), f.read_bytes()) for f in files))
    stack(command_layers(dirs, bundled=bundled))  # fail on the driver, with file:line, not in a task
    return tuple(packed)


def _unpack_gazetteers(packed: tuple[tuple[tuple[str, bytes], ...], ...] | None) -> tuple[str, ...]:
    """Write shipped gazetteer files into a local folder named by their content; its dirs."""
    if packed is None:
        return ()
    h = hashlib.sha256()
    for files in packed:
        for name, data in files:
            h.update(name.encode() + b"\0" + data)
    root = Path(tempfile.gettempdir()) / f"normalize-gazetteers-{h.hexdigest()[:16]}"
    dirs = []
    for i, files in enumerate(packed):
        d = root / str(i)
        for name, data in files:
            target = d / name
            if not target.exists() or target.read_bytes() != data:
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
                tmp.write_bytes(data)
                os.replace(tmp, target)
        dirs.append(str(d))
    return tuple(dirs)


# --- one partition --------------------------------------------------------------------


def _records(batch: pa.RecordBatch, id_col: str):
    from normalize.read import RawDoc, Reject

    cols = batch.schema.names
    ids = batch.column(id_col).to_pylist()
    texts = batch.column("text").to_pylist() if "text" in cols else [None] * len(ids)
    data = batch.column("data").to_pylist() if "data" in cols else [None] * len(ids)
    paths = batch.column("source_path").to_pylist() if "source_path" in cols else [None] * len(ids)
    dups = batch.column(_DUP).to_pylist() if _DUP in cols else [False] * len(ids)
    for raw_id, text, blob, path, dup in zip(ids, texts, data, paths, dups, strict=True):
        doc_id = str(raw_id) if raw_id is not None else ""
        where = str(path) if path is not None else "<frame>"
        if not doc_id:
            yield Reject("<missing id>", where, "missing doc_id")
        elif dup:
            yield Reject(doc_id, where, "duplicate doc_id")
        elif blob is not None:
            yield RawDoc(doc_id, where, data=bytes(blob))
        elif not isinstance(text, str):
            yield Reject(doc_id, where, "missing text")
        else:
            yield RawDoc(doc_id, where, text=text)


def _to_union(tables) -> pa.Table:
    cols = _union_columns()
    parts = [df.with_columns(pl.lit(name).alias(TABLE_COLUMN)) for name, df in tables.items()]
    union = pl.concat(parts, how="diagonal_relaxed")
    union = union.select(
        [(pl.col(n) if n in union.columns else pl.lit(None)).cast(t).alias(n) for n, t in cols.items()]
    )
    arrow_schema = pa.schema([pa.field(n, _ARROW[t]) for n, t in cols.items()])
    return union.to_arrow().cast(arrow_schema)


def _partition_fn(packed, id_col: str, large_strings: bool, signing: DedupOptions | None, bundled: bool = True):
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from normalize import pipeline

        dirs = _unpack_gazetteers(packed)
        pipeline.compile_gazetteers(dirs, bundled)  # once per Python worker (lru + disk cache)
        for batch in batches:
            if batch.num_rows == 0:
                continue
            # clusters span partitions: here only the signatures, clustered across the frame later
            tables = pipeline.process(_records(batch, id_col), dirs or None, workers=1, bundled=bundled, dedup=None)
            if signing is not None:
                sigs = dedup.signatures(tables.documents["text"].to_list(), signing).cast(_SIGNATURE_TYPE)
                tables.documents = tables.documents.with_columns(sigs.alias(SIGNATURE_COLUMN))
            out = _to_union(tables)
            if not large_strings:
                out = out.cast(
                    pa.schema(
                        [pa.field(f.name, pa.string() if f.type == pa.large_string() else f.type) for f in out.schema]
                    )
                )
            yield from out.to_batches()

    return run


# --- the entry points -----------------------------------------------------------------


def normalize_spark_union(
    df: DataFrame,
    gazetteers: Sequence[str | Path] | None = None,
    dedup: DedupOptions | None = DEFAULT_DEDUP,
    bundled: bool = True,
) -> DataFrame:
    """All four tables' rows in one frame, told apart by the `table` column (not persisted);
    documents carry their near-duplicate signature (`SIGNATURE_COLUMN`, made with `dedup`), not
    yet clustered: `duplicate_of` and `similarity` are null. `gazetteers` stack on the bundled set
    (`bundled=False`: on nothing)."""
    from pyspark.sql import functions as F

    id_col = "doc_id" if "doc_id" in df.columns else "id"
    if id_col not in df.columns or ("text" not in df.columns and "data" not in df.columns):
        raise ValueError(f"normalize_spark needs columns doc_id (or id) and text (or data); got {df.columns}")
    keep = [c for c in (id_col, "text", "data", "source_path") if c in df.columns]
    framed = df.select(*keep).withColumn(_ROW, F.monotonically_increasing_id())
    # normalize_frame keeps the first usable row of a doc_id and rejects every later row with it
    # (a row without text before it is rejected for that, and does not count): the first row of
    # each repeated id, found on ids only (small), tells the later rows in any partition
    doc_id = F.col(id_col).cast("string")
    usable = F.col("text").isNotNull() if "text" in df.columns else F.lit(False)
    if "data" in df.columns:
        usable = usable | F.col("data").isNotNull()
    firsts = (
        framed.filter(doc_id.isNotNull() & (doc_id != "") & usable)
        .groupBy(doc_id.alias(_DUP))
        .agg(F.min(_ROW).alias("__first"), F.count(F.lit(1)).alias("__n"))
        .filter(F.col("__n") > 1)
        .drop("__n")
    )
    framed = (
        framed.join(F.broadcast(firsts), doc_id == F.col(_DUP), "left")
        .withColumn(_DUP, F.col("__first").isNotNull() & (F.col(_ROW) > F.col("__first")))
        .drop(_ROW, "__first")
    )
    try:
        large = str(df.sparkSession.conf.get("spark.sql.execution.arrow.useLargeVarTypes")).lower() == "true"
    except Exception:  # older Spark: no such setting, plain strings
        large = False
    fn = _partition_fn(_pack_gazetteers(gazetteers, bundled), id_col, large, dedup, bundled)
    return framed.mapInArrow(fn, _spark_schema())


def normalize_spark(
    df: DataFrame,
    gazetteers: Sequence[str | Path] | None = None,
    dedup: DedupOptions | None = DEFAULT_DEDUP,
    bundled: bool = True,
) -> dict[str, DataFrame]:
    """The four tables (`documents`, `mentions`, `edits`, `rejects`) of a frame with doc_id (or id) and text.

    `gazetteers` stack on the bundled set, in order; `bundled=False` starts from nothing.

    The pipeline runs once: its output is persisted (call `.unpersist()` on any of the
    tables' `union` when done) and each table is a filter of it with the contract columns.
    Near-duplicates are clustered with the `dedup` options (None: off, both columns null); the
    clustering runs here, as Spark jobs over the persisted output.
    """
    from pyspark.sql import functions as F

    from normalize import spark_dedup

    union = normalize_spark_union(df, gazetteers, dedup, bundled).persist()
    tables = {
        name: union.filter(F.col(TABLE_COLUMN) == name).select(*schemas.POLARS_TYPES[name])
        for name in schemas.TABLE_NAMES
    }
    if dedup is not None:
        docs = union.filter(F.col(TABLE_COLUMN) == "documents")
        found = spark_dedup.clusters(docs, SIGNATURE_COLUMN, dedup).localCheckpoint()
        tables["documents"] = (
            docs.drop("duplicate_of", "similarity")
            .join(found, "doc_id", "left")
            .select(*schemas.POLARS_TYPES["documents"])
        )
    return tables


def read_files(spark: SparkSession, path: str | Path) -> DataFrame:
    """A folder of .txt files as (doc_id, source_path, data), the way `normalize IN OUT` reads it.

    doc_id is the path relative to `path` without the suffix; the bytes are decoded by the
    pipeline (any encoding), so the tables equal the command's.
    """
    from pyspark.sql import functions as F

    root = str(path).rstrip("/")
    # binaryFile paths are the root URI (file:/abs/path for local folders) and the relative path;
    # the root may come back as written or with its symlinks resolved, so both are tried
    prefixes = [root] if "://" in root else ["file:" + os.path.abspath(root), "file:" + str(Path(root).resolve())]
    files = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.txt")
        .load(root)
    )
    rel = F.expr(f"substring(path, {len(prefixes[-1]) + 2})")
    for prefix in reversed(prefixes[:-1]):
        rel = F.when(F.col("path").startswith(prefix + "/"), F.expr(f"substring(path, {len(prefix) + 2})")).otherwise(
            rel
        )
    return files.select(
        F.regexp_replace(rel, r"\.txt$", "").alias("doc_id"),
        F.concat(F.lit(root + "/"), rel).alias("source_path"),
        F.col("content").alias("data"),
    )
