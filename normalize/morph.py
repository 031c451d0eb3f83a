"""Morphology: every case form of a name, with name-aware rules for people.

Multi-word names inflect the way Russian grammar says: the head noun and the adjectives agreeing with
it change, the dependents after the head stay as they are («Организации Договора о коллективной
безопасности», «Кыргызской Республики»). Words are inflected with pymorphy3. Personal names are not left
to pymorphy3, which reads many surnames as other words («Ниязбеков» as a plural of «ниязбек»): first
names it knows as names are inflected by it; the rest follow the declension rules for names below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pymorphy3
from pymorphy3.units.by_lookup import DictionaryAnalyzer

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
# a Cyrillic word, or words joined by hyphens: what inflects as a Russian name
NAME_WORD = re.compile(r"^[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*$")
VOWELS = frozenset("аеёиоуыэюя")
_HUSHING = set("жшчщц")
Parse = pymorphy3.analyzer.Parse
_VELAR_HUSHING = set("гкхжшчщ")


@lru_cache(maxsize=1)
def analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def forget() -> None:
    """Empty the module's memos (not the analyzer): memory back after a large set; tests start clean."""
    memos = (parses, reading, is_acronym, _lexeme, _paradigm, _pick_index, _case_picks, _cases_of, _phrase_forms)
    judged = (name_word_cases, word_forms, is_first_name, is_mainly_first_name, is_common_word, is_word_form)
    for memo in (*memos, *judged, head_of, adjective_forms, person_parts):
        memo.cache_clear()
    derived_adjective.cache_clear()


@dataclass(frozen=True)
class Form:
    """A surface form of a name; `tail` is where its fixed dependents begin (chars)."""

    text: str
    case: str
    number: str
    tail: int


def match_case(template: str, word: str) -> str:
    """Give `word` the letter case of `template` (UPPER, Title or lower), part by hyphenated part."""
    if "-" in template and template.count("-") == word.count("-"):
        return "-".join(match_case(t, w) for t, w in zip(template.split("-"), word.split("-"), strict=True))
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:].lower()
    return word.lower()


@lru_cache(maxsize=65_536)
def is_acronym(word: str) -> bool:
    """Two or more letters, all capitals («МВД», «КР»): written as it is, never declined."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@lru_cache(maxsize=500_000)
def parses(word: str) -> tuple[pymorphy3.analyzer.Parse, ...]:
    """pymorphy3's readings of a lowercase word, cached: names repeat their words a lot."""
    return tuple(analyzer().parse(word))


def is_known(word: str) -> bool:
    """Whether a word (any case) is in the dictionary, ё or е: what any of its readings being known
    (`Parse.is_known`) tells, without the readings, which for an unknown word pymorphy3 guesses slowly."""
    return analyzer().word_is_known(word)


@lru_cache(maxsize=65_536)
def reading(word: str, pos: tuple[str, ...], case: str = "nomn") -> pymorphy3.analyzer.Parse | None:
    """The first reading of a word as one of `pos` in `case` (None: there is none); kept, as a name's head
    is looked for word by word, and names share words."""
    for p in parses(word.lower()):
        if p.tag.POS in pos and case in p.tag:
            return p
    return None


def inflected_words(p: Parse, wanted: Sequence[Iterable[str]]) -> list[str | None]:
    """`[p.inflect(set(g)).word for g in wanted]` (None where there is no such form), walking the word's
    lexeme once, not once per form (the walk is most of an inflect call). Picks as pymorphy3's `inflect`
    does: the forms with every wanted grammeme (rare cases folded in when none has), the most similar to `p`."""
    words, tags = lexeme_words(p)
    picks = (_pick_index(p.tag, tags, frozenset(g)) for g in wanted)
    return [None if i is None else words[i] for i in picks]


