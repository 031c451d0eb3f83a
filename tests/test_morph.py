import pytest

from normalize.link.composed import compound_forms
from normalize.morph import (
    acronym,
    derived_adjective,
    is_common_word,
    is_first_name,
    is_mainly_first_name,
    is_russian_surname,
    person_forms,
    phrase_forms,
)

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
    # a surname in -вич is not a patronymic: not the official order «Surname First Patronymic»
    ("Михаил Леонидович Агранович", None, ["Михаил Агранович", "Михаила Аграновича", "Михаилом Аграновичем"]),
    # a feminine first name in -ь declines (3rd declension); the surname does not; first name + patronymic
    ("Любовь Эдуардовна Соболь", None, ["Любови Соболь", "Любовью Соболь", "Любови Эдуардовны"]),
    ("Ерохин Дмитрий Юрьевич", None, ["Дмитрия Ерохина", "Ерохина Дмитрия Юрьевича"]),
    # a middle name is mostly left out; a Spanish double surname is mostly its first surname alone
    ("Джон Фицджеральд Кеннеди", None, ["Джон Кеннеди", "Джона Кеннеди", "Джоном Кеннеди"]),
    ("Алан Гарсиа Перес", None, ["Алан Гарсиа", "Алана Гарсиа", "Алан Перес"]),
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
        # each part of a compound adjective gives its letter
        ("Азиатско-Тихоокеанское экономическое сотрудничество", "АТЭС"),
        ("Форум стран-экспортёров газа", "ФСЭГ"),
        ("Рабоче-крестьянская Красная армия", "РККА"),
    ],
)
def test_acronyms(name, expected):
    assert acronym(name) == expected


def test_short_words_make_no_new_orders():
    # «Ким Ён А» (Korean) and «Тауфаахау Тупу V» (a regnal number): no first + middle form
    assert "Ким Ён" not in {f.text for f in person_forms("Ким Ён А")}
    assert "Тауфаахау Тупу" not in {f.text for f in person_forms("Тауфаахау Тупу V")}


@pytest.mark.parametrize(
    "word, russian",
    [
        ("Макаров", True),
        ("Маркова", True),
        ("Березиным", True),
        ("Чайковского", True),
        ("Маккэррик", False),
        ("Гарсиа", False),
        ("Руссефф", False),
    ],
)
def test_russian_surnames(word, russian):
    assert is_russian_surname(word) is russian


@pytest.mark.parametrize("word, common", [("Бегун", True), ("Ван", True), ("Кубраков", False), ("Лавров", False)])
def test_common_words(word, common):
    assert is_common_word(word) is common


@pytest.mark.parametrize(
    "name, adjective",
    [
        ("Россия", "российский"),
        ("Бразилия", "бразильский"),
        ("Германия", "германский"),
        ("Куба", "кубинский"),  # not «кубанский» (Кубань)
        ("Европа", "европейский"),
        ("Пекин", "пекинский"),
        ("Пермь", "пермский"),
        ("Тверь", "тверской"),
        ("Израиль", "израильский"),
        ("Курск", "курский"),
        ("Нью-Йорк", "нью-йоркский"),
        ("Москва", "московский"),  # -ва → -овский (Литва → литовский), when the dictionary knows it
        ("Литва", "литовский"),
        ("Женева", "женевский"),
        ("Дубна", None),  # not «дубовский»: -овский only after -ва
        ("Уфа", "уфимский"),
        ("Тула", "тульский"),
        ("Рига", "рижский"),
        ("Ярославль", "ярославский"),
        ("Мали", None),
        ("Азия", None),  # «азиатский» is irregular
    ],
)
def test_derived_adjectives(name, adjective):
    assert derived_adjective(name) == adjective


# a word → whether the dictionary has it: what any of its readings being known tells (`Parse.is_known`)
KNOWN = [
    ("кубраков", False),  # a name the dictionary does not have: pymorphy3 only guesses its readings
    ("кыргызтан", False),  # a typo
    ("лавров", True),  # a surname it has
    ("москвы", True),  # a case form
    ("Москвы", True),  # any letter case
    ("ребенок", True),  # ё written е
    ("ребёнок", True),
    ("кто-то", True),  # a hyphenated word it has
    ("северо-запад", True),
    ("байден", False),
    ("facebook", False),  # Latin
]


@pytest.mark.parametrize("word, known", KNOWN)
def test_is_known_is_a_known_reading(word: str, known: bool) -> None:
    from normalize import morph

    assert morph.is_known(word) is known
    assert any(p.is_known for p in morph.parses(word.lower())) is known


