"""The table contract (normalize/tables.py): the row builder, and every check of it enforced
alike by the one-pass polars check and by pandera, which are both read from it."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from normalize import schemas
from normalize.tables import DOCUMENTS, EDITS, MENTIONS, REJECTS, TABLES, Check, Column, ContractError, Table

GOOD = {
    "documents": DOCUMENTS.row(
        doc_id="a",
        text="t",
        source_path="p",
        published=dt.date(2024, 1, 2),
        source=None,
        place=None,
        n_chars_raw=1,
        sha256="0" * 64,
        encoding="utf-8",
        meta=None,
    ),
    "mentions": MENTIONS.row(
        doc_id="a",
        start=0,
        end=5,
        text="Минск",
        entity_id="city/minsk",
        entity_type="city",
        canonical="Минск",
        wikidata="Q2280",
        method="exact",
        score=1.0,
        src_start=0,
        src_end=5,
    ),
    "edits": EDITS.row(doc_id="a", rule_id="r", before="x", after="", start=0, end=1),
    "rejects": REJECTS.row(doc_id="a", source_path="p", reason="r", stage="read"),
}

# a value that fails each kind of check
VIOLATION = {
    "ge": lambda bound: bound - 1,
    "le": lambda bound: bound + 0.5,
    "isin": lambda values: "not one of them",
    "str_matches": lambda pattern: "!",
    "min_length": lambda n: "",
}


def _cases(table: Table) -> list[tuple[str, str, object]]:
    """(table, column, a value that breaks the contract): each check, and null where none is allowed."""
    out = []
    for column in table.columns:
        out += [(table.name, column.name, VIOLATION[c.kind](c.value)) for c in column.checks]
        if not column.nullable:
            out.append((table.name, column.name, None))
    return out


@pytest.mark.parametrize("table, column, value", [c for t in TABLES.values() for c in _cases(t)])
def test_every_check_of_the_contract_rejects_the_row_in_both_passes(table, column, value):
    good = {**GOOD[table], "doc_id": "good"}
    df = schemas.frame(table, [good, {**GOOD[table], column: value}])
    assert not schemas.passes(table, df)
    kept, bad = schemas.validate(table, df)
    assert kept.height == 1 and bad.height == 1 and column in bad["reason"][0]


@pytest.mark.parametrize("table", list(TABLES))
def test_null_passes_where_the_contract_allows_it(table):
    nullable = [c.name for c in TABLES[table].columns if c.nullable]
    df = schemas.frame(table, [GOOD[table], {**GOOD[table], "doc_id": "b", **dict.fromkeys(nullable)}])
    assert schemas.passes(table, df)
    assert schemas.validate(table, df)[1].height == 0


def test_an_optional_column_may_be_left_out_a_required_one_may_not():
    df = schemas.frame("documents", [GOOD["documents"]])
    assert schemas.passes("documents", df.drop("meta"))
    assert not schemas.passes("documents", df.drop("encoding"))


@pytest.mark.parametrize("table", list(TABLES))
def test_the_pandera_schema_is_the_contract(table):
    contract = TABLES[table]
    schema = schemas._schema(table, True)
    assert schema.name == contract.title
    assert {n: (str(c.dtype), c.nullable, c.required, c.unique, len(c.checks)) for n, c in schema.columns.items()} == {
        c.name: (str(c.dtype), c.nullable, c.required, c.unique, len(c.checks)) for c in contract.columns
    }
    assert [c.name for c in schema.checks] == [rc.name for rc in contract.row_checks]


@pytest.mark.parametrize(
    "values, error",
    [
        ({"doc_id": "a", "source_path": "p", "reason": "r", "stage": "read"}, None),
        ({"doc_id": "a", "source_path": "p", "stage": "read", "reason": "r"}, "not the contract's"),  # order
        ({"doc_id": "a", "source_path": "p", "reason": "r"}, "not the contract's"),  # a column missing
        ({"doc_id": "a", "source_path": "p", "reason": "r", "stage": "read", "x": 1}, "not the contract's"),
    ],
)
def test_a_row_has_every_column_in_the_contract_order(values, error):
    if error is None:
        assert list(REJECTS.row(**values)) == list(REJECTS.names)
    else:
        with pytest.raises(ContractError, match=error):
            REJECTS.row(**values)


def test_an_unknown_check_kind_is_refused():
    with pytest.raises(ValueError, match="unknown check kind 'between'"):
        Column("n", pl.Int64(), "a number", checks=(Check("between", (0, 1)),))


def test_polars_types_are_the_contract_types():
    assert schemas.POLARS_TYPES["mentions"]["score"] == pl.Float64()
    assert list(schemas.POLARS_TYPES["edits"]) == ["doc_id", "rule_id", "before", "after", "start", "end"]
