"""Names as news write them where the dictionary gives no form: rules as data, used by the tiers.

- place names the dictionary cannot inflect, declined by the rules for names («в Претории», «в
  Лас-Вегасе», «в Ростове-на-Дону», «в Петропавловске-Камчатском», «в Гвинее-Бисау»), and bodies' foreign
  names («депутат Жогорку Кенеша», «боевики Хезболлы»);
- places named by adjectives and a noun in a coordinated phrase («Таласской и Чуйской областей»);
- spellings of one name that Russian news all use (Жапаров / Джапаров, Баффетт / Баффет, Мухаммед /
  Мухаммад), and the readings of English spellings in Cyrillic (Microsoft → майкрософт);
- two rules of resolution: an entity's own name beats another's surname, and a country named inside
  a body's name is a nested mention of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from normalize import morph
from normalize.link.folding import fold
from normalize.link.records import Candidate, Key, Needs

_WORD = re.compile(r"^[а-яё]+(?:-[а-яё]+)*$")

PLACE_TYPES = frozenset({"country", "region", "city", "place"})
BODY_TYPES = frozenset({"agency", "organization", "media"})
# a capitalised Cyrillic word ending as declining nouns do: a consonant, «-а», «-я» (not «-ь»: its gender is unknown)
_FOREIGN_NOUN = re.compile(r"^[А-ЯЁ][а-яё]*[бвгджзклмнпрстфхцчшщая]$")
_LINKED_PLACE = re.compile(r"^([А-ЯЁ][а-яё]+)(-(?:на|над|под)-[А-ЯЁ][а-яё]+)$")
_TWO_PARTS = re.compile(r"^([А-ЯЁ][а-яё]+)-([А-ЯЁ][а-яё]+)$")
# a foreign word ending in one of these does not decline in Russian («Бисау», «Лесте», «Леоне»)
_INDECLINABLE_ENDINGS = tuple("еиоуэю")


def name_forms(name: str, forms: list[morph.Form], entity_type: str) -> list[morph.Form]:
    """Case forms of a name the dictionary cannot inflect, declined by the rules for names, as Russian declines
    foreign names; `forms` (what the dictionary gave) otherwise:

    - a one-word place name («Претория», read as a genitive of «преторий»; «Лас-Вегас», read as a verb), a
      place linked to a river («Ростов-на-Дону»), a hyphenated one whose first part declines (`_two_part_forms`);
    - a body's foreign name whose last word the dictionary does not know, a consonant or «-а»/«-я» at its
      end («Жогорку Кенеш» → «Жогорку Кенеша», «Олий Мажлис», «Хезболла» → «Хезболлы»): only that word declines."""
    if entity_type in BODY_TYPES:
        return _body_forms(name, forms)
    if entity_type not in PLACE_TYPES or len(forms) > 1 or " " in name or not _WORD.match(name.lower()):
        return forms
    linked = _LINKED_PLACE.match(name)
    if linked:
        # «Ростов-на-Дону», «Франкфурт-на-Майне»: the first part declines, the river stays
        first = morph.phrase_forms(linked.group(1), plural=False)
        return [*forms, *(morph.Form(f.text + linked.group(2), f.case, f.number, len(name)) for f in first[1:])]
    two_parts = _two_part_forms(name)
    if two_parts:
        return [*forms, *two_parts]
    return _declined_as_a_name(name, forms, None)


def _body_forms(name: str, forms: list[morph.Form]) -> list[morph.Form]:
    """`name_forms` of a body's name: its last word declined by the rules for names, where the dictionary gave no
    form, does not know that word, and the word ends as Russian nouns that decline do."""
    head, _, last = name.rpartition(" ")
    if len(forms) > 1 or not _FOREIGN_NOUN.match(last) or morph.is_known(last.lower()):
        return forms
    gender = "f" if last[-1] in "ая" else "m"
    return _declined_as_a_name(last, forms, gender, f"{head} " if head else "")


def _declined_as_a_name(word: str, forms: list[morph.Form], gender: str | None, before: str = "") -> list[morph.Form]:
    """`forms` with `word`'s case forms by the rules for first names, each after `before`."""
    by_case = morph.name_word_forms(word, gender, "first")
    out = list(forms)
    seen = {f.text for f in forms}
    for case in morph.CASES:
        for text in sorted(by_case[case]):
            text = before + text
            if text not in seen:
                seen.add(text)
                out.append(morph.Form(text, case, "sing", len(text)))
    return out


