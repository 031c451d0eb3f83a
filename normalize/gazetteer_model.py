"""The gazetteer's data model: what a YAML file may say (the fields) and what it becomes (the records).

The field tables below are the one place where the fields of entities, rules and rule examples
are written down: the validator reads them to check a file, the records take their names, and
`json_schema()` turns them into schemas/gazetteer.schema.json for editors (a test keeps the
file equal to `json_schema_text()`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

ENTITY_TYPES = (
    "country",
    "region",
    "city",
    "place",
    "agency",
    "organization",
    "person",
    "media",
    "event",
)

#: How a field's value is read:
#: text — a non-empty string (stripped); with a `pattern`, one that matches it;
#: choice — a text out of `choices`; texts — a list of texts (each an `item`);
#: flag — true or false; replacement — a string or a number (null: the empty string);
#: sample — a string or a number (a rule example's text); examples — a list of {in, out}.
Kind = Literal["text", "choice", "texts", "flag", "replacement", "sample", "examples"]


@dataclass(frozen=True)
class Field:
    """One field a gazetteer record may have, and how its value is checked."""

    name: str
    kind: Kind
    description: str = ""
    required: bool = False
    # a required field that an entity in a later layer may leave out when it updates (same id)
    # or drops an entity of an earlier layer: the validator knows the layers, the schema cannot
    updates_may_omit: bool = False
    choices: tuple[str, ...] = ()
    item: str = ""  # texts: what one item is called in messages ("alias")
    pattern: str | None = None  # text / texts items: the regex a value must match
    # the problem a value outside `choices` or `pattern` is: (code, message template with
    # {name}, {value}, {choices} (comma-separated) and {alternatives} ('m' or 'f'))
    invalid: tuple[str, str] = ("bad-value", "{name} must be {alternatives}, not {value!r}")


ENTITY_SPEC: tuple[Field, ...] = (
    Field("id", "text", "Unique across the whole gazetteer set, e.g. country/kg.", required=True),
    Field(
        "type",
        "choice",
        "What kind of thing this is (required, unless the entity updates one of an earlier layer).",
        required=True,
        updates_may_omit=True,
        choices=ENTITY_TYPES,
        invalid=("unknown-type", "unknown entity type {value!r} (expected one of {choices})"),
    ),
    Field(
        "name",
        "text",
        "Canonical name, nominative singular (required, unless the entity updates one of an earlier layer).",
        required=True,
        updates_may_omit=True,
    ),
    Field("aliases", "texts", "Other names, nominative; case forms are derived, never listed.", item="alias"),
    Field(
        "wikidata",
        "text",
        "Wikidata id (leave it out rather than guess).",
        pattern=r"^Q[0-9]+$",
        invalid=("bad-wikidata", "wikidata must look like Q123, not {value!r}"),
    ),
    Field("parent", "text", "Id of the entity this one belongs to (an agency's country)."),
    Field("surname", "text", "Persons: the surname word, when it is not the last word of the name."),
    Field("gender", "choice", "Persons: m or f, when known.", choices=("m", "f")),
    Field("description", "text", "Free text for people reading the file."),
    Field(
        "adjectives",
        "texts",
        "Relational adjectives in the masculine nominative singular (российский for Россия); every form "
        "is derived. Found with method `adjective`.",
        item="adjective",
        pattern=r"^[а-яё-]+$",
        invalid=("bad-value", "adjective must be a lowercase Russian word, not {value!r}"),
    ),
    Field("drop", "flag", "Layers: true removes the entity of this id that an earlier layer gives (only id needed)."),
)

RULE_SPEC: tuple[Field, ...] = (
    Field("id", "text", "Unique across the set; the edits table reports it as rule/<id>.", required=True),
    Field("find", "text", "A word (matched as a whole word only), or a regex with regex: true.", required=True),
    Field(
        "replace",
        "replacement",
        "The replacement; for a regex, may refer to groups (\\1, \\g<name>).",
        required=True,
    ),
    Field("regex", "flag", "Treat find as a regex (the `regex` module, V1 syntax)."),
    Field("ignore_case", "flag", "Match find whatever its letters' case."),
    Field("examples", "examples", "Checked by `normalize gazetteers check`: each `in` must become its `out`."),
    Field("description", "text", "Free text for people reading the file."),
)

EXAMPLE_SPEC: tuple[Field, ...] = (
    Field("in", "sample", "Text before the rule.", required=True),
    Field("out", "sample", "The same text after the rule.", required=True),
)

#: The top-level keys of a file: each a list of records, (what one is called, description, spec).
TOP_LEVEL: dict[str, tuple[str, str, tuple[Field, ...]]] = {
    "entities": ("entity", "Canonical real-world things and the names they go by.", ENTITY_SPEC),
    "rules": ("rule", "Text fixes (typos, variant spellings), each an edit with its rule id.", RULE_SPEC),
}

TOP_LEVEL_KEYS = tuple(TOP_LEVEL)
ENTITY_FIELDS = frozenset(f.name for f in ENTITY_SPEC)
RULE_FIELDS = frozenset(f.name for f in RULE_SPEC)
EXAMPLE_FIELDS = tuple(f.name for f in EXAMPLE_SPEC)


def _fields_call(self: object) -> tuple:
    """Pickle a slotted record as a call with its fields in order: dataclasses' own `__setstate__` for slots
    walks `fields()` for every object, and a gazetteer's origins and locations loaded twice as slowly."""
    cls = type(self)
    get = _FIELD_GETTERS.get(cls)
    if get is None:
        # one C call gives every field: a generator of getattr calls was most of pickling 100k entities
        names = cls.__slots__
        get = _FIELD_GETTERS[cls] = attrgetter(*names) if len(names) > 1 else lambda o: (getattr(o, names[0]),)
    return (cls, get(self))


