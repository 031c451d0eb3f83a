"""What a compile must know of the whole set before it generates the keys entity by entity (`keyrows`):
the names the set implies (`variants.derive`), its persons (`people.census`), the genitives of its
countries and the entities others name as their parent (for names composed with a country), which
entities are persons, and the pieces its files are cut into (`keystore.pieces`).

It is worked out once, over the entities as objects. The entities may then be packed (`pickled.Pickled`)
and let go before the keys are generated (`cache.compile_gazetteers` does so for a large set): the
forked processes unpack their own, and the main process forks small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from normalize.clean import as_cleaned
from normalize.gazetteer import Entity
from normalize.link import variants
from normalize.link.composed import country_genitives
from normalize.link.keystore import Piece, pieces
from normalize.link.people import Census, census


@dataclass(frozen=True)
class Survey:
    """The set-wide facts of a compile; entities by position, as given with their derived names."""

    size: int  # entities
    derived: dict[int, variants.Derived]  # what each entity is also called, by the whole set
    census: Census
    country_genitives: dict[str, Entity]  # `composed.country_genitives`
    parents: dict[str, Entity]  # the entities others name as `parent`, by id
    persons: bytes  # a byte an entity: 1 for a person
    pieces: list[Piece]

    def named(self, i: int, e: Entity) -> Entity:
        """Entity i as its keys are made: `as_written`, with the names the set implies (`variants.with_derived`)."""
        return variants.with_derived(as_written(e), self.derived.get(i))


def as_written(e: Entity) -> Entity:
    """The entity with its names, surname and adjectives as cleaned texts write them (`clean.as_cleaned`:
    «’» as «'», a no-break hyphen as «-»), the alphabet its keys are looked for in; itself when they are."""
    texts = "\n".join((e.name, *e.aliases, *e.adjectives, e.surname or ""))  # one look for all (most have nothing)
    if as_cleaned(texts) is texts:
        return e
    surname = as_cleaned(e.surname) if e.surname else e.surname
    aliases, adjectives = tuple(map(as_cleaned, e.aliases)), tuple(map(as_cleaned, e.adjectives))
    return replace(e, name=as_cleaned(e.name), aliases=aliases, adjectives=adjectives, surname=surname)


def survey(entities: Sequence[Entity]) -> Survey:
    """The `Survey` of a set's entities."""
    entities = [as_written(e) for e in entities]
    derived = variants.derive(entities)
    named = [variants.with_derived(e, derived.get(i)) for i, e in enumerate(entities)]
    by_id = {e.id: e for e in named}
    parents = {e.parent: by_id[e.parent] for e in named if e.parent and e.parent in by_id}
    return Survey(
        len(named),
        derived,
        census(named),
        country_genitives(named),
        parents,
        bytes(e.type == "person" for e in named),
        pieces(named),
    )
