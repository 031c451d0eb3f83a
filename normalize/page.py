"""HTML pages: the article's main text, title, publication date and site name, by trafilatura.

Scrapers save whole pages: menus, share widgets, comment forms and related-article
lists around one article. trafilatura finds the article and reads the page's own
metadata (`<meta property="article:published_time">`, JSON-LD `datePublished` and
`publisher`, `og:site_name`, `<title>`); its text then goes through the same cleaning
as any other document. The date is read from the page's markup only, never guessed
from its free text, so that `meta.extract` can tell the page's date (which wins) from
a guess made in the text.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

# trafilatura and htmldate log every page they cannot parse; the pipeline reports those
# pages as rejects, so the logs would only repeat the rejects on stderr, mid progress bar
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

# what trafilatura is asked for, and why
_OPTIONS = {
    "with_metadata": True,
    "include_comments": False,  # readers' comments are not the article
    # old sites lay pages out in tables: with tables on, the menu and widget cells of the layout
    # come out as `| … |` rows around the article
    "include_tables": False,
    # the date from the markup only (meta tags, JSON-LD, <time>), the original one, not the last edit
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}


class PageError(ValueError):
    """A page with no article text."""


@dataclass(frozen=True)
class Page:
    """What a page gives: its text (the title as the first paragraph) and its own metadata."""

    text: str
    title: str | None = None
    published: dt.date | None = None
    site: str | None = None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def extract(markup: str) -> Page:
    """The article of one decoded HTML page; PageError when the page holds no article text."""
    import trafilatura  # only when a page is met: its import is not paid by runs over text

    try:
        doc = trafilatura.bare_extraction(markup, **_OPTIONS)
    except (ValueError, TypeError, AttributeError, LookupError) as exc:  # markup lxml cannot take
        raise PageError(f"HTML page not parsed ({exc.__class__.__name__}: {str(exc)[:80]})") from None
    body = (doc.text or "").strip() if doc is not None else ""
    if not body:
        raise PageError("HTML page with no article text")
    title = (doc.title or "").strip() or None
    # the headline leads the article, as in a saved text; trafilatura keeps it in the body when
    # the page sets it inside the article
    text = body if title is None or body.startswith(title) else f"{title}\n\n{body}"
    return Page(text, title, _date(doc.date), (doc.sitename or "").strip() or None)
