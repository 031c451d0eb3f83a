"""Regex safety for gazetteer rules: patterns at risk of catastrophic backtracking, and rules
that fire inside a longer word.

Both are questions about a pattern alone (and the rule's own examples), answered without
running a document: `nested_quantifier` reads the pattern's structure, `inside_word` runs it on
a sample of ordinary Russian news words and on the examples with a letter glued on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

# Ordinary Russian news words (and look-alikes of common names and acronyms) that a
# regex rule must not rewrite from inside: a hit strictly inside one of them means the
# pattern lacks a word boundary.
SAMPLE_WORDS = """
    сотрудничество безопасность министерство правительство президент республика государство
    граница пограничный пограничники терроризм терроризма экстремизм наркотики наркотрафик
    задержан задержали сообщает сообщили пресс-служба ведомство заявил заявила встреча переговоры
    соглашение подписали учения военные оборона армия полиция милиция прокуратура суд уголовное
    дело следствие спецслужбы разведка контрабанда мигранты миграционный таможня таможенный
    министр замминистра глава генерал полковник председатель секретарь совет саммит визит
    делегация стороны обсудили вопросы региональной международной антитеррористический
    российский россиянин россияне китайский китаец китайцы киргизский кыргызский казахстанский
    казахский узбекский таджикский туркменский белорусский белорус армянский азербайджанский
    грузинский монгольский афганский иранский украинский американский европейский
    Россия России Китай Китая Киргизия Кыргызстан Казахстан Узбекистан Таджикистан Туркмения
    Туркменистан Беларусь Белоруссия Армения Азербайджан Грузия Монголия Афганистан Иран
    Москва Москве Пекин Бишкек Астана Алма-Ата Алматы Ташкент Душанбе Минск Ереван Баку Ош
    Шанхай Урумчи Синьцзян Нур-Султан Ашхабад Самарканд Фергана
    КНР КНДР РФ РК КР США ООН ОДКБ ШОС СНГ ЕАЭС СВР ФСБ МВД МИД МЧС ГКНБ КНБ ГУВД УВД
    понедельник вторник среда четверг пятница суббота воскресенье январь февраль март апрель
    май июнь июль август сентябрь октябрь ноябрь декабрь года году тысяч миллионов рублей
    сомов тенге юаней долларов процентов человек граждан жителей район области город села
    сказал отметил подчеркнул добавил пояснил напомнил рассказал также однако кроме поэтому
    который которые которая после перед между против около среди через вместе время работы
    """.split()
SAMPLE_TEXT = " ".join(SAMPLE_WORDS)


def _cuts_word(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether a match [start, end) cuts a word on its left and on its right."""
    left = start > 0 and start < len(text) and text[start - 1].isalnum() and text[start].isalnum()
    right = end > 0 and end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return left, right



@dataclass
class _Atom:
    """One atom of a regex with its quantifier (a tiny parse, enough for `nested_quantifier`)."""

    text: str  # the atom's source, without its quantifier
    quantified: str  # with its quantifier
    alts: list[list[_Atom]] | None = None  # a group's alternatives; [] for a backreference
    zero_width: bool = False  # anchors, lookarounds, inline flags
    atomic: bool = False
    min: int = 1
    unbounded: bool = False  # an unbounded quantifier that backtracks (not possessive)
    variable: bool = False  # a quantifier with room to give back: +, *, ?, {1,3} (not possessive)


def _quantifier(p: str, j: int) -> tuple[int, bool, bool, int]:
    """(min, unbounded, variable, length) of the quantifier at p[j]; (1, False, False, 0) if none.

    Unbounded and variable are for backtracking quantifiers: a possessive one is neither.
    """
    if p[j : j + 1] in ("+", "*", "?"):
        low, unbounded, variable, length = (1 if p[j] == "+" else 0), p[j] != "?", True, 1
    elif p[j : j + 1] == "{" and (m := regex.match(r"\{(\d*)(,(\d*))?\}", p[j:])):
        low, length = int(m.group(1) or 0), len(m.group())
        unbounded = bool(m.group(2)) and not m.group(3)
        variable = unbounded or (bool(m.group(2)) and int(m.group(3)) > low)
    else:
        return 1, False, False, 0
    if p[j + length : j + length + 1] == "+":  # possessive: never gives back
        return low, False, False, length + 1
    if p[j + length : j + length + 1] == "?":  # lazy: still backtracks
        length += 1
    return low, unbounded, variable, length


