"""The adjective tier: a place named by its adjective («российских», «бразильский», «пекинский»), and
the words after one that say it names something else (a language, a nationality, a division)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from normalize import morph
from normalize.gazetteer import Entity
from normalize.link.records import Key

ADJECTIVE_TYPES = frozenset({"country", "region", "city"})


def adjective_keys(e: Entity) -> Iterable[Key]:
    """Every form of the entity's adjectives: those the gazetteer gives and, for places, the one Russian
    forms from a one-word name («бразильский», «пекинский»)."""
    adjectives = list(e.adjectives)
    if e.type in ADJECTIVE_TYPES:
        for name in e.names:
            adj = morph.derived_adjective(name)
            if adj and adj not in adjectives:
                adjectives.append(adj)
    for adjective in adjectives:
        # lowercase forms: «российских», and «Российская» at a sentence start, both fit
        for form in morph.adjective_forms(adjective):
            yield Key(form.lower(), "adjective", len(form))


_DIVISION_NOUN = re.compile(r"\s+(?:област|район|кра[йяюе]|округ|губерни|уезд|волост)", re.IGNORECASE)
_LANGUAGE_NOUN = re.compile(r"\s+язык(?:а|у|ом|е|и|ов|ам|ами|ах)?\b")

# nouns of a post in a state: «российский президент» is Russia's president, a relation to the state,
# where «российский боксёр» only says what the boxer is (a nationality, not a mention of Russia)
_STATE_ROLES = frozenset(
    "президент премьер премьер-министр министр лидер глава руководитель правитель диктатор монарх король королева "
    "принц принцесса посол дипломат консул депутат сенатор парламентарий чиновник политик военный солдат офицер "
    "генерал полицейский силовик разведчик шпион пограничник гражданин подданный власть".split()
)
_ADJ_ENDING = "(?:ий|ый|ой|ая|ое|ые|ого|ему|ому|ым|им|ом|ем|ую|ей|их|ими|ыми|ых)"
_NEXT_NOUN = re.compile(rf"(?:-[а-яё]+)?\s+(?:(?:и\s+)?[а-яё]+{_ADJ_ENDING}\s+)*([а-яё-]+)")


def _describes_person(text: str, end: int) -> bool:
    """«польский композитор», «итальянского фотографа»: an adjective before a noun naming a person
    (an animate one, other than a post in the state) gives the person's nationality."""
    m = _NEXT_NOUN.match(text, end, end + 80)
    if m is None:
        return False
    parsed = morph.parses(m.group(1))
    p = parsed[0] if parsed else None
    return p is not None and p.tag.POS == "NOUN" and "anim" in p.tag and p.normal_form not in _STATE_ROLES


def names_other_thing(text: str, end: int) -> bool:
    """Whether the words after an adjective ending at `end` say it does not mention its place:
    «французский язык» names a language, «французский журналист» a nationality, and «Минская
    область» is a region of its own, not the city of Minsk."""
    return bool(_LANGUAGE_NOUN.match(text, end) or _describes_person(text, end) or _DIVISION_NOUN.match(text, end))
