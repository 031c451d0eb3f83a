"""Validation of the output tables against their contract (`normalize.tables`).

`validate` checks a table and splits off the rows that fail, each with the reasons, so
nothing is dropped silently. A frame is first checked in one polars pass (`passes`);
only a frame that fails goes through pandera, for its failure cases. Both are read
from the one contract, so they cannot disagree.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import polars as pl

from normalize.tables import METHODS, REJECT_STAGES, TABLE_NAMES, TABLES, Check, Table

__all__ = ["METHODS", "POLARS_TYPES", "REJECT_STAGES", "TABLE_NAMES", "check_expr", "frame", "passes", "validate"]

# polars dtypes of the contract columns, for building empty and typed frames
POLARS_TYPES: dict[str, dict[str, pl.DataType]] = {name: dict(table.dtypes) for name, table in TABLES.items()}


def _import_pandera():
    # pandera imports pyspark when it is installed, which warns about the pandas version on
    # every run; a filter for that one message (catch_warnings is not thread-safe)
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support", category=FutureWarning)
    import pandera.polars as pa

    return pa


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


# Each kind of contract check in its two forms: pandera's built-in check (for the failure
# cases and their names in a reject's reason), and a polars expression for the one-pass check.
_PANDERA_CHECKS = {
    "ge": lambda pa, v: pa.Check.greater_than_or_equal_to(v),
    "le": lambda pa, v: pa.Check.less_than_or_equal_to(v),
    "isin": lambda pa, v: pa.Check.isin(v),
    "str_matches": lambda pa, v: pa.Check.str_matches(v),
    "min_length": lambda pa, v: pa.Check.str_length(min_value=v),
}
_POLARS_CHECKS = {
    "ge": lambda col, v: col >= v,
    "le": lambda col, v: col <= v,
    "isin": lambda col, v: col.is_in(list(v)),
    "str_matches": lambda col, v: col.str.contains(v),
    "min_length": lambda col, v: col.str.len_chars() >= v,
}


def check_expr(column: str, check: Check) -> pl.Expr:
    """A column check as a polars expression, true where the value passes (null where it is null)."""
    return _POLARS_CHECKS[check.kind](pl.col(column), check.value)


def _row_check(pa, expr: pl.Expr, name: str):
    return pa.Check(lambda data: data.lazyframe.select(expr), name=name)


@lru_cache(maxsize=16)
def _schema(table: str, unique_ids: bool = True):
    """The pandera schema of a table (a `pandera.polars.DataFrameSchema`); `unique_ids=False`
    leaves out the uniqueness of unique columns (documents.doc_id).

    pandera is imported on first use (validation: in the workers of a run), not by
    `normalize explain` or by the main process of a run with workers.
    """
    pa = _import_pandera()
    contract: Table = TABLES[table]
    columns = {
        c.name: pa.Column(
            c.dtype,
            checks=[_PANDERA_CHECKS[k.kind](pa, k.value) for k in c.checks],
            nullable=c.nullable,
            unique=c.unique and unique_ids,
            required=c.required,
        )
        for c in contract.columns
    }
    checks = [_row_check(pa, rc.expr, rc.name) for rc in contract.row_checks]
    return pa.DataFrameSchema(columns, checks=checks, name=contract.title, strict=False, coerce=True)


def passes(table: str, df: pl.DataFrame, unique_ids: bool = True) -> bool:
    """Whether every row of a frame passes the table's contract: its columns present with
    their types, no null where the contract allows none, every check true."""
    contract = TABLES[table]
    checks: list[pl.Expr] = []
    for column in contract.columns:
        name = column.name
        if name not in df.columns:
            if not column.required:
                continue
            return False
        if df.schema[name] != column.dtype:
            return False
        # a check passes a null, as pandera's do; nulls are the nullable flag's to judge
        checks += [check_expr(name, check).fill_null(True) for check in column.checks]
        if not column.nullable:
            checks.append(pl.col(name).is_not_null())
        if column.unique and unique_ids:
            checks.append(pl.col(name).is_unique())
    checks += [rc.expr for rc in contract.row_checks]
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
