"""The transliteration tier: Latin names of entities known by Cyrillic names (Bayer → Байер, Reuters →
Рейтер), and a person's name glossed in the other script («Модибо Сидибе (Modibo Sidibe)»)."""

from __future__ import annotations

import re
from functools import lru_cache

from normalize.link.folding import fold
from normalize.link.fuzzy import nearest_key
from normalize.link.guards import at_boundary
from normalize.link.index import Index
from normalize.link.memo import Memo, remember
from normalize.link.names import latin_respellings
from normalize.link.records import SCORES, Found
from normalize.link.spans import Spans

# longest Latin spelling first: «shch» before «sh» before «s»
_LATIN_TO_CYR = sorted(
    (
        tuple(pair.split("="))
        for pair in (
            "shch=щ sch=щ tch=ч ch=ч sh=ш zh=ж kh=х ts=ц ya=я yu=ю yo=ё ye=е ay=ай ey=ей oy=ой uy=уй "
            "ee=и oo=у ph=ф th=т ck=к qu=кв eu=ей ou=у a=а b=б c=к d=д e=е f=ф g=г h=х i=и j=дж k=к "
            "l=л m=м n=н o=о p=п q=к r=р s=с t=т u=у v=в w=в x=кс y=и z=з"
        ).split()
    ),
    key=lambda pair: -len(pair[0]),
)
_LATIN_RE = re.compile(r"[A-Z][A-Za-z]{2,}(?:[ -][A-Z][A-Za-z]+)*")
TRANSLIT_CUTOFF = 85.0


# one alternation in the same longest-first order: at each position the first spelling that fits wins,
# as in a left-to-right scan; letters with no rule pass through
_LATIN_SPELLING = re.compile("|".join(re.escape(src) for src, _dst in _LATIN_TO_CYR))
_LATIN_MAP = dict(_LATIN_TO_CYR)


@lru_cache(maxsize=20_000)
def transliterate(latin: str) -> str:
    """Latin letters to Cyrillic by the usual rules of Russian news spelling (Bayer → байер)."""
    return _LATIN_SPELLING.sub(lambda m: _LATIN_MAP[m.group()], latin.lower())


def is_latin(name: str) -> bool:
    """Whether a name is written in Latin letters (judged by its first)."""
    return name[:1].isascii()


def transliterated(text: str, found: list[Found], index: Index, memo: Memo) -> list[Found]:
    """Latin names of entities known by Cyrillic names (Bayer → Байер, Reuters → Рейтер)."""
    if not index.near.n_typo:
        return []
    taken = Spans((f.start, f.end, None) for f in found)
    out: list[Found] = []
    for m in _LATIN_RE.finditer(text):
        s, e = m.span()
        if not at_boundary(text, s, e) or taken.overlaps(s, e):
            continue
        # the whole name, else without an English article («The New York Times»); not a word inside a
        # longer name («Washington Post», «Miami Heat» name other things)
        spans = [(s, e)]
        if m.group().startswith("The "):
            spans.append((s + 4, e))
        for ws, we in spans:
            latin = text[ws:we]
            owner = remember(memo.translits, latin, _transliteration_of, latin, index, memo)
            if owner is not None:
                out.append(Found(ws, we, owner[0], "transliteration", SCORES["transliteration"]))
                break
    return out


def _transliteration_of(latin: str, index: Index, memo: Memo) -> tuple[int, float] | None:
    """(entity, score) of the one-word key a Latin name transliterates close to, read as written or as
    English spells it (Microsoft: «микрософт», «майкрософт»; `names.latin_respellings`)."""
    for respelled in latin_respellings(latin):
        cyr = transliterate(respelled)
        near = nearest_key(cyr, index, memo, TRANSLIT_CUTOFF, by_letter=True) if len(cyr) >= 4 else None
        if near is not None:
            return near[2], SCORES["transliteration"]
    return None


_NAME_WORDS = r"[A-ZА-ЯЁ][a-zа-яёA-ZÀ-ÿ'’]+(?:-[A-ZА-ЯЁ][a-zа-яёÀ-ÿ]+)?"
# «Фолькер Буфье (Volker Bouffier)»: a name, then the same name in the other script in parentheses
_GLOSS = re.compile(rf"({_NAME_WORDS}(?: {_NAME_WORDS}){{1,3}}) \(({_NAME_WORDS}(?: {_NAME_WORDS}){{1,3}})\)")
GLOSS_CUTOFF = 60.0


def glossed(text: str, found: list[Found], index: Index) -> list[Found]:
    """A person's name and, in parentheses right after it, the same name in the other script
    («Модибо Сидибе (Modibo Sidibe)»): when one of the two is linked, the other is the same person, if
    both have as many words and the Latin one transliterates close to the Cyrillic one."""
    if "(" not in text:
        return []
    # by end: the linked mention may leave out a first word of the name («Шейк [Модибо Диарра] (Cheick …)»)
    spans = {f.end: f for f in found if f.entity in index.persons}
    if not spans:
        return []
    taken = Spans((f.start, f.end, None) for f in found)
    out: list[Found] = []
    from rapidfuzz import fuzz

    for m in _GLOSS.finditer(text):
        (s1, e1), (s2, e2) = m.span(1), m.span(2)
        a, b = m.group(1), m.group(2)
        words = a.split(" ")
        k = len(b.split(" "))
        if len(words) > k:  # «Кандидат Модибо Сидибе (Modibo Sidibe)»: the name is the last words
            a = " ".join(words[-k:])
            s1 = e1 - len(a)
        if is_latin(a) == is_latin(b) or len(a.split(" ")) != k or not at_boundary(text, s1, e1):
            continue
        latin, cyrillic = (a, b) if is_latin(a) else (b, a)
        if fuzz.ratio(transliterate(latin), fold(cyrillic)) < GLOSS_CUTOFF:
            continue
        for (ls, le), (os_, oe) in (((s1, e1), (s2, e2)), ((s2, e2), (s1, e1))):
            f = spans.get(le)
            if f is not None and f.start >= ls and f.end - f.start > (le - ls) // 2 and not taken.overlaps(os_, oe):
                out.append(Found(os_, oe, f.entity, "transliteration", SCORES["transliteration"]))
                taken.add(os_, oe)
                break
    return out
