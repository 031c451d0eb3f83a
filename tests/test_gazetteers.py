"""The bundled gazetteers: coverage and verified facts."""

from collections import Counter

import pytest
from conftest import REFERENCE, need

from normalize import gazetteer

MINIMUMS = {"country": 190, "region": 80, "city": 80, "agency": 80, "organization": 25, "person": 40, "media": 30}


@pytest.fixture(scope="module")
def bundled() -> gazetteer.Gazetteer:
    return gazetteer.load()


@pytest.mark.parametrize("etype, minimum", MINIMUMS.items())
def test_coverage(bundled, etype, minimum):
    assert Counter(e.type for e in bundled.entities)[etype] >= minimum


def test_every_wikidata_id_is_verified(bundled):
    ids = {line.split("\t")[0] for line in need(REFERENCE).read_text(encoding="utf-8").splitlines()[1:]}
    unverified = [(e.id, e.wikidata) for e in bundled.entities if e.wikidata and e.wikidata not in ids]
    assert unverified == []


@pytest.mark.parametrize(
    "name", ["Иван Кубраков", "Ван Сяохун", "Улан Ниязбеков", "Еркин Калиев", "Арман Оразалиев", "Алексей Бегун"]
)
def test_seed_people_are_listed(bundled, name):
    assert any(e.type == "person" and e.name == name for e in bundled.entities)


def test_agencies_have_a_country(bundled):
    by_id = bundled.by_id()
    orphans = [e.id for e in bundled.entities if e.type == "agency" and (e.parent is None or e.parent not in by_id)]
    assert orphans == []
