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
    # the scans start where their literal anchors first stand: a dateline, a numeric date or a
    # report phrase further on, and a report phrase after one that names a press office
    ("Текст статьи без дат.\nЕщё строка, 12.03.2021 документ подписан.", Meta(dt.date(2021, 3, 12), None, None)),
    ("Встреча прошла, сообщает пресс-служба МВД. Об этом пишет Lenta.ru.", Meta(None, "Lenta.ru", None)),
    ("Первая строка.\nАстана, 05.06.24. /Казинформ/. Текст.", Meta(dt.date(2024, 6, 5), "Казинформ", "Астана")),
    (
        "Заголовок\n5 марта, Москва — Текст. Опубликовано 5 марта 2024 г., 10:15",
        Meta(dt.date(2024, 3, 5), None, "Москва"),
    ),
    ("Текст.\nИсточник: tass.ru", Meta(None, "tass.ru", None)),
    ("Сообщение 1 мая 2023. А также 02.05.2023, 09:30 и 3 мая 2023 в 11:00.", Meta(dt.date(2023, 5, 3), None, None)),
    ("Среда, 1 мая 2024 — не дата статьи.", Meta(None, None, None)),
    ("Номер 121 мая 2024 не день.", Meta(None, None, None)),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_metadata_table(text, expected):
    assert extract(text) == expected
