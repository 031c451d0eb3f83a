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
    # the rejects table has its own `reason` column, so the failure's reason comes in the last column
    assert rejected.height == 1 and "stage failed isin" in rejected[rejected.columns[-1]][0]


def test_a_document_with_a_bad_row_is_rejected_whole_and_once(monkeypatch):
    """Through the pipeline: rows failing validation move the document to rejects, one row per document."""
    real = pipeline._process_one

    def corrupt(rec, compiled, stage):
        out = real(rec, compiled, stage)
        if rec.doc_id == "b":
            out.documents[0]["sha256"] = "not a hash"
            for m in out.mentions:
                m["method"] = "guess"
        return out

    monkeypatch.setattr(pipeline, "_process_one", corrupt)
    text = "Минск и Кыргызстан."
    t = pipeline.process([RawDoc("a", "p", text=text), RawDoc("b", "p", text=text), RawDoc("c", "p", text=text)])
    assert t.documents["doc_id"].to_list() == ["a", "c"]
    assert set(t.mentions["doc_id"]) == {"a", "c"}
    (row,) = t.rejects.to_dicts()
    assert row["doc_id"] == "b" and row["stage"] == "validate"
    assert "documents row failed validation: sha256" in row["reason"]
    assert "mentions row failed validation: method" in row["reason"]
    assert pl.Series(t.rejects["doc_id"]).n_unique() == t.rejects.height
