"""The records linking passes around: what an entity may be called (`Key`), a reading of an indexed
key (`Candidate`) and what it needs before it may link (`Needs`), a linked mention (`Found`), and the
score of each method of the tiers."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

# method → score, most trusted first: where one key is read several ways, the first method wins
# (`best`); `schemas.METHODS` is derived from this table
SCORES = {
    "exact": 1.0,
    "inflected": 0.95,
    "alias": 0.95,
    "acronym": 0.9,
    "composed": 0.9,
    "coreference": 0.85,
    "surname": 0.8,
    "context": 0.8,
    "adjective": 0.8,
    "transliteration": 0.8,
    "fuzzy": 0.75,
}
PRIORITY = {m: i for i, m in enumerate(SCORES)}
METHODS = tuple(SCORES)  # a method's code in the key columns is its place here: its priority (`PRIORITY`)
# the shortest one-word key the typo tier compares words with, and the transliteration tier (`keyorder.near_keys`)
FUZZY_MIN_LEN = 6
TRANSLIT_MIN_LEN = 5  # «Форбс» (Forbes): transliteration compares whole words, short ones too


class Needs(enum.Enum):
    """What a reading of a key needs, beyond a fitting surface, before it links."""

    NOTHING = "nothing"
    # a name that is also a common word («Мадонна», «Того»): a capital mid-sentence, or the entity
    # named elsewhere in the document
    EVIDENCE = "evidence"
    # a generic name («МВД», the bare name of a composed body) or a first name («Анна»): the entity
    # named elsewhere in the document
    CONTEXT = "context"
    # an abbreviation only one body in the gazetteer goes by («Минобрнауки»): links unless the
    # document is about another country than `Candidate.owner`
    OWNER = "owner"
    # the first part of an ellipsis («УВД Таласской [и ГУВД Чуйской областей]»): the plural noun
    # `Candidate.coord` must follow
    COORD = "coord"


NEEDS = tuple(Needs)  # a need's code in the key columns is its place here
NEEDS_CODE = {n: i for i, n in enumerate(NEEDS)}
# the same by the member's identity, for the compile's hot loops: an enum member hashes in Python, slowly
NEEDS_CODE_BY_ID = {id(n): i for i, n in enumerate(NEEDS)}


@dataclass(frozen=True)
class Candidate:
    """One reading of an indexed key: which entity, how it was derived, what it needs."""

    entity: int
    method: str
    form: str  # the cased form, for the letter-case check
    tail: int  # offset where nested mentions may begin
    needs: Needs = Needs.NOTHING
    lower_first: bool = False  # «органов внутренних дел …»: a common-noun head may be lowercase in running text
    owner: str = ""  # the id of the country a generic name's body belongs to («Минобрнауки»: Russia)
    coord: str = ""  # Needs.COORD: the folded plural noun that must follow («областей»)


class Key(NamedTuple):
    """One thing an entity may be called, as the key generators give it (cased; folded when indexed). A named
    tuple: a large set makes millions, and the key store pickles them (a frozen dataclass took three times
    as long to make and to pickle)."""

    form: str
    method: str
    tail: int  # offset where nested mentions may begin
    needs: Needs = Needs.NOTHING
    owner: str = ""  # as `Candidate.owner`
    coord: str = ""  # as `Candidate.coord`


class KeyColumns(NamedTuple):
    """Keys as columns, methods and needs by their codes (`PRIORITY`, `NEEDS_CODE`): what the key store keeps
    and hands out, and what the rows are made from (an entity's keys never pass through `Key` tuples twice)."""

    forms: list[str]
    methods: list[int]
    tails: list[int]
    needs: list[int]
    owners: list[str]
    coords: list[str]

    def span(self, a: int, b: int) -> KeyColumns:
        """Keys [a, b)."""
        return KeyColumns(
            self.forms[a:b], self.methods[a:b], self.tails[a:b], self.needs[a:b], self.owners[a:b], self.coords[a:b]
        )

    def extend(self, other: KeyColumns) -> None:
        """`other`'s keys after these (in place)."""
        for mine, theirs in zip(self, other, strict=True):
            mine.extend(theirs)

    def keys(self) -> list[Key]:
        """The keys as `Key`s (`coded_keys` undone)."""
        methods = map(METHODS.__getitem__, self.methods)
        needs = map(NEEDS.__getitem__, self.needs)
        return [Key(*k) for k in zip(self.forms, methods, self.tails, needs, self.owners, self.coords, strict=True)]


def no_keys() -> KeyColumns:
    """Empty `KeyColumns`, to extend."""
    return KeyColumns([], [], [], [], [], [])


def coded_keys(keys: Sequence[Key]) -> KeyColumns:
    """The keys as `KeyColumns`."""
    if not keys:
        return no_keys()
    forms, methods, tails, needs, owners, coords = zip(*keys, strict=True)
    return KeyColumns(
        list(forms),
        list(map(PRIORITY.__getitem__, methods)),
        list(tails),
        list(map(NEEDS_CODE_BY_ID.__getitem__, map(id, needs))),
        list(owners),
        list(coords),
    )


# one indexed key's readings, by (entity, needs, coord): one reading of each, the most trusted method kept
Slot = dict[tuple[int, Needs, str], Candidate]


@dataclass(frozen=True)
class Found:
    """A linked mention: [start, end) in the text, the entity's position in the index."""

    start: int
    end: int
    entity: int
    method: str
    score: float


def best(cands: list[Candidate]) -> Candidate:
    """The most trusted reading (by method, then by the entity's position in the index)."""
    return min(cands, key=lambda c: (PRIORITY[c.method], c.entity))
