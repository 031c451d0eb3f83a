"""Decode raw bytes into text: BOMs, UTF-16 without BOM, cp1251 versus KOI8-R, mojibake; HTML pages.

Single-byte Cyrillic encodings are told apart by how Russian the decoded text
looks: in real Russian text lowercase letters dominate and the commonest ones
(о, е, а, и, н, т) are frequent; a wrong single-byte guess scrambles the case and
the letter frequencies. Mojibake (UTF-8 bytes once decoded as cp1251 or latin-1)
is repaired when the round trip yields valid UTF-8 that looks more Russian. An HTML
page is decoded by its declared charset (checked), then reduced to its article (`page`).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from normalize import page as page_mod
from normalize.meta import Meta

_COMMON = frozenset("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё")
_UPPER = frozenset("ОЕАИНТСРВЛКМДПУЯЫЬГЗБЧЙХЖШЮЦЩЭФЪЁ")
# UTF-8 Cyrillic read as cp1251 ("РњР’Р”") or as latin-1/cp1252 ("ÐœÐ’Ð”")
# (three pairs in a row), one pattern per lead letter: a pattern that starts with a literal is
# scanned for many times faster than one that starts with a class or an alternation
_CP1251_TAIL = r"[\u0400-\u045f\u0490-\u04ff‚„…†‡€‰‹‘’“”•–—™›¬¦§©«®°±µ¶·»]"
_LATIN1_TAIL = r"[\x80-\xbf\u0152-\u2122]"
_MOJIBAKE = tuple(
    re.compile(f"{lead}{tail}(?:[{leads}]{tail}){{2,}}")
    for leads, tail in (("РС", _CP1251_TAIL), ("ÐÑ", _LATIN1_TAIL))
    for lead in leads
)


def looks_like_mojibake(text: str) -> bool:
    return any(p.search(text) for p in _MOJIBAKE)


class DecodeError(ValueError):
    """Bytes that are not text in any supported encoding."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    repaired: bool = False  # mojibake was repaired
    page: Meta | None = None  # an HTML page's own date and site name (they beat what the text says)


def russianness(text: str) -> float:
    """Share of letters that are common lowercase Cyrillic (0..1); 0 for no letters."""
    sample = text[:20000]
    letters = sum(1 for ch in sample if ch.isalpha())
    if not letters:
        return 0.0
    common = sum(1 for ch in sample if ch in _COMMON)
    upper = sum(1 for ch in sample if ch in _UPPER)
    return (common - 0.5 * upper) / letters


def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    # Cyrillic in UTF-16 has 0x04 high bytes, ASCII has 0x00 ones; either way one side is mostly tiny
    even_small = sum(1 for b in sample[0::2] if b <= 0x04)
    odd_small = sum(1 for b in sample[1::2] if b <= 0x04)
    for enc, small, nuls in (("utf-16-le", odd_small, odd_nuls), ("utf-16-be", even_small, even_nuls)):
        if small > 0.9 * half and nuls > 0:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    return None


def repair_mojibake(text: str) -> str | None:
    """Undo UTF-8 decoded as cp1251 or latin-1, if that is what the text shows."""
    if not looks_like_mojibake(text):
        return None
    for wrong in ("cp1251", "cp1252", "latin-1"):
        try:
            fixed = text.encode(wrong).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if russianness(fixed) > russianness(text) + 0.2:
            return fixed
    return None


def decode(data: bytes) -> Decoded:
    """Decode one document's bytes; raise DecodeError for binary content."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _finish(data[3:].decode("utf-8", errors="strict"), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _finish(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"invalid UTF-16 at byte {exc.start}") from None
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is not None:
            return _finish(text, "utf-16")
        raise DecodeError(f"binary content (NUL byte at offset {data.index(0)})")
    try:
        return _finish(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = max(
        (("cp1251", data.decode("cp1251", errors="replace")), ("koi8-r", data.decode("koi8-r", errors="replace"))),
        key=lambda pair: russianness(pair[1]),
    )
    return _finish(best[1], best[0])


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")  # C0 controls other than \t \n \v \f \r


def decode_text(text: str) -> Decoded:
    """Check a document that came as text (a table cell): real Unicode, not binary; mojibake repaired."""
    bad = _SURROGATE.search(text)
    if bad is not None:
        raise DecodeError(f"invalid Unicode (lone surrogate U+{ord(bad.group()):04X} at offset {bad.start()})")
    return _finish(text, "text")


def _finish(text: str, encoding: str) -> Decoded:
    if "\x00" in text:
        raise DecodeError(f"binary content (NUL character at offset {text.index(chr(0))})")
    controls = len(_CONTROL.findall(text, 0, 20000))
    if controls > 0.05 * max(1, min(len(text), 20000)):
        raise DecodeError("binary content (control characters)")
    fixed = repair_mojibake(text)
    if fixed is not None:
        return Decoded(fixed, encoding, repaired=True)
    return Decoded(text, encoding)


# a page's own word on its encoding, in its first bytes: <meta charset=…>, http-equiv, <?xml encoding=…?>
_DECLARED = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""",
    re.I,
)


def _declared(data: bytes) -> str | None:
    m = _DECLARED.search(data[:4096])
    if m is None:
        return None
    try:
        return codecs.lookup((m.group(1) or m.group(2)).decode("ascii")).name
    except LookupError:
        return None


def decode_html(data: bytes) -> Decoded:
    """Decode a saved HTML page: a BOM, else the charset the page declares when its bytes are
    that encoding, else the detection of `decode`. Sites declare the wrong single-byte charset
    often enough (windows-1252 on a cp1251 page) that a declared one loses to the detected one
    when the detected text is clearly more Russian."""
    declared = None if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) else _declared(data)
    if declared is not None:
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            if declared == "utf-8":
                return _finish(text, declared)
            detected = decode(data)
            if russianness(detected.text) <= russianness(text) + 0.2:
                return _finish(text, declared)
            return detected
    return decode(data)


def decode_input(data: bytes | None, text: str | None, kind: str = "text") -> Decoded:
    """Decode one record (`read.RawDoc`'s data, text and kind); an HTML page is reduced to its article.

    Raises DecodeError for binary content and for a page with no article text."""
    if kind != "html":
        return decode_text(text) if text is not None else decode(data or b"")
    markup = decode_text(text) if text is not None else decode_html(data or b"")
    try:
        page = page_mod.extract(markup.text)
    except page_mod.PageError as exc:
        raise DecodeError(str(exc)) from None
    return Decoded(page.text, markup.encoding, markup.repaired, Meta(page.published, page.site))
