"""The acceptance specs as tests: seeds (../shared) and the bundled examples."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, EXAMPLES_SPEC, SEEDS, SEEDS_SPEC, need
from spec import checks, failure

import normalize
from normalize.read import read

CLEANING = ("text_has", "text_lacks", "text_count", "meta")


@lru_cache(maxsize=4)
def _tables(corpus: str) -> normalize.Tables:
    return normalize.process(read(Path(corpus)))


def _spec(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {"docs": {}}


SEED_SPEC = _spec(SEEDS_SPEC)
EXAMPLE_SPEC = _spec(EXAMPLES_SPEC)


@pytest.mark.parametrize("check", list(checks(SEED_SPEC, CLEANING)), ids=str)
def test_seed_cleaning_and_meta(check):
    need(SEEDS)
    t = _tables(str(SEEDS))
    assert failure(check, t.documents, t.mentions) is None, failure(check, t.documents, t.mentions)


@pytest.mark.parametrize("check", list(checks(SEED_SPEC, ("expect",))), ids=str)
def test_seed_entities(check):
    need(SEEDS)
    t = _tables(str(SEEDS))
    assert failure(check, t.documents, t.mentions) is None, failure(check, t.documents, t.mentions)


@pytest.mark.parametrize("check", list(checks(EXAMPLE_SPEC, (*CLEANING, "expect"))), ids=str)
def test_examples(check):
    t = _tables(str(EXAMPLES))
    assert failure(check, t.documents, t.mentions) is None, failure(check, t.documents, t.mentions)


def test_seeds_are_all_documents():
    need(SEEDS)
    t = _tables(str(SEEDS))
    assert t.rejects.height == 0
    assert sorted(t.documents["doc_id"]) == sorted(SEED_SPEC["docs"])