def lexeme_words(p: Parse) -> tuple[tuple[str, ...], tuple[frozenset, ...]]:
    """The words of `p`'s lexeme and their grammemes, in pymorphy3's order. A dictionary word's are built
    from its paradigm's affixes (`_paradigm`), as pymorphy3's `get_lexeme` builds them, without a `Parse`
    a form: that was most of inflecting a large set's names."""
    stack = p.methods_stack
    if len(stack) == 1 and isinstance(stack[0][0], DictionaryAnalyzer):
        _unit, _word, para_id, idx = stack[0]
        affixes, tags = _paradigm(para_id)
        prefix, suffix = affixes[idx]
        stem = p.word[len(prefix) : len(p.word) - len(suffix)]
        return tuple(pre + stem + suf for pre, suf in affixes), tags
    lexeme = analyzer().get_lexeme(p)
    return tuple(f.word for f in lexeme), tuple(f.tag.grammemes for f in lexeme)


@lru_cache(maxsize=8192)
def _paradigm(para_id: int) -> tuple[tuple[tuple[str, str], ...], tuple[frozenset, ...]]:
    """A dictionary paradigm's forms: each one's (prefix, suffix) and grammemes (a few thousand paradigms
    serve every word)."""
    info = analyzer().dictionary.build_paradigm_info(para_id)
    return tuple((pre, suf) for pre, _tag, suf in info), tuple(tag.grammemes for _pre, tag, _suf in info)


@lru_cache(maxsize=65_536)
def _pick_index(tag: Any, tags: tuple[frozenset, ...], required: frozenset[str]) -> int | None:
    """Which form of a lexeme (its forms' grammemes `tags`) `inflect` takes for a word read as `tag`: the
    same for every word of one paradigm, so kept by the tags alone."""
    fits = [i for i, g in enumerate(tags) if required <= g]
    if not fits:
        required = tag.fix_rare_cases(required)
        fits = [i for i, g in enumerate(tags) if required <= g]
    grammemes = tag.updated_grammemes(required)  # max keeps the first of equals, as heapq.nlargest(1) does
    return max(fits, key=lambda i: len(grammemes & tags[i]) - 0.1 * len(grammemes ^ tags[i]), default=None)


@lru_cache(maxsize=4096)
def _lexeme(low: str, pos: tuple[str, ...]) -> tuple[Parse | None, tuple[str, ...], tuple[frozenset, ...]]:
    """A word's first reading as one of `pos`, its lexeme's words and their grammemes: walked once for
    its forms in both numbers and any gender (`_cases_of`)."""
    p = reading(low, pos)
    return (p, *lexeme_words(p)) if p is not None else (None, (), ())


def phrase_forms(name: str, plural: bool = True) -> list[Form]:
    """Case (and number) forms of a non-person name; the nominative first."""
    return list(_phrase_forms(name, plural))


@lru_cache(maxsize=4096)
def _phrase_forms(name: str, plural: bool) -> tuple[Form, ...]:
    """`phrase_forms`, kept for the names in hand: a name's keys, abbreviations, genitives ask again. The
    plural forms follow the singular ones, which are asked for alone (the singular, kept, is not made twice)."""
    words = name.split()
    head, hp = head_of(name)
    if head is None and len(words) > 1 and is_acronym(words[0]):
        # «УВД Таласской области»: the acronym is the head and does not inflect
        return (Form(name, "nomn", "sing", len(words[0]) + 1),)
    if head is None or hp is None:
        return (Form(name, "nomn", "sing", _tail_offset(words, head)),)
    # plain strings: pymorphy3's typed grammemes compare and hash in Python, and key the memos below
    number = str(hp.tag.number or "sing")
    if not plural:
        return tuple(_number_forms([Form(name, "nomn", "sing", _tail_offset(words, head))], words, head, hp, number))
    singular = _phrase_forms(name, False)
    if "Pltm" in hp.tag or "Sgtm" in hp.tag or number != "sing":
        return singular
    return tuple(_number_forms(list(singular), words, head, hp, "plur"))


