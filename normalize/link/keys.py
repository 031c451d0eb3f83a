"""Key generation: everything one entity may be called, in every case form (the exact, inflected and
alias tiers; the adjective, acronym and composed tiers add theirs from their own modules)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain

from normalize import morph
from normalize.gazetteer import Entity
from normalize.link import names
from normalize.link.adjective import adjective_keys
from normalize.link.composed import abbreviation_keys, composed_keys, owner_country
from normalize.link.folding import fold
from normalize.link.records import Key, Needs

PLURAL_TYPES = frozenset({"region", "agency", "organization"})

_LEGAL_FORM = re.compile(
    r"^(?:ПАО|ОАО|ЗАО|ООО|АО|НАО|ФГУП|ГУП|МУП|АНО)\s+|"
    r",?\s+(?:Company|Co\.|Inc\.?|Incorporated|Corporation|Corp\.?|Ltd\.?|Limited|LLC|PLC|plc|AG|GmbH|S\.A\.|N\.V\.)$"
)


def entity_keys(e: Entity, by_id: dict[str, Entity], country_gens: dict[str, Entity] | None = None) -> Iterable[Key]:
    """Everything one entity may be called (`country_gens`: `composed.country_genitives` of the set): its
    `own_keys`, then its `composed_keys_of` (none for a person)."""
    return chain(own_keys(e), composed_keys_of(e, by_id, country_gens))


def composed_keys_of(
    e: Entity, by_id: dict[str, Entity], country_gens: dict[str, Entity] | None = None
) -> Iterable[Key]:
    """What an entity is called by its names composed with its country: what its `own_keys` (which a
    `keystore` may keep) leave to the rest of the set (none for a person)."""
    if e.type == "person":
        return ()
    return composed_keys(spelled_out(e), owner_country(e, by_id, country_gens or {}))


def own_fingerprint(e: Entity) -> tuple:
    """All that `own_keys` reads of an entity: equal fingerprints, equal keys."""
    return (e.type, e.names, e.adjectives, e.gender, e.surname)


def spelled_out(e: Entity) -> list[str]:
    """The names that are words, not acronyms or codes: the ones that inflect and compose."""
    return [n for n in e.names if not morph.is_acronym(n) and morph.NAME_WORD.match(n.replace(" ", ""))]


def own_keys(e: Entity) -> Iterable[Key]:
    """What an entity is called by its own names alone, whatever the rest of the set (the same for
    equal `own_fingerprint`s): most of compiling, so `keystore` keeps it on disk."""
    return _person_keys(e) if e.type == "person" else _body_keys(e)


def _body_keys(e: Entity) -> Iterable[Key]:
    """`own_keys` of anything but a person: places, bodies, media, events."""
    yield from adjective_keys(e)
    plural = e.type in PLURAL_TYPES
    if e.type in names.BODY_TYPES:
        # «Monsanto Company» is written «Monsanto», «ПАО «Газпром»» is «Газпром»
        for name in e.names:
            short = _LEGAL_FORM.sub("", name).strip(' «»"')
            if short and short != name and len(short) >= 3:
                yield Key(short, "alias", len(short), Needs.EVIDENCE if morph.is_word_form(short) else Needs.NOTHING)
    for i, name in enumerate(e.names):
        if morph.is_acronym(name) or not morph.NAME_WORD.match(name.replace(" ", "")):
            method = "acronym" if morph.is_acronym(name) else ("exact" if i == 0 else "alias")
            first = name.split()[0]
            yield Key(name, method, len(first) + 1 if len(first) < len(name) else len(name))
            continue
        # a place name the dictionary cannot inflect («Претория», «Лас-Вегас») declines by the rules for names
        forms = names.name_forms(name, morph.phrase_forms(name, plural=plural), e.type)
        # a city or a body called «Владимир», «Анна»: alone it is a person's name (judged on the name,
        # not on each form: «Марселе» may parse as a first name, «Марсель» is a city first)
        first_like = " " not in name and morph.is_mainly_first_name(name)
        for j, f in enumerate(forms):
            method = ("exact" if j == 0 else "inflected") if i == 0 else "alias"
            # a one-word name that is also an ordinary word («Того», «Семей») needs evidence
            needs = Needs.EVIDENCE if " " not in f.text and morph.is_word_form(f.text) else Needs.NOTHING
            if first_like and " " not in f.text:
                needs = Needs.CONTEXT
            yield Key(f.text, method, f.tail, needs)
            if f.tail < len(f.text) and f.case == "nomn":  # what `_coordinated` asks first, asked without a call
                yield from _coordinated(f, "inflected" if i == 0 else "alias")
        # «в Таласской и Чуйской областях»: a place named by adjectives and a noun the phrase shares
        yield from names.coordinated(forms, e.type, "inflected" if i == 0 else "alias")
        yield from abbreviation_keys(e, name)


def _person_keys(e: Entity) -> list[Key]:
    """A person's names in every case form, a one-word name's needs judged on the name. A list, not a
    generator: most of a large set's keys are persons', 10 to 13 a name."""
    out: list[Key] = []
    for i, name in enumerate(e.names):
        # «Чарльз, принц Уэльский», «Франциск, папа римский»: a name, then a title after a comma
        name = name.split(",")[0].strip() if "," in name and name.split(",")[0].strip() else name
        if len(name.split()) == 1:
            # a mononym («Неймар», «Мадонна») declines as a name word; one that is also an ordinary
            # word («Мадонна») needs evidence, a capital mid-sentence; a first name («Анна», «Филипп»)
            # could be anyone, so it needs the document's help
            role = "first" if morph.is_first_name(name, lemma=True) else "surname"
            if role == "first":
                needs = Needs.CONTEXT
            else:
                needs = Needs.EVIDENCE if morph.is_common_word(name) else Needs.NOTHING
            for form in morph.word_forms(name, e.gender, role):
                method = ("exact" if form == name else "inflected") if i == 0 else "alias"
                out.append(Key(form, method, len(form), needs))
            continue
        for j, text in enumerate(morph.person_texts(name, e.surname, e.gender)):
            method = ("exact" if j == 0 else "inflected") if i == 0 else "alias"
            out.append(Key(text, method, len(text)))
    return out


def _coordinated(f: morph.Form, method: str) -> Iterable[Key]:
    """«УВД Таласской и ГУВД Чуйской областей»: the ellipsis and the plural of a final noun."""
    words = f.text.split()
    if len(words) < 3 or f.tail >= len(f.text) or f.case != "nomn":
        return
    last = words[-1]
    p = next((p for p in morph.parses(last.lower()) if p.tag.POS == "NOUN" and "gent" in p.tag), None)
    if p is None or p.tag.number != "sing":
        return
    plural = p.inflect({"gent", "plur"})
    if plural is None:
        return
    plural_word = morph.match_case(last, plural.word)
    yield Key(" ".join([*words[:-1], plural_word]), method, f.tail)
    yield Key(" ".join(words[:-1]), method, f.tail, Needs.COORD, coord=fold(plural_word))


def lower_first_ok(e: Entity, forms: Sequence[str]) -> list[bool]:
    """For each of an entity's key forms, whether it may be lowercased in running text: names of bodies that
    start with a common noun («министерство», «органы»). Asked once for all of an entity's forms: most rows
    are persons' and one-word compounds, which never may."""
    if e.type not in ("agency", "organization"):
        return [False] * len(forms)
    return [not form.isalpha() and _common_noun_first(form) for form in forms]


def _common_noun_first(form: str) -> bool:
    words = form.split(None, 2)
    return len(words) >= 2 and words[1][:1].islower() and _capitalized_word(words[0])


@lru_cache(maxsize=16_384)  # a body's case forms share their first words
def _capitalized_word(word: str) -> bool:
    """A capitalized common word of the dictionary («Министерство»): not an acronym, not only a name."""
    return word[:1].isupper() and not morph.is_acronym(word) and morph.is_word_form(word)
