"""The precision guards: what the text around a hit says about it. Word boundaries, letter case,
sentence starts, quotes, another first name or initial before a surname, a title before a one-word
name, a type cue before a name shared by several kinds of thing. (The adjective tier's own guard is
`adjective.names_other_thing`.)"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from normalize import morph
from normalize.gazetteer import Entity
from normalize.link.folding import fold
from normalize.link.index import Index
from normalize.link.records import Candidate

OPEN_QUOTES = frozenset('«"„')
CLOSE_QUOTES = frozenset('»"“')


def at_boundary(text: str, start: int, end: int) -> bool:
    """Whether [start, end) is whole words: no letter or digit, nor a hyphen joining one, on either side."""
    if start > 0:
        c = text[start - 1]
        if c.isalnum() or (c == "-" and start > 1 and text[start - 2].isalnum()):
            return False
    if end < len(text):
        c = text[end]
        if c.isalnum() or (c == "-" and end + 1 < len(text) and text[end + 1].isalnum()):
            return False
    return True


def case_fits(c: Candidate, surface: str) -> bool:
    """Every capital in the name's form is a capital in the text (but a free first letter)."""
    return c.form == surface or caps_fit(c.form, surface, 1 if c.lower_first else 0)


@lru_cache(maxsize=50_000)
def caps_fit(form: str, surface: str, start: int) -> bool:
    """Every capital of `form` from `start` on is a capital in `surface`."""
    # a name meets the same few spellings again and again: judged once per pair
    return all(not (f.isupper() and not s.isupper()) for f, s in zip(form[start:], surface[start:], strict=False))


def sentence_start(text: str, start: int) -> bool:
    """Whether `start` opens a sentence (or a line, or follows a colon), quotes and dashes aside."""
    i = start - 1
    while i >= 0 and text[i] in " \t«\"'(—-":
        i -= 1
    return i < 0 or text[i] in ".!?…\n:"


def mid_sentence_capital(text: str, start: int) -> bool:
    """A capital that is not there because a sentence starts: evidence of a name."""
    return text[start].isupper() and not sentence_start(text, start)


def quoted(text: str, start: int, end: int) -> bool:
    """Whether [start, end) stands whole in quotes («Рома», "Юность")."""
    return 0 < start and end < len(text) and text[start - 1] in OPEN_QUOTES and text[end] in CLOSE_QUOTES


def other_initial_before(text: str, start: int, index: Index, entity: int) -> bool:
    """«Э.Уитакер» is not Форест Уитакер: a surname led by another initial (of the first name;
    the second of two initials is the patronymic's: «Г. А. Зюганов»)."""
    m = re.search(r"(?<![А-ЯЁа-яё])([А-ЯЁ])\.\s?(?:([А-ЯЁ])\.\s?)?$", text[max(0, start - 8) : start])
    if m is None or entity not in index.persons:
        return False
    first = index.persons[entity].first
    return not first or first[0].upper() != m.group(1)


def other_given_name_after(text: str, end: int, index: Index, entity: int) -> bool:
    """«Ким Чон Нам» is not Ким Чен Ын: where the surname comes first in the person's name, a
    capitalised word after it that is not one of the person's own names is another person's."""
    parts = index.persons.get(entity)
    if parts is None or parts.roles[0] != "surname":
        return False
    m = re.match(r"[ \t]+([А-ЯЁA-Z][а-яёa-z]*)", text[end : end + 30])
    if m is None:
        return False
    word = fold(m.group(1))
    # the name's own later words, as they are inflected in the text («Ким Чен Ына»)
    return not any(word.startswith(fold(w)[: max(2, len(w) - 1)]) for w in parts.words[1:])


def other_first_name_before(text: str, start: int, index: Index, entity: int) -> bool:
    """«Андрей Быков» is not Вячеслав Быков: a surname led by another first name.

    Another first name is a capitalised word just before the surname, not at a sentence
    start, that is a known first name or no dictionary word at all («Юкия Амано»).
    """
    m = re.search(r"([А-ЯЁ][а-яё]+)\s+$", text[max(0, start - 30) : start])
    if m is None:
        return False
    word = m.group(1)
    word_start = start - len(m.group(0))
    if not morph.is_first_name(word):
        if sentence_start(text, word_start) or morph.is_known(word):
            return False
    own = {fold(f) for f in index.first_forms.get(entity, ())}
    return fold(word) not in own


def qualified_by_plural(text: str, end: int) -> bool:
    """«МВД стран ТС»: a generic name followed by a plural genitive names several bodies."""
    m = re.match(r"\s+([а-яё]+)", text[end : end + 40])
    if m is None:
        return False
    return any(p.tag.POS == "NOUN" and {"gent", "plur"} <= p.tag.grammemes for p in morph.parses(m.group(1))[:1])