_FIELD_GETTERS: dict[type, Any] = {}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a record stands in its YAML file (line is 1-based)."""

    path: str
    line: int
    __reduce__ = _fields_call

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one field of an entity (or one item of a list field) came from, across the layers."""

    field: str
    where: Location
    item: str | None = None  # list fields (aliases, adjectives): the item that this location gave
    __reduce__ = _fields_call


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical real-world thing and the names it goes by (nominative forms)."""

    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    parent: str | None = None
    surname: str | None = None  # persons: the surname word, when it is not the last one
    gender: str | None = None  # persons: "m" or "f", when known
    description: str | None = None
    adjectives: tuple[str, ...] = ()  # relational adjectives: «российский» for Россия
    where: Location | None = field(default=None, compare=False)
    origin: tuple[Origin, ...] = field(default=(), compare=False, repr=False)  # filled by layers.stack
    __reduce__ = _fields_call

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def origin_of(self, name: str) -> tuple[Origin, ...]:
        """Where a field came from: one Origin, or one per item of a list field (empty if not known)."""
        return tuple(o for o in self.origin if o.field == name)


#: The attributes of an Entity (a record's fields but `drop`, and where it stands).
ENTITY_ATTRIBUTES = frozenset(f.name for f in fields(Entity))


@dataclass(frozen=True)
class Example:
    before: str
    after: str
    where: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Rule:
    """A text fix: a word (or a regex) and its replacement, with worked examples."""

    id: str
    find: str
    replace: str
    regex: bool = False
    ignore_case: bool = False
    examples: tuple[Example, ...] = ()
    description: str | None = None
    where: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Gazetteer:
    entities: tuple[Entity, ...]
    rules: tuple[Rule, ...]
    sources: tuple[str, ...] = ()
    digest: str = ""

    def by_id(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}


class GazetteerError(ValueError):
    """A gazetteer file that cannot be used; the message names file and line."""

    def __init__(self, where: Location | str, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


# --- which files (here, not in the validator: the cache key needs them on every run) ----------


def _files_below(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
    raise GazetteerError(Location(str(path), 1), "no such gazetteer file or directory")


def gazetteer_files(dirs: Iterable[Path | str]) -> list[Path]:
    """Every *.yaml / *.yml below the given directories (or the files themselves), sorted within
    each directory; a file named twice (a directory and a file in it) counts once."""
    files: list[Path] = []
    seen: set[Path] = set()
    for d in dirs:
        for f in _files_below(Path(d)):
            if f.resolve() not in seen:
                seen.add(f.resolve())
                files.append(f)
    return files


# --- the JSON Schema, from the field tables ------------------------------------------------

_TEXT = {"$ref": "#/$defs/text"}
_OR_NULL = {"type": "null"}


def _text_schema(f: Field) -> dict[str, Any]:
    if f.pattern is not None:
        return {"type": "string", "pattern": f.pattern}
    return dict(_TEXT)


def _property(f: Field) -> dict[str, Any]:
    """One field's JSON Schema (optional fields may be null: the loader reads null as absent)."""
    out: dict[str, Any] = {"description": f.description} if f.description else {}
    if f.kind == "text":
        value = _text_schema(f)
        if f.required:
            out.update(value)
        elif "$ref" in value:
            out["oneOf"] = [value, _OR_NULL]
        else:
            out.update(value, type=["string", "null"])
    elif f.kind == "choice":
        out["enum"] = [*f.choices] if f.required else [*f.choices, None]
    elif f.kind == "texts":
        out.update(type=["array", "null"], items=_text_schema(f))
    elif f.kind == "flag":
        out["type"] = ["boolean", "null"]
    elif f.kind == "replacement":
        out["type"] = ["string", "number", "null"]
    elif f.kind == "sample":
        out["type"] = ["string", "number"]
    elif f.kind == "examples":
        out.update(type=["array", "null"], items={"$ref": "#/$defs/example"})
    return out


def _record(spec: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in spec if f.required and not f.updates_may_omit],
        "properties": {f.name: _property(f) for f in spec},
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one gazetteer file, from the field tables."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "normalize gazetteer file",
        "description": "Entities and rules of a normalize gazetteer (*.yaml). Structure only: "
        "`normalize gazetteers check` also checks ids across files, aliases, parents and rule examples.",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {
            key: {"description": about, "type": ["array", "null"], "items": {"$ref": f"#/$defs/{what}"}}
            for key, (what, about, _spec) in TOP_LEVEL.items()
        },
        "$defs": {
            "text": {"type": "string", "pattern": "\\S"},
            "entity": _record(ENTITY_SPEC),
            "rule": _record(RULE_SPEC),
            "example": _record(EXAMPLE_SPEC),
        },
    }


def json_schema_text() -> str:
    """schemas/gazetteer.schema.json as it must read, byte for byte."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
