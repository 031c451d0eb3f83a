"""Document metadata read from the text: publication date, source outlet, dateline place.

Read after Unicode cleaning and before boilerplate removal, since the source
footer and the timestamp line are chrome that the clean stage removes. What a
page says of itself (an HTML page's date and site name, `page.py`) beats the text. The page's
own clock (a date after a weekday, "Пятница, 22 ноября 2024") is never taken for
the publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    m: i + 1
    for i, m in enumerate("января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split())
}
_MONTH = "(?P<month>" + "|".join(MONTHS) + ")"
_WEEKDAY = r"(?:понедельник|вторник|среда|четверг|пятница|суббота|воскресенье)"
_PLACE = r"(?P<place>[А-ЯЁ][а-яё]+(?:[- ][А-ЯЁ][а-яё]+)?)"
_SLASH_SOURCE = r"/(?:(?:Корр|корр)\.\s*)?(?P<source>[^/\n]{2,30})/"

# "Бишкек, 19.09.23. /Кабар/."  and  "13 декабря, Минск /Корр. БЕЛТА/."
# The patterns read at a line start are written to start with the newline before the line and
# are searched in "\n" + text: a literal first character lets the engine skip straight to line
# starts, where (?m)^ makes it try every position of the text.
_DATELINE_PLACE_FIRST = re.compile(
    rf"\n{_PLACE},\s+(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{2,4}})\.?\s*(?:{_SLASH_SOURCE})?"
)
_DATELINE_DATE_FIRST = re.compile(
    rf"\n(?P<day>\d{{1,2}})\s+{_MONTH}(?:\s+(?P<year>\d{{4}})(?:\s*г\.?)?)?,\s+{_PLACE}\.?\s*(?:{_SLASH_SOURCE}|—|-)"
)
_PLACE_DATELINE_WORDS = re.compile(rf"\n{_PLACE}\.\s+(?P<day>\d{{1,2}})\s+{_MONTH}\.?\s+{_SLASH_SOURCE}")
# the weekday is looked for just before a date, not at every position: a leading optional
# alternation makes the scan try it everywhere (the slowest pattern of the module, 10x). The
# day starts with a bare \d, not \b\d{1,2}, so that the engine skips to digits instead of
# trying every position; the look-behind after the first digit is that \b.
_WORD_DATE = re.compile(
    rf"(?i)(?P<day>\d(?<!\w\d)\d?)\s+{_MONTH}\s+(?P<year>\d{{4}})(?P<time>(?:\s*г\.?)?,?\s+(?:в\s+)?\d{{1,2}}:\d{{2}})?"
)
_WEEKDAY_BEFORE = re.compile(rf"(?i){_WEEKDAY},?\s+$")
_NUM_DATE = re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?P<time>,?\s+\d{1,2}:\d{2})?")
# what every numeric date holds from the dot after its day on: it starts with a literal, so most
# texts (which have no numeric date) are passed over at the speed of a character search, and the
# first one found says where the dates can start
_NUM_DATE_TAIL = re.compile(r"\.\d{1,2}\.\d{4}")
_SOURCE_LINE = re.compile(r"(?mi)\n(?:источник|source)\s*:\s*(?P<source>\S[^\n]{0,60}?)\s*$")
_TLD = r"(?:ru|kz|kg|by|uz|tj|tm|am|az|md|ge|ua|cn|com|net|org|info|news|asia)"
_OUTLET = rf"(?P<source>[A-Za-z0-9][\w-]*\.{_TLD}|[A-ZА-ЯЁ][\w-]*(?:\.[a-z]{{2,4}})?|«[^»]{{2,40}}»)"
_REPORTS = re.compile(
    rf"(?:переда[её]т|сообщает|сообщил[аи]?|информирует|пишет)(?:\s+(?:корреспондент|агентство|издание|сайт|портал|телеканал))?\s+{_OUTLET}"
)
# the words a report phrase starts with: where the first of them stands is where the scan begins
_REPORT_STARTS = ("переда", "сообщ", "информирует", "пишет")
_MEDIA_WORDS = re.compile(r"^(?:пресс-служб|МВД|ведомств|министерств|управлени|департамент)", re.I)


@dataclass(frozen=True)
class Meta:
    published: dt.date | None = None
    source: str | None = None
    place: str | None = None


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if n < 100 else n


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _article_dates(text: str) -> list[tuple[int, dt.date]]:
    """Full dates in the text with a rank: timestamps first, page clocks never."""
    found: list[tuple[int, dt.date]] = []
    for m in _WORD_DATE.finditer(text):
        if _WEEKDAY_BEFORE.search(text, max(0, m.start() - 24), m.start()):
            continue  # the page's clock, not the article's date
        d = _date(int(m.group("year")), MONTHS[m.group("month").lower()], int(m.group("day")))
        if d:
            found.append((0 if m.group("time") else 1, d))
    tail = _NUM_DATE_TAIL.search(text)
    if tail:
        # no numeric date starts before the day (one or two digits) of the first dot-date tail
        for m in _NUM_DATE.finditer(text, max(0, tail.start() - 2)):
            d = _date(_year(m.group("y")), int(m.group("m")), int(m.group("d")))
            if d:
                found.append((0 if m.group("time") else 2, d))
    return found


def _reported_source(text: str) -> str | None:
    """The outlet of the first report phrase ("сообщает BNews.kz") that names no ministry or press office.

    The phrase is tried only where one of the words it starts with stands: those are found by
    substring search, where scanning the pattern over the text tries it at every «п», «с», «и».
    """
    # where each start word next stands at or after `pos` (-1: nowhere)
    next_at = [text.find(w) for w in _REPORT_STARTS]
    pos = 0
    while True:
        for i, at in enumerate(next_at):
            if 0 <= at < pos:
                next_at[i] = text.find(_REPORT_STARTS[i], pos)
        candidates = [at for at in next_at if at >= 0]
        if not candidates:
            return None
        start = min(candidates)
        m = _REPORTS.match(text, start)
        if m is None:
            pos = start + 1
            continue
        name = m.group("source").strip("«»")
        if not _MEDIA_WORDS.match(name):
            return name
        pos = m.end()


def extract(text: str, page: Meta | None = None) -> Meta:
    """Read published, source and place from an article's text (any may be None).

    `page`: what the document's page says of itself (an HTML page's date and site name);
    each field it gives beats the guess from the text."""
    found = _from_text(text)
    if page is None:
        return found
    return Meta(page.published or found.published, page.source or found.source, page.place or found.place)


def _from_text(text: str) -> Meta:
    head = text[:5000]
    published: dt.date | None = None
    source: str | None = None
    place: str | None = None
    dates = _article_dates(head)
    lines = "\n" + head  # the line patterns start with the newline before a line

    m = _DATELINE_PLACE_FIRST.search(lines)
    if m:
        place = m.group("place")
        published = _date(_year(m.group("y")), int(m.group("m")), int(m.group("d")))
        source = m.group("source")
    else:
        m = _DATELINE_DATE_FIRST.search(lines) or _PLACE_DATELINE_WORDS.search(lines)
        if m:
            place = m.group("place")
            source = m.group("source")
            day, month = int(m.group("day")), MONTHS[m.group("month").lower()]
            year = m.groupdict().get("year")
            if year:
                published = _date(int(year), month, day)
            else:
                # a dateline without a year takes it from the article's own full date of that day
                same_day = [d for _, d in sorted(dates, key=lambda p: p[0]) if (d.month, d.day) == (month, day)]
                published = same_day[0] if same_day else None
    if published is None and dates:
        published = min(dates, key=lambda p: p[0])[1]

    line = _SOURCE_LINE.search("\n" + text)
    if line:
        source = line.group("source")
    if source is None:
        source = _reported_source(text)
    return Meta(published, source.strip() if source else None, place)