def _parse(p: str, i: int) -> tuple[list[list[_Atom]], int]:
    """Alternatives from p[i] up to the closing parenthesis (or the end); returns them and its index."""
    alts: list[list[_Atom]] = [[]]
    n = len(p)
    while i < n:
        c, start = p[i], i
        alts_in: list[list[_Atom]] | None = None
        zero = atomic = False
        if c == ")":
            return alts, i
        if c == "|":
            alts.append([])
            i += 1
            continue
        if c == "\\":
            kind = p[i + 1 : i + 2]
            i += 2
            if kind in ("p", "P", "N", "x", "u") and p[i : i + 1] == "{":
                close = p.find("}", i)
                i = close + 1 if close >= 0 else n
            elif kind.isdigit() or kind in ("g", "k"):
                alts_in = []  # a backreference: not a single character
            zero = kind in ("b", "B", "A", "Z", "z", "G", "m", "M")
        elif c == "[":
            i += 2 if p[i + 1 : i + 2] == "^" else 1
            if p[i : i + 1] == "]":
                i += 1
            depth = 1
            while i < n and depth:
                if p[i] == "\\":
                    i += 1
                elif p[i] == "[":
                    depth += 1
                elif p[i] == "]":
                    depth -= 1
                i += 1
        elif c == "(":
            if p.startswith("(?#", i):
                close = p.find(")", i)
                i = close + 1 if close >= 0 else n
                continue
            zero = any(p.startswith(h, i) for h in ("(?=", "(?!", "(?<=", "(?<!"))
            atomic = p.startswith("(?>", i)
            i += 1
            if p[i : i + 1] == "?":  # the group's kind: ?: ?= ?<= ?<name> ?P<name> ?i: ?> ?| ...
                i += 1
                if p[i : i + 1] == "P":
                    i += 1
                if p[i : i + 1] == "<" and p[i + 1 : i + 2] not in ("=", "!"):
                    close = p.find(">", i)
                    i = close + 1 if close >= 0 else n
                elif p[i : i + 1] == "<":
                    i += 2
                elif p[i : i + 1] and p[i] in ":=!>|":
                    i += 1
                else:
                    while i < n and (p[i].isalpha() or p[i] == "-"):
                        i += 1
                    if p[i : i + 1] == ")":  # inline flags, (?i)
                        zero = True
                    elif p[i : i + 1] == ":":
                        i += 1
            alts_in, i = _parse(p, i)
            i += 1  # the closing parenthesis
        else:
            zero = c in ("^", "$")
            i += 1
        text = p[start:i]
        low, unbounded, variable, length = _quantifier(p, i)
        i += length
        alts[-1].append(_Atom(text, p[start:i], alts_in, zero, atomic, low, unbounded, variable))
    return alts, i


def _variable_atoms(alts: list[list[_Atom]]) -> list[_Atom]:
    """Atoms (at any depth, outside atomic groups and lookarounds) that can match more or less."""
    out: list[_Atom] = []
    for alt in alts:
        for a in alt:
            if a.zero_width or a.atomic:
                continue
            if a.variable:
                out.append(a)
            if a.alts:
                out.extend(_variable_atoms(a.alts))
    return out


_PROBE = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0x400, 0x460))) + "\t\n\xa0«»—–ё"


@lru_cache(maxsize=512)
def _chars(atom: str) -> frozenset[str] | None:
    """The probe characters a one-character atom matches (case-insensitively), or None if unknown."""
    try:
        pattern = regex.compile(atom, regex.V1 | regex.IGNORECASE)
    except regex.error:
        return None
    return frozenset(ch for ch in _PROBE if pattern.fullmatch(ch))


def _overlap(a: _Atom, b: _Atom) -> bool:
    if a.alts is not None or b.alts is not None:
        return True
    ca, cb = _chars(a.text), _chars(b.text)
    return ca is None or cb is None or bool(ca & cb)


