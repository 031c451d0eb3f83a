"""Names a gazetteer implies but does not spell out (normalize/link/variants.py) and names as news
write them (normalize/link/names.py): a table per mechanism, input → expected, with the rows that must
not link; first the pure functions, then what the linker makes of a set written the way a user writes
one (every entity once, nominative, no parents)."""

import pytest

from normalize import gazetteer, link
from normalize.link import names, variants

# --- the pure functions --------------------------------------------------------------------------

PLACE_ADJECTIVES = [
    ("Италия", {"итальянский"}),  # ия → ьянский
    ("Чехия", {"чешский"}),  # х → ш
    ("Польша", {"польский"}),
    ("Армения", {"армянский"}),
    ("Белоруссия", {"белорусский"}),
    ("Франция", {"французский"}),
    ("Канны", {"каннский"}),  # a plural name
    ("Киргизия", {"киргизский"}),
    ("Бельгия", {"бельгийский"}),  # not «бельский», another place's adjective
    ("Мали", set()),  # indeclinable: Russian forms its adjective irregularly
]


@pytest.mark.parametrize("name, expected", PLACE_ADJECTIVES, ids=[n for n, _ in PLACE_ADJECTIVES])
def test_place_adjectives(name, expected):
    got = set(variants.place_adjectives(name))
    assert expected <= got
    assert not ({"бельский", "малийский"} & got)


SHORT_NAMES = [
    ("Китайская Народная Республика", ("Китай",)),  # the place whose adjective the official name has
    ("Республика Казахстан", ("Казахстан",)),
    ("Республика Сербская", ()),  # an adjective, not a place's name
    ("Великобритания", ("Британия",)),  # велик-о-британия: an adjective's stem, «о», a known place
    ("Новосибирск", ()),
    ("Кыргызская Республика", ()),  # «Кыргыз» is no place the dictionary knows
]


@pytest.mark.parametrize("name, expected", SHORT_NAMES, ids=[n for n, _ in SHORT_NAMES])
def test_short_names(name, expected):
    assert variants.short_names(name) == expected


def test_head_phrase():
    places = frozenset({"украины", "ирака", "оон"})
    assert variants.head_phrase("Верховная Рада Украины", places) == "Верховная Рада"
    assert variants.head_phrase("Исламское государство Ирака и Леванта", places) == "Исламское государство"
    assert variants.head_phrase("Генеральная Ассамблея ООН", places) == "Генеральная Ассамблея"
    assert variants.head_phrase("Высшая школа экономики", places) is None  # a common phrase, no place after it
    assert variants.head_phrase("Министерство внутренних дел Украины", places) is None  # one noun: too generic


OFFICIAL_ACRONYMS = [
    ("Российская Федерация", "РФ"),
    ("Кыргызская Республика", "КР"),
    ("Христианско-демократический союз", "ХДС"),
    ("Казахстан", None),
]


@pytest.mark.parametrize("name, expected", OFFICIAL_ACRONYMS, ids=[n for n, _ in OFFICIAL_ACRONYMS])
def test_official_acronym(name, expected):
    assert variants.official_acronym(name) == expected


SPELLINGS = [
    ("Джапаров", False, {"Жапаров"}),
    ("Жапарова", False, {"Джапарова"}),
    ("Баффетта", True, {"Бафетта", "Баффета"}),  # one place at a time
    ("Чэпмен", True, {"Чепмен"}),
    ("Мухаммед", True, {"Мухаммад", "Мухамед"}),
    ("Петров", False, set()),
    ("Баффетта", False, set()),  # a name of the Russian pattern keeps its consonants
]


@pytest.mark.parametrize("word, foreign, expected", SPELLINGS, ids=[f"{w}-{f}" for w, f, _ in SPELLINGS])
def test_spellings(word, foreign, expected):
    got = set(names.spellings(word, foreign))
    assert expected <= got
    assert word not in got and "Бафета" not in got


def test_person_spellings():
    assert names.person_spellings("Садыр Жапаров") == ("Садыр Джапаров",)
    assert names.person_spellings("Георгий Жуков") == ()  # a surname the dictionary knows, spelled its way


def test_other_spellings_of_case_forms():
    assert "Баффета" in names.other_spellings(("Баффетт", "Баффетта"))
    assert names.other_spellings(("Петров", "Петрова")) == ()


ABBREVIATIONS = [
    ("РосБизнесКонсалтинг", ("РБК",)),  # the capitals of a camel-case name
    ("Европейский союз", ("Евросоюз",)),  # a compound with «о» that the dictionary knows
    ("Таможенный союз", ()),  # «Тамосоюз» is no word
    ("Главное разведывательное управление ВС РФ", ("ГРУ",)),  # the initials before a tail of acronyms
    ("Генеральная Ассамблея ООН", ()),  # two words: too few for initials
    ("YouTube", ()),  # two capitals
]


