"""Gazetteers: YAML files of entities and rules, loaded into plain records.

Every record remembers the file and line it came from, so that errors, the
`gazetteers check` gate and the edits table can point back at the YAML. The records
and the fields they are read from are in `gazetteer_model`; the checks that decide
whether a set can be used are the validator's (`gazetteer_validator`,
`gazetteer_sets`), the same that `normalize gazetteers check` reports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from normalize.gazetteer_model import (
    ENTITY_FIELDS,
    ENTITY_TYPES,
    RULE_FIELDS,
    Entity,
    Example,
    Gazetteer,
    GazetteerError,
    Location,
    Rule,
)
from normalize.gazetteer_sets import entity_of, rule_of, validate
from normalize.gazetteer_validator import gazetteer_files

__all__ = [
    "ENTITY_FIELDS",
    "ENTITY_TYPES",
    "RULE_FIELDS",
    "Entity",
    "Example",
    "Gazetteer",
    "GazetteerError",
    "Location",
    "Rule",
    "bundled_dir",
    "gazetteer_files",
    "load",
    "parse_file",
]


def parse_file(path: Path, label: str | None = None) -> tuple[list[Entity], list[Rule]]:
    """Read one gazetteer YAML file into entities and rules (GazetteerError on its first error)."""
    checked = validate([path], label=lambda _p: label or str(path), warnings=False)
    checked.raise_first_error()
    return [entity_of(e) for e in checked.entities], [rule_of(r) for r in checked.rules]


def bundled_dir() -> Path:
    """The gazetteers shipped with the package (wheel) or beside it (source checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "gazetteers", here.parent / "gazetteers"):
        if candidate.is_dir():
            return candidate
    raise GazetteerError(Location(str(here / "gazetteers"), 1), "bundled gazetteers not found")


def load(dirs: Sequence[Path | str] | None = None) -> Gazetteer:
    """Load and validate gazetteers, taken as one set; with no dirs, the bundled set.

    Raises GazetteerError (file:line, one line) on the first error that `normalize
    gazetteers check` reports for the same files, and accepts everything else.
    """
    paths = [Path(d) for d in dirs] if dirs else [bundled_dir()]
    checked = validate(paths, warnings=False)
    checked.raise_first_error()
    digest = hashlib.sha256()
    for f in checked.files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return Gazetteer(
        entities=tuple(entity_of(e) for e in checked.entities),
        rules=tuple(rule_of(r) for r in checked.rules),
        sources=tuple(str(p) for p in paths),
        digest=digest.hexdigest(),
    )
