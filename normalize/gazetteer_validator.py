"""The one gazetteer validator, shared by `gazetteer.load` and `normalize gazetteers check`.

One walk over the line-tagged YAML nodes reads every entity and rule against the field tables
of `gazetteer_model`; then the set checks look across the files: ids, names, parents, and what
each rule does to its examples and to ordinary words (`gazetteer_sets`). Every finding is a
Problem with file:line, a severity and a stable code (`CODES`). The loader refuses the set on
the first error; `check` prints them all. So the run refuses exactly what `check` reports as an
error, and accepts everything else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from normalize.gazetteer_model import (
    EXAMPLE_FIELDS,
    EXAMPLE_SPEC,
    TOP_LEVEL,
    Entity,
    Example,
    Field,
    Location,
)
from normalize.gazetteer_yaml import Node, Record, scan

Severity = Literal["error", "warning"]

#: Every problem code the validator can report, with its severity and meaning.
CODES: dict[str, tuple[Severity, str]] = {
    "unreadable": ("error", "a path that does not exist, or a file that cannot be read as UTF-8"),
    "yaml-syntax": ("error", "the file is not valid YAML (or holds a tag that the safe loader refuses)"),
    "duplicate-key": ("error", "a mapping lists the same key twice (YAML keeps only the last)"),
    "bad-structure": ("error", "a value of the wrong shape (a list where a mapping belongs, ...)"),
    "unknown-key": ("error", "a top-level key other than entities and rules"),
    "unknown-field": ("error", "an entity, rule or example field the loader does not know"),
    "missing-field": (
        "error",
        "a required field is missing (entity: id, type, name; rule: id, find, replace)",
    ),
    "bad-value": ("error", "an empty or wrongly typed value (gender not m/f, regex not true/false, ...)"),
    "unknown-type": ("error", "an entity type outside ENTITY_TYPES"),
    "bad-wikidata": ("error", "a wikidata id that is not Q followed by digits"),
    "duplicate-id": ("error", "an entity id defined twice in the set"),
    "duplicate-rule-id": ("error", "a rule id defined twice in the set"),
    "alias-collision": ("error", "a name or alias claimed by two entities of one type (after normalization)"),
    "dangling-parent": ("error", "a parent id that no entity has"),
    "parent-cycle": ("error", "an entity that is (through parents) its own parent"),
    "surname-not-in-name": ("error", "a person's surname field that is not a word of the name (the linker ignores it)"),
    "regex-invalid": ("error", "a regex rule whose pattern does not compile"),
    "rule-example-failed": ("error", "a rule example whose `in` does not become its `out`"),
    "rule-not-idempotent": ("error", "a rule that rewrites its own corrected output again"),
    "rule-inside-word": ("error", "a regex rule that fires inside a longer word"),
    "regex-timeout": ("error", "a regex rule that runs past the time limit on a short test text"),
    "drop-unknown": ("error", "`drop: true` on an entity id that no earlier layer has"),
    "no-files": ("warning", "a directory with no *.yaml / *.yml files"),
    "duplicate-alias": ("warning", "an entity that lists the same name (or adjective) twice (after normalization)"),
    "parent-type": ("warning", "a parent of a type that cannot contain the entity"),
    "rule-no-examples": ("warning", "a rule without examples (nothing checks what it does)"),
    "regex-backtracking": ("warning", "nested unbounded quantifiers, at risk of catastrophic backtracking"),
    "common-word": ("warning", "a name, alias or surname that is also a common lowercase Russian word"),
    "layer-update": ("warning", "an entity or rule with the id of an earlier layer's updates, replaces or drops it"),
    "layer-merge": ("warning", "an entity with the wikidata id (or type and name) of an earlier layer's is merged"),
    "layer-name": ("warning", "a name of an earlier layer's entity now goes to a later layer's entity"),
    "parent-dropped": ("warning", "a parent that a later layer dropped or replaced: the entity loses its parent"),
}


@dataclass(frozen=True)
class Problem:
    """One finding of the validator, pointing at a file and line."""

    path: str
    line: int
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity} [{self.code}] {self.message}"


class Findings:
    """Problems as they are found; reported sorted by file (in walk order) and line."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.order: dict[str, int] = {}

    def file(self, path: str) -> None:
        self.order.setdefault(path, len(self.order))

    def add(self, path: str, line: int, code: str, message: str) -> None:
        self.file(path)
        self.problems.append(Problem(path, line, CODES[code][0], code, message))

    def sorted(self) -> tuple[Problem, ...]:
        return self.sorted_in(self.problems, self.order)

    @staticmethod
    def sorted_in(problems: Sequence[Problem], order: Mapping[str, int]) -> tuple[Problem, ...]:
        return tuple(sorted(problems, key=lambda p: (order[p.path], p.line)))


