"""HTML pages: the article of a saved page (menus, share widgets, comment forms and
related-article lists left out), its title, and the page's own date and site name,
which beat what the text suggests. The pages in tests/fixtures/html are written for
these tests in the shapes of news sites; none is copied from a site."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import FIXTURES

from normalize import decode, meta, page, pipeline, read
from normalize.cli import main

PAGES = FIXTURES / "html"
D = dt.date

# file → (doc_id, published, source, place, title (the first line), a sentence of the article)
EXPECTED = {
    "kg_border_portal.html": (
        "kg_border_portal",
        D(2024, 3, 14),  # article:published_time; the text's only full date is 2 February 2023
        "Вестник Ала-Тоо",  # og:site_name
        None,
        "МВД Киргизии и Казахстана договорились о совместных рейдах на границе",
        "курсанты академии МВД Киргизии пройдут стажировку в Алматы.",
    ),
    "by_security_cp1251.htm": (
        "by_security_cp1251",
        D(2023, 12, 13),  # JSON-LD datePublished; the text's only full date is 5 October 2023
        "Полесье-Новости",  # JSON-LD publisher
        "Минск",  # the dateline, from the text
        "Белоруссия и Китай проведут совместные учения полиции",
        "Учения пройдут на полигоне под Минском.",
    ),
    "kz_no_metadata.html": (
        "kz_no_metadata",
        D(2024, 11, 22),  # no date in the markup: the text's timestamp line
        None,
        None,
        "В Астане обсудили борьбу с киберпреступностью",
        "Следующее совещание намечено на весну в Ташкенте.",
    ),
}
# the chrome around the articles: none of it is text
CHROME = [
    "Поделиться",
    "Читайте также",
    "Комментари",
    "Отправить",
    "Главная",
    "Войти",
    "USD",
    "Бишкек +12",
    "Подпишитесь",
    "Самое читаемое",
    "Другие новости",
    "Обсуждение",
    "Давно пора",
    "©",
    "Реклама",
    "cookie",
    "Версия для печати",
    "Теги",
    "Четверг, 21 марта",
    "Курс доллара",
]


@pytest.fixture(scope="module")
def tables() -> pipeline.Tables:
    return pipeline.process(read.read(PAGES), [FIXTURES / "mini.yaml"], bundled=False)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_page_gives_its_article_title_date_and_site(tables, name):
    doc_id, published, source, place, title, sentence = EXPECTED[name]
    row = tables.documents.filter(pl.col("doc_id") == doc_id).to_dicts()
    assert len(row) == 1, tables.rejects.to_dicts()
    doc = row[0]
    assert (doc["published"], doc["source"], doc["place"]) == (published, source, place)
    assert doc["text"].split("\n")[0] == title and sentence in doc["text"]
    assert [c for c in CHROME if c in doc["text"]] == []
    assert doc["sha256"] == hashlib.sha256((PAGES / name).read_bytes()).hexdigest()  # of the page's bytes
    assert doc["encoding"] == ("cp1251" if "cp1251" in name else "utf-8")


def test_the_pages_are_linked_like_any_text(tables):
    mentions = tables.mentions.filter(pl.col("doc_id") == "by_security_cp1251")
    assert {"country/by", "city/minsk"} <= set(mentions["entity_id"])
    docs = {d: t for d, t in tables.documents.select("doc_id", "text").iter_rows()}
    for m in tables.mentions.iter_rows(named=True):
        assert docs[m["doc_id"]][m["start"] : m["end"]] == m["text"]


# meta.extract: what the page says of itself beats the text; the dateline place stays the text's
TEXT = "Бишкек, 19.09.23. /Кабар/. Министр провел встречу 2 февраля 2023 года."
HINTS = [
    (None, meta.Meta(D(2023, 9, 19), "Кабар", "Бишкек")),
    (meta.Meta(D(2024, 1, 2)), meta.Meta(D(2024, 1, 2), "Кабар", "Бишкек")),
    (meta.Meta(None, "Вестник"), meta.Meta(D(2023, 9, 19), "Вестник", "Бишкек")),
    (meta.Meta(D(2024, 1, 2), "Вестник"), meta.Meta(D(2024, 1, 2), "Вестник", "Бишкек")),
    (meta.Meta(), meta.Meta(D(2023, 9, 19), "Кабар", "Бишкек")),
]


@pytest.mark.parametrize(("hint", "expected"), HINTS)
def test_the_page_s_own_date_and_site_beat_the_text(hint, expected):
    assert meta.extract(TEXT, hint) == expected


def _page_bytes(declared: str | None, encoding: str) -> bytes:
    markup = (PAGES / "kg_border_portal.html").read_text(encoding="utf-8")
    head = '<meta charset="utf-8">'
    markup = markup.replace(head, f'<meta charset="{declared}">' if declared else "")
    return markup.encode(encoding, errors="xmlcharrefreplace")  # as a site writes what its charset lacks


# (declared charset, real encoding) → the encoding decode_html settles on
CHARSETS = [
    ("utf-8", "utf-8", "utf-8"),
    ("windows-1251", "cp1251", "cp1251"),
    ("koi8-r", "koi8-r", "koi8-r"),
    (None, "cp1251", "cp1251"),  # nothing declared: detected
    ("utf-8", "cp1251", "cp1251"),  # declared UTF-8 but the bytes are not: detected
    ("windows-1252", "cp1251", "cp1251"),  # a wrong single-byte declaration: the Russian reading wins
]


@pytest.mark.parametrize(("declared", "real", "expected"), CHARSETS)
def test_a_page_is_decoded_by_its_declared_charset_when_its_bytes_agree(declared, real, expected):
    decoded = decode.decode_html(_page_bytes(declared, real))
    assert decoded.encoding == expected
    assert "договорились о совместных рейдах" in decoded.text
    out = decode.decode_input(_page_bytes(declared, real), None, "html")
    assert out.page == meta.Meta(D(2024, 3, 14), "Вестник Ала-Тоо")
    assert out.text.startswith("МВД Киргизии и Казахстана договорились")


def test_html_columns_of_tables_are_pages_too(tmp_path, tables):
    markup = (PAGES / "kg_border_portal.html").read_text(encoding="utf-8")
    (tmp_path / "pages.jsonl").write_text(
        json.dumps({"id": "j1", "html": markup, "lang": "ru"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    pl.DataFrame({"id": ["c1"], "html": [markup]}).write_csv(tmp_path / "pages.csv")
    pl.DataFrame({"doc_id": ["p1"], "html": [markup]}).write_parquet(tmp_path / "pages.parquet")
    # a row with both: its text is the document, as before; with an empty text, its page
    both = pl.DataFrame({"doc_id": ["t1", "e1"], "text": ["Готовый текст.", " "], "html": [markup, markup]})
    both.write_parquet(tmp_path / "both.parquet")
    got = pipeline.process(read.read(tmp_path), [FIXTURES / "mini.yaml"], bundled=False)
    expected = tables.documents.filter(pl.col("doc_id") == "kg_border_portal").row(0, named=True)
    docs = {d["doc_id"]: d for d in got.documents.to_dicts()}
    assert sorted(docs) == ["c1", "e1", "j1", "p1", "t1"]
    for doc_id in ("c1", "e1", "j1", "p1"):
        doc = docs[doc_id]
        assert (doc["text"], doc["published"], doc["source"]) == (
            expected["text"],
            expected["published"],
            expected["source"],
        )
    assert json.loads(docs["j1"]["meta"]) == {"lang": "ru"}  # the page itself is not metadata
    assert docs["t1"]["text"] == "Готовый текст." and "html" in json.loads(docs["t1"]["meta"])


# pages that give no document: one reject each, naming the problem
BAD_PAGES = [
    (b"<html><head><title>Menu</title></head><body></body></html>", "HTML page with no article text"),
    (b"", "HTML page with no article text"),
    (b"\x00\x01\x02\x03" * 100, "binary content"),
]


@pytest.mark.parametrize(("data", "reason"), BAD_PAGES, ids=["menu-only", "empty", "binary"])
def test_a_page_without_an_article_is_a_reject(tmp_path, data, reason):
    (tmp_path / "bad.html").write_bytes(data)
    got = pipeline.process(read.read(tmp_path), [FIXTURES / "mini.yaml"], bundled=False)
    assert got.documents.height == 0
    (rej,) = got.rejects.to_dicts()
    assert rej["doc_id"] == "bad" and rej["stage"] == "decode" and rej["reason"].startswith(reason)


def test_page_extract_direct():
    got = page.extract((PAGES / "kz_no_metadata.html").read_text(encoding="utf-8"))
    assert (got.title, got.published, got.site) == ("В Астане обсудили борьбу с киберпреступностью", None, None)
    with pytest.raises(page.PageError):
        page.extract("<html><body><script>var x = 1;</script></body></html>")


def test_the_command_reads_a_folder_of_pages(tmp_path, capsys):
    corpus = tmp_path / "site"
    shutil.copytree(PAGES, corpus)
    out = tmp_path / "out"
    assert main([str(corpus), str(out), "-g", str(FIXTURES / "mini.yaml"), "--no-bundled", "--quiet", "-j", "1"]) == 0
    docs = pl.read_parquet(out / "documents.parquet")
    assert sorted(docs["doc_id"]) == sorted(v[0] for v in EXPECTED.values())
    assert Path(docs["source_path"][0]).suffix in (".html", ".htm")
