"""Linking: tables of text → expected (surface, canonical) pairs, and precision traps."""

from pathlib import Path

import pytest
from conftest import FIXTURES

from normalize import gazetteer, link


@pytest.fixture(scope="module")
def index() -> link.Index:
    return link.compile_index(gazetteer.load([FIXTURES / "mini.yaml"]))


def linked(text: str, index: link.Index) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], index.entities[m.entity].name) for m in link.find_mentions(text, index)]


FOUND = [
    ("Делегация прибыла в Кыргызстан.", [("Кыргызстан", "Киргизия")]),
    ("Встреча с министром Ваном Сяохуном.", [("Ваном Сяохуном", "Ван Сяохун")]),
    ("поблагодарил Ван Сяохун, за помощь", [("Ван Сяохун", "Ван Сяохун")]),
    (
        "пресс-служба МВД КР сообщила",
        [("МВД КР", "Министерство внутренних дел Кыргызской Республики"), ("КР", "Киргизия")],
    ),
    (
        "В Министерстве внутренних дел Киргизии заявили.",
        [
            ("Министерстве внутренних дел Киргизии", "Министерство внутренних дел Кыргызской Республики"),
            ("Киргизии", "Киргизия"),
        ],
    ),
    ("в Таможенном союзе", [("Таможенном союзе", "Таможенный союз")]),
    (
        "членов Организации Договора о коллективной безопасности",
        [("Организации Договора о коллективной безопасности", "Организация Договора о коллективной безопасности")],
    ),
    (
        "делегация УВД Таласской и ГУВД Чуйской областей",
        [
            ("УВД Таласской", "Управление внутренних дел Таласской области"),
            ("ГУВД Чуйской областей", "Главное управление внутренних дел Чуйской области"),
        ],
    ),
    (
        "Иван Кубраков приехал. Кубракову вручили награду. И. Кубраков уехал.",
        [("Иван Кубраков", "Иван Кубраков"), ("Кубракову", "Иван Кубраков"), ("И. Кубраков", "Иван Кубраков")],
    ),
    ("Алексей Бегун выступил. Бегун отметил рост.", [("Алексей Бегун", "Алексей Бегун"), ("Бегун", "Алексей Бегун")]),
    ("в Белоруссии и Беларуси и РБ", [("Белоруссии", "Белоруссия"), ("Беларуси", "Белоруссия"), ("РБ", "Белоруссия")]),
    ("из Минска в Минск", [("Минска", "Минск"), ("Минск", "Минск")]),
]


@pytest.mark.parametrize("text, expected", FOUND, ids=[t for t, _ in FOUND])
def test_found(text, expected, index):
    assert linked(text, index) == expected


FUZZY = [
    ("Делегация из Кыргызтана прибыла.", [("Кыргызтана", "Киргизия")]),
    ("Граница с Казахстна закрыта.", [("Казахстна", "Казахстан")]),
    ("Встреча с Ниязбековым и Ниязбековой.", [("Ниязбековым", "Улан Ниязбеков")]),  # another person, not a typo
    ("Делегация Кыргызстанцев прибыла.", []),  # a different word, not a typo
]


@pytest.mark.parametrize("text, expected", FUZZY, ids=[t for t, _ in FUZZY])
def test_fuzzy(text, expected, index):
    assert linked(text, index) == expected


TRAPS = [
    "Бегун пробежал дистанцию.",  # a common word at a sentence start, no full name in the text
    "спортсмен-бегун и ван",  # lowercase common words
    "кр и рб в нижнем регистре",  # acronyms only in capitals
    "Пойдём в Китай-город.",  # longest match: a hyphenated compound is not China
    "в Минской области",  # a region's adjective is not the city
    "МВД стран ТС работают",  # a bare acronym with no document evidence, qualified by a plural
    "Ваня и Иванов",  # parts of longer words
    "выучил белорусский язык",  # a language, not the country
]


@pytest.mark.parametrize("text", TRAPS)
def test_precision_traps(text, index):
    assert [s for s, _ in linked(text, index) if s not in ("ТС",)] == []


def test_bare_acronym_resolved_by_document(index):
    text = "МВД Белоруссии сообщило. Как сообщила пресс-служба МВД, делегация прибыла."
    got = linked(text, index)
    assert ("МВД", "Министерство внутренних дел Республики Беларусь") in got


def test_ambiguous_bare_acronym_left_unlinked(index):
    text = "МВД Белоруссии и МВД Казахстана подписали. Пресс-служба МВД сообщила."
    assert [s for s, _ in linked(text, index)].count("МВД") == 0


def test_methods_and_scores(index):
    found = link.find_mentions("Иван Кубраков и Ивана Кубракова, КНР", index)
    assert [f.method for f in found][:2] == ["exact", "inflected"]
    assert all(0 < f.score <= 1 for f in found)


def test_fixture_exists():
    assert Path(FIXTURES / "mini.yaml").exists()


@pytest.mark.parametrize(
    "latin, cyrillic", [("Bayer", "байер"), ("Reuters", "рейтерс"), ("Kazinform", "казинформ"), ("Shanghai", "шангхаи")]
)
def test_transliterate(latin, cyrillic):
    assert link.transliterate(latin) == cyrillic


def test_latin_spelling_of_a_cyrillic_name(index):
    assert linked("Делегация из Belarus прибыла.", index) == [("Belarus", "Белоруссия")]
