"""Shared test fixtures: where the material beside the project lives, and the spec runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NORMALIZE_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "corpus" / "seeds"
SEEDS_SPEC = SHARED / "corpus" / "seeds.expected.yaml"
NEREL = SHARED / "nerel"
REFERENCE = SHARED / "reference" / "wikidata_labels_ru.tsv"
EXAMPLES = ROOT / "examples" / "corpus"
EXAMPLES_SPEC = ROOT / "examples" / "expected.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def need(path: Path) -> Path:
    """Skip (with the reason) when shared material is absent; CI has it, so there it runs."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing on CI (set NORMALIZE_SHARED to the shared folder)")
        pytest.skip(f"{path} not found (set NORMALIZE_SHARED to the shared folder)")
    return path


@pytest.fixture(scope="session")
def mini_gazetteer() -> Path:
    return FIXTURES / "mini.yaml"