@pytest.mark.parametrize("name, expected", ABBREVIATIONS, ids=[n for n, _ in ABBREVIATIONS])
def test_abbreviations(name, expected):
    assert variants.abbreviations(name) == expected


LATIN = [
    ("Microsoft", "maicrosoft"),
    ("Reuters", None),  # read as written
    ("Interpol", None),
]


@pytest.mark.parametrize("latin, reading", LATIN, ids=[w for w, _ in LATIN])
def test_latin_respellings(latin, reading):
    got = names.latin_respellings(latin)
    assert got[0] == latin
    if reading:
        assert reading in got


# --- what the linker makes of a user's set --------------------------------------------------------

USER_SET = [
    ("country/kz", "country", "Казахстан", ()),
    ("country/kg", "country", "Кыргызская Республика", ()),
    ("country/ru", "country", "Россия", ()),
    ("country/ua", "country", "Украина", ()),
    ("country/cn", "country", "Китайская Народная Республика", ()),
    ("country/gb", "country", "Великобритания", ()),
    ("country/it", "country", "Италия", ()),
    ("country/cz", "country", "Чехия", ()),
    ("country/iq", "country", "Ирак", ()),
    ("city/pretoria", "city", "Претория", ()),
    ("city/vegas", "city", "Лас-Вегас", ()),
    ("city/sandiego", "city", "Сан-Диего", ()),
    ("city/talas", "city", "Талас", ()),
    ("region/talas", "region", "Таласская область", ()),
    ("region/chuy", "region", "Чуйская область", ()),
    ("city/rostov", "city", "Ростов-на-Дону", ()),
    ("city/pk", "city", "Петропавловск-Камчатский", ()),
    ("country/gw", "country", "Гвинея-Бисау", ()),
    ("org/kg-parliament", "agency", "Жогорку Кенеш", ()),
    ("org/hezbollah", "organization", "Хезболла", ()),
    ("media/rs", "media", "Россия сегодня", ()),
    ("org/kz-rail", "organization", "Казахстан темир жолы", ()),
    ("org/kg-lawyers", "organization", "Кыргызская ассоциация юристов", ()),
    ("org/knb", "organization", "Комитет национальной безопасности Республики Казахстан", ()),
    ("org/sk", "organization", "Следственный комитет Российской Федерации", ()),
    ("org/minobr", "organization", "Министерство образования и науки Российской Федерации", ()),
    ("org/rada", "organization", "Верховная Рада Украины", ()),
    ("org/ua-police", "organization", "Национальная полиция Украины", ()),
    ("org/mod-ua", "organization", "Министерство обороны Украины", ()),
    ("org/is", "organization", "Исламское государство Ирака и Леванта", ()),
    ("org/hse", "organization", "Высшая школа экономики", ()),
    ("org/interpol", "organization", "Интерпол", ()),
    ("org/ms", "organization", "Майкрософт", ()),
    ("media/reuters", "media", "Рейтер", ()),
    ("media/tg", "media", "Telegramm", ()),
    ("person/tokaev", "person", "Токаев", ()),  # named by one word
    ("person/m-tokaev", "person", "Марат Токаев", ()),
    ("person/japarov", "person", "Садыр Жапаров", ()),
    ("person/buffett", "person", "Уоррен Баффетт", ()),
    ("person/zhukov", "person", "Пётр Жуков", ()),
]


@pytest.fixture(scope="module")
def user_set() -> link.Index:
    return link.compile_index(gazetteer.Gazetteer(tuple(gazetteer.Entity(*row) for row in USER_SET), ()))


def linked(text: str, index: link.Index) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], index.entities[m.entity].name) for m in link.find_mentions(text, index)]


