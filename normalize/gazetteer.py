"""Gazetteers: YAML files of entities and rules, loaded into plain records.

Every record remembers the file and line it came from, so that errors, the
`gazetteers check` gate and the edits table can point back at the YAML.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

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
ENTITY_FIELDS = {
    "id",
    "type",
    "name",
    "aliases",
    "wikidata",
    "parent",
    "surname",
    "gender",
    "description",
    "adjectives",
}
RULE_FIELDS = {"id", "find", "replace", "regex", "ignore_case", "examples", "description"}


@dataclass(frozen=True)
class Location:
    """Where a record stands in its YAML file (line is 1-based)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
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

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


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


@dataclass(frozen=True)
class Node:
    """A YAML value with the line it starts on."""

    value: object
    line: int


def _to_nodes(node: yaml.Node, loader: yaml.SafeLoader, path: str | None) -> Node:
    """Line-tagged nodes; with a path, a key repeated in one mapping is an error there
    (YAML keeps only the last, so the first would be lost without a word)."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        for key, value in node.value:
            name = str(loader.construct_object(key))
            if path is not None and name in out:
                first = out["__line__:" + name].line
                raise GazetteerError(
                    Location(path, key.start_mark.line + 1), f"key {name!r} repeated (first at line {first})"
                )
            out[name] = _to_nodes(value, loader, path)
            # the key's own line, for errors about the key rather than its value
            out["__line__:" + name] = Node(None, key.start_mark.line + 1)
        return Node(out, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_to_nodes(v, loader, path) for v in node.value], line)
    return Node(loader.construct_object(node), line)


def parse_yaml(text: str, path: str, repeated_keys: bool = False) -> Node | None:
    """Parse YAML safely into line-tagged nodes; raise GazetteerError on bad syntax, and on a
    key repeated in one mapping unless `repeated_keys` (the check reports those itself)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise GazetteerError(Location(path, line), f"YAML syntax: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise GazetteerError(Location(path, 1), f"YAML: {exc}") from None
    return _to_nodes(root, yaml.SafeLoader(""), None if repeated_keys else path) if root is not None else None


def _text(node: Node | None, where: Location, what: str) -> str:
    if node is None or not isinstance(node.value, str) or not node.value.strip():
        raise GazetteerError(where, f"{what} must be a non-empty string")
    return node.value.strip()


def _opt_text(node: Node | None, where: Location, what: str) -> str | None:
    if node is None or node.value is None:
        return None
    return _text(node, Location(where.path, node.line), what)


def _entity(node: Node, path: str) -> Entity:
    where = Location(path, node.line)
    if not isinstance(node.value, dict):
        raise GazetteerError(where, "an entity must be a mapping")
    fields: dict[str, Node] = node.value
    for key in fields:
        if not key.startswith("__line__:") and key not in ENTITY_FIELDS:
            line = fields["__line__:" + key].line
            raise GazetteerError(Location(path, line), f"unknown entity field {key!r}")
    for key in ("id", "type", "name"):
        if key not in fields:
            raise GazetteerError(where, f"entity is missing required field {key!r}")
    etype = _text(fields["type"], Location(path, fields["type"].line), "type")
    if etype not in ENTITY_TYPES:
        raise GazetteerError(
            Location(path, fields["type"].line),
            f"unknown entity type {etype!r} (expected one of {', '.join(ENTITY_TYPES)})",
        )
    aliases_node = fields.get("aliases")
    aliases: list[str] = []
    if aliases_node is not None and aliases_node.value is not None:
        if not isinstance(aliases_node.value, list):
            raise GazetteerError(Location(path, aliases_node.line), "aliases must be a list")
        for item in aliases_node.value:
            aliases.append(_text(item, Location(path, item.line), "alias"))
    adjectives: list[str] = []
    adj_node = fields.get("adjectives")
    if adj_node is not None and adj_node.value is not None:
        if not isinstance(adj_node.value, list):
            raise GazetteerError(Location(path, adj_node.line), "adjectives must be a list")
        adjectives = [_text(item, Location(path, item.line), "adjective") for item in adj_node.value]
    wikidata = _opt_text(fields.get("wikidata"), where, "wikidata")
    if wikidata is not None and not (wikidata.startswith("Q") and wikidata[1:].isdigit()):
        line = fields["wikidata"].line
        raise GazetteerError(Location(path, line), f"wikidata must look like Q123, not {wikidata!r}")
    gender = _opt_text(fields.get("gender"), where, "gender")
    if gender is not None and gender not in ("m", "f"):
        raise GazetteerError(Location(path, fields["gender"].line), "gender must be 'm' or 'f'")
    return Entity(
        id=_text(fields["id"], where, "id"),
        type=etype,
        name=_text(fields["name"], where, "name"),
        aliases=tuple(aliases),
        wikidata=wikidata,
        parent=_opt_text(fields.get("parent"), where, "parent"),
        surname=_opt_text(fields.get("surname"), where, "surname"),
        gender=gender,
        description=_opt_text(fields.get("description"), where, "description"),
        adjectives=tuple(adjectives),
        where=where,
    )


def _rule(node: Node, path: str) -> Rule:
    where = Location(path, node.line)
    if not isinstance(node.value, dict):
        raise GazetteerError(where, "a rule must be a mapping")
    fields: dict[str, Node] = node.value
    for key in fields:
        if not key.startswith("__line__:") and key not in RULE_FIELDS:
            line = fields["__line__:" + key].line
            raise GazetteerError(Location(path, line), f"unknown rule field {key!r}")
    for key in ("id", "find", "replace"):
        if key not in fields:
            raise GazetteerError(where, f"rule is missing required field {key!r}")
    examples: list[Example] = []
    ex_node = fields.get("examples")
    if ex_node is not None and ex_node.value is not None:
        if not isinstance(ex_node.value, list):
            raise GazetteerError(Location(path, ex_node.line), "examples must be a list")
        for ex in ex_node.value:
            ex_where = Location(path, ex.line)
            if not isinstance(ex.value, dict) or "in" not in ex.value or "out" not in ex.value:
                raise GazetteerError(ex_where, "an example must be a mapping with 'in' and 'out'")
            examples.append(Example(str(ex.value["in"].value), str(ex.value["out"].value), ex_where))
    flags = {}
    for key in ("regex", "ignore_case"):
        if key in fields:
            if not isinstance(fields[key].value, bool):
                raise GazetteerError(Location(path, fields[key].line), f"{key} must be true or false")
            flags[key] = fields[key].value
    replace = fields["replace"].value
    return Rule(
        id=_text(fields["id"], where, "id"),
        find=_text(fields["find"], where, "find"),
        replace="" if replace is None else str(replace),
        regex=flags.get("regex", False),
        ignore_case=flags.get("ignore_case", False),
        examples=tuple(examples),
        description=_opt_text(fields.get("description"), where, "description"),
        where=where,
    )


def parse_file(path: Path, label: str | None = None) -> tuple[list[Entity], list[Rule]]:
    """Read one gazetteer YAML file into entities and rules."""
    name = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise GazetteerError(Location(name, 1), f"not UTF-8: {exc.reason}") from None
    except OSError as exc:
        raise GazetteerError(Location(name, 1), f"cannot read: {exc.strerror}") from None
    root = parse_yaml(text, name)
    if root is None:
        return [], []
    if not isinstance(root.value, dict):
        raise GazetteerError(Location(name, root.line), "top level must be a mapping")
    for key in root.value:
        if not key.startswith("__line__:") and key not in ("entities", "rules"):
            line = root.value["__line__:" + key].line
            raise GazetteerError(Location(name, line), f"unknown top-level key {key!r} (expected entities, rules)")
    entities: list[Entity] = []
    rules: list[Rule] = []
    for key, builder, sink in (("entities", _entity, entities), ("rules", _rule, rules)):
        node = root.value.get(key)
        if node is None or node.value is None:
            continue
        if not isinstance(node.value, list):
            raise GazetteerError(Location(name, node.line), f"{key} must be a list")
        sink.extend(builder(item, name) for item in node.value)  # type: ignore[operator]
    return entities, rules


def gazetteer_files(dirs: Iterable[Path]) -> list[Path]:
    """Every *.yaml / *.yml below the given directories (or the files themselves), sorted."""
    files: list[Path] = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            files.extend(sorted(p for p in d.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            raise GazetteerError(Location(str(d), 1), "no such gazetteer file or directory")
    return files


def bundled_dir() -> Path:
    """The gazetteers shipped with the package (wheel) or beside it (source checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "gazetteers", here.parent / "gazetteers"):
        if candidate.is_dir():
            return candidate
    raise GazetteerError(Location(str(here / "gazetteers"), 1), "bundled gazetteers not found")


def load(dirs: Sequence[Path | str] | None = None) -> Gazetteer:
    """Load and validate gazetteers; with no dirs, the bundled set.

    Raises GazetteerError on the first error that makes the set unusable
    (syntax, unknown field, duplicate id, dangling parent). The full list of
    problems is what `normalize gazetteers check` reports.
    """
    paths = [Path(d) for d in dirs] if dirs else [bundled_dir()]
    entities: list[Entity] = []
    rules: list[Rule] = []
    digest = hashlib.sha256()
    for f in gazetteer_files(paths):
        ents, rls = parse_file(f)
        entities.extend(ents)
        rules.extend(rls)
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    seen: dict[str, Entity] = {}
    for e in entities:
        if e.id in seen:
            raise GazetteerError(e.where or e.id, f"duplicate entity id {e.id!r} (first at {seen[e.id].where})")
        seen[e.id] = e
    for e in entities:
        if e.parent is not None and e.parent not in seen:
            raise GazetteerError(e.where or e.id, f"parent {e.parent!r} of {e.id!r} is not defined")
    seen_rules: dict[str, Rule] = {}
    for r in rules:
        if r.id in seen_rules:
            raise GazetteerError(r.where or r.id, f"duplicate rule id {r.id!r} (first at {seen_rules[r.id].where})")
        seen_rules[r.id] = r
    return Gazetteer(
        entities=tuple(entities),
        rules=tuple(rules),
        sources=tuple(str(p) for p in paths),
        digest=digest.hexdigest(),
    )