@pytest.mark.parametrize(
    "word, first, lemma_first, mainly",
    [
        ("Владимир", True, True, True),
        ("Марсель", True, True, False),  # a city more than a name
        ("Израиль", True, True, False),
        ("Мамаев", True, False, False),  # a surname, though pymorphy3 reads it as a plural of «Мамай»
    ],
)
def test_first_names(word, first, lemma_first, mainly):
    assert is_first_name(word) is first
    assert is_first_name(word, lemma=True) is lemma_first
    assert is_mainly_first_name(word) is mainly


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Государственная дума", ["Госдума", "Госдумы", "Госдумой"]),
        ("Московская городская дума", ["Мосгордума", "Мосгордуму"]),
        ("Московский городской суд", ["Мосгорсуд", "Мосгорсуда"]),
        ("Государственный департамент", ["Госдепартамент", "Госдеп", "Госдепа"]),
        ("Министерство обороны", ["Минобороны"]),
        ("Министерство образования и науки", ["Минобрнауки"]),
        ("Министерство финансов", ["Минфин", "Минфина", "Минфином"]),
        ("Министерство здравоохранения", ["Минздрав", "Минздраве"]),
        ("Совет Федерации", ["Совфед", "Совфеда"]),
        ("Национальная полиция", ["Нацполиция", "Нацполиции"]),
        ("Федеральная служба по надзору в сфере образования и науки", ["Рособрнадзор", "Рособрнадзора"]),
        ("Федеральная служба по надзору в сфере здравоохранения", ["Росздравнадзор", "Росздравнадзоре"]),
    ],
)
def test_compound_abbreviations(name, expected):
    assert set(expected) <= set(compound_forms(name))


def test_compound_abbreviations_need_a_name_of_parts():
    assert compound_forms("Организация Договора о коллективной безопасности") == []  # dependents after the head
    assert compound_forms("Россия") == []
    # only a watchdog «по надзору в сфере …» is «Рос…надзор»
    assert not any("надзор" in f for f in compound_forms("Федеральная служба безопасности"))


# name → (forms in the singular, forms added in the plural): the singular forms are made once and the plural
# ones follow them, whichever is asked for first
NUMBER_FORMS = [
    ("Государственная дума", (5, 5)),  # the accusative plural is the nominative: once
    ("Министерство обороны", (5, 4)),
    ("Вооружённые силы", (5, 0)),  # plural only: nothing more
    ("Таможенный союз", (5, 5)),
    ("УВД Таласской области", (1, 0)),  # an acronym heads it: as it is
    ("Беларусь", (3, 0)),  # no plural
]


@pytest.mark.parametrize("first_plural", [True, False])
@pytest.mark.parametrize("name, counts", NUMBER_FORMS, ids=[n for n, _ in NUMBER_FORMS])
def test_plural_forms_follow_the_singular(name: str, counts: tuple[int, int], first_plural: bool) -> None:
    from normalize import morph

    morph.forget()
    asked = [phrase_forms(name, plural=first_plural), phrase_forms(name, plural=not first_plural)]
    singular, plural = asked if not first_plural else asked[::-1]
    assert (len(singular), len(plural) - len(singular)) == counts
    assert plural[: len(singular)] == singular
    assert all(f.number == "plur" for f in plural[len(singular) :])


# words of one paradigm one after another: the form picked for the first is the one kept for the others
INFLECTED = [
    ("тританопия", ("gent", "plur")),
    ("армия", ("gent", "plur")),
    ("партия", ("loct", "sing")),
    ("обыдённая", ("accs", "plur", "anim")),
    ("красная", ("accs", "plur", "anim")),
    ("красная", ("ablt", "sing", "femn")),
    ("таможенный", ("accs", "sing", "masc", "inan")),
    ("сани", ("gent", "sing")),  # no singular: none, as pymorphy3's inflect says
    ("сани", ("loc2", "plur")),  # a rare case: as the common one
]


def test_inflected_words_as_pymorphy_inflects() -> None:
    from normalize import morph

    morph.forget()
    for word, grams in INFLECTED:
        p = morph.analyzer().parse(word)[0]
        expected = p.inflect(set(grams))
        assert morph.inflected_words(p, [grams]) == [expected.word if expected else None], (word, grams)


# a person's names → what the texts of their keys hold: each form once, the name first, as `person_forms` gives them
PERSON_TEXTS = [
    ("Иван Кубраков", None, None),
    ("Василий Макарович Шукшин", None, "m"),
    ("Джон Фицджеральд Кеннеди", None, None),
    ("Ерохин Дмитрий Юрьевич", "Ерохин", None),
    ("Наталья Дмитриевна Петрова", None, "f"),
]


@pytest.mark.parametrize("name, surname, gender", PERSON_TEXTS, ids=[n for n, _, _ in PERSON_TEXTS])
def test_person_texts_are_the_forms_texts(name: str, surname: str | None, gender: str | None) -> None:
    from normalize.morph import person_texts

    texts = person_texts(name, surname, gender)
    assert texts == [f.text for f in person_forms(name, surname, gender)]
    assert texts[0] == name and len(set(texts)) == len(texts) > 6