# --- YAML into line-tagged nodes ---------------------------------------------------------


def _to_nodes(node: yaml.Node, loader: yaml.SafeLoader, path: str, found: Findings) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        values: dict[str, Node] = {}
        keys: dict[str, int] = {}
        first: dict[str, int] = {}
        for key, value in node.value:
            name = str(loader.construct_object(key))
            key_line = key.start_mark.line + 1
            if name in first:  # YAML keeps only the last value: the first would be lost without a word
                found.add(
                    path,
                    key_line,
                    "duplicate-key",
                    f"key {name!r} repeated (first at line {first[name]}); only the last one is kept",
                )
            first.setdefault(name, key_line)
            values[name] = _to_nodes(value, loader, path, found)
            keys[name] = key_line
        return Node(values, line, keys)
    if isinstance(node, yaml.SequenceNode):
        return Node([_to_nodes(v, loader, path, found) for v in node.value], line)
    return Node(loader.construct_object(node), line)


# libyaml's parser when PyYAML was built with it: the pure-Python one took most of a 100k-entity
# set's compile (65 of 150 s). Both give the same nodes with the same marks.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, path: str, found: Findings) -> Node | None:
    """YAML parsed safely into line-tagged nodes; None for an empty file or a YAML error (reported)."""
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
        if root is None:
            return None
        loader = yaml.SafeLoader("")
        try:
            return _to_nodes(root, loader, path, found)
        finally:
            # the loader refers to itself, so what it memoised (every scalar node of the file, with
            # its marks) would wait for the cyclic collector, which a compile pauses
            loader.constructed_objects.clear()
            loader.dispose()
    except yaml.MarkedYAMLError as exc:  # bad syntax, or a tag the safe loader has no constructor for
        mark = exc.problem_mark or exc.context_mark
        what = "YAML syntax" if isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError)) else "YAML"
        found.add(path, mark.line + 1 if mark else 1, "yaml-syntax", f"{what}: {exc.problem or exc}")
    except yaml.YAMLError as exc:
        found.add(path, 1, "yaml-syntax", f"YAML: {exc}")
    return None


# --- one record against its field table ----------------------------------------------------


@dataclass(slots=True)
class Entry:
    """An entity or a rule as one file gives it: the usable value of each field, and its line.

    A field that is absent, null (when optional) or unusable (reported) has no value.
    """

    path: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # each given field's key line
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)  # list fields: each usable item's line
    clean: bool = True  # no problem in the record itself (only then is a rule run on its examples)

    @property
    def id(self) -> str | None:
        return self.values.get("id")

    @property
    def where(self) -> Location:
        return Location(self.path, self.line)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


_ABSENT = object()  # an optional field given as null
_BAD = object()  # a value that has been reported