KNB = "Комитет национальной безопасности Республики Казахстан"
SK = "Следственный комитет Российской Федерации"
KNR = "Китайская Народная Республика"
IS = "Исламское государство Ирака и Леванта"
BUFFETT = "Уоррен Баффетт"
TALAS = "Таласская область"
PK = "Петропавловск-Камчатский"
MOD_UA = "Министерство обороны Украины"
RADA = "Верховная Рада Украины"
KTZ = "Казахстан темир жолы"
LAWYERS = "Кыргызская ассоциация юристов"
# (mechanism, text, expected (surface, canonical) pairs)
USER_FOUND = [
    # official names with a country tail: the tail found by morphology against the set's countries
    ("tail", "Задержание провёл КНБ.", [("КНБ", KNB)]),
    ("tail", "Сотрудники КНБ Казахстана задержали.", [("КНБ Казахстана", KNB), ("Казахстана", "Казахстан")]),
    ("tail", "Об этом сообщили в КНБ РК.", [("КНБ РК", KNB), ("РК", "Казахстан")]),
    ("tail", "Комитет национальной безопасности сообщил.", [("Комитет национальной безопасности", KNB)]),
    ("tail", "Граница Республики Казахстан.", [("Республики Казахстан", "Казахстан")]),
    ("tail", "Власти РФ и Российской Федерации.", [("РФ", "Россия"), ("Российской Федерации", "Россия")]),
    ("tail", "Дело возбудил СК РФ.", [("СК РФ", SK), ("РФ", "Россия")]),
    ("tail", "Глава Минобрнауки ответил.", [("Минобрнауки", "Министерство образования и науки Российской Федерации")]),
    ("tail-no", "В Китае КНБ задержал.", [("Китае", "Китайская Народная Республика")]),  # another country's
    ("tail-no", "В Кыргызской Республике КНБ задержал.", [("Кыргызской Республике", "Кыргызская Республика")]),
    ("tail-no", "Сотрудники кнб пришли.", []),  # an acronym keeps its capitals
    # adjectives from official names and from country nouns, by word formation the dictionary knows
    ("adjective", "Кыргызская сторона ответила.", [("Кыргызская", "Кыргызская Республика")]),
    ("adjective", "на кыргызской границе", [("кыргызской", "Кыргызская Республика")]),
    ("adjective", "итальянские власти и чешской полиции", [("итальянские", "Италия"), ("чешской", "Чехия")]),
    ("adjective-no", "учит итальянский язык", []),  # a language
    ("adjective-no", "итальянский журналист сказал", []),  # a nationality
    # short names of official and compound names
    ("short", "Делегация Китая прибыла в Китай.", [("Китая", KNR), ("Китай", KNR)]),
    ("short", "китайских компаний", [("китайских", KNR)]),
    ("short", "Премьер Британии и британской.", [("Британии", "Великобритания"), ("британской", "Великобритания")]),
    # head phrases: adjectives and the head noun of a name whose dependents name a place of the set
    ("head", "Боевики Исламского государства и ИГ.", [("Исламского государства", IS), ("ИГ", IS)]),
    ("head", "Депутаты Верховной Рады решили.", [("Верховной Рады", "Верховная Рада Украины")]),
    ("head-no", "Депутаты верховной рады решили.", []),  # lowercase: any country's parliament
    ("head-no", "Он окончил Высшую школу.", []),  # «Высшая школа экономики»: the head alone is a common phrase
    ("head-no", "Сотрудники НП пришли.", []),  # two initials of what every country has
    ("head-no", "в министерстве обороны заявили", []),
    # a body's generic name is the one the document named, unless another country's name follows it
    (
        "head",
        "Министерство обороны Украины заявило. Министерство обороны сообщило.",
        [(MOD_UA, MOD_UA), ("Украины", "Украина"), ("Министерство обороны", MOD_UA)],
    ),
    (
        "head-no",
        "Министерство обороны Украины заявило. Министерство обороны Казахстана ответило.",
        [(MOD_UA, MOD_UA), ("Украины", "Украина"), ("Казахстана", "Казахстан")],
    ),
    (
        "head-no",
        "Верховная Рада Украины и Верховная Рада Казахстана.",
        [(RADA, RADA), ("Украины", "Украина"), ("Казахстана", "Казахстан")],
    ),
    # a country inside a body's name is a nested mention, not replaced by it (its adjective is not)
    ("nested", "агентство «Россия сегодня» сообщило", [("Россия", "Россия"), ("Россия сегодня", "Россия сегодня")]),
    ("nested", "акции Казахстан темир жолы", [("Казахстан", "Казахстан"), ("Казахстан темир жолы", KTZ)]),
    ("nested-no", "Кыргызская ассоциация юристов заявила", [("Кыргызская ассоциация юристов", LAWYERS)]),
    # place names the dictionary cannot inflect, declined by the rules for names
    ("declension", "Он жил в Претории и в Лас-Вегасе.", [("Претории", "Претория"), ("Лас-Вегасе", "Лас-Вегас")]),
    ("declension-no", "Он жил в Сан-Диего.", [("Сан-Диего", "Сан-Диего")]),  # indeclinable, as written
    ("declension", "Он жил в Ростове-на-Дону.", [("Ростове-на-Дону", "Ростов-на-Дону")]),  # the first part declines
    # a noun and the adjective that agrees with it both decline; before a foreign word that does not, the place's name
    (
        "declension",
        "Суд Петропавловска-Камчатского и полиция в Петропавловске-Камчатском.",
        [("Петропавловска-Камчатского", PK), ("Петропавловске-Камчатском", PK)],
    ),
    ("declension", "Выборы в Гвинее-Бисау.", [("Гвинее-Бисау", "Гвинея-Бисау")]),
    # a body's foreign name: its last word, which the dictionary does not know, declines as a name's would
    ("declension", "Депутат Жогорку Кенеша заявил.", [("Жогорку Кенеша", "Жогорку Кенеш")]),
    ("declension", "Боевики Хезболлы отступили.", [("Хезболлы", "Хезболла")]),
    # a region's adjective in a coordinated phrase is the region, not the city
    (
        "coordinated",
        "делегация УВД Таласской и ГУВД Чуйской областей",
        [("Таласской", "Таласская область"), ("Чуйской областей", "Чуйская область")],
    ),
    ("coordinated", "в Таласской и Чуйской областях", [("Таласской", TALAS), ("Чуйской областях", "Чуйская область")]),
    ("coordinated-no", "таласские власти", [("таласские", "Талас")]),  # no shared noun: the city's adjective
    # an entity's own name beats another's surname; the document's full name beats both
    ("own-name", "Токаев заявил.", [("Токаев", "Токаев")]),
    ("own-name", "Марат Токаев пришёл. Токаев заявил.", [("Марат Токаев", "Марат Токаев"), ("Токаев", "Марат Токаев")]),
    # spelling variants of names
    ("spelling", "Садыр Джапаров и Жапаров.", [("Садыр Джапаров", "Садыр Жапаров"), ("Жапаров", "Садыр Жапаров")]),
    ("spelling", "Уоррен Баффетт сказал. Фонд Баффета рос.", [("Уоррен Баффетт", BUFFETT), ("Баффета", BUFFETT)]),
    ("spelling-no", "Пётр Джуков приехал.", []),  # a surname the dictionary knows is spelled its way
    # Latin names of bodies the set names in Cyrillic
    ("latin", "Агентство Reuters сообщило.", [("Reuters", "Рейтер")]),
    ("latin", "Компания Microsoft и Interpol.", [("Microsoft", "Майкрософт"), ("Interpol", "Интерпол")]),
    ("latin-no", "Канал в Telegram закрыли.", []),  # a Latin name is copied, not typed: Telegram is not Telegramm
]