@lru_cache(maxsize=4096)
def head_of(name: str) -> tuple[int | None, Parse | None]:
    """The place of a name's head noun (`_head_index`) and its reading as a noun (None, None: none)."""
    words = name.split()
    head = _head_index(words)
    return head, (reading(words[head].rpartition("-")[2], ("NOUN",)) if head is not None else None)


@lru_cache(maxsize=256)
def _grams(*grammemes: str) -> frozenset[str]:
    """One frozenset of these grammemes (its hash kept): the inflection memo's keys."""
    return frozenset(grammemes)


def _number_forms(out: list[Form], words: list[str], head: int, hp: Parse, number: str) -> list[Form]:
    """`out` with the forms of a name in each case of one number that it does not hold yet."""
    seen = {f.text for f in out}
    agreeing = [i for i in range(head) if not is_acronym(words[i]) and NAME_WORD.match(words[i])]
    gender = str(hp.tag.gender) if number == "sing" and hp.tag.gender else ""
    # in the accusative the adjectives agree in animacy too (plural, or a masculine head)
    animate = str(hp.tag.animacy or "inan") if number == "plur" or hp.tag.gender == "masc" else ""
    heads = _cases_of(words[head], number, "", "", ("NOUN",))
    adjectives = [_cases_of(words[i], number, gender, animate, ("ADJF", "PRTF")) for i in agreeing]
    for k, case in enumerate(CASES):
        if heads[k] is None or any(forms[k] is None for forms in adjectives):
            continue
        new_words = list(words)
        new_words[head] = heads[k]
        for i, forms in zip(agreeing, adjectives, strict=True):
            new_words[i] = forms[k]
        text = " ".join(new_words)
        if text not in seen:
            seen.add(text)
            out.append(Form(text, case, number, _tail_offset(new_words, head)))
    return out


@lru_cache(maxsize=16_384)  # a bound on memory in each of a large compile's processes
def _cases_of(word: str, number: str, gender: str, animate: str, pos: tuple[str, ...]) -> tuple[str | None, ...]:
    """A word of a name (its last hyphenated part inflects) in each of CASES of one number (None where it
    will not be), agreeing in `gender` and, in the accusative, in `animate`: once per word, not once per
    name and case (a large set's names share their words)."""
    head, dash, last = word.rpartition("-")
    p, words, tags = _lexeme(last.lower(), pos)
    if p is None:
        return (None,) * len(CASES)
    picks = _case_picks(p.tag, tags, number, gender, animate)
    return tuple(None if i is None else f"{head}{dash}{match_case(last, words[i])}" for i in picks)


@lru_cache(maxsize=16_384)
def _case_picks(
    tag: Any, tags: tuple[frozenset, ...], number: str, gender: str, animate: str
) -> tuple[int | None, ...]:
    """`_pick_index` in each of CASES (`_cases_of`): the same for every word of one paradigm."""
    out = []
    for case in CASES:
        grams = (case, number, gender, animate if case == "accs" else "")
        out.append(_pick_index(tag, tags, _grams(*(g for g in grams if g))))
    return tuple(out)


def _head_index(words: list[str]) -> int | None:
    """The head noun: the first noun in the nominative, with only adjectives before it."""
    for i, w in enumerate(words):
        if is_acronym(w) or not NAME_WORD.match(w):
            return None
        last = w.rpartition("-")[2]
        if (
            i + 1 < len(words)
            and reading(last, ("ADJF", "PRTF")) is not None
            and NAME_WORD.match(words[i + 1])
            and reading(words[i + 1].rpartition("-")[2], ("NOUN", "ADJF", "PRTF")) is not None
        ):
            continue  # «Московский городской суд»: adjectives before the noun, though also nouns (a surname)
        if reading(last, ("NOUN",)) is not None:
            return i
        if reading(w.rpartition("-")[2], ("ADJF", "PRTF")) is None:
            return None
    return None


def _tail_offset(words: list[str], head: int | None) -> int:
    """Char offset where the uninflected dependents begin (len(name) when there are none)."""
    if head is None:
        return sum(len(w) + 1 for w in words) - 1
    return sum(len(w) + 1 for w in words[: head + 1])


