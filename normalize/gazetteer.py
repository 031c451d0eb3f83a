"""Gazetteers: YAML files of entities and rules, loaded into plain records.

Every record remembers the file and line it came from, so that errors, the
`gazetteers check` gate and the edits table can point back at the YAML. The records
and the fields they are read from are in `gazetteer_model`; the checks that decide
whether a set can be used are the validator's (`gazetteer_validator`,
`gazetteer_sets`), the same that `normalize gazetteers check` reports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
    gazetteer_files,
)

# The validator (gazetteer_validator, gazetteer_sets, regex_safety) is imported by the functions that
# read YAML, not here: a run that finds its compiled gazetteer in the cache (every worker process)
# needs the records, the bundled set's place and the layers' files, never the checks.

__all__ = [
    "ENTITY_FIELDS",
    "ENTITY_TYPES",
    "RULE_FIELDS",
    "Entity",
    "Example",
    "Gazetteer",
    "GazetteerError",
    "Layer",
    "Location",
    "Rule",
    "bundled_dir",
    "command_layers",
    "gazetteer_files",
    "load",
    "parse_file",
]


def parse_file(path: Path, label: str | None = None) -> tuple[list[Entity], list[Rule]]:
    """Read one gazetteer YAML file into entities and rules (GazetteerError on its first error)."""
    from normalize.gazetteer_sets import entity_of, rule_of, validate

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


@dataclass(frozen=True)
class Layer:
    """One layer of a gazetteer stack (`layers`): one or more dirs or files, taken as one set."""

    paths: tuple[Path, ...]

    @classmethod
    def of(cls, *paths: Path | str) -> Layer:
        return cls(tuple(Path(p) for p in paths))


def command_layers(dirs: Iterable[Path | str] = (), *, bundled: bool = True) -> list[Layer]:
    """The stack the command line describes: the bundled set (unless `bundled` is false), then each
    `--gazetteers DIR` as a layer of its own, in the order given."""
    return ([Layer.of(bundled_dir())] if bundled else []) + [Layer.of(d) for d in dirs]


def load(dirs: Sequence[Path | str] | None = None) -> Gazetteer:
    """Load and validate gazetteers, taken as one set; with no dirs, the bundled set.

    Raises GazetteerError (file:line, one line) on the first error that `normalize
    gazetteers check` reports for the same files, and accepts everything else.
    """
    from normalize.gazetteer_sets import entity_of, rule_of, validate

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
