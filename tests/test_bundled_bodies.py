"""The bundled legislatures and constitutional courts (gazetteers/agencies.yaml): tables of text →
the bodies linked in it, as (surface, entity id), with the rows that must not link.

Only mentions of agencies are compared: the countries inside these names are linked on their own.
The supreme courts are left out on purpose: «Верховный суд» + a country would give «ВС РФ», «ВС РК»,
which in this domain are mostly the armed forces (see the header of agencies.yaml)."""

from __future__ import annotations

import pytest
from conftest import REFERENCE, need

from normalize import link, pipeline


@pytest.fixture(scope="module")
def index() -> link.Index:
    return pipeline.compile_gazetteers([]).index


def bodies(text: str, index: link.Index) -> list[tuple[str, str]]:
    out = []
    for m in link.find_mentions(text, index):
        e = index.entities[m.entity]
        if e.type == "agency":
            out.append((text[m.start : m.end], e.id))
    return out


FOUND = [
    # Russia: compound abbreviations and the alias are derived from the nominative names
    ("Госдума приняла закон.", [("Госдума", "agency/ru-state-duma")]),
    ("В Госдуме обсудили законопроект.", [("Госдуме", "agency/ru-state-duma")]),
    ("Депутаты Государственной думы одобрили поправки.", [("Государственной думы", "agency/ru-state-duma")]),
    ("Законопроект рассмотрят в Совете Федерации.", [("Совете Федерации", "agency/ru-federation-council")]),
    ("Член Совфеда выступил.", [("Совфеда", "agency/ru-federation-council")]),
    ("Послание Федеральному собранию огласил президент.", [("Федеральному собранию", "agency/ru-federal-assembly")]),
    (
        "Государственная дума Федерального собрания Российской Федерации приняла закон.",
        [
            ("Государственная дума Федерального собрания Российской Федерации", "agency/ru-state-duma"),
            ("Федерального собрания Российской Федерации", "agency/ru-federal-assembly"),
        ],
    ),
    (
        "Конституционный суд России признал норму не противоречащей Конституции.",
        [("Конституционный суд России", "agency/ru-constitutional-court")],
    ),
    ("Решение КС РФ опубликовано.", [("КС РФ", "agency/ru-constitutional-court")]),
    # another country's court is its own, not Russia's (each country's court is in the set)
    (
        "Конституционный суд Молдавии повторил свое решение, писала российская пресса.",
        [("Конституционный суд Молдавии", "agency/md-constitutional-court")],
    ),
    (
        "Конституционный суд Казахстана отменил решение.",
        [("Конституционный суд Казахстана", "agency/kz-constitutional-court")],
    ),
    # Kazakhstan
    ("Вчера Мажилис одобрил законопроект.", [("Мажилис", "agency/kz-mazhilis")]),
    ("Депутат Мажилиса Парламента РК выступил.", [("Мажилиса Парламента РК", "agency/kz-mazhilis")]),
    (
        "Сенат Парламента Республики Казахстан одобрил поправки.",
        [
            ("Сенат Парламента Республики Казахстан", "agency/kz-senate"),
            ("Парламента Республики Казахстан", "agency/kz-parliament"),
        ],
    ),
    ("Парламент Казахстана одобрил закон.", [("Парламент Казахстана", "agency/kz-parliament")]),
    # Central Asia, the Caucasus, Eastern Europe, China
    (
        "Жогорку Кенеш ратифицировал соглашение между Кыргызстаном и Казахстаном.",
        [("Жогорку Кенеш", "agency/kg-jogorku-kenesh")],
    ),
    (
        "Олий Мажлис Республики Узбекистан ратифицировал договор.",
        [("Олий Мажлис Республики Узбекистан", "agency/uz-oliy-majlis")],
    ),
    (
        "Маджлиси Оли Республики Таджикистан ратифицировал соглашение.",
        [("Маджлиси Оли Республики Таджикистан", "agency/tj-majlisi-oli")],
    ),
    ("Меджлис Туркмении принял закон.", [("Меджлис Туркмении", "agency/tm-mejlis")]),
    (
        "Палата представителей Национального собрания Республики Беларусь приняла закон.",
        [
            ("Палата представителей Национального собрания Республики Беларусь", "agency/by-house-of-representatives"),
            ("Национального собрания Республики Беларусь", "agency/by-national-assembly"),
        ],
    ),
    (
        "Национальное собрание Армении ратифицировало договор.",
        [("Национальное собрание Армении", "agency/am-national-assembly")],
    ),
    ("Милли Меджлис Азербайджана одобрил соглашение.", [("Милли Меджлис Азербайджана", "agency/az-milli-majlis")]),
    ("Парламент Молдовы принял закон.", [("Парламент Молдовы", "agency/md-parliament")]),
    (
        "Парламент Грузии принял закон. Парламент собрался снова.",
        [("Парламент Грузии", "agency/ge-parliament"), ("Парламент", "agency/ge-parliament")],
    ),
    ("Депутаты Верховной Рады приняли закон.", [("Верховной Рады", "agency/ua-verkhovna-rada")]),
    ("ВСНП приняло закон о борьбе с терроризмом.", [("ВСНП", "agency/cn-npc")]),
    # --- must not link: other countries' bodies, common words, a bare generic name
    ("Законопроект поддержал Сенат США.", []),
    ("Законопроект вчера одобрил Сенат.", []),
    ("В Казахстане сенат одобрил поправки.", []),
    ("Палата представителей США приняла закон.", []),
    ("На заседании парламента обсудили законопроект.", []),
    ("Закон вчера принял Парламент.", []),
    ("Парламент Грузии принял закон. В Армении парламент обсудил его.", [("Парламент Грузии", "agency/ge-parliament")]),
    ("В Казахстане верховный суд отклонил жалобу.", []),
    ("Конституционный суд Германии отменил решение.", []),
    ("Конституционный суд отменил решение.", []),
    ("Подразделения ВС РФ провели учения.", []),
    ("Военнослужащие ВС Белоруссии провели учения.", []),
    ("В России запрещён Меджлис крымскотатарского народа.", []),
    ("Национальное собрание Франции обсудило вопрос.", []),
]


