"""Checks of an acceptance spec (seeds.expected.yaml format) against the pipeline's tables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Check:
    doc_id: str
    kind: str  # text_has | text_lacks | text_count | meta | expect
    detail: object

    def __str__(self) -> str:
        return f"{self.doc_id}:{self.kind}:{self.detail}"


def checks(spec: dict, kinds: tuple[str, ...]) -> Iterator[Check]:
    for doc_id, doc in spec["docs"].items():
        for kind in kinds:
            value = doc.get(kind)
            if value is None:
                continue
            if kind in ("text_has", "text_lacks", "expect"):
                for item in value:
                    yield Check(doc_id, kind, item)
            else:
                for key, expected in value.items():
                    yield Check(doc_id, kind, (key, expected))


def _entity_matches(item: dict, mentions: pl.DataFrame) -> pl.DataFrame:
    if "qid" in item:
        return mentions.filter(pl.col("wikidata") == item["qid"])
    if "name" in item:
        return mentions.filter(pl.col("canonical") == item["name"])
    spec = item["agency"]
    cond = pl.lit(True)
    for word in spec.get("all", []):
        cond = cond & pl.col("canonical").str.contains(word, literal=True)
    if spec.get("any"):
        any_cond = pl.lit(False)
        for word in spec["any"]:
            any_cond = any_cond | pl.col("canonical").str.contains(word, literal=True)
        cond = cond & any_cond
    return mentions.filter(cond)


def failure(check: Check, documents: pl.DataFrame, mentions: pl.DataFrame) -> str | None:
    """None when the check holds; else what went wrong."""
    rows = documents.filter(pl.col("doc_id") == check.doc_id)
    if rows.height != 1:
        return f"document {check.doc_id} not in documents"
    doc = rows.row(0, named=True)
    text = doc["text"]
    if check.kind == "text_has":
        return None if check.detail in text else f"{check.detail!r} not in the cleaned text"
    if check.kind == "text_lacks":
        return None if check.detail not in text else f"{check.detail!r} still in the cleaned text"
    if check.kind == "text_count":
        needle, n = check.detail
        got = text.count(needle)
        return None if got == n else f"{needle!r} occurs {got} times, expected {n}"
    if check.kind == "meta":
        key, expected = check.detail
        got = doc[key]
        return None if str(got) == str(expected) else f"{key} = {got!r}, expected {expected!r}"
    item = dict(check.detail)
    found = _entity_matches(item, mentions.filter(pl.col("doc_id") == check.doc_id))
    need = item.get("count", 1)
    if found.height < need:
        return f"{item} found {found.height} mentions: {found['text'].to_list()}"
    return None