@pytest.mark.parametrize("text, expected", [r[1:] for r in USER_FOUND], ids=[f"{m}: {t}" for m, t, _ in USER_FOUND])
def test_user_set(text, expected, user_set):
    assert linked(text, user_set) == expected


# precision: a short alias that is a function word or a common word needs evidence, a capital mid-sentence
TRAPS_SET = [
    ("place/ob", "place", "Обь", ("Об",)),
    ("person/van", "person", "Ван", ()),
    ("person/begun", "person", "Бегун", ()),
    ("city/semey", "city", "Семей", ()),
]
TRAPS = [
    ("Об этом сказал он.", []),
    ("Ван сказал.", []),
    ("Бегун выиграл забег.", []),
    ("Он видел Бегуна.", [("Бегуна", "Бегун")]),
    ("На реке Об было тихо.", [("Об", "Обь")]),
    ("Семей город.", []),
    ("Он приехал в Семей.", [("Семей", "Семей")]),
]


@pytest.mark.parametrize("text, expected", TRAPS, ids=[t for t, _ in TRAPS])
def test_common_word_aliases_need_evidence(text, expected):
    index = link.compile_index(gazetteer.Gazetteer(tuple(gazetteer.Entity(*row) for row in TRAPS_SET), ()))
    assert linked(text, index) == expected


def test_ambiguous_short_name_goes_to_the_country_the_set_is_about():
    rows = [
        ("country/cn", "country", "Китайская Народная Республика", ()),
        ("country/tw", "country", "Китайская Республика", ()),
        ("org/mfa-cn", "organization", "Министерство иностранных дел Китайской Народной Республики", ()),
    ]
    derived = variants.derive([gazetteer.Entity(*r) for r in rows])
    assert derived[0].names == ("Китай",)
    assert 1 not in derived
    # without a body to say which, a name two countries could have is neither's
    derived = variants.derive([gazetteer.Entity(*r) for r in rows[:2]])
    assert derived == {}


def test_derived_names_never_take_another_entitys_name():
    rows = [
        ("country/ru", "country", "Россия", ()),
        ("org/rf", "organization", "РФ", ()),  # the set gives «РФ» to something else
        ("org/sk", "organization", "Следственный комитет Российской Федерации", ()),
    ]
    derived = variants.derive([gazetteer.Entity(*r) for r in rows])
    assert derived[0].names == ("Российская Федерация",)