def another_country_follows(text: str, end: int, countries_at: Callable[[int], set[str]], owner: str) -> bool:
    """«МВД России … Министерство внутренних дел Франции», «Парламент Грузии … Парламент Армении»: a body's
    generic name right before a country (`countries_at`: the ids of the countries a hit that starts there may be)
    other than `owner`, the body's own (none known: any), is that country's body, not the one already named."""
    after = end
    while after < len(text) and after - end < 2 and text[after] == " ":
        after += 1
    countries = countries_at(after) if after > end else None
    return bool(countries) and owner not in countries


# words for a person's title or occupation: one right before a one-word name («папа Франциск», «принц
# Чарльз», «певицы Алсу») says the name is a person's, where alone it could be anyone's first name
_TITLES = frozenset(
    "папа понтифик патриарх митрополит принц принцесса король королева император императрица царь царица "
    "эрцгерцог герцог герцогиня граф графиня князь княгиня шейх султан эмир кронпринц наследник "
    "президент премьер премьер-министр министр госсекретарь канцлер сенатор губернатор мэр посол генерал "
    "певица певец исполнитель исполнительница рэпер актёр актриса режиссёр писатель писательница поэт "
    "поэтесса художник композитор музыкант модель телеведущий телеведущая блогер футболист теннисист "
    "теннисистка боксёр хоккеист спортсменка спортсмен".split()
)
_TITLES_FOLDED = frozenset(t.replace("ё", "е") for t in _TITLES)
_TITLE_BEFORE = re.compile(r"(?<![\w-])([А-ЯЁа-яё-]{3,})\s+$")


def title_before(text: str, start: int) -> str | None:
    """The title or occupation word right before `start` («папа», «принца», «певицы»), as a folded lemma."""
    m = _TITLE_BEFORE.search(text, max(0, start - 40), start)
    if m is None:
        return None
    for p in morph.parses(m.group(1).lower()):
        lemma = p.normal_form.replace("ё", "е")
        if lemma in _TITLES_FOLDED and p.tag.POS == "NOUN":
            return lemma
    return None


def own_titles(entity: Entity) -> set[str]:
    """Folded lemmas of the words after the comma of a name like «Чарльз, принц Уэльский»."""
    return {
        p.normal_form.replace("ё", "е")
        for name in entity.names
        if "," in name
        for word in name.split(",", 1)[1].split()
        for p in morph.parses(word.lower())[:1]
    }


# one name, several kinds of thing («Вашингтон»: the city, the state, a president's surname): without
# other evidence the place people live in is meant, in the order a news reader would take it
_TYPE_ORDER = {t: i for i, t in enumerate(("country", "city", "region", "place", "organization", "media", "agency"))}
# the types whose names stand in quotes (a club, a party, a paper, a body)
QUOTED_TYPES = frozenset({"organization", "media", "agency"})
_TYPE_CUES = (
    (re.compile(r"(?:штат|провинци|област|кра[йяюе]|округ|земл[яиюе]|графств)[а-яё]*\s+$"), "region"),
    (re.compile(r"(?:город|г\.|столиц)[а-яё]*\s*$"), "city"),
    (re.compile(r"(?:клуб|команд|компани|парти|группировк|издани|газет|журнал)[а-яё]*\s+$"), "organization"),
)


def by_type(cands: list[Candidate], index: Index, text: str, start: int, end: int) -> list[Candidate]:
    """Settle a name shared by things of different types (never two of one type) by the words
    around it: «штат Вашингтон», «клуб «Барселона»», a name in quotes (a club, a party, a paper),
    else by _TYPE_ORDER. A person's surname yields to a place or a body of that name."""
    named = [c for c in cands if c.method != "surname"] or cands
    types = [index.entities[c.entity].type for c in named]
    by_entity = {c.entity: index.entities[c.entity].type for c in named}
    if len(set(by_entity.values())) != len(by_entity) or "person" in types:
        return []
    before = text[max(0, start - 20) : start].lower()
    is_quoted = before.endswith(("«", '"', "„")) and text[end : end + 1] in ("»", '"', "“")
    for pattern, cue in _TYPE_CUES:
        if pattern.search(before.rstrip('«"„ ') + " "):
            hit = [c for c in named if by_entity[c.entity] == cue]
            if hit:
                return hit
    if is_quoted:
        hit = [c for c in named if by_entity[c.entity] in QUOTED_TYPES]
        if len({c.entity for c in hit}) == 1:
            return hit
    first = min(named, key=lambda c: _TYPE_ORDER.get(by_entity[c.entity], 99))
    return [c for c in named if c.entity == first.entity]
