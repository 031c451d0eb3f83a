"""A polars namespace for library users, registered on `import normalize`.

    import polars as pl
    import normalize

    df.with_columns(
        pl.col("text").normalize.clean().alias("clean"),        # cleaning only (no gazetteer)
        pl.col("text").normalize.fix().alias("fixed"),          # cleaning + gazetteer rules = documents.text
        pl.col("text").normalize.mentions().alias("mentions"),  # list of structs, offsets into `fixed`
        pl.col("text").normalize.entity_ids().alias("entities"),
    )
    df.normalize.tables()                                       # the four tables, as normalize_frame

Each takes `gazetteers` (layers stacked on the bundled set, in order) and `bundled`
(false: no bundled set under them), as `normalize_frame` does.
`fix`, `mentions` and `entity_ids` run the same code as `normalize IN OUT` on each
value (documents.text and mentions for one document); a value the pipeline
rejects (empty, all boilerplate) gives null.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from normalize.tables import MENTIONS

# a mention within one value: the mentions table's columns less doc_id (the value is the document)
# and the raw offsets (the namespace gives offsets into the text `fix()` returns)
MENTION = pl.Struct({c.name: c.dtype for c in MENTIONS.columns if c.name not in ("doc_id", "src_start", "src_end")})
_FIELDS = list(MENTION.to_schema()) if hasattr(MENTION, "to_schema") else [f.name for f in MENTION.fields]


def _run(text: str, gazetteers: Sequence[str | Path] | None, bundled: bool):
    from normalize import pipeline
    from normalize.read import RawDoc

    compiled = pipeline.compile_gazetteers(gazetteers, bundled)
    return pipeline.process_one(RawDoc("<expr>", "<expr>", text=text), compiled)


def _fix_one(text: str | None, gazetteers, bundled: bool) -> str | None:
    if text is None:
        return None
    rows = _run(text, gazetteers, bundled)
    return rows.documents[0]["text"] if rows.documents else None


def _mentions_one(text: str | None, gazetteers, bundled: bool) -> list[dict] | None:
    if text is None:
        return None
    rows = _run(text, gazetteers, bundled)
    if not rows.documents:
        return None
    return [{k: m[k] for k in _FIELDS} for m in rows.mentions]


@pl.api.register_expr_namespace("normalize")
class NormalizeExpr:
    """`pl.col("text").normalize.…`: clean, fix, mentions, entity_ids."""

    def __init__(self, expr: pl.Expr):
        self._expr = expr

    def clean(self) -> pl.Expr:
        """Cleaned text: Unicode, site boilerplate, repeats, broken lines, spaces (no gazetteer rules)."""
        from normalize.clean import clean_text

        return self._expr.map_elements(clean_text, return_dtype=pl.String, skip_nulls=True)

    def fix(self, gazetteers: Sequence[str | Path] | None = None, bundled: bool = True) -> pl.Expr:
        """Cleaned text with the gazetteer rules applied: exactly `documents.text`."""
        return self._expr.map_elements(
            lambda t: _fix_one(t, gazetteers, bundled), return_dtype=pl.String, skip_nulls=False
        )

    def mentions(self, gazetteers: Sequence[str | Path] | None = None, bundled: bool = True) -> pl.Expr:
        """Linked mentions as a list of structs (start, end, text, entity_id, entity_type, canonical, …)."""
        return self._expr.map_elements(
            lambda t: _mentions_one(t, gazetteers, bundled), return_dtype=pl.List(MENTION), skip_nulls=False
        )

    def entity_ids(self, gazetteers: Sequence[str | Path] | None = None, bundled: bool = True) -> pl.Expr:
        """The ids of the entities mentioned, unique, in order of first mention."""

        def ids(t: str | None) -> list[str] | None:
            ms = _mentions_one(t, gazetteers, bundled)
            return None if ms is None else list(dict.fromkeys(m["entity_id"] for m in ms))

        return self._expr.map_elements(ids, return_dtype=pl.List(pl.String), skip_nulls=False)


@pl.api.register_dataframe_namespace("normalize")
class NormalizeFrame:
    """`df.normalize.tables()`: the four tables (documents, mentions, edits, rejects)."""

    def __init__(self, df: pl.DataFrame):
        self._df = df

    def tables(self, gazetteers: Sequence[str | Path] | None = None, workers: int = 1, bundled: bool = True):
        """The four tables, as `normalize_frame(df, gazetteers, workers, bundled=bundled)`."""
        from normalize.pipeline import normalize_frame

        return normalize_frame(self._df, gazetteers, workers, bundled=bundled)