# --- personal names -----------------------------------------------------------------


def _noun_endings(stem_end: str) -> str:
    return "и" if stem_end in _VELAR_HUSHING else "ы"


def name_word_forms(word: str, gender: str | None, role: str) -> dict[str, set[str]]:
    """Case forms of one word of a personal name, by the rules for names.

    role: "first", "patronymic" or "surname". Gender may be None (unknown): then the
    masculine forms are given, and the nominative stays valid in every case, which
    is how feminine and foreign names that do not decline are written.
    """
    return {c: set(fs) for c, fs in zip(CASES, name_word_cases(word, gender, role), strict=True)}


@lru_cache(maxsize=65_536)
def name_word_cases(word: str, gender: str | None, role: str) -> tuple[tuple[str, ...], ...]:
    """`name_word_forms`, sorted, in CASES order, once per (word, gender, role): first names repeat."""
    return tuple(tuple(sorted(fs)) for fs in _name_word_forms(word, gender, role).values())


def _name_word_forms(word: str, gender: str | None, role: str) -> dict[str, set[str]]:
    w = word
    low = w.lower()
    forms: dict[str, set[str]] = {c: {w} for c in CASES}

    def add(case: str, ending: str, cut: int = 0) -> None:
        base = w[: len(w) - cut] if cut else w
        forms[case].add(base + ending)

    if "-" in w and role == "first":
        # «Касым-Жомарт»: the last part declines
        head, _, last = w.rpartition("-")
        sub = name_word_forms(last, gender, role)
        return {c: {f"{head}-{f}" for f in fs} for c, fs in sub.items()}

    if role == "first":
        # a first name the dictionary knows, of the person's gender («Любовь» → «Любови», «Любовью»)
        p = next((p for p in parses(low) if "Name" in p.tag and "nomn" in p.tag), None)
        if gender == "f":
            p = next((p for p in parses(low) if "Name" in p.tag and "nomn" in p.tag and p.tag.gender == "femn"), None)
        if p is not None and (gender is None or (p.tag.gender == "masc") == (gender == "m")):
            for case, q in zip(CASES, inflected_words(p, [(case, "sing") for case in CASES]), strict=True):
                if q is not None:
                    forms[case].add(match_case(w, q))
            return forms

    female = gender == "f"
    if role == "patronymic":
        if low.endswith(("вич", "ич")):
            add("gent", "а"), add("datv", "у"), add("accs", "а"), add("ablt", "ем"), add("loct", "е")
        elif low.endswith(("вна", "чна", "ична")):
            add("gent", "ы", 1), add("datv", "е", 1), add("accs", "у", 1), add("ablt", "ой", 1), add("loct", "е", 1)
        return forms
    if role == "surname":
        if low.endswith(("ова", "ева", "ёва", "ина", "ына")) and gender != "m":
            add("gent", "ой", 1), add("datv", "ой", 1), add("accs", "у", 1), add("ablt", "ой", 1), add("loct", "ой", 1)
            return forms
        if low.endswith(("ская", "цкая", "ая")) and gender != "m":
            add("gent", "ой", 2), add("datv", "ой", 2), add("accs", "ую", 2), add("ablt", "ой", 2), add("loct", "ой", 2)
            return forms
        if low.endswith(("ский", "цкий", "ый", "ой", "ий")) and len(low) > 4 and not female:
            cut = 2
            soft = low.endswith("ий") and low[-3] not in "кгх" + "жшчщц"
            o = "е" if soft else "о"
            add("gent", o + "го", cut), add("datv", o + "му", cut), add("accs", o + "го", cut)
            add("ablt", ("и" if low.endswith("ий") else "ы") + "м", cut), add("loct", o + "м", cut)
            return forms
        if low.endswith(("ов", "ев", "ёв", "ин", "ын")) and not female:
            add("gent", "а"), add("datv", "у"), add("accs", "а"), add("ablt", "ым"), add("loct", "е")
            return forms
    last = low[-1:]
    if female and last not in ("а", "я"):
        return forms  # feminine names ending in a consonant do not decline
    if last == "а" and len(low) > 2:
        y = _noun_endings(low[-2])
        add("gent", y, 1), add("datv", "е", 1), add("accs", "у", 1)
        add("ablt", ("ей" if low[-2] in _HUSHING else "ой"), 1), add("loct", "е", 1)
    elif last == "я" and len(low) > 2:
        i_end = "и"
        add("gent", i_end, 1), add("datv", "и" if low.endswith("ия") else "е", 1), add("accs", "ю", 1)
        add("ablt", "ей", 1), add("loct", "и" if low.endswith("ия") else "е", 1)
    elif last in ("ь", "й") and len(low) > 2:
        add("gent", "я", 1), add("datv", "ю", 1), add("accs", "я", 1), add("ablt", "ем", 1), add("loct", "е", 1)
    elif last and last.isalpha() and last not in VOWELS and last not in "ъ":
        add("gent", "а"), add("datv", "у"), add("accs", "а"), add("loct", "е")
        add("ablt", "ом")
        if last in _HUSHING:
            add("ablt", "ем")
    return forms


