"""The people's name tables of a compile (`Index.persons`, `surname_forms`, `surname_spellings`,
`first_forms`, `first_counts`, `first_persons`), made person by person beside the keys (`keyrows`).

A large set (`keyrows.PACK_MIN`) has its tables packed in the forked processes, in the chunks the index
keeps them in (`pickled.PickledMap`): the main process then neither receives them as objects nor packs
them again (at 1M entities they were most of a gigabyte of it). A process packs the chunks whose first person is in its
run of entities; the last may need a few persons past the run, whose tables it makes too. Where each
person stands in the set is worked out before the fork (`census`), with the surnames one person has.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from normalize import morph
from normalize.gazetteer import Entity
from normalize.link import names
from normalize.link.folding import fold, fold_all
from normalize.pickled import CHUNK, Pickled, PickledMap, pack_chunks

MAPS = ("parts", "surname_forms", "surname_spellings", "first_forms")  # the tables by person


def named_in_full(e: Entity) -> bool:
    """A person named by two words or more: one with name tables, whose surname may be read alone."""
    return e.type == "person" and len(e.name.split()) >= 2


@dataclass(frozen=True)
class Tables:
    """One person's name tables."""

    parts: morph.PersonParts
    surname_forms: tuple[str, ...]
    surname_spellings: tuple[str, ...]  # the surname's case forms in its other spellings (Баффетт: «Баффета»)
    first_forms: tuple[str, ...] | None  # None: no first name


def tables(e: Entity) -> Tables:
    """The name tables of a person named in full."""
    parts = morph.person_parts(e.name, e.surname, e.gender)
    forms = tuple(morph.word_forms(parts.surname, parts.gender, "surname"))
    first = tuple(morph.word_forms(parts.first, parts.gender, "first")) if parts.first else None
    return Tables(parts, forms, names.other_spellings(forms), first)


@dataclass(frozen=True)
class Census:
    """The persons named in full of a set, by position (sorted), those of them with a first name, and the
    folded surnames that one of them has, no other (only those are read alone: in a large list most
    surnames are shared)."""

    persons: array  # "Q"
    first_named: array  # "Q"
    unique: frozenset[str]

    def keys(self, name: str) -> array:
        """The positions a table (`MAPS`) has."""
        return self.first_named if name == "first_forms" else self.persons


def census(named: Sequence[Entity]) -> Census:
    """The set's `Census`."""
    persons, first_named, surnames = array("Q"), array("Q"), Counter()
    for i, e in enumerate(named):
        if named_in_full(e):
            parts = morph.person_parts(e.name, e.surname, e.gender)
            persons.append(i)
            if parts.first:
                first_named.append(i)
            surnames[fold(parts.surname)] += 1
    return Census(persons, first_named, frozenset(s for s, n in surnames.items() if n == 1))


@dataclass(frozen=True)
class People:
    """Name tables by entity position (`MAPS`: plain dicts, or runs of packed chunks: `packed`), and the
    first-name tables of the same persons."""

    parts: Any = field(default_factory=dict)
    surname_forms: Any = field(default_factory=dict)
    surname_spellings: Any = field(default_factory=dict)
    first_forms: Any = field(default_factory=dict)
    # folded case form of a first name → how many persons have it, and those whose first name's spelling may vary
    first_counts: dict[str, int] = field(default_factory=dict)
    first_persons: dict[str, list[int]] = field(default_factory=dict)

    def maps(self) -> dict[str, Any]:
        """The tables by person, by name (`MAPS`)."""
        return {name: getattr(self, name) for name in MAPS}

    def add(self, idx: int, t: Tables) -> None:
        """A person's tables, and their first name counted."""
        self.parts[idx], self.surname_forms[idx], self.surname_spellings[idx] = (
            t.parts,
            t.surname_forms,
            t.surname_spellings,
        )
        if t.first_forms is None:
            return
        self.first_forms[idx] = t.first_forms
        folded = _folded_once(t.first_forms)
        counts = self.first_counts
        for form in folded:
            counts[form] = counts.get(form, 0) + 1
        # Russian surnames are spelled one way: a near spelling is another family, never a variant
        if len(t.parts.first or "") >= 3 and not morph.is_russian_surname(t.parts.surname):
            for form in folded:
                self.first_persons.setdefault(form, []).append(idx)

    def packed(self, census: Census, lo: int, hi: int, more: Callable[[int], Tables]) -> People:
        """These tables (of the persons in entities [lo, hi)) as the runs of chunks whose first person is in
        [lo, hi), each a (blob, chunk sizes) of `pickled.pack_chunks`; `more` makes the tables of a person
        past `hi` that the last chunk holds."""
        runs: dict[str, Any] = {}
        extra: dict[int, Tables] = {}
        for name in MAPS:
            keys, mine = census.keys(name), getattr(self, name)
            first = -(-bisect_left(keys, lo) // CHUNK) * CHUNK
            end = min(-(-bisect_left(keys, hi) // CHUNK) * CHUNK, len(keys))
            values = []
            for idx in keys[first:end]:
                if idx >= hi and idx not in extra:
                    extra[idx] = more(idx)
                values.append(mine[idx] if idx < hi else getattr(extra[idx], name))
            runs[name] = pack_chunks(values)
        return People(**runs, first_counts=self.first_counts, first_persons=self.first_persons)


@lru_cache(maxsize=65_536)  # persons share first names (and `morph.word_forms` their forms' tuple)
def _folded_once(forms: tuple[str, ...]) -> tuple[str, ...]:
    """The folded forms, each once, in order."""
    return tuple(dict.fromkeys(fold_all(forms)))


def join(parts: Sequence[People], census: Census | None = None) -> People:
    """The tables of several runs of entities, in order, as one; packed runs (`People.packed`) as
    `PickledMap`s over the `census`'s positions."""
    maps: dict[str, Any] = {}
    for name in MAPS:
        if census is not None:
            keys = census.keys(name)
            maps[name] = PickledMap(keys, Pickled.joined([getattr(p, name) for p in parts], len(keys)))
        else:
            maps[name] = {idx: value for p in parts for idx, value in getattr(p, name).items()}
    counts: dict[str, int] = {}
    persons: dict[str, list[int]] = {}
    for p in parts:
        for form, n in p.first_counts.items():
            counts[form] = counts.get(form, 0) + n
        for form, idx in p.first_persons.items():
            persons.setdefault(form, []).extend(idx)
    return People(**maps, first_counts=counts, first_persons=persons)


def pickled_maps(people: People) -> dict[str, Mapping]:
    """The tables as an index keeps a large set's (`pickled.PickledMap`; packed ones as they are)."""
    return {name: PickledMap.of(m) for name, m in people.maps().items()}