@pytest.mark.parametrize("text, expected", FOUND, ids=[t for t, _ in FOUND])
def test_bodies(text, expected, index):
    assert bodies(text, index) == expected


# the Wikidata ids given, each with the label reference/wikidata_labels_ru.tsv has for it
WIKIDATA = [
    ("agency/ru-federal-assembly", "Q457869", "Федеральное Собрание Российской Федерации"),
    ("agency/ru-state-duma", "Q715641", "Государственная дума"),
    ("agency/ru-federation-council", "Q186473", "Совет Федерации"),
    ("agency/ru-constitutional-court", "Q584759", "Конституционный Суд Российской Федерации"),
    ("agency/kg-jogorku-kenesh", "Q578193", "Жогорку Кенеш"),
    ("agency/by-national-assembly", "Q1798607", "Национальное собрание Республики Беларусь"),
    ("agency/az-milli-majlis", "Q330600", "Национальное собрание Азербайджана"),
    ("agency/md-parliament", "Q555809", "Парламент Молдавии"),
    ("agency/ua-verkhovna-rada", "Q176296", "Верховная Рада Украины"),
    ("agency/ge-parliament", "Q1417210", "Парламент Грузии"),
    ("agency/cn-npc", "Q19211", "Всекитайское собрание народных представителей"),
]


@pytest.fixture(scope="module")
def labels() -> dict[str, str]:
    rows = need(REFERENCE).read_text(encoding="utf-8").splitlines()[1:]
    return {qid: label for qid, label, *_ in (r.split("\t") for r in rows)}


@pytest.mark.parametrize("entity_id, qid, label", WIKIDATA, ids=[e for e, _, _ in WIKIDATA])
def test_wikidata_ids_are_the_bodies(entity_id, qid, label, index, labels):
    entity = next(e for e in index.entities if e.id == entity_id)
    assert (entity.wikidata, entity.type) == (qid, "agency")
    assert labels.get(qid) == label
