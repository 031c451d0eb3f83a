"""A gazetteer of two files for the tests of the per-file key store (`test_keygen`) and of its filling
ahead (`test_keyfill`)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import FIXTURES

from normalize import gazetteer
from normalize.gazetteer import Entity
from normalize.link import keystore, variants
from normalize.link.records import Key, KeyColumns

FIXTURE = FIXTURES / "mini.yaml"
MORE = "entities:\n  - id: person/x\n    type: person\n    name: Любовь Соболь\n    gender: f\n"


def two_files(where: Path) -> Path:
    """A gazetteer folder of two files: the mini fixture and one more person (`MORE`)."""
    where.mkdir()
    shutil.copy(FIXTURE, where / "mini.yaml")
    (where / "more.yaml").write_text(MORE, encoding="utf-8")
    return where


def named(folder: Path) -> list[Entity]:
    """The folder's entities with the names the set implies, as a compile asks the store for their keys."""
    g = gazetteer.load([folder])
    derived = variants.derive(g.entities)
    return [variants.with_derived(e, derived.get(i)) for i, e in enumerate(g.entities)]


def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the entities whose keys the store generates from here on, in order."""
    made: list[str] = []
    real = keystore.own_keys
    monkeypatch.setattr(keystore, "own_keys", lambda e: made.append(e.name) or real(e))
    return made


def kept(columns: Iterable[KeyColumns]) -> list[tuple[Key, ...]]:
    """Each entity's keys as a key store gives them (`KeyStore.own_keys`: columns), as `Key`s."""
    return [tuple(c.keys()) for c in columns]