def _repeat_is_safe(alts: list[list[_Atom]]) -> bool:
    r"""Whether repeating this group is unambiguous: each iteration starts with a mandatory
    character that nothing variable inside, and nothing at its end, can also match
    (as in `(\s\p{L}+)*` or `(\w+\s)+`)."""
    for alt in alts:
        items = [a for a in alt if not a.zero_width]
        if not items:
            continue
        first = items[0]
        if first.alts is not None or first.min < 1:
            return False
        if any(o is not first and _overlap(first, o) for o in _variable_atoms([items])):
            return False
        for a in reversed(items):  # what an iteration can end with
            if a is first:
                if a.variable:
                    return False
            elif _overlap(first, a):
                return False
            if a.min >= 1:
                break
    return True


def nested_quantifier(pattern: str) -> str | None:
    r"""The first repeated group that can match the same text in many ways, e.g. `(\w+\s?)+`.

    Such a group (an unbounded quantifier on a group with a variable quantifier inside,
    whose iterations are not separated by a character the inside cannot match) can make a
    backtracking engine take exponential time on a near-miss. Atomic groups and possessive
    quantifiers do not backtrack and are not reported. Returns the group's text, or None.
    """

    def walk(alts: list[list[_Atom]]) -> str | None:
        for alt in alts:
            for a in alt:
                if not a.alts or a.zero_width:
                    continue
                found = walk(a.alts)
                if found:
                    return found
                if a.unbounded and not a.atomic and _variable_atoms(a.alts) and not _repeat_is_safe(a.alts):
                    return a.quantified
        return None

    alts, i = _parse(pattern, 0)
    while i < len(pattern):  # a stray ")" (the pattern compiled, so rare): go on after it
        more, i = _parse(pattern, i + 1)
        alts.extend(more)
    return walk(alts)


def inside_word(pattern: regex.Pattern[str], examples: Sequence[str], timeout: float) -> str | None:
    """Describe a place where the regex cuts a word, or None.

    Runs the regex on a sample of ordinary Russian words, then on each example text (a rule
    example's `in`) with a letter glued onto either side of each match. A side on which an
    example itself matches inside a word is taken as intended (a rule that fixes a stem) and
    not tested. Raises TimeoutError when one search runs past `timeout` seconds.
    """

    def matches(text: str) -> Iterator[Any]:
        return (m for m in pattern.finditer(text, timeout=timeout) if m.end() > m.start())

    def word_at(text: str, start: int, end: int) -> str:
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        return text[start:end]

    left_ok = right_ok = True
    for text in examples:
        for m in matches(text):
            cut_left, cut_right = _cuts_word(text, m.start(), m.end())
            left_ok &= not cut_left
            right_ok &= not cut_right
    if not (left_ok or right_ok):
        return None
    for m in matches(SAMPLE_TEXT):
        cut_left, cut_right = _cuts_word(SAMPLE_TEXT, m.start(), m.end())
        if (cut_left and left_ok) or (cut_right and right_ok):
            return f"{m.group()!r} in the word {word_at(SAMPLE_TEXT, m.start(), m.end())!r}"
    for text in examples:
        for m in matches(text):
            s, e = m.start(), m.end()
            probes = []  # (probe text, where the glued letter stands, side)
            if left_ok:
                probes += [(text[:s] + c + text[s:], s, "left") for c in _glue(text[s])]
            if right_ok:
                probes += [(text[:e] + c + text[e:], e, "right") for c in _glue(text[e - 1])]
            for probe, glued, side in probes:
                for m2 in matches(probe):
                    cut_left, cut_right = _cuts_word(probe, m2.start(), m2.end())
                    if (side == "left" and cut_left and m2.start() == glued + 1) or (
                        side == "right" and cut_right and m2.end() == glued
                    ):
                        word = word_at(probe, m2.start(), m2.end())
                        return f"{m2.group()!r} in {word!r} (an example with a letter glued on)"
    return None


def _glue(near: str) -> tuple[str, str]:
    """Letters to glue beside a match: the same script as the character they touch."""
    return ("о", "О") if regex.match(r"\p{Cyrillic}", near) else ("o", "O")