def guess_gender(words: list[str], surname_index: int) -> str | None:
    """Gender from a known first name or a feminine surname ending; None when unclear."""
    for i, w in enumerate(words):
        if i == surname_index:
            continue
        for p in parses(w.lower()):
            if "Name" in p.tag and "nomn" in p.tag:
                return "m" if p.tag.gender == "masc" else "f"
    s = words[surname_index].lower()
    if s.endswith(("ова", "ева", "ёва", "ина", "ына", "ская", "цкая")):
        return "f"
    if s.endswith(("ов", "ев", "ёв", "ин", "ын", "ский", "цкий")):
        return "m"
    return None


@dataclass(frozen=True)
class PersonParts:
    """A personal name split into roles, with the case forms of each word."""

    words: tuple[str, ...]
    roles: tuple[str, ...]
    gender: str | None

    @property
    def surname(self) -> str:
        return self.words[self.roles.index("surname")]

    @property
    def first(self) -> str | None:
        return self.words[self.roles.index("first")] if "first" in self.roles else None


_PATRONYMIC_ENDINGS = ("вич", "вна", "чна", "ична", "оглы", "кызы")


@lru_cache(maxsize=1024)  # a person's keys and its name tables ask for its parts in turn (`keyrows._person`)
def person_parts(name: str, surname: str | None = None, gender: str | None = None) -> PersonParts:
    words = name.split()
    if surname and surname in words:
        s_index = words.index(surname)
    elif (
        len(words) == 3
        and words[2].lower().endswith(_PATRONYMIC_ENDINGS)
        and not words[1].lower().endswith(_PATRONYMIC_ENDINGS)
    ):
        # the official order «Ерохин Дмитрий Юрьевич»; «Михаил Леонидович Агранович» has a surname in -вич
        s_index = 0
    else:
        s_index = len(words) - 1
    roles = []
    for i, w in enumerate(words):
        if i == s_index:
            roles.append("surname")
        elif w.lower().endswith(_PATRONYMIC_ENDINGS) and i > 0 and len(words) > 2:
            roles.append("patronymic")
        elif "first" not in roles:
            roles.append("first")
        else:
            roles.append("other")
    g = gender or guess_gender(words, s_index)
    return PersonParts(tuple(words), tuple(roles), g)


def person_forms(name: str, surname: str | None = None, gender: str | None = None) -> list[Form]:
    """Case forms of a full personal name: each word in the case, or left undeclined.

    A name with a patronymic is also found without it («Василия Шукшина» for
    «Василий Макарович Шукшин») and in the official order («Шукшин Василий Макарович»).
    """
    texts, cases = _person_forms(name, surname, gender)
    return [Form(text, case, "sing", len(text)) for text, case in zip(texts, cases, strict=True)]