def _two_part_forms(name: str) -> list[morph.Form]:
    """The case forms past the nominative of a hyphenated place name whose first part declines: a noun and an
    adjective that agrees with it («Петропавловск-Камчатский» → «Петропавловска-Камчатского», «Гусь-Хрустальный»
    → «Гуся-Хрустального»), or a place's name and a foreign word that does not decline («Гвинея-Бисау» →
    «Гвинеи-Бисау», «Тимор-Лесте» → «Тимора-Лесте»). None for any other name: there the last part declines
    alone («Буэнос-Айреса», «Алма-Аты»), by the rules for names."""
    parts = _TWO_PARTS.match(name)
    if parts is None:
        return []
    first, second = parts.groups()
    noun = morph.reading(first, ("NOUN",))
    if noun is None:
        return []
    if morph.reading(second, ("ADJF",)) is not None:
        # declined as «Камчатский Петропавловск», where the adjective agrees with the noun, then put back in order
        swapped = morph.phrase_forms(f"{second} {first}", plural=False)[1:]
        return [
            morph.Form(f"{noun_form}-{adjective}", f.case, f.number, len(f.text))
            for f in swapped
            for adjective, noun_form in [f.text.split(" ", 1)]
        ]
    if second.lower().endswith(_INDECLINABLE_ENDINGS) and "Geox" in noun.tag:
        return [
            morph.Form(f"{f.text}-{second}", f.case, f.number, len(f.text) + 1 + len(second))
            for f in morph.phrase_forms(first, plural=False)[1:]
        ]
    return []


def own_name(cands: Sequence[Candidate]) -> list[Candidate]:
    """Of candidates for one span, those of the one entity called so by its own name rather than as
    another's surname («Армстронг» named so in the set beats Даг Армстронг's surname); else none."""
    named = [c for c in cands if c.method not in ("surname", "context")]
    return named if len({c.entity for c in named}) == 1 and len(named) < len(cands) else []


# English spellings a Russian newsroom reads otherwise than letter by letter: each rule gives one more
# reading of the name (applied alone, then all together), the plain one first
LATIN_RESPELLINGS: tuple[tuple[str, str], ...] = (
    (r"i(?=[^aeiouy]{2})", "ai"),  # Microsoft → майкрософт
    (r"i(?=[^aeiouy]e$)", "ai"),  # Nike → найк
    (r"a(?=[^aeiouy]e$)", "ei"),  # Kate → кейт
    (r"c(?=[eiy])", "s"),  # Cinema → синема
    (r"g(?=[ei])", "j"),  # Gemini → джемини
    (r"(?<=[aeiouy])s$|(?<=[lmnr])s$", "z"),  # Bulls → буллз
    (r"ea", "i"),  # Team → тим
    (r"ou", "au"),  # House → хаус
)


def latin_respellings(latin: str) -> tuple[str, ...]:
    """The name as written, then as each English spelling rule reads it (see LATIN_RESPELLINGS)."""
    out = [latin]
    low = latin.lower()
    every = low
    for pattern, repl in LATIN_RESPELLINGS:
        one = re.sub(pattern, repl, low)
        if one != low:
            out.append(one)
            every = re.sub(pattern, repl, every)
    out.append(every)
    return tuple(dict.fromkeys(out))


# spellings of one name that Russian news all use (Central Asian, Arabic, English names): each rule
# rewrites one place of the name; `any` rules hold for names of the Russian pattern too («Жапаров» /
# «Джапаров»), the others only for foreign ones («Петров» is spelled one way: «Петрова» is another family)
SPELLING_RULES: tuple[tuple[str, str, bool], ...] = (
    (r"^Дж", "Ж", True),  # Джапаров → Жапаров
    (r"^Ж", "Дж", True),  # Жапаров → Джапаров
    (r"([бвгдзклмнпрстфц])\1", r"\1", False),  # Баффетт → Баффет
    (r"(?<=[бвгдзклмнпрстфхцчшщБВГДЗКЛМНПРСТФХЦЧШЩ])э", "е", False),  # Чэпмен → Чепмен
    (r"(?<=[бвгдзклмнпрстфхцчшщ])е(?=[бвгдзклмнпрстфхцчшщ]+$)", "э", False),  # Чепмен → Чепмэн
    (r"мед(?=$|[ауоеы]$|ом$)", "мад", False),  # Мухаммед → Мухаммад
    (r"мад(?=$|[ауоеы]$|ом$)", "мед", False),  # Мухаммад → Мухаммед
)


