"""The coreference tier: people named in full earlier in a document, found again by surname, by
initials and surname, and by first name alone («Иван Кубраков … Кубраков … И. Кубраков … Иван»)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import ahocorasick

from normalize import morph
from normalize.link.folding import fold
from normalize.link.fuzzy import NAME_FUZZY_CUTOFF, closest_surname, spelled_as, surname_word_forms
from normalize.link.guards import at_boundary, other_first_name_before, other_given_name_after, other_initial_before
from normalize.link.index import Index
from normalize.link.memo import Memo
from normalize.link.records import SCORES, Found
from normalize.link.spans import Spans
from normalize.link.translit import is_latin

# methods of a person's mention by full name (a transliteration of a person is a gloss: «(Modibo Sidibe)»)
NAMED_IN_FULL = frozenset({"exact", "inflected", "alias", "fuzzy", "transliteration"})


def corefer(text: str, folded: str, found: list[Found], index: Index, memo: Memo) -> list[Found]:
    """Surname and initial mentions of people named in full in this document.

    A first name alone links when exactly one person named in full has it and no
    surname follows it. A surname that the text also gives with another first name
    («Юрий Визбор» beside «Варвара Визбор») stays unlinked.
    """
    full = {f.entity for f in found if f.entity in index.persons and f.method in NAMED_IN_FULL}
    if not full:
        return []
    owners: dict[str, list[int]] = defaultdict(list)
    # the stem of the first name a glossed mention gives («Сабриэлем Матиасом (Subriel Matías)»: «сабриэл»)
    glossed_firsts: dict[int, str] = {}
    variants = _variant_surnames(text, found, index, memo, glossed_firsts)
    for idx in sorted(full):
        parts = index.persons[idx]
        # the text's own spelling first, then the surname's case forms, then its other spellings («Баффета»)
        forms = (*variants.get(idx, ()), *index.surname_forms[idx], *index.surname_spellings.get(idx, ()))
        for key in dict.fromkeys(k for form in forms for k in _surname_keys(form, parts.first)):
            owners[key].append(idx)
    # a surname two people named in this document share («Виктор Лукашенко … Александр Лукашенко»)
    # is neither's alone; their initials still tell them apart («В.Лукашенко»)
    keys = {k: v[0] for k, v in owners.items() if len(v) == 1}
    # a first name alone, when one person named in full has it and it stands alone («Кэтрин сказала»)
    first_owner: dict[str, set[int]] = defaultdict(set)
    # a first name alone is the weakest coreference: only after the name itself, not a near spelling of it
    spelled = {f.entity for f in found if f.entity in full and f.method != "fuzzy"}
    for idx in spelled:
        parts = index.persons[idx]
        if parts.first and len(parts.first) >= 3:
            for form in index.first_forms[idx]:
                first_owner[fold(form)].add(idx)
    firsts = {k: next(iter(v)) for k, v in first_owner.items() if len(v) == 1 and k not in owners}
    keys.update(firsts)
    hits = [
        (s, e, k)
        for s, e, k in leftmost_longest(folded, keys)
        if at_boundary(text, s, e)
        and text[s].isupper()
        and not (k in firsts and re.match(r"\s+[А-ЯЁA-Z]", text[e : e + 2]))
    ]
    # a surname the text also gives with another first name is shared by a family: only first names stay
    # safe (not within a mention already found: «Модибо Сидибе (Modibo Sidibe)» gives the person's own
    # first name, and «Александр Лукашенко» is another person named in full, not a relative)
    taken = Spans((f.start, f.end, f.entity) for f in found)
    shared = {
        keys[k]
        for s, e, k in hits
        if k not in firsts
        and not taken.overlaps(s, e)
        and other_first_name_before(text, s, index, keys[k])
        and not _glossed_first_before(text, s, glossed_firsts.get(keys[k]))
    }
    out: list[Found] = []
    for s, e, k in hits:
        idx = keys[k]
        if (idx in shared and k not in firsts) or taken.overlaps(s, e):
            continue
        if k not in firsts and (
            other_initial_before(text, s, index, idx) or other_given_name_after(text, e, index, idx)
        ):
            continue
        out.append(Found(s, e, idx, "coreference", SCORES["coreference"]))
        taken.add(s, e)
    return out


def _surname_keys(form: str, first: str | None) -> Iterable[str]:
    """A surname form alone, and led by the first name's initial («И. Кубраков», «И.Кубраков»)."""
    yield fold(form)
    if first:
        yield fold(f"{first[0]}. {form}")
        yield fold(f"{first[0]}.{form}")