def plain(value: object) -> object:
    """A node's value as YAML would give it (lists and mappings without their lines), for messages."""
    if isinstance(value, Node):
        return plain(value.value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _invalid(f: Field, value: object, name: str = "") -> tuple[str, str]:
    code, template = f.invalid
    alternatives = " or ".join(repr(c) for c in f.choices)
    choices = ", ".join(f.choices)
    message = template.format(name=name or f.name, value=plain(value), choices=choices, alternatives=alternatives)
    return code, message


class _Reader:
    """Reads one record's fields, kind by kind (see `gazetteer_model.Kind`), reporting what it cannot use.

    Each reader takes (field, raw YAML value, the line to report, the entry being filled) and
    returns the usable value or _BAD.
    """

    def __init__(self, path: str, found: Findings) -> None:
        self.path = path
        self.found = found

    def add(self, line: int, code: str, message: str) -> None:
        self.found.add(self.path, line, code, message)

    def value(self, f: Field, raw: object, line: int, entry: Entry) -> object:
        """The usable value of field `f` given as `raw` on `line`, or _ABSENT, or _BAD (reported)."""
        if raw is None and f.kind == "replacement":
            return ""
        if raw is None and f.kind == "examples":
            return ()
        if raw is None and not f.required:
            return _ABSENT
        return getattr(self, f.kind)(f, raw, line, entry)  # a reader per kind, named after it

    def text(self, f: Field, raw: object, line: int, entry: Entry | None = None, name: str = "") -> object:
        if f.pattern is not None:
            if not isinstance(raw, str) or not re.fullmatch(f.pattern, raw):
                self.add(line, *_invalid(f, raw, name))
                return _BAD
            return raw
        if not _is_text(raw):
            self.add(line, "bad-value", f"{name or f.name} must be a non-empty string, not {plain(raw)!r}")
            return _BAD
        return str(raw).strip()

    def choice(self, f: Field, raw: object, line: int, entry: Entry) -> object:
        value = self.text(f, raw, line)
        if value is not _BAD and value not in f.choices:
            self.add(line, *_invalid(f, value))
            return _BAD
        return value

    def texts(self, f: Field, raw: object, line: int, entry: Entry) -> object:
        if not isinstance(raw, list):
            self.add(line, "bad-structure", f"{f.name} must be a list")
            return _BAD
        items: list[str] = []
        lines: list[int] = []
        for item in raw:  # a bad item is reported; the others still count (for the name checks)
            value = self.text(f, item.value, item.line, name=f.item)
            if value is not _BAD:
                items.append(str(value))
                lines.append(item.line)
        entry.item_lines[f.name] = tuple(lines)
        return tuple(items)

    def flag(self, f: Field, raw: object, line: int, entry: Entry) -> object:
        if not isinstance(raw, bool):
            self.add(line, "bad-value", f"{f.name} must be true or false, not {plain(raw)!r}")
            return _BAD
        return raw

    def replacement(self, f: Field, raw: object, line: int, entry: Entry) -> object:
        if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
            return str(raw)
        self.add(line, "bad-value", f"{f.name} must be a string, not {plain(raw)!r}")
        return _BAD

    def sample(self, f: Field, raw: object, line: int, entry: Entry) -> object:
        if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
            return str(raw)
        self.add(line, "bad-value", f"example {f.name!r} must be a string")
        return _BAD

    def examples(self, f: Field, raw: object, line: int, entry: Entry) -> object:
        if not isinstance(raw, list):
            self.add(line, "bad-structure", f"{f.name} must be a list")
            return _BAD
        before = len(self.found.problems)
        out: list[Example] = []
        allowed = ", ".join(sorted(EXAMPLE_FIELDS))
        for ex in raw:
            if not isinstance(ex.value, dict):
                self.add(ex.line, "bad-structure", "an example must be a mapping {in: ..., out: ...}")
                continue
            for key in ex.value:
                if key not in EXAMPLE_FIELDS:
                    self.add(ex.key_line(key), "unknown-field", f"unknown example field {key!r} (allowed: {allowed})")
            texts = {}
            for s in EXAMPLE_SPEC:
                if s.name not in ex.value:
                    self.add(ex.line, "missing-field", f"example is missing {s.name!r}")
                else:
                    texts[s.name] = self.sample(s, ex.value[s.name].value, ex.key_line(s.name), entry)
            if len(self.found.problems) == before:
                out.append(Example(str(texts["in"]), str(texts["out"]), Location(self.path, ex.line)))
        # one bad example and the rule is not run at all: what it does is not what the file says
        return tuple(out) if len(self.found.problems) == before else _BAD


def _article(what: str) -> str:
    return f"an {what}" if what[0] in "aeiou" else f"a {what}"


def _id_first(f: Field) -> bool:
    return f.name != "id"


# each record kind's fields in the order they are read: the id first, as it names the record in
# the message about a missing field (and the values keep that order); each with whether it is
# read as one stripped string (a choice: one of its choices), as nearly every value of a large set is
_READ_ORDER = {
    what: tuple((f, f.kind in ("text", "choice") and f.pattern is None) for f in sorted(spec, key=_id_first))
    for what, _about, spec in TOP_LEVEL.values()
}
_ALLOWED = {what: frozenset(f.name for f in spec) for what, _about, spec in TOP_LEVEL.values()}


def read_record(
    record: Record, what: str, path: str, found: Findings, below: Mapping[str, Entity], reader: _Reader | None = None
) -> Entry:
    """One entity or rule (`what`), as (line, raw field values, key lines), read against its field table.

    `below` holds the entities of earlier layers by id: an entity that updates (same id) or
    drops one of them may leave out what that one gives (`Field.updates_may_omit`).
    """
    line, fields, keys = record
    before = len(found.problems)
    reader = reader or _Reader(path, found)
    entry = Entry(path, line)
    allowed = _ALLOWED[what]
    for key in fields:
        if key not in allowed:
            listed = ", ".join(sorted(allowed))
            reader.add(keys.get(key, line), "unknown-field", f"unknown {what} field {key!r} (allowed: {listed})")
    updating = False
    for f, string in _READ_ORDER[what]:
        if f.name in fields:
            raw = fields[f.name]
            key_line = entry.lines[f.name] = keys.get(f.name, line)
            if string and type(raw) is str and (text := raw.strip()) and (f.kind == "text" or text in f.choices):
                entry.values[f.name] = text  # what the text and choice readers make of it, without the calls
            elif (value := reader.value(f, raw, key_line, entry)) is not _ABSENT and value is not _BAD:
                entry.values[f.name] = value
            if f.name == "id":
                updating = entry.id in below or fields.get("drop") is True
        elif f.required and not (updating and f.updates_may_omit):
            named = f" {entry.id!r}" if entry.id else ""
            reader.add(line, "missing-field", f"{what}{named} is missing required field {f.name!r}")
    if what == "entity":
        _check_surname(entry, reader, below)
    entry.clean = len(found.problems) == before
    return entry


def _check_surname(entry: Entry, reader: _Reader, below: Mapping[str, Entity]) -> None:
    surname, name = entry.values.get("surname"), entry.values.get("name")
    if name is None and entry.id in below:  # an update: the name it keeps
        name = below[entry.id].name
    if surname is not None and name is not None and surname not in name.split():
        reader.add(
            entry.line_of("surname"),
            "surname-not-in-name",
            f"surname {surname!r} is not a word of the name {name!r}; the linker would use {name.split()[-1]!r}",
        )
        del entry.values["surname"]


def read_file(
    path: Path, label: str, found: Findings, below: Mapping[str, Entity] | None = None
) -> tuple[list[Entry], list[Entry]]:
    """The entities and rules of one gazetteer file, as far as they can be read (problems reported).

    `below`: the entities of the earlier layers by id (see `read_record`); none for the base layer.
    """
    found.file(label)
    entities: list[Entry] = []
    rules: list[Entry] = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        found.add(label, 1, "unreadable", f"not UTF-8: {exc.reason} at byte {exc.start}")
        return entities, rules
    except OSError as exc:
        found.add(label, 1, "unreadable", f"cannot read: {exc.strerror}")
        return entities, rules
    tops = scan(text)  # the plain block layout without a YAML parser; None: libyaml's to read
    if tops is None:
        root = parse_yaml(text, label, found)
        if root is None:
            return entities, rules
        if not isinstance(root.value, dict):
            found.add(label, root.line, "bad-structure", "top level must be a mapping with entities and/or rules")
            return entities, rules
        tops = [(key, root.key_line(key), node.value) for key, node in root.value.items()]
    reader = _Reader(label, found)
    below = below or {}
    for key, key_line, value in tops:
        if key not in TOP_LEVEL:
            expected = ", ".join(TOP_LEVEL)
            found.add(label, key_line, "unknown-key", f"unknown top-level key {key!r} (expected {expected})")
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            found.add(label, key_line, "bad-structure", f"{key} must be a list")
            continue
        what = TOP_LEVEL[key][0]
        sink = entities if key == "entities" else rules
        for item in value:
            if isinstance(item, Node):  # composed by libyaml
                if not isinstance(item.value, dict):
                    message = f"{_article(what)} must be a mapping, not {plain(item)!r}"
                    found.add(label, item.line, "bad-structure", message)
                    continue
                item = (item.line, {k: n.value for k, n in item.value.items()}, item.keys)
            sink.append(read_record(item, what, label, found, below, reader))
    return entities, rules
