"""People's name tables (`link.people`): packed by runs of entities in forked processes, they read back as
the tables made in one."""

from __future__ import annotations

from itertools import pairwise

import pytest

from normalize.gazetteer import Entity
from normalize.link import people

FIRST = ["Иван", "Пётр", "Анна", "Мария", "Джон", "Ли"]
SURNAMES = ["Кубраков", "Смит", "Петрова", "Мюллер", "Ван"]
# persons named in full, with a first name or not, among entities that are not persons
ENTITIES = [
    Entity(f"p/{i}", "person", f"{FIRST[i % 6]} {SURNAMES[i % 5]}{'' if i % 7 else 'ов'}")
    if i % 4
    else Entity(f"o/{i}", "organization", f"Компания {i}")
    for i in range(150)
] + [Entity("p/one", "person", "Кубраков"), Entity("p/three", "person", "Иван Иванович Петров")]


def _tables(lo: int, hi: int) -> people.People:
    made = people.People()
    for i in range(lo, hi):
        if people.named_in_full(ENTITIES[i]):
            made.add(i, people.tables(ENTITIES[i]))
    return made


@pytest.mark.parametrize("cuts", [[0, 152], [0, 40, 152], [0, 1, 77, 78, 151, 152], [0, 33, 66, 99, 130, 152]])
def test_tables_packed_run_by_run_read_as_the_tables_made_at_once(cuts: list[int]) -> None:
    census = people.census(ENTITIES)
    whole = _tables(0, len(ENTITIES))
    runs = [
        _tables(lo, hi).packed(census, lo, hi, lambda i: people.tables(ENTITIES[i]))
        for lo, hi in pairwise(cuts)
    ]
    joined = people.join(runs, census)
    assert len(census.persons) > 2 * people.CHUNK  # the premise: runs end mid-chunk
    for name in people.MAPS:
        assert dict(getattr(joined, name).items()) == getattr(whole, name), name
    assert joined.first_counts == whole.first_counts and joined.first_persons == whole.first_persons
    assert joined.first_persons  # foreign surnames' first names vary
    assert people.join([_tables(lo, hi) for lo, hi in pairwise(cuts)]) == whole
