import pytest

from normalize.morph import acronym, is_common_word, person_forms, phrase_forms

# each seed person in all six cases (nominative, genitive, dative, accusative, instrumental, prepositional)
PERSON_CASES = [
    (
        "Иван Кубраков",
        None,
        [
            "Иван Кубраков",
            "Ивана Кубракова",
            "Ивану Кубракову",
            "Ивана Кубракова",
            "Иваном Кубраковым",
            "Иване Кубракове",
        ],
    ),
    (
        "Ван Сяохун",
        "Ван",
        ["Ван Сяохун", "Вана Сяохуна", "Вану Сяохуну", "Вана Сяохуна", "Ваном Сяохуном", "Ване Сяохуне"],
    ),
    (
        "Улан Ниязбеков",
        None,
        [
            "Улан Ниязбеков",
            "Улана Ниязбекова",
            "Улану Ниязбекову",
            "Улана Ниязбекова",
            "Уланом Ниязбековым",
            "Улане Ниязбекове",
        ],
    ),
    (
        "Еркин Калиев",
        None,
        ["Еркин Калиев", "Еркина Калиева", "Еркину Калиеву", "Еркина Калиева", "Еркином Калиевым", "Еркине Калиеве"],
    ),
    (
        "Арман Оразалиев",
        None,
        [
            "Арман Оразалиев",
            "Армана Оразалиева",
            "Арману Оразалиеву",
            "Армана Оразалиева",
            "Арманом Оразалиевым",
            "Армане Оразалиеве",
        ],
    ),
    (
        "Алексей Бегун",
        None,
        ["Алексей Бегун", "Алексея Бегуна", "Алексею Бегуну", "Алексея Бегуна", "Алексеем Бегуном", "Алексее Бегуне"],
    ),
    ("Касым-Жомарт Токаев", None, ["Касым-Жомарта Токаева", "Касым-Жомартом Токаевым"]),
    ("Майя Санду", "Санду", ["Майи Санду", "Майей Санду"]),  # an indeclinable surname
    ("Анна Ахматова", None, ["Анны Ахматовой", "Анну Ахматову", "Анной Ахматовой"]),
    ("Пётр Чайковский", None, ["Петра Чайковского", "Петром Чайковским"]),
    ("Си Цзиньпин", "Си", ["Си Цзиньпина", "Си Цзиньпином"]),  # «Си» does not decline
]


@pytest.mark.parametrize("name, surname, expected", PERSON_CASES, ids=[c[0] for c in PERSON_CASES])
def test_person_forms(name, surname, expected):
    forms = {f.text for f in person_forms(name, surname)}
    assert set(expected) <= forms


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Организация Договора о коллективной безопасности", ["Организации Договора о коллективной безопасности"]),
        ("Министерство внутренних дел", ["Министерства внутренних дел", "Министерством внутренних дел"]),
        ("Кыргызская Республика", ["Кыргызской Республики", "Кыргызскую Республику"]),
        ("Таможенный союз", ["Таможенного союза", "Таможенном союзе"]),
        ("Соединённые Штаты Америки", ["Соединённых Штатов Америки"]),
        ("Усть-Каменогорск", ["Усть-Каменогорска", "Усть-Каменогорске"]),
        ("Нью-Йорк", ["Нью-Йорка"]),
        ("Беларусь", ["Беларуси", "Беларусью"]),
    ],
)
def test_phrase_forms_inflect_head_and_agreeing_words_only(name, expected):
    forms = {f.text for f in phrase_forms(name)}
    assert set(expected) <= forms


def test_dependents_do_not_inflect():
    forms = {f.text for f in phrase_forms("Организация Договора о коллективной безопасности")}
    assert not any("Договору" in f or "коллективную" in f for f in forms)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Министерство внутренних дел", "МВД"),
        ("Организация Договора о коллективной безопасности", "ОДКБ"),
        ("Федеральная служба безопасности", "ФСБ"),
        ("Коммунистическая партия Российской Федерации", "КПРФ"),
        ("Таможенный союз", None),  # two letters: too ambiguous to derive
    ],
)
def test_acronyms(name, expected):
    assert acronym(name) == expected


@pytest.mark.parametrize("word, common", [("Бегун", True), ("Ван", True), ("Кубраков", False), ("Лавров", False)])
def test_common_words(word, common):
    assert is_common_word(word) is common
