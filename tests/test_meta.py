import datetime as dt

import pytest

from normalize.meta import Meta, extract

CASES = [
    ("Бишкек, 19.09.23. /Кабар/. Министр провел встречу.", Meta(dt.date(2023, 9, 19), "Кабар", "Бишкек")),
    (
        "Флаг Пятница, 22 ноября 2024\n13 декабря 2023, 14:26\n\n13 декабря, Минск /Корр. БЕЛТА/. Текст.",
        Meta(dt.date(2023, 12, 13), "БЕЛТА", "Минск"),
    ),
    ("Текст статьи.\n\nИсточник: ria.ru\n", Meta(None, "ria.ru", None)),
    ("Сообщил начальник, передает корреспондент Tengrinews.kz. Далее.", Meta(None, "Tengrinews.kz", None)),
    ("Прибыла делегация, сообщает BNews.kz со ссылкой на пресс-службу.", Meta(None, "BNews.kz", None)),
    ("Встреча прошла, сообщает пресс-служба МВД КР.", Meta(None, None, None)),
    ("Пятница, 22 ноября 2024\nТекст без даты статьи.", Meta(None, None, None)),
    ("Опубликовано 5 марта 2024 г., 10:15\nТекст.", Meta(dt.date(2024, 3, 5), None, None)),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_metadata_table(text, expected):
    assert extract(text) == expected