_SPELLING_PATTERNS = tuple((re.compile(pattern), repl, any_name) for pattern, repl, any_name in SPELLING_RULES)


def spellings(word: str, foreign: bool = True) -> tuple[str, ...]:
    """Other spellings of a name word by SPELLING_RULES (one rule at a time; for a name of the Russian
    pattern, `foreign` False, only the rules that hold for it), not the word itself."""
    out = []
    for pattern, repl, any_name in _SPELLING_PATTERNS:
        if not (foreign or any_name):
            continue
        # one place at a time: «Баффетта» is «Баффета», not «Бафета»
        for m in pattern.finditer(word):
            other = word[: m.start()] + m.expand(repl) + word[m.end() :]
            if other != word and other[:1].isupper() and len(other) >= 4:
                out.append(other)
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=65_536)
def other_spellings(forms: tuple[str, ...]) -> tuple[str, ...]:
    """The case forms of a surname spelled the other ways (`spellings`); kept, as people share surnames."""
    if not forms:
        return ()
    own = set(forms)
    foreign = not morph.is_russian_surname(forms[0])
    return tuple(dict.fromkeys(s for f in forms for s in spellings(f, foreign) if s not in own))


def person_spellings(name: str) -> tuple[str, ...]:
    """A full name with its last word spelled the other ways the `any` rules allow («Садыр Жапаров» →
    «Садыр Джапаров»): the near spellings of foreign surnames are found by fuzzy matching, these not."""
    words = name.split()
    if len(words) < 2 or morph.is_known(words[-1]):
        return ()  # a surname the dictionary knows («Жуков») is spelled as it knows it
    return tuple(" ".join([*words[:-1], s]) for s in spellings(words[-1], foreign=False))


def coordinated(forms: Sequence[morph.Form], entity_type: str, method: str) -> Iterator[Key]:
    """Keys of a place named by adjectives and a noun when two such places share the noun: «Таласской
    и Чуйской областей», «в Таласской и Чуйской областях». The second is the adjectives in the singular
    with the noun in the plural; the first, the adjectives alone, holds only where «и …» and that plural
    noun follow (`Needs.COORD`, checked by the scan)."""
    if entity_type not in PLACE_TYPES or not forms:
        return
    words = forms[0].text.split()
    if len(words) < 2 or forms[0].tail < len(forms[0].text):
        return
    noun = next((p for p in morph.parses(words[-1].lower()) if p.tag.POS == "NOUN" and "nomn" in p.tag), None)
    if noun is None or noun.tag.number != "sing" or not noun.tag.gender:
        return
    for case in morph.CASES:
        plural = noun.inflect({case, "plur"})
        adjectives = [_inflected_adjective(w, {case, "sing", noun.tag.gender}) for w in words[:-1]]
        if plural is None or not all(adjectives):
            continue
        head = " ".join(a for a in adjectives if a)
        mixed = f"{head} {morph.match_case(words[-1], plural.word)}"
        yield Key(mixed, method, len(mixed))
        yield Key(head, method, len(head), Needs.COORD, coord=fold(plural.word))


def _inflected_adjective(word: str, grams: set[str]) -> str | None:
    p = next((p for p in morph.parses(word.lower()) if p.tag.POS == "ADJF" and "nomn" in p.tag), None)
    q = p.inflect(grams) if p is not None else None
    return morph.match_case(word, q.word) if q is not None else None


BODY_TYPES = frozenset({"organization", "agency", "media"})


def nests(outer_types: set[str], inner_types: set[str]) -> bool:
    """Whether a name of these types inside a longer name of those is a mention of its own wherever it
    stands: a country named inside a body's name («Единая Россия», «Россия сегодня»). The scan passes
    the types of the inner name's readings other than adjectives: «Кыргызская ассоциация юристов» says
    what the body is, it does not mention the country."""
    return bool(inner_types) and inner_types <= {"country"} and bool(outer_types) and outer_types <= BODY_TYPES
