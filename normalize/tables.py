"""The output tables' contract, written once: columns, types, nulls and checks of each table.

Everything else is read from here: the pandera schemas and the one-pass polars check
(`schemas`), the typed frames (`schemas.frame`, `schemas.POLARS_TYPES`), the rows the
pipeline builds (`Table.row`) and the struct of the polars namespace (`expr.MENTION`).
Column names are the contract other pipelines rely on (see DESIGN.md): columns may be
added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from normalize.link import SCORES

# the link tiers, best first: the order of the score table
METHODS: tuple[str, ...] = tuple(SCORES)
# where a record can be turned away: the reader, the stages of `stages.STAGES`, and the
# validation of a batch's rows
REJECT_STAGES: tuple[str, ...] = ("read", "decode", "clean", "fix", "link", "validate")

CHECK_KINDS = ("ge", "le", "isin", "str_matches", "min_length")


class ContractError(AssertionError):
    """A row built by the code without the contract's columns: a bug, not bad input, so it is
    not one of the errors a document's reject absorbs (`stages.process_one`)."""


@dataclass(frozen=True)
class Check:
    """A test every non-null value of a column passes (a null is the `nullable` flag's to judge).

    `kind` is one of CHECK_KINDS: ge/le (a bound, inclusive), isin (a tuple of allowed
    values), str_matches (a regex searched in the value), min_length (characters).
    """

    kind: str
    value: object

    def __post_init__(self) -> None:
        if self.kind not in CHECK_KINDS:
            raise ValueError(f"unknown check kind {self.kind!r} (known: {', '.join(CHECK_KINDS)})")


def at_least(bound: float) -> Check:
    """value >= bound."""
    return Check("ge", bound)


def at_most(bound: float) -> Check:
    """value <= bound."""
    return Check("le", bound)


def one_of(values: tuple[str, ...]) -> Check:
    """value in values (kept in their order: pandera names them so in a failure)."""
    return Check("isin", tuple(values))


def matches(pattern: str) -> Check:
    """The regex is found in the value (anchor it to match the whole)."""
    return Check("str_matches", pattern)


NON_EMPTY = Check("min_length", 1)


@dataclass(frozen=True)
class Column:
    """One column of a table: its polars type, whether it may be null, and its checks."""

    name: str
    dtype: pl.DataType
    doc: str
    nullable: bool = False
    checks: tuple[Check, ...] = ()
    unique: bool = False  # no two rows share a value
    required: bool = True  # False: a frame may leave the column out
    # filled once every document of a run is through (near-duplicates), not by a document's own row
    per_run: bool = False

    def __post_init__(self) -> None:
        if self.per_run and self.required:
            raise ValueError(f"column {self.name!r}: a per-run column is not in a batch's rows, so not required")


@dataclass(frozen=True)
class RowCheck:
    """A test of each row across columns, as a polars expression true for a valid row."""

    name: str
    expr: pl.Expr = field(compare=False)  # an Expr's == builds an expression, not a bool
    doc: str = ""


@dataclass(frozen=True)
class Table:
    """One output table: its columns in order, and the checks that span columns."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    row_checks: tuple[RowCheck, ...] = ()

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @cached_property
    def dtypes(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}

    @cached_property
    def row_names(self) -> tuple[str, ...]:
        """The columns of a row built per document: all but the per-run ones."""
        return tuple(c.name for c in self.columns if not c.per_run)

    @property
    def title(self) -> str:
        """The table's name as pandera reports it in a table-level failure («Mentions failed …»)."""
        return self.name.title()

    def row(self, **values: object) -> dict[str, object]:
        """A row of this table: every column but the per-run ones, by name, in the contract's order
        (optional ones too, None when absent), so a row the code builds cannot drift from the contract."""
        if tuple(values) != self.row_names:
            raise ContractError(
                f"a {self.name} row has columns {list(values)}, not the contract's {list(self.row_names)}"
            )
        return values


STRING, INT, FLOAT, DATE = pl.String(), pl.Int64(), pl.Float64(), pl.Date()

