"""The table contracts: a bad row is split off with its reason, good rows stay."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from normalize import pipeline, schemas
from normalize.read import RawDoc

SHA = "0" * 64


def _doc(**over):
    row = {
        "doc_id": "a",
        "text": "t",
        "source_path": "p",
        "published": dt.date(2024, 1, 2),
        "source": None,
        "place": None,
        "n_chars_raw": 1,
        "sha256": SHA,
        "encoding": "utf-8",
    }
    return {**row, **over}


def _mention(**over):
    row = {
        "doc_id": "a",
        "start": 0,
        "end": 5,
        "text": "Минск",
        "entity_id": "city/minsk",
        "entity_type": "city",
        "canonical": "Минск",
        "wikidata": "Q2280",
        "method": "exact",
        "score": 1.0,
        "src_start": 0,
        "src_end": 5,
    }
    return {**row, **over}


@pytest.mark.parametrize(
    "bad, column",
    [
        ({"doc_id": ""}, "doc_id"),
        ({"sha256": "xyz"}, "sha256"),
        ({"n_chars_raw": -1}, "n_chars_raw"),
    ],
)
def test_a_bad_document_row_is_rejected_with_its_reason(bad, column):
    df = schemas.frame("documents", [_doc(doc_id="good"), _doc(**{"doc_id": "b", **bad})])
    good, rejected = schemas.validate("documents", df)
    assert good["doc_id"].to_list() == ["good"]
    assert rejected.height == 1 and column in rejected["reason"][0]


def test_duplicate_doc_ids_fail_the_documents_contract():
    df = schemas.frame("documents", [_doc(), _doc()])
    _, rejected = schemas.validate("documents", df)
    assert rejected.height == 2 and all("unique" in r for r in rejected["reason"])


@pytest.mark.parametrize(
    "bad, needle",
    [
        ({"start": 5, "end": 5}, "span_is_ordered"),
        ({"method": "guess"}, "method"),
        ({"wikidata": "X1"}, "wikidata"),
        ({"score": 1.5}, "score"),
        ({"text": ""}, "text"),
        ({"src_start": -1}, "src_start"),
    ],
)
def test_a_bad_mention_row_is_rejected_with_its_reason(bad, needle):
    df = schemas.frame("mentions", [_mention(), _mention(**bad)])
    good, rejected = schemas.validate("mentions", df)
    assert good.height == 1
    assert rejected.height == 1 and needle in rejected["reason"][0]


def test_a_bad_reject_stage_fails():
    df = schemas.frame("rejects", [{"doc_id": "a", "source_path": "p", "reason": "r", "stage": "mars"}])
    _, rejected = schemas.validate("rejects", df)
    # `reason` says why the row failed; the reject's own reason is kept beside it
    assert rejected.height == 1 and "stage failed isin" in rejected["reason"][0]
    assert rejected["original_reason"].to_list() == ["r"]


def test_a_document_with_a_bad_row_is_rejected_whole_and_once(monkeypatch):
    """Through the pipeline: rows failing validation move the document to rejects, one row per document."""
    real = pipeline.process_one

    def corrupt(rec, compiled):
        out = real(rec, compiled)
        if rec.doc_id == "b":
            out.documents[0]["sha256"] = "not a hash"
            for m in out.mentions:
                m["method"] = "guess"
        return out

    monkeypatch.setattr(pipeline, "process_one", corrupt)
    text = "Минск и Кыргызстан."
    t = pipeline.process([RawDoc("a", "p", text=text), RawDoc("b", "p", text=text), RawDoc("c", "p", text=text)])
    assert t.documents["doc_id"].to_list() == ["a", "c"]
    assert set(t.mentions["doc_id"]) == {"a", "c"}
    (row,) = t.rejects.to_dicts()
    assert row["doc_id"] == "b" and row["stage"] == "validate"
    assert "documents row failed validation: sha256" in row["reason"]
    assert "mentions row failed validation: method" in row["reason"]
    assert pl.Series(t.rejects["doc_id"]).n_unique() == t.rejects.height


_BAD_ROWS = [
    ("documents", _doc(doc_id="")),
    ("documents", _doc(sha256="xyz")),
    ("documents", _doc(n_chars_raw=-1)),
    ("documents", _doc(text=None)),
    ("mentions", _mention(start=5, end=5)),
    ("mentions", _mention(src_start=4, src_end=3)),
    ("mentions", _mention(method="guess")),
    ("mentions", _mention(wikidata="X1")),
    ("mentions", _mention(score=1.5)),
    ("mentions", _mention(score=-0.1)),
    ("mentions", _mention(text="")),
    ("mentions", _mention(canonical=None)),
    ("edits", {"doc_id": "a", "rule_id": "", "before": "x", "after": "", "start": 0, "end": 1}),
    ("edits", {"doc_id": "a", "rule_id": "r", "before": "x", "after": "", "start": -1, "end": 1}),
    ("rejects", {"doc_id": "a", "source_path": "p", "reason": "", "stage": "read"}),
    ("rejects", {"doc_id": "a", "source_path": "p", "reason": "r", "stage": "mars"}),
]
_GOOD_ROWS = {
    "documents": _doc(doc_id="good"),
    "mentions": _mention(wikidata=None),
    "edits": {"doc_id": "a", "rule_id": "r", "before": "x", "after": "", "start": 0, "end": 1},
    "rejects": {"doc_id": "a", "source_path": "p", "reason": "r", "stage": "read"},
}


@pytest.mark.parametrize("table, row", _BAD_ROWS)
def test_the_fast_path_and_pandera_agree_on_a_bad_row(table, row):
    df = schemas.frame(table, [_GOOD_ROWS[table], row])
    assert not schemas.passes(table, df)
    good, bad = schemas.validate(table, df)
    assert good.height == 1 and bad.height == 1


@pytest.mark.parametrize("table", schemas.TABLE_NAMES)
def test_the_fast_path_and_pandera_agree_on_good_rows(table):
    rows = [_doc(doc_id=str(i)) for i in range(3)] if table == "documents" else [_GOOD_ROWS[table]] * 3
    df = schemas.frame(table, rows)
    assert schemas.passes(table, df)
    model = schemas._schema(table, True)
    assert model.validate(df, lazy=True).height == 3


def test_a_frame_off_the_contract_types_goes_to_pandera():
    df = schemas.frame("documents", [_doc()]).with_columns(pl.col("n_chars_raw").cast(pl.Int32))
    assert not schemas.passes("documents", df)
    good, bad = schemas.validate("documents", df)  # pandera coerces the type
    assert good.height == 1 and bad.height == 0 and good.schema["n_chars_raw"] == pl.Int64


def test_duplicate_ids_fail_the_fast_path_only_when_ids_must_be_unique():
    df = schemas.frame("documents", [_doc(), _doc()])
    assert not schemas.passes("documents", df)
    assert schemas.passes("documents", df, unique_ids=False)