def _nominative(word: str) -> str:
    """A name word in the nominative as pymorphy3 guesses it from its ending («Матиасом» → «Матиас»)."""
    p = next(iter(morph.parses(word.lower())), None)
    if p is None or p.tag.POS != "NOUN" or "nomn" in p.tag or not p.normal_form:
        return word
    return morph.match_case(word, p.normal_form)


def _variant_surnames(
    text: str, found: list[Found], index: Index, memo: Memo, firsts: dict[int, str] | None = None
) -> dict[int, tuple[str, ...]]:
    """Case forms of the surname of each person as this text spells it, when its full-name mention
    ends in another spelling («Теодор Маккаррик») or in the first of two surnames («Алан Гарсиа»)."""
    out: dict[int, tuple[str, ...]] = {}
    own: dict[int, set[str]] = {}
    for f in found:
        if f.entity not in index.persons or f.entity in out or f.method not in NAMED_IN_FULL:
            continue
        token = text[f.start : f.end].split()[-1]
        if f.entity not in own:
            own[f.entity] = {fold(x) for x in index.surname_forms[f.entity]}
        if fold(token) in own[f.entity]:
            continue
        if is_latin(token) != is_latin(index.persons[f.entity].surname):
            # a Latin name given in Cyrillic («Модибо Сидибе (Modibo Sidibe)»): the surname as written
            if f.method == "transliteration" and token.isalpha():
                out[f.entity] = surname_word_forms(_nominative(token), index.persons[f.entity].gender)
                words = text[f.start : f.end].split()
                if len(words) > 1 and firsts is not None:
                    firsts[f.entity] = fold(_nominative(words[0]))[:-1]
            continue
        best = closest_surname(fold(token), index, memo, f.entity, NAME_FUZZY_CUTOFF)
        if best is not None:
            nominative = spelled_as(token, best[1], best[2])
            out[f.entity] = surname_word_forms(nominative, index.persons[f.entity].gender)
    return out


def _glossed_first_before(text: str, start: int, stem: str | None) -> bool:
    """The word before `start` is a case form of the first name a glossed mention gave («Сабриэл»)."""
    if not stem:
        return False
    m = re.search(r"([А-ЯЁ][а-яё]+)\s+$", text[max(0, start - 30) : start])
    return m is not None and fold(m.group(1)).startswith(stem) and len(m.group(1)) - len(stem) <= 3


def leftmost_longest(folded: str, keys: Iterable[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of the keys, left to right, the longest where several start at one
    place: what one regex alternation of the keys (longest first) finds, without compiling a regex per
    document (the keys are the document's own people, so no two documents share a pattern)."""
    automaton = ahocorasick.Automaton()
    for k in keys:
        automaton.add_word(k, len(k))
    if not len(automaton):
        return []
    automaton.make_automaton()
    longest: dict[int, int] = {}
    for end_idx, n in automaton.iter(folded):
        start = end_idx - n + 1
        if n > longest.get(start, 0):
            longest[start] = n
    out: list[tuple[int, int, str]] = []
    pos = 0
    for start in sorted(longest):
        if start >= pos:
            pos = start + longest[start]
            out.append((start, pos, folded[start:pos]))
    return out