DOCUMENTS = Table(
    "documents",
    "One row per document that came through: its cleaned text and metadata.",
    (
        Column(
            "doc_id",
            STRING,
            "the document's id: a file's path under IN without its suffix, or a row's id",
            checks=(NON_EMPTY,),
            unique=True,
        ),
        Column("text", STRING, "the cleaned text with the gazetteer rules applied; mention offsets point into it"),
        Column("source_path", STRING, "the input file (or `<frame>` for a frame's rows)"),
        Column("published", DATE, "publication date (dateline or article stamp, not the page clock)", nullable=True),
        Column("source", STRING, "the outlet: a web page's site name, else the one the text names", nullable=True),
        Column("place", STRING, "the dateline place", nullable=True),
        Column("n_chars_raw", INT, "characters of the raw decoded text", checks=(at_least(0),)),
        Column("sha256", STRING, "SHA-256 of the raw bytes, hex", checks=(matches(r"^[0-9a-f]{64}$"),)),
        Column("encoding", STRING, "the encoding read; `+mojibake-repaired` when mojibake was repaired"),
        Column("meta", STRING, "a table row's other columns as JSON; null for .txt", nullable=True, required=False),
        # near-duplicates across the run (normalize.dedup): null for every document with dedup off
        Column(
            "duplicate_of",
            STRING,
            "the doc_id of the earliest document (by published, then doc_id) of this one's near-duplicate "
            "cluster; null for that document and for one in no cluster",
            nullable=True,
            required=False,
            per_run=True,
        ),
        Column(
            "similarity",
            FLOAT,
            "estimated Jaccard similarity of the word shingles to `duplicate_of`; null where it is null",
            nullable=True,
            checks=(at_least(0.0), at_most(1.0)),
            required=False,
            per_run=True,
        ),
    ),
)

MENTIONS = Table(
    "mentions",
    "One row per linked mention; offsets into documents.text and into the raw decoded text.",
    (
        Column("doc_id", STRING, "the document"),
        Column("start", INT, "offset of the first character in documents.text", checks=(at_least(0),)),
        Column("end", INT, "offset after the last character in documents.text", checks=(at_least(1),)),
        Column("text", STRING, "the surface form: documents.text[start:end]", checks=(NON_EMPTY,)),
        Column("entity_id", STRING, "the gazetteer entity's id"),
        Column("entity_type", STRING, "the entity's type (country, city, agency, person …)"),
        Column("canonical", STRING, "the entity's canonical name"),
        Column("wikidata", STRING, "the entity's Wikidata id", nullable=True, checks=(matches(r"^Q\d+$"),)),
        Column("method", STRING, "the link tier that found it (METHODS, best first)", checks=(one_of(METHODS),)),
        Column("score", FLOAT, "the tier's score: 1.0 exact … 0.75 fuzzy", checks=(at_least(0.0), at_most(1.0))),
        # the raw decoded text: for a web page, the article text extracted from it
        Column("src_start", INT, "`start` in the raw decoded text", checks=(at_least(0),)),
        Column("src_end", INT, "`end` in the raw decoded text", checks=(at_least(0),)),
    ),
    (
        RowCheck(
            "span_is_ordered",
            (pl.col("start") < pl.col("end")) & (pl.col("src_start") <= pl.col("src_end")),
            "a mention covers at least one character, and its raw span is not reversed",
        ),
    ),
)

EDITS = Table(
    "edits",
    "One row per change made to a document's text, offsets into the raw decoded text.",
    (
        Column("doc_id", STRING, "the document"),
        Column("rule_id", STRING, "`rule/<id>`, or a cleaning step (`clean/boilerplate/captcha`)", checks=(NON_EMPTY,)),
        Column("before", STRING, "the text replaced"),
        Column("after", STRING, "what replaced it (empty for a removal)"),
        Column("start", INT, "offset of `before` in the raw decoded text", checks=(at_least(0),)),
        Column("end", INT, "offset after `before` in the raw decoded text", checks=(at_least(0),)),
    ),
)

REJECTS = Table(
    "rejects",
    "One row per input record (or output row) that did not make it, and why.",
    (
        Column("doc_id", STRING, "the document's id, or where in the input the record was"),
        Column("source_path", STRING, "the input file"),
        Column("reason", STRING, "why, in words", checks=(NON_EMPTY,)),
        Column("stage", STRING, "where it was turned away (REJECT_STAGES)", checks=(one_of(REJECT_STAGES),)),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (DOCUMENTS, MENTIONS, EDITS, REJECTS)}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
