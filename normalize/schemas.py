"""The output tables' contracts, as pandera models on polars frames.

Column names are the contract other pipelines rely on (see DESIGN.md); columns may
be added, never renamed. `validate` checks a table and splits off the rows that
fail, each with the reasons, so nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import lru_cache
from typing import Optional

import polars as pl

METHODS = (
    "exact",
    "inflected",
    "alias",
    "acronym",
    "composed",
    "coreference",
    "surname",
    "context",
    "adjective",
    "transliteration",
    "fuzzy",
)
STAGES = ("read", "decode", "clean", "fix", "link", "validate")


def _import_pandera():
    # pandera imports pyspark when it is installed, which warns about the pandas version on
    # every run; a filter for that one message (catch_warnings is not thread-safe)
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support", category=FutureWarning)
    import pandera.polars as pa

    return pa


@lru_cache(maxsize=1)
def models() -> dict[str, type]:
    """The pandera models of the four tables, by table name.

    pandera is imported on first use (validation: in the workers of a run), not by
    `normalize explain` or by the main process of a run with workers.
    """
    pa = _import_pandera()

    class Documents(pa.DataFrameModel):
        """One row per document that came through: its cleaned text and metadata."""

        doc_id: str = pa.Field(unique=True, str_length={"min_value": 1})
        text: str = pa.Field()
        source_path: str = pa.Field()
        published: dt.date = pa.Field(nullable=True)
        source: str = pa.Field(nullable=True)
        place: str = pa.Field(nullable=True)
        n_chars_raw: int = pa.Field(ge=0)
        sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")
        encoding: str = pa.Field()
        # a table row's other columns, as a JSON object; Optional: not required of a frame
        meta: Optional[str] = pa.Field(nullable=True)  # noqa: UP045 (pandera reads Optional, not `str | None`)

        class Config:
            strict = False
            coerce = True

    class Mentions(pa.DataFrameModel):
        """One row per linked mention; offsets into documents.text and into the raw text."""

        doc_id: str = pa.Field()
        start: int = pa.Field(ge=0)
        end: int = pa.Field(ge=1)
        text: str = pa.Field(str_length={"min_value": 1})
        entity_id: str = pa.Field()
        entity_type: str = pa.Field()
        canonical: str = pa.Field()
        wikidata: str = pa.Field(nullable=True, str_matches=r"^Q\d+$")
        method: str = pa.Field(isin=METHODS)
        score: float = pa.Field(ge=0.0, le=1.0)
        src_start: int = pa.Field(ge=0)
        src_end: int = pa.Field(ge=0)

        @pa.dataframe_check
        def span_is_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
            return data.lazyframe.select((pl.col("start") < pl.col("end")) & (pl.col("src_start") <= pl.col("src_end")))

        class Config:
            strict = False
            coerce = True

    class Edits(pa.DataFrameModel):
        """One row per change made to a document's text, offsets into the raw decoded text."""

        doc_id: str = pa.Field()
        rule_id: str = pa.Field(str_length={"min_value": 1})
        before: str = pa.Field()
        after: str = pa.Field()
        start: int = pa.Field(ge=0)
        end: int = pa.Field(ge=0)

        class Config:
            strict = False
            coerce = True

    class Rejects(pa.DataFrameModel):
        """One row per input record (or output row) that did not make it, and why."""

        doc_id: str = pa.Field()
        source_path: str = pa.Field()
        reason: str = pa.Field(str_length={"min_value": 1})
        stage: str = pa.Field(isin=STAGES)

        class Config:
            strict = False
            coerce = True

    return {"documents": Documents, "mentions": Mentions, "edits": Edits, "rejects": Rejects}


_MODEL_NAMES = {"Documents": "documents", "Mentions": "mentions", "Edits": "edits", "Rejects": "rejects"}
TABLE_NAMES = ("documents", "mentions", "edits", "rejects")


