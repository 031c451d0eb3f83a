"""`normalize gazetteers show ID|NAME`: one entity as a gazetteer stack merges it, field by field
with the file:line each value came from (`Entity.origin`, kept by `layers.merge`).

An id names its entity, an id merged away names the entity it went into, and a dropped id says
where it was dropped; anything else is looked up as a name: every entity that has it as its
canonical name or an alias (compared as the validator compares names), so that a user can see
which entity a name belongs to after the layers have been merged.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields

from normalize.gazetteer_model import Entity
from normalize.gazetteer_sets import normalize_name
from normalize.layers import Stacked

# the record's fields in their YAML order, less the bookkeeping ones
FIELDS = tuple(f.name for f in fields(Entity) if f.name not in ("where", "origin"))
VALUE_WIDTH = 36  # longer values push their location further right rather than wrap


@dataclass(frozen=True)
class Found:
    """What a query finds: the entities it names, or (when none) the ids nearest to it."""

    entities: tuple[Entity, ...]
    near: tuple[str, ...] = ()
    note: str = ""  # what became of an id no entity has now: «merged into …», «dropped at …»


def find(stacked: Stacked, query: str) -> Found:
    """The entity with the id `query` (or the one it was merged into); else every entity with
    `query` among its names."""
    by_id = stacked.gazetteer.by_id()
    if query in by_id:
        return Found((by_id[query],))
    if query in stacked.merged_into:
        into, where = stacked.merged_into[query]
        return Found((by_id[into],), note=f"{query} was merged into {into} ({where})")
    if query in stacked.dropped:
        return Found((), note=f"{query} was dropped at {stacked.dropped[query]}")
    key = normalize_name(query)
    named = tuple(e for e in stacked.gazetteer.entities if any(normalize_name(n) == key for n in e.names))
    if named:
        return Found(named)
    return Found((), tuple(difflib.get_close_matches(query, list(by_id), n=3, cutoff=0.6)))


def describe(e: Entity) -> str:
    """The entity, one line a field (one a name of a list field), each with where it was written."""
    rows: list[tuple[str, str, str]] = []
    for name in FIELDS:
        value = getattr(e, name)
        if value is None or value == ():
            continue
        origin = e.origin_of(name)
        if isinstance(value, tuple):  # aliases, adjectives: where each item came from
            where = {normalize_name(o.item or ""): str(o.where) for o in origin}
            rows += [("" if i else name, item, where.get(normalize_name(item), "")) for i, item in enumerate(value)]
        else:
            rows.append((name, str(value), str(origin[-1].where) if origin else ""))
    field_width = max(len(f) for f, _, _ in rows)
    value_width = min(max(len(v) for _, v, _ in rows), VALUE_WIDTH)
    lines = [f"{e.id}: {e.name} ({e.type})"]
    lines += [f"  {f:<{field_width}}  {v:<{value_width}}  {w}".rstrip() for f, v, w in rows]
    return "\n".join(lines)
