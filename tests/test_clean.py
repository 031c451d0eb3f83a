import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize import clean
from normalize.clean import clean_text

CASES = [
    # (input, expected) — one phenomenon each
    ("Строка\u00a0с\u00a0пробелами", "Строка с пробелами"),
    ("со\u00adкра\u00adще\u00adние", "сокращение"),
    ("ну\u200bль", "нуль"),
    ("“Кавычки” и „лапки“", "«Кавычки» и «лапки»"),
    ("тире – здесь", "тире — здесь"),
    ("й", "й"),  # NFC: и + combining breve
    ("Строка.\r\nВторая", "Строка.\nВторая"),
    ("много    пробелов", "много пробелов"),
    ("абзац\n\n\n\nабзац два", "абзац\n\nабзац два"),
    (
        "разработать более расширенный план\nсотрудничества между нами.",
        "разработать более расширенный план сотрудничества между нами.",
    ),
    (
        "Первое предложение закончено.\nВторое начинается с заглавной.",
        "Первое предложение закончено.\nВторое начинается с заглавной.",
    ),
]


@pytest.mark.parametrize("raw, expected", CASES)
def test_cleaning_table(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize("raw, expected", CASES[:6])
def test_a_name_is_written_as_the_cleaner_writes_text(raw, expected):
    """`as_cleaned`: the Unicode step of cleaning, for a gazetteer's names (their keys are looked for in clean text)."""
    assert clean.as_cleaned(raw) == expected


BODY = "Министр внутренних дел провел встречу с коллегами из соседних стран в столице."


@pytest.mark.parametrize(
    "chrome",
    [
        "ПОДЕЛИТЬСЯ",
        "Оставьте ответ",
        "Ваш электронный адрес не будет опубликован.",
        "семнадцать − 7 =",
        "Комментарии",
        "Оставить комментарий",
        "Читайте также",
        "Join Telegram",
        "Курс валют",
        "Погода",
        "Источник: ria.ru",
        "0 3",
        "Фото Рамиля Насибулина",
        "Флаг Пятница, 22 ноября 2024",
    ],
)
def test_boilerplate_lines_are_removed(chrome):
    assert (
        clean_text(f"{BODY}\n{chrome}\n{BODY.replace('столице', 'городе')}")
        == f"{BODY}\n{BODY.replace('столице', 'городе')}"
    )


def test_footer_widgets_are_removed():
    text = f"{BODY}\nTengrinews\nПогода\nА\nАлматы -10\nАстана -12\nРедакция Реклама"
    assert clean_text(text) == BODY


def test_related_headlines_under_read_also_go_too():
    headline = "В Астане наградили лучших участковых инспекторов полиции"
    text = f"{BODY}\nЧитайте также\n{headline}\n\nДругой абзац текста статьи здесь."
    assert clean_text(text) == f"{BODY}\n\nДругой абзац текста статьи здесь."


def test_inline_chrome():
    assert (
        clean_text("Заголовок статьи о сотрудничестве МВД Фото ©Имя Фамилия") == "Заголовок статьи о сотрудничестве МВД"
    )
    assert clean_text(f"{BODY}-0-") == BODY
    assert clean_text(f"Перейти в медиабанкФлаг страны. Архивное фото {BODY}") == BODY


def test_repeated_title_and_body_kept_once():
    title = "МВД стран союза работают над созданием общей полиции"
    text = f"{title}\n\n{title}\n\n{BODY}\nПОДЕЛИТЬСЯ\n{BODY}"
    assert clean_text(text) == f"{title}\n\n{BODY}"


def test_repeated_lines_that_end_the_text_are_dropped_together():
    a, b = "Первая строка довольно длинная для ключа.", "Вторая строка тоже длинная для ключа повтора."
    assert clean_text(f"{a}\n{b}\n{a}\n{b}") == f"{a}\n{b}"


def test_short_repeats_are_kept():
    assert clean_text("Да.\nДа.") == "Да.\nДа."


def test_cleaning_is_idempotent_on_a_seed_like_page():
    page = f"ГОСОРГАНЫ\nВсе новости\n{BODY}\n{BODY}\nПогода\nМинск -2"
    once = clean_text(page)
    assert clean_text(once) == once


# --- fast scans agree with the plain patterns they replace ------------------------------
# The steps scan from a literal (a space, a line break) because that is many times faster
# than a pattern that opens with a look-behind; these are the look-behind forms, as the spec.

_SPEC_BROKEN = re.compile(r"(?<=[\w,;])(-?)[ \t]*\n[ \t]*(?=[a-zа-яё])")
_SPEC_SPACES = re.compile(r"(?<=\S)( ){2,}(?=\S)|^ +| +$", re.M)
_ALPHABET = st.sampled_from(list("аБя zZ1_,;.-\t\n\u00a0ё»"))
_TEXTS = st.lists(_ALPHABET, max_size=60).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TEXTS)
def test_broken_lines_match_their_spec_pattern(text):
    spec = [(m.start(), m.end(), "" if m.group(1) else " ") for m in _SPEC_BROKEN.finditer(text)]
    assert [(c.start, c.end, c.text) for c in clean.broken_lines(text)] == spec


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TEXTS)
def test_spaces_match_their_spec_pattern(text):
    spec = [(m.start(), m.end(), " " if m.group(1) else "") for m in _SPEC_SPACES.finditer(text)]
    assert [(c.start, c.end, c.text) for c in clean.spaces(text)] == spec


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.sampled_from(
            [
                "Поделиться",
                "Фото: ТАСС",
                "курс валют",
                "Текст статьи здесь.",
                "\n",
                " ",
                "Перейти в медиабанк",
                " Фото © РИА",
                "-0-",
                "Читайте также:",
                "12:30",
                "Москва облачно +5 °C",
                "два + три = ?",
                "Новости",
                "\t ",
                "--0--",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_boilerplate_prefilters_change_nothing(text):
    cat = clean.default_boilerplate()
    slow = clean.Boilerplate(cat.lines, cat.inline, cat.edge)  # every pattern tried on every line
    assert clean.boilerplate(text, cat) == clean.boilerplate(text, slow)


def test_boilerplate_line_scan_is_left_out_for_patterns_that_read_past_the_line(tmp_path):
    # a negative look-ahead or an anchor may fail in the whole text where it holds in the line alone
    (tmp_path / "b.yaml").write_text(
        "lines:\n  - id: lone\n    pattern: 'меню(?!.)'\n  - id: end\n    pattern: 'конец$'\n", encoding="utf-8"
    )
    cat = clean.load_boilerplate(tmp_path / "b.yaml")
    assert cat.line_scan is None
    text = "Текст статьи здесь, длинный.\n меню \nконец\nЕщё текст статьи, тоже длинный."
    assert [c.step for c in clean.boilerplate(text, cat)] == ["clean/boilerplate/lone", "clean/boilerplate/end"]
    assert clean.default_boilerplate().line_scan is not None
