"""Gazetteer layers: the bundled set at the bottom, each further set stacked on top, in order.

Each layer is one or more dirs or files, validated as one set over the layers below it (the
same validator as `gazetteer.load`), then merged into the stack. A later layer wins:

- an entity with the `id` of an earlier one updates it: the fields it gives replace, `aliases`
  and `adjectives` add; `drop: true` removes it (only the id is needed);
- an entity with the `wikidata` id of an earlier one, or (not for persons) the same type and
  canonical name, is the same entity: merged, names united, with the later `id` and `name`
  (an entity of the earlier layers whose parent was the old id follows it);
- a name that a later entity shares with an earlier entity of the same type goes to the later
  one: the earlier loses that alias, or, if it was its canonical name, is replaced by it
  (two persons of one name: the later layer takes the name);
- a rule with the id of an earlier rule replaces it.

Every such cross-layer decision is a warning pointing at both places; within one layer the
usual errors stand (a duplicate id, a name claimed twice by one type). The merged entities keep,
field by field, the file:line each value came from (`Entity.origin`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from normalize.cachefile import collector_off
from normalize.gazetteer import Layer, command_layers  # noqa: F401  (the stack's parts, defined where a cache hit needs no validator)
from normalize.gazetteer_model import ENTITY_ATTRIBUTES, Entity, Gazetteer, Location, Origin, Rule
from normalize.gazetteer_sets import NameKeys, normalize_name, raise_first_error, rule_of, validate
from normalize.gazetteer_validator import Entry, Findings, Problem

_LIST_FIELDS = ("aliases", "adjectives")
_NOT_SCALAR = frozenset({*_LIST_FIELDS, "drop"})  # the fields with no origin of their own (lists: one an item)


@dataclass(frozen=True)
class Stacked:
    """A stack of layers as merged, with every problem found on the way."""

    gazetteer: Gazetteer
    problems: tuple[Problem, ...]  # by layer, file and line
    files: tuple[Path, ...]
    # an id no entity has any more → the id of the entity it was merged into, and where
    merged_into: dict[str, tuple[str, Location]] = field(default_factory=dict)
    dropped: dict[str, Location] = field(default_factory=dict)  # an id a layer dropped → where

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


def stack(layers: Sequence[Layer], *, label: Callable[[Path], str] = str) -> Gazetteer:
    """The merged gazetteer of `layers` (the first is the base); GazetteerError (file:line, one
    line) on the first error that `merge` reports. No layers: the empty gazetteer."""
    merged = merge(layers, label=label, warnings=False)
    raise_first_error(merged.problems)
    return merged.gazetteer


# a merge makes a few objects per field of every entry, all kept: the cyclic collector would walk
# the growing heap again and again (a third of a 100k-entity set's merge)
@collector_off()
def merge(
    layers: Sequence[Layer],
    *,
    label: Callable[[Path], str] = str,
    warnings: bool = True,
    advice_from: int = 0,
) -> Stacked:
    """Validate each layer over the ones below it and merge them; bad data never raises.

    Without `warnings`, only errors are reported (the cross-layer decisions are still made).
    Layers before `advice_from` are checked for errors only (the bundled set's own advice is
    the package's business, not its user's).
    """
    found = Findings()
    name_keys = NameKeys()  # each name normalized once, for the checks and the merge alike
    state = _Stack(found, warnings, name_keys)
    files: list[Path] = []
    digest = hashlib.sha256()
    for n, layer in enumerate(layers):
        checked = validate(
            layer.paths,
            label=label,
            warnings=warnings and n >= advice_from,
            below=state.below(),
            found=found,
            name_keys=name_keys,
        )
        files += checked.files
        if n:  # one layer is the plain set of `gazetteer.load`, digest included
            digest.update(b"\0layer\0")
        for f in checked.files:
            digest.update(f.name.encode())
            digest.update(f.read_bytes())
        state.apply(checked.entities, checked.rules)
    state.settle_parents()
    problems = found.sorted()
    if not warnings:
        problems = tuple(p for p in problems if p.severity == "error")
    gazetteer = Gazetteer(
        entities=tuple(e for e in state.slots if e is not None),
        rules=tuple(state.rules.values()),
        sources=tuple(str(p) for layer in layers for p in layer.paths),
        digest=digest.hexdigest(),
    )
    live = {e.id for e in gazetteer.entities}
    merged_into = {
        eid: (e.id, e.where)
        for eid, slot in state.slot_of.items()
        if eid not in live and (e := state.slots[slot]) is not None
    }
    dropped = {eid: where for eid, where in state.removed.items() if eid not in live and eid not in merged_into}
    return Stacked(gazetteer, problems, tuple(files), merged_into, dropped)


def origins(entry: Entry) -> tuple[Origin, ...]:
    """Where each field of an entry stands: one Origin a field, one an item of a list field."""
    out: list[Origin] = []
    for key, value in entry.values.items():
        if key in _LIST_FIELDS:
            lines = entry.item_lines.get(key, ())
            out += [Origin(key, Location(entry.path, line), item) for item, line in zip(value, lines, strict=True)]
        elif key != "drop":
            out.append(Origin(key, Location(entry.path, entry.line_of(key))))
    return tuple(out)


def _fresh(entry: Entry, name_keys: NameKeys) -> Entity:
    """The entity a new entry stands for, made at once: `_tidy(entity_of(entry), origins(entry))`,
    without the two copies on the way (test_layers' provenance of a new entity holds it to that)."""
    values, path, line, lines = entry.values, entry.path, entry.line, entry.lines
    where = entry.where
    origin = [
        Origin(key, where if (at := lines.get(key, line)) == line else Location(path, at))
        for key in values
        if key not in _NOT_SCALAR
    ]
    fields = {k: v for k, v in values.items() if k in ENTITY_ATTRIBUTES}
    for f in _LIST_FIELDS:
        given = values.get(f)
        if not given:
            continue
        key = name_keys.__getitem__ if f == "aliases" else str
        first: dict[str, tuple[str, int]] = {}  # an item's key → the first item of that key, and its line
        for item, at in zip(given, entry.item_lines[f], strict=True):
            first.setdefault(key(item), (item, at))
        if f == "aliases":
            norm = name_keys[values["name"]]
            given = tuple(a for a in given if name_keys[a] != norm)
            fields[f] = given
        origin += [Origin(f, Location(path, at), item) for item, at in (first[key(x)] for x in given)]
    return Entity(**fields, where=where, origin=tuple(origin))


class _Stack:
    """The merged entities so far, in slots that keep their place when an entity is updated."""

    def __init__(self, found: Findings, warnings: bool, name_keys: NameKeys) -> None:
        self.found = found
        self.warnings = warnings
        self.name_keys = name_keys
        self.slots: list[Entity | None] = []
        self.slot_of: dict[str, int] = {}  # every id an entity has had → its slot
        self.removed: dict[str, Location] = {}  # ids dropped or replaced → where that happened
        self.rules: dict[str, Rule] = {}

    def _key(self, e: Entity, name: str) -> tuple[str, str]:
        return e.type, self.name_keys[name]

    def warn(self, where: Location, code: str, message: str) -> None:
        if self.warnings:
            self.found.add(where.path, where.line, code, message)

    def below(self) -> dict[str, Entity]:
        """The live entities by every id they have had (an old id still names its entity)."""
        return {eid: e for eid, s in self.slot_of.items() if (e := self.slots[s]) is not None}

    def apply(self, entities: Sequence[Entry], rules: Sequence[Entry]) -> None:
        """Merge one validated layer: its records that read cleanly, each id once (the rest are errors)."""
        by_wikidata = {e.wikidata: s for s, e in enumerate(self.slots) if e is not None and e.wikidata}
        by_name = {self._key(e, e.name): s for s, e in enumerate(self.slots) if e is not None and e.type != "person"}
        owner = {self._key(e, n): s for s, e in enumerate(self.slots) if e is not None for n in e.names}
        given: list[tuple[int, Entry]] = []  # slots this layer gave names to, and the entry that did
        seen: set[str] = set()
        for entry in entities:
            eid = entry.id
            if not entry.clean or eid is None or eid in seen:
                continue
            seen.add(eid)
            slot = self._place(entry, by_wikidata, by_name)
            if slot is not None:
                given.append((slot, entry))
        for slot, entry in given:
            self._take_names(slot, entry, owner)
        for entry in rules:
            if entry.clean and entry.id is not None:
                rule = rule_of(entry)
                if rule.id in self.rules:
                    old = self.rules[rule.id]
                    self.warn(entry.where, "layer-update", f"rule {rule.id!r} replaces the rule of {old.where}")
                self.rules[rule.id] = rule

    def _place(self, entry: Entry, by_wikidata: dict[str, int], by_name: dict[tuple[str, str], int]) -> int | None:
        """Update, drop, merge or add one entry; the slot it gave names to, if any."""
        slot = self.slot_of.get(entry.id)  # type: ignore[arg-type]
        old = self.slots[slot] if slot is not None else None
        if slot is not None and old is not None:
            if entry.values.get("drop"):
                self._remove(slot, entry.where)
                self.warn(entry.where, "layer-update", f"drops {old.id!r} ({old.where})")
                return None
            self.slots[slot] = _updated(old, entry)
            self.warn(entry.where, "layer-update", f"updates {old.id!r} ({old.where}): {_given(entry)}")
            return slot
        if entry.values.get("drop"):  # dropped by an earlier layer already, or an error reported
            return None
        new = _fresh(entry, self.name_keys)
        slot = by_wikidata.get(new.wikidata) if new.wikidata else None
        how = f"wikidata {new.wikidata}" if slot is not None else ""
        if slot is None and new.type != "person" and (s := by_name.get(self._key(new, new.name))) is not None:
            other = self.slots[s]
            if other is not None and not (other.wikidata and new.wikidata and other.wikidata != new.wikidata):
                slot, how = s, f"{new.type} name {new.name!r}"
        old = self.slots[slot] if slot is not None else None
        if slot is None or old is None:
            self.slots.append(new)
            self.slot_of[new.id] = len(self.slots) - 1
            return len(self.slots) - 1
        self.slots[slot] = _merged(old, new)
        self.slot_of[new.id] = slot
        self.warn(
            entry.where,
            "layer-merge",
            f"{new.id!r} has the {how} of {old.id!r} ({old.where}): one entity, with the id {new.id!r} "
            f"and the name {new.name!r}",
        )
        return slot

    def _take_names(self, slot: int, entry: Entry, owner: dict[tuple[str, str], int]) -> None:
        """The names this entry gives go to its entity: earlier entities of its type lose them."""
        mine = self.slots[slot]
        if mine is None:
            return
        given = [entry.values["name"]] if "name" in entry.values else []
        if not any((mine.type, self.name_keys[text]) in owner for text in (*given, *entry.values.get("aliases", ()))):
            return  # no name of an earlier entity (most entries of a large layer)
        names = [(entry.values["name"], entry.line_of("name"))] if "name" in entry.values else []
        aliases = zip(entry.values.get("aliases", ()), entry.item_lines.get("aliases", ()), strict=True)
        for text, line in names + list(aliases):
            other_slot = owner.get(self._key(mine, text))
            other = self.slots[other_slot] if other_slot is not None else None
            if other is None or other_slot == slot:
                continue
            norm = self.name_keys[text]
            here = Location(entry.path, line)
            if self.name_keys[other.name] == norm:
                # replaced: its ids now name the later entity (children and later updates follow)
                self.slots[other_slot] = None  # type: ignore[index]
                for eid, s in self.slot_of.items():
                    if s == other_slot:
                        self.slot_of[eid] = slot
                self.warn(
                    here,
                    "layer-name",
                    f"{mine.type} {text!r} of {mine.id!r} is the name of {other.id!r} ({_where(other, 'name')}), "
                    f"which it replaces: its mentions go to {mine.id!r}",
                )
                continue
            kept = tuple(a for a in other.aliases if normalize_name(a) != norm)
            self.slots[other_slot] = _tidy(replace(other, aliases=kept), other.origin)  # type: ignore[index]
            self.warn(
                here,
                "layer-name",
                f"{mine.type} {text!r} of {mine.id!r} was an alias of {other.id!r} ({_where(other, 'aliases', text)}); "
                f"it goes to {mine.id!r} now",
            )

    def _remove(self, slot: int, where: Location) -> None:
        self.slots[slot] = None
        for eid, s in self.slot_of.items():
            if s == slot:
                self.removed.setdefault(eid, where)

    def settle_parents(self) -> None:
        """Parents by the id their entity has now; a parent a later layer removed is let go (warned)."""
        for s, e in enumerate(self.slots):
            if e is None or e.parent is None:
                continue
            target = self.slot_of.get(e.parent)
            parent = self.slots[target] if target is not None else None
            if parent is not None and target != s:
                if parent.id != e.parent:
                    self.slots[s] = replace(e, parent=parent.id)
                continue
            if target == s:  # merged into this very entity, which cannot be its own parent
                where, why = e.where, f"took in its parent {e.parent!r} (merged or replaced)"
            elif e.parent in self.removed:
                where, why = self.removed[e.parent], f"({e.where}) had the parent {e.parent!r}, removed here"
            else:
                continue
            self.slots[s] = replace(e, parent=None, origin=tuple(o for o in e.origin if o.field != "parent"))
            self.warn(where, "parent-dropped", f"{e.id!r} {why}: it has no parent now")


def _where(e: Entity, name: str, item: str | None = None) -> Location | None:
    """Where a field (or an item of a list field) of an entity was written; else the entity's place."""
    for o in e.origin:
        if o.field == name and (item is None or normalize_name(o.item or "") == normalize_name(item)):
            return o.where
    return e.where


def _given(entry: Entry) -> str:
    keys = [k for k in entry.values if k != "id"]
    return ", ".join(keys) if keys else "nothing"


def _added(old: tuple[str, ...], new: Iterable[str], key: Callable[[str], str]) -> tuple[str, ...]:
    have = {key(x) for x in old}
    out = list(old)
    for x in new:
        if key(x) not in have:
            have.add(key(x))
            out.append(x)
    return tuple(out)


def _item_key(name: str) -> Callable[[str], str]:
    return normalize_name if name == "aliases" else str


def _tidy(e: Entity, candidates: Iterable[Origin]) -> Entity:
    """`e` without its name among its aliases, and with one origin per field it has (the last one
    given) and per item of its list fields (the first one given)."""
    norm = normalize_name(e.name)
    e = replace(e, aliases=tuple(a for a in e.aliases if normalize_name(a) != norm))
    scalars: dict[str, Origin] = {}
    items: dict[tuple[str, str], Origin] = {}
    for o in candidates:
        if o.field in _LIST_FIELDS:
            items.setdefault((o.field, _item_key(o.field)(o.item or "")), o)
        elif getattr(e, o.field, None) is not None:
            scalars[o.field] = o
    kept = [items[(f, _item_key(f)(x))] for f in _LIST_FIELDS for x in getattr(e, f) if (f, _item_key(f)(x)) in items]
    return replace(e, origin=tuple(scalars.values()) + tuple(kept))


def _updated(old: Entity, entry: Entry) -> Entity:
    """An entity updated by an entry with its id: the fields given replace, aliases and adjectives add."""
    changes: dict[str, object] = {}
    for key, value in entry.values.items():
        if key in _LIST_FIELDS:
            changes[key] = _added(getattr(old, key), value, _item_key(key))
        elif key not in ("id", "drop"):
            changes[key] = value
    fresh = [o for o in origins(entry) if o.field != "id"]
    return _tidy(replace(old, **changes), [*old.origin, *fresh])  # type: ignore[arg-type]


def _merged(old: Entity, new: Entity) -> Entity:
    """One entity of two: the later id, name and given fields; the names and adjectives of both."""
    given = {o.field for o in new.origin} - set(_LIST_FIELDS)
    merged = replace(
        old,
        **{f: getattr(new, f) for f in given},  # type: ignore[arg-type]
        aliases=_added((old.name, *old.aliases), new.aliases, normalize_name),
        adjectives=_added(old.adjectives, new.adjectives, str),
        where=new.where,
    )
    # the earlier canonical name stays, as an alias, from where it was written
    old_name = [Origin("aliases", o.where, old.name) for o in old.origin if o.field == "name"]
    return _tidy(merged, [*old.origin, *old_name, *new.origin])