def __getattr__(name: str) -> object:
    # TABLES and the model classes stay importable as before, built on first access
    if name == "TABLES":
        return models()
    if name in _MODEL_NAMES:
        return models()[_MODEL_NAMES[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# polars dtypes of the contract columns, for building empty and typed frames
POLARS_TYPES: dict[str, dict[str, pl.DataType]] = {
    "documents": {
        "doc_id": pl.String(),
        "text": pl.String(),
        "source_path": pl.String(),
        "published": pl.Date(),
        "source": pl.String(),
        "place": pl.String(),
        "n_chars_raw": pl.Int64(),
        "sha256": pl.String(),
        "encoding": pl.String(),
        "meta": pl.String(),
    },
    "mentions": {
        "doc_id": pl.String(),
        "start": pl.Int64(),
        "end": pl.Int64(),
        "text": pl.String(),
        "entity_id": pl.String(),
        "entity_type": pl.String(),
        "canonical": pl.String(),
        "wikidata": pl.String(),
        "method": pl.String(),
        "score": pl.Float64(),
        "src_start": pl.Int64(),
        "src_end": pl.Int64(),
    },
    "edits": {
        "doc_id": pl.String(),
        "rule_id": pl.String(),
        "before": pl.String(),
        "after": pl.String(),
        "start": pl.Int64(),
        "end": pl.Int64(),
    },
    "rejects": {
        "doc_id": pl.String(),
        "source_path": pl.String(),
        "reason": pl.String(),
        "stage": pl.String(),
    },
}


def frame(
    table: str, rows: list[dict] | dict[str, list], extra_types: dict[str, pl.DataType] | None = None
) -> pl.DataFrame:
    """A frame with the table's contract columns and types (extra keys are kept; `extra_types`
    gives the types of some of them)."""
    schema = POLARS_TYPES[table]
    if isinstance(rows, dict):
        df = pl.DataFrame(rows)
    else:
        df = _typed(rows, {**schema, **(extra_types or {})}) if rows else None
        if df is None:
            df = pl.DataFrame(rows, schema=schema if not rows else None, infer_schema_length=None)
    if df.is_empty() and not df.columns:
        return pl.DataFrame(schema=schema)
    return df.with_columns([pl.col(c).cast(t) for c, t in schema.items() if c in df.columns])


def _typed(rows: list[dict], types: dict[str, pl.DataType]) -> pl.DataFrame | None:
    """Rows whose every key has a known type, read with those types (reading them without
    is most of the cost of a batch's frames: polars infers each column from every row first);
    None when a key has no known type or a value does not fit its type."""
    keys = dict.fromkeys(k for row in rows for k in row)
    if any(k not in types for k in keys):
        return None
    try:
        return pl.DataFrame(rows, schema={k: types[k] for k in keys}, strict=True)
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        return None


@lru_cache(maxsize=16)
def _schema(table: str, unique_ids: bool):
    schema = models()[table].to_schema()
    if not unique_ids and table == "documents":
        schema = schema.update_column("doc_id", unique=False)
    return schema


# The models' column checks once more, as data read into polars expressions: one pass over a
# frame tells whether every row passes, with no pandera import and no query per check, and only
# a frame that fails goes through pandera for its failure cases. Checks by pandera's names, with
# their statistics; tests/test_schemas.py holds this to the models, column by column.
FAST_CHECKS: dict[str, dict[str, dict[str, dict[str, object]]]] = {
    "documents": {
        "doc_id": {"str_length": {"min_value": 1}},
        "n_chars_raw": {"greater_than_or_equal_to": {"min_value": 0}},
        "sha256": {"str_matches": {"pattern": r"^[0-9a-f]{64}$"}},
    },
    "mentions": {
        "start": {"greater_than_or_equal_to": {"min_value": 0}},
        "end": {"greater_than_or_equal_to": {"min_value": 1}},
        "text": {"str_length": {"min_value": 1}},
        "wikidata": {"str_matches": {"pattern": r"^Q\d+$"}},
        "method": {"isin": {"allowed_values": METHODS}},
        "score": {"greater_than_or_equal_to": {"min_value": 0.0}, "less_than_or_equal_to": {"max_value": 1.0}},
        "src_start": {"greater_than_or_equal_to": {"min_value": 0}},
        "src_end": {"greater_than_or_equal_to": {"min_value": 0}},
    },
    "edits": {
        "rule_id": {"str_length": {"min_value": 1}},
        "start": {"greater_than_or_equal_to": {"min_value": 0}},
        "end": {"greater_than_or_equal_to": {"min_value": 0}},
    },
    "rejects": {
        "reason": {"str_length": {"min_value": 1}},
        "stage": {"isin": {"allowed_values": STAGES}},
    },
}
NULLABLE = {"documents": {"published", "source", "place", "meta"}, "mentions": {"wikidata"}}
OPTIONAL = {"documents": {"meta"}}  # columns a frame may leave out
FRAME_CHECKS: dict[str, dict[str, pl.Expr]] = {
    "mentions": {"span_is_ordered": (pl.col("start") < pl.col("end")) & (pl.col("src_start") <= pl.col("src_end"))},
}


def _check_expr(column: str, name: str, stats: dict[str, object]) -> pl.Expr:
    col = pl.col(column)
    if name == "greater_than_or_equal_to":
        return col >= stats["min_value"]
    if name == "less_than_or_equal_to":
        return col <= stats["max_value"]
    if name == "isin":
        return col.is_in(list(stats["allowed_values"]))  # type: ignore[call-overload]
    if name == "str_matches":
        return col.str.contains(str(stats["pattern"]))
    if name == "str_length":
        return col.str.len_chars() >= stats["min_value"]
    raise ValueError(f"no fast form of the check {name!r}")


def passes(table: str, df: pl.DataFrame, unique_ids: bool = True) -> bool:
    """Whether every row of a frame passes the table's model: the contract columns present with
    their types, no null where the model allows none, every check true."""
    types = POLARS_TYPES[table]
    nullable = NULLABLE.get(table, set())
    checks: list[pl.Expr] = []
    for column, dtype in types.items():
        if column not in df.columns:
            if column in OPTIONAL.get(table, ()):
                continue
            return False
        if df.schema[column] != dtype:
            return False
        for name, stats in FAST_CHECKS[table].get(column, {}).items():
            # a check passes a null, as pandera's do; nulls are the nullable flag's to judge
            checks.append(_check_expr(column, name, stats).fill_null(True))
        if column not in nullable:
            checks.append(pl.col(column).is_not_null())
    checks += FRAME_CHECKS.get(table, {}).values()
    if unique_ids and table == "documents":
        checks.append(pl.col("doc_id").is_unique())
    if df.height == 0 or not checks:
        return True
    return bool(df.select(pl.all_horizontal(checks).all()).item())


def validate(table: str, df: pl.DataFrame, unique_ids: bool = True) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate a table; return (valid rows, failed rows with a `reason` column).

    A table with a `reason` column of its own (rejects) keeps it in the failed rows as
    `original_reason`, so `reason` is always why the row failed.
    `unique_ids=False` leaves out the uniqueness of documents.doc_id, for a batch of a run
    whose duplicate ids are settled across all batches (`pipeline`).
    """
    if passes(table, df, unique_ids):
        return df, df.clear().with_columns(pl.lit("").alias("reason"))
    model = _schema(table, unique_ids)  # first: it imports pandera
    from pandera.errors import SchemaErrors

    try:
        return model.validate(df, lazy=True), df.clear().with_columns(pl.lit("").alias("reason"))
    except SchemaErrors as exc:
        cases = exc.failure_cases
    rows = cases.filter(pl.col("index").is_not_null())
    if rows.height == 0:
        # a table-level failure (a missing column, a wrong type): nothing in it can be trusted
        reason = "; ".join(f"{c}: {k}" for c, k in zip(cases["column"], cases["check"], strict=False))
        return df.clear(), df.with_columns(pl.lit(reason).alias("reason"))
    reasons = (
        rows.with_columns(
            (
                pl.col("column").fill_null("")
                + " failed "
                + pl.col("check")
                + " ("
                + pl.col("failure_case").cast(pl.String).fill_null("null")
                + ")"
            ).alias("why")
        )
        .group_by("index")
        .agg(pl.col("why").unique().sort().str.join("; ").alias("reason"))
    )
    indexed = df.with_row_index("__row")
    failed = indexed.rename({"reason": "original_reason"}) if "reason" in df.columns else indexed
    bad = failed.join(reasons, left_on="__row", right_on=pl.col("index").cast(pl.UInt32), how="inner").drop(
        "__row", "index"
    )
    good = indexed.join(
        reasons.select(pl.col("index").cast(pl.UInt32)), left_on="__row", right_on="index", how="anti"
    ).drop("__row")
    return model.validate(good, lazy=True) if good.height else good, bad