def person_texts(name: str, surname: str | None = None, gender: str | None = None) -> list[str]:
    """The texts of `person_forms` (a person's keys need no more: a form is whole, its tail its length)."""
    return _person_forms(name, surname, gender)[0]


def _person_forms(name: str, surname: str | None, gender: str | None) -> tuple[list[str], list[str]]:
    """`person_forms` as the texts and their cases."""
    parts = person_parts(name, surname, gender)
    # each word's forms by case (in CASES order)
    per_word = [
        name_word_cases(w, parts.gender, role if role != "other" else "first")
        for w, role in zip(parts.words, parts.roles, strict=True)
    ]
    orders = [list(range(len(parts.words)))]
    if "patronymic" in parts.roles and "first" in parts.roles:
        first, patr, last = parts.roles.index("first"), parts.roles.index("patronymic"), parts.roles.index("surname")
        # «Наталья Дмитриевна»: first name and patronymic, the polite way to name someone already known
        orders += [[first, patr, last], [first, last], [last, first, patr], [last, first], [first, patr]]
    elif parts.roles == ("first", "other", "surname") and all(len(w) >= 3 and NAME_WORD.match(w) for w in parts.words):
        # «Джон Фицджеральд Кеннеди» is mostly «Джон Кеннеди»; a Spanish double surname («Алан Гарсиа
        # Перес») is mostly the first of the two («Алан Гарсиа»)
        orders += [[0, 2], [0, 1]]
    out, cases = [name], ["nomn"]
    seen = {name}
    for order in orders:
        for k, case in enumerate(CASES):
            texts = [""]  # the words' forms in this case, every combination (at most 64 and then some)
            for n, i in enumerate(order):
                texts = [f"{t} {f}" for t in texts for f in per_word[i][k]] if n else list(per_word[i][k])
                if len(texts) > 64:
                    break
            for text in texts:
                if text not in seen:
                    seen.add(text)
                    out.append(text)
                    cases.append(case)
    return out, cases


_RUSSIAN_SURNAME = re.compile(
    r"(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ом|е|ой|ою|ых|ыми)?$|(?:ск|цк)(?:ий|ого|ому|им|ом|ая|ой|ую)$"
)


def is_russian_surname(word: str) -> bool:
    """A surname of the Russian pattern (-ов, -ин, -ский …, in any case): spelled one way, so a near
    spelling is another family («Марков» is not «Макаров»), not a transliteration variant."""
    return _RUSSIAN_SURNAME.search(word.lower()) is not None


@lru_cache(maxsize=65_536)
def is_first_name(word: str, lemma: bool = False) -> bool:
    """A word the dictionary knows as a first name («Андрей», «Мария», «Томас»), in any case;
    with `lemma`, only as the name itself («Мамаев» is a surname, not a plural of «Мамай»)."""
    low = word.lower()
    return any(
        p.is_known and "Name" in p.tag.grammemes and (not lemma or (p.normal_form == low and "sing" in p.tag))
        for p in parses(low)
    )


@lru_cache(maxsize=65_536)
def is_mainly_first_name(word: str) -> bool:
    """A first name more than a place: «Владимир», «Анна», but not «Марсель», «Израиль» or «Вена»,
    which the dictionary knows better as places (pymorphy3's parse scores)."""
    name = geo = 0.0
    low = word.lower()
    for p in parses(low):
        if p.is_known and "Name" in p.tag.grammemes and p.normal_form == low:
            name += p.score
        elif p.is_known and "Geox" in p.tag.grammemes:
            geo += p.score
    return name > geo


@lru_cache(maxsize=65_536)
def word_forms(word: str, gender: str | None, role: str) -> tuple[str, ...]:
    """All case forms of one name word (for surname-only and first-name mentions), sorted; kept, as people
    share first names and surnames."""
    return tuple(sorted({f for fs in name_word_cases(word, gender, role) for f in fs}))


_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr"})


