"""Clean a decoded article: Unicode, site boilerplate, repeats, broken lines, whitespace.

Each step is a function from the current text to a list of `Change`s, applied as one
pass of a `TracedText`, so every removal is an edit with its step name and every
later offset maps back to the raw text. The boilerplate catalogue is data
(`data/boilerplate.yaml`), not code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from normalize.trace import Change, TracedText

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\v\f"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
# typographic variants folded to one spelling each; « » and — are the Russian norm
_CHAR_MAP = {
    **{ch: " " for ch in _SPACES},
    **{ch: "" for ch in _INVISIBLE},
    "\u2033": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u2032": "'",
    "\u2013": "—",  # en dash
    "\u2012": "—",  # figure dash
    "\u2015": "—",  # horizontal bar
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2026": "...",
}
_CHAR_RE = re.compile("[" + re.escape("".join(_CHAR_MAP)) + "]+")
# curly double quotes: « where a quote opens (after a space or a bracket), » where it closes
_QUOTES = "\u201c\u201d\u201e\u201f"
_QUOTE_RE = re.compile(f"[{_QUOTES}]")
_COMBINING_RE = re.compile(r".[\u0300-\u036f\u0483-\u0489]+", re.S)
# any character either of the above replaces: where the first stands, both scans begin
_UNICODE_RE = re.compile("[" + re.escape("".join(_CHAR_MAP) + _QUOTES) + "]")


@dataclass(frozen=True)
class Pattern:
    id: str
    regex: re.Pattern[str]
    max_words: int | None = None
    block: bool = False

    def matches_line(self, line: str) -> bool:
        if self.max_words is not None and len(line.split()) > self.max_words:
            return False
        return self.regex.fullmatch(line) is not None


@dataclass(frozen=True)
class Boilerplate:
    lines: tuple[Pattern, ...]
    inline: tuple[Pattern, ...]
    edge: tuple[Pattern, ...]
    # all line patterns as one alternation: a line that fails it (most lines of an article are
    # prose) is not tried pattern by pattern; None tries every pattern
    any_line: re.Pattern[str] | None = None
    # the inline patterns without their leading spaces, run over the whole text: only the lines
    # they touch are scanned line by line
    inline_scan: tuple[re.Pattern[str], ...] = ()
    # `any_line` at every line start in one pass over "\n" + text (see `_line_scan`): only the
    # lines it finds are looked at one by one; None looks at every line
    line_scan: re.Pattern[str] | None = None


_LEADING_FLAGS = re.compile(r"^\(\?([imsx]+)\)")
_LEADING_SPACE = re.compile(r"^\\s[*+]")
# what may fail in the whole text where it holds in a line alone: anchors, and negative look-arounds,
# which may see past the line's end (a conservative test: an escaped «$» or «^» counts too).
# \b and positive look-arounds hold in both: the line's stripped edges meet spaces or line ends.
_CONTEXT_SENSITIVE = re.compile(r"\(\?<?!|\\[AZ]|\$|(?<!\[)\^")


def _scoped(pattern: str) -> str:
    """A pattern's leading global flags («(?i)…») made local («(?i:…)»), so it can be one alternative."""
    m = _LEADING_FLAGS.match(pattern)
    return f"(?{m.group(1)}:{pattern[m.end() :]})" if m else f"(?:{pattern})"