@lru_cache(maxsize=65_536)
def is_common_word(word: str) -> bool:
    """A dictionary word in its own right, not a name: «бегун», «ван», «чайка».

    Only dictionary lemmas count: «Лавров» is a form of «лавр», but nobody writes the
    genitive plural of «лавр» with a capital mid-sentence, so it needs no guard.
    """
    low = word.lower()
    for p in parses(low):
        if p.is_known and p.normal_form == low and not (_NAME_TAGS & p.tag.grammemes):
            return True
    return False


@lru_cache(maxsize=65_536)
def is_word_form(word: str) -> bool:
    """Any form of a dictionary word that is not a name: «Того» (тот), «Семей» (семья)."""
    return any(p.is_known and not (_NAME_TAGS & p.tag.grammemes) for p in parses(word.lower()))


@lru_cache(maxsize=20_000)
def adjective_forms(lemma: str) -> tuple[str, ...]:
    """Every form of an adjective (genders, numbers, cases): «российский» → российская, российских…"""
    p = next((p for p in parses(lemma.lower()) if p.tag.POS == "ADJF"), None)
    if p is None:
        return (lemma,)
    return tuple(sorted({f.word for f in p.lexeme if f.tag.POS == "ADJF"} | {lemma}))


# relational adjectives by the productive suffixes of place names, tried in this order, per ending:
# (letters cut from the name, suffix); the first one the dictionary knows wins
_ADJ_SUFFIXES = {
    "ия": ((2, "ийский"), (2, "ский"), (2, "ьский")),  # Россия, Германия, Бразилия
    # Украина, Куба, Америка, Европа; Москва, Уфа, Тула, Калуга (-овск-, -имск-, -ьск-, г → ж)
    "а": (
        (1, "ский"),
        (1, "инский"),
        (1, "анский"),
        (1, "ейский"),
        (1, "ийский"),
        (1, "овский"),
        (1, "имский"),
        (1, "ьский"),
        (2, "жский"),
    ),
    "ва": ((1, "ский"), (1, "инский"), (1, "анский"), (2, "овский")),  # Нева, Литва, Москва
    "я": ((1, "ский"), (1, "йский")),
    "ь": ((1, "ский"), (1, "ской"), (0, "ский"), (2, "ский")),  # Пермь, Тверь, Израиль, Ярославль
    "ск": ((2, "ский"),),  # Курск
    "": ((0, "ский"), (0, "ской"), (0, "ийский"), (0, "инский")),  # Китай, Пекин, Крым
}


@lru_cache(maxsize=20_000)
def derived_adjective(name: str) -> str | None:
    """The relational adjective of a one-word place name (Бразилия → бразильский, Пекин → пекинский),
    when Russian word formation gives it and the dictionary knows the result; None otherwise."""
    low = name.lower()
    if " " in low or not NAME_WORD.match(low) or len(low) < 3:
        return None
    ending = next((e for e in ("ия", "ск", "ва", "а", "я", "ь") if low.endswith(e)), "")
    if ending == "" and low[-1] in VOWELS:
        return None  # Мали, Того, Чили: indeclinable names take -йский irregularly
    head, dash, last = low.rpartition("-")
    for cut, suffix in _ADJ_SUFFIXES[ending]:
        adj = last[: len(last) - cut] + suffix
        if any(p.is_known and p.tag.POS == "ADJF" and p.normal_form == adj for p in parses(adj)):
            return head + dash + adj
    return None


ACRONYM_SKIP = frozenset("и в во на по о об при для с со к у от из за над под между де".split())


def acronym(name: str) -> str | None:
    """The acronym of a multi-word name (Министерство внутренних дел → МВД), if ≥ 3 letters."""
    words = [w for w in re.split(r"[\s]+", name) if w and w.lower() not in ACRONYM_SKIP]
    if len(words) < 3 or any(not w[:1].isalpha() for w in words):
        return None
    # each part of a compound adjective gives its letter: «Азиатско-Тихоокеанское …» → АТЭС, not АЭС
    return "".join(part[0].upper() for w in words for part in w.split("-") if part[:1].isalpha())