def _line_scan(any_line: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern that finds, in "\n" + text, the newline before every line that `any_line` may fit.

    A line that `any_line` fits once stripped has a match of it in the text that starts after the
    line's leading spaces, when the patterns hold nothing that reads the text around the line; a
    scan that opens with a literal newline skips straight from line to line. It finds more lines
    than fit (a match may run on past the line's end); those are then tried line by line.
    """
    if _CONTEXT_SENSITIVE.search(any_line.pattern):
        return None
    # (?=\S): tried only where the line's text starts, so blank lines are never found
    return re.compile(rf"\n(?=[^\S\n]*(?=\S)(?:{any_line.pattern}))")


def load_boilerplate(path: Path | None = None) -> Boilerplate:
    """Read a boilerplate catalogue (the bundled one by default)."""
    path = path or Path(__file__).with_name("data") / "boilerplate.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def patterns(key: str, flags: int = 0) -> tuple[Pattern, ...]:
        return tuple(
            Pattern(p["id"], re.compile(p["pattern"], flags), p.get("max_words"), bool(p.get("block")))
            for p in data.get(key) or ()
        )

    lines, inline = patterns("lines"), patterns("inline", re.M)
    any_line = re.compile("|".join(_scoped(p.regex.pattern) for p in lines)) if lines else None
    # without the leading \s* a match starts later but is still found: the scan only has to
    # find every line that holds a match, and a leading \s* makes it try every position
    scan = tuple(re.compile(_LEADING_SPACE.sub("", p.regex.pattern), re.M) for p in inline)
    line_scan = _line_scan(any_line) if any_line is not None else None
    return Boilerplate(lines, inline, patterns("edge"), any_line, scan, line_scan)


@lru_cache(maxsize=1)
def default_boilerplate() -> Boilerplate:
    return load_boilerplate()


def iter_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line, end excluding the newline."""
    start = 0
    n = len(text)
    while start <= n:
        end = text.find("\n", start)
        if end < 0:
            end = n
        yield start, end
        start = end + 1


def _drop_line(text: str, start: int, end: int, step: str) -> Change:
    """Remove a whole line with its newline, so no blank hole is left."""
    if end < len(text):
        return Change(start, end + 1, "", step)
    return Change(max(0, start - 1) if start > 0 else start, end, "", step)


# --- steps -------------------------------------------------------------------------


_NEWLINES_RE = re.compile(r"\r\n?|\u2028|\u2029|\x85")


def newlines(text: str) -> list[Change]:
    # most texts have none: four substring searches cost less than one regex scan
    if "\r" not in text and "\u2028" not in text and "\u2029" not in text and "\x85" not in text:
        return []
    return [Change(m.start(), m.end(), "\n", "clean/newlines") for m in _NEWLINES_RE.finditer(text)]


def unicode_forms(text: str) -> list[Change]:
    """NFC, invisible characters, exotic spaces, quotes and dashes."""
    first = _UNICODE_RE.search(text)
    begin = first.start() if first else len(text)
    changes = [
        Change(m.start(), m.end(), "".join(_CHAR_MAP[c] for c in m.group()), "clean/unicode")
        for m in _CHAR_RE.finditer(text, begin)
    ]
    for m in _QUOTE_RE.finditer(text, begin):
        before = text[m.start() - 1] if m.start() else " "
        opening = m.group() == "\u201e" or before.isspace() or before in "([{—-«"
        changes.append(Change(m.start(), m.end(), "«" if opening else "»", "clean/unicode"))
    if not unicodedata.is_normalized("NFC", text):
        taken = {(c.start, c.end) for c in changes}
        for m in _COMBINING_RE.finditer(text):
            nfc = unicodedata.normalize("NFC", m.group())
            if nfc != m.group() and not any(s < m.end() and m.start() < e for s, e in taken):
                changes.append(Change(m.start(), m.end(), nfc, "clean/unicode"))
    return changes


def as_cleaned(text: str) -> str:
    """A short text as `unicode_forms` leaves it: a gazetteer's name in the alphabet of the cleaned texts it is
    looked for in («Victoria’s Secret» → «Victoria's Secret», a no-break hyphen → «-», a no-break space → « »)."""
    if _UNICODE_RE.search(text) is None and unicodedata.is_normalized("NFC", text):
        return text
    out, pos = [], 0
    for c in sorted(unicode_forms(text), key=lambda c: c.start):
        out += [text[pos : c.start], c.text]
        pos = c.end
    return "".join(out) + text[pos:]


def _is_prose(line: str) -> bool:
    words = line.split()
    if len(words) >= 5:
        return True
    return len(words) >= 3 and line.rstrip()[-1:] in '.!?…»"'


def _is_headline(line: str) -> bool:
    """A line that reads like a linked headline: short, with no closing punctuation."""
    return len(line) <= 200 and line[-1:] not in ".!?…:;,"


def boilerplate(text: str, catalogue: Boilerplate | None = None) -> list[Change]:
    """Site chrome: whole lines anywhere, fragments inside lines, navigation at the edges."""
    cat = catalogue or default_boilerplate()
    changes: list[Change] = []
    # what is left of each line looked at: its text once inline chrome is out, or None when the
    # whole line went; a line not in it is kept as it stands
    done: dict[int, str | None] = {}
    # the lines that need a look: those a line pattern may fit or an inline pattern touches, and
    # (found as the loop goes) the lines under a block pattern; None: every line. Most lines of
    # an article are prose that nothing touches, and are passed over without Python work.
    todo = _lines_to_look_at(text, cat)
    n = len(text)
    block: Pattern | None = None
    k = 0
    start: int | None = 0 if todo is None else (todo[0] if todo else None)
    while start is not None:
        end = text.find("\n", start)
        if end < 0:
            end = n
        block = _boilerplate_line(text, start, end, cat, block, changes, done)
        nxt = end + 1 if end < n else None
        if todo is None or block is not None:
            start = nxt  # a block goes on to the next line, whatever it holds
            continue
        while k < len(todo) and todo[k] <= start:
            k += 1
        start = todo[k] if k < len(todo) else None
    _edges(text, cat, changes, done)
    return _without_overlaps(changes)


def _lines_to_look_at(text: str, cat: Boilerplate) -> list[int] | None:
    """Sorted starts of the lines a line pattern may fit or an inline pattern touches; None: all."""
    if cat.lines and cat.line_scan is None:
        return None
    if cat.inline and not cat.inline_scan:
        return None
    starts = _touched_lines(text, cat.inline_scan) if cat.inline_scan else set()
    if cat.line_scan is not None:
        # a match at i in "\n" + text is the newline before the line that starts at i in text
        starts.update(m.start() for m in cat.line_scan.finditer("\n" + text))
    return sorted(starts)


def _boilerplate_line(
    text: str,
    start: int,
    end: int,
    cat: Boilerplate,
    block: Pattern | None,
    changes: list[Change],
    done: dict[int, str | None],
) -> Pattern | None:
    """Look at one line: drop it, or take inline chrome out of it. Returns the block still open."""
    line = text[start:end].strip()
    if not line:
        return None
    hit = None
    if cat.any_line is None or cat.any_line.fullmatch(line):
        hit = next((p for p in cat.lines if p.matches_line(line)), None)
    if hit is None and block is not None and _is_headline(line):
        hit = block
    if hit is not None:
        changes.append(_drop_line(text, start, end, f"clean/boilerplate/{hit.id}"))
        done[start] = None
        return hit if hit.block else block
    inline_hits = []
    for p in cat.inline:
        inline_hits.extend(
            (m.start(), m.end(), p.id) for m in p.regex.finditer(text, start, end) if m.end() > m.start()
        )
    if not inline_hits:
        return None
    inline_hits.sort()
    rest = text[start:end]
    last = start
    first_change = len(changes)
    for s, e, pid in inline_hits:
        if s < last:
            continue
        changes.append(Change(s, e, "", f"clean/boilerplate/{pid}"))
        rest = rest.replace(text[s:e], "", 1)
        last = e
    if not rest.strip():
        # the line was all chrome: drop its newline too
        del changes[first_change:]
        changes.append(_drop_line(text, start, end, f"clean/boilerplate/{inline_hits[0][2]}"))
        done[start] = None
        return None
    done[start] = rest.strip()
    return None


def _edges(text: str, cat: Boilerplate, changes: list[Change], done: dict[int, str | None]) -> None:
    """Drop the edge-pattern lines of the page's header and footer: before the first prose line, after the last."""

    def kept(starts: Iterator[int]) -> Iterator[tuple[int, int, str]]:
        for start in starts:
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            if start not in done:
                yield start, end, text[start:end].strip()
            elif (line := done[start]) is not None:
                yield start, end, line

    header: list[tuple[int, int, str]] = []
    for start, end, line in kept(_line_starts(text)):
        if _is_prose(line):
            first_prose = start
            break
        header.append((start, end, line))
    else:
        return  # no prose: no edges either
    footer: list[tuple[int, int, str]] = []
    for start, end, line in kept(_line_starts_backwards(text)):
        if start == first_prose or _is_prose(line):
            break
        footer.append((start, end, line))
    for start, end, line in header + footer[::-1]:
        if not line:
            continue
        hit = next((p for p in cat.edge if p.matches_line(line)), None)
        if hit is not None:
            changes.append(_drop_line(text, start, end, f"clean/boilerplate/{hit.id}"))


def _line_starts(text: str) -> Iterator[int]:
    start = 0
    while True:
        yield start
        end = text.find("\n", start)
        if end < 0:
            return
        start = end + 1


def _line_starts_backwards(text: str) -> Iterator[int]:
    end = len(text)
    while True:
        start = text.rfind("\n", 0, end) + 1
        yield start
        if start == 0:
            return
        end = start - 1


def _touched_lines(text: str, scans: tuple[re.Pattern[str], ...]) -> set[int]:
    """Start offsets of the lines that hold (part of) a match of any of the scans."""
    touched: set[int] = set()
    for scan in scans:
        for m in scan.finditer(text):
            touched.add(text.rfind("\n", 0, m.start()) + 1)
            pos = text.find("\n", m.start(), m.end())
            while pos >= 0:  # a match that runs over line ends touches the lines after them
                touched.add(pos + 1)
                pos = text.find("\n", pos + 1, m.end())
    return touched


def _without_overlaps(changes: list[Change]) -> list[Change]:
    out: list[Change] = []
    end = -1
    for c in sorted(changes, key=lambda c: (c.start, -c.end)):
        if c.start >= end or (c.start == c.end == end):
            out.append(c)
            end = max(end, c.end)
        elif c.end > end and out and not c.text and not out[-1].text:
            # a line drop next to an inline removal: widen the earlier change
            prev = out[-1]
            out[-1] = Change(prev.start, c.end, "", prev.step)
            end = c.end
    return out


_KEY_RE = re.compile(r"[\W_]+")


def _key(line: str) -> str:
    return _KEY_RE.sub(" ", line.lower()).strip()


def repeats(text: str, min_chars: int = 20, substring_limit: int = 500_000) -> list[Change]:
    """A line (title, paragraph) seen before in the document is removed.

    Long lines are also removed when they are contained in what was kept so far,
    which catches a body printed again with other line breaks.
    """
    changes: list[Change] = []
    seen: set[str] = set()
    so_far = ""
    check_substrings = len(text) <= substring_limit
    for start, end in iter_lines(text):
        if end - start < min_chars:  # a key is never longer than its line
            continue
        key = _key(text[start:end])
        if len(key) < min_chars:
            continue
        if key in seen or (check_substrings and len(key) >= 200 and key in so_far):
            changes.append(_drop_line(text, start, end, "clean/repeat"))
            continue
        seen.add(key)
        so_far += " " + key
    # a repeated last line takes the newline before it, which the repeated line before it took
    # with itself: the two drops are one
    return _without_overlaps(changes)


# a line break that a lowercase word follows; what stands before it is read backwards, since a
# pattern that starts at the break (a literal) scans a text many times faster than one that
# starts with a look-behind
_BREAK_RE = re.compile(r"\n[ \t]*(?=[a-zа-яё])")


def _joins(ch: str) -> bool:
    return ch.isalnum() or ch in "_,;"  # \w , ;


def broken_lines(text: str) -> list[Change]:
    """Join a line broken inside a sentence: the next line goes on in lowercase."""
    changes = []
    for m in _BREAK_RE.finditer(text):
        start = m.start()
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        # a hyphen at the break is a word split ("сотруд-\nничество"): joined without a space
        if start > 1 and text[start - 1] == "-" and _joins(text[start - 2]):
            changes.append(Change(start - 1, m.end(), "", "clean/broken-line"))
        elif start > 0 and _joins(text[start - 1]):
            changes.append(Change(start, m.end(), " ", "clean/broken-line"))
    return changes


# runs of two or more spaces between words, spaces at a line's start or end; written to start
# with a literal space, which the regex engine finds fast
_SPACES_RE = re.compile(r" (?:(?<=\S )( )+(?=\S)|(?<=^ ) *| *$)", re.M)


def spaces(text: str) -> list[Change]:
    """Runs of spaces inside lines and spaces at line ends."""
    # every match holds two spaces, or a space at a line's edge: most texts have neither, and the
    # regex tries its alternatives at every space
    if "  " not in text and " \n" not in text and "\n " not in text and text[:1] != " " and text[-1:] != " ":
        return []
    return [
        Change(m.start(), m.end(), " " if m.group(1) else "", "clean/whitespace") for m in _SPACES_RE.finditer(text)
    ]


_BLANKS_RE = re.compile(r"\n{3,}")


def blank_lines(text: str) -> list[Change]:
    """Blank-line runs folded to one blank line; the document's edges trimmed."""
    body_start = len(text) - len(text.lstrip())
    body_end = len(text.rstrip())
    if body_start >= body_end:
        return [Change(0, len(text), "", "clean/whitespace")] if text else []
    changes = [Change(0, body_start, "", "clean/whitespace")] if body_start else []
    if "\n\n\n" in text:  # a substring search, many times faster than the scan that mostly finds nothing
        changes += [
            Change(m.start(), m.end(), "\n\n", "clean/whitespace")
            for m in _BLANKS_RE.finditer(text, body_start)
            if m.end() <= body_end
        ]
    if body_end < len(text):
        changes.append(Change(body_end, len(text), "", "clean/whitespace"))
    return changes


Step = Callable[[str], list[Change]]
# metadata is read between the two groups: after Unicode, before the chrome that holds it goes
PREPARE: tuple[Step, ...] = (newlines, unicode_forms)
STRIP: tuple[Step, ...] = (boilerplate, repeats, broken_lines, spaces, blank_lines)
STEPS: tuple[Step, ...] = PREPARE + STRIP


MAX_ROUNDS = 4
# steps whose changes no step reads: the other steps' patterns already allow any run of
# spaces and blank lines, so a round in which only these changed the text is the last one
SETTLING: frozenset[Step] = frozenset({spaces, blank_lines})


def clean(doc: TracedText, steps: tuple[Step, ...] = STEPS) -> TracedText:
    """Run cleaning steps over a traced document, in place; returns it.

    The steps run again while a round still changes the text: joining a broken line can make
    prose of it, which moves the page's header and footer edges that boilerplate removal reads,
    and cleaning must be idempotent (cleaning cleaned text changes nothing).
    """
    for _ in range(MAX_ROUNDS):
        unsettled = False
        for step in steps:
            before = len(doc.passes)
            doc.apply(step(doc.text))
            unsettled |= len(doc.passes) > before and step not in SETTLING
        if not unsettled or steps == PREPARE:
            break
    return doc


def clean_text(text: str) -> str:
    """Clean a plain string (no tracing kept)."""
    return clean(TracedText(text)).text
