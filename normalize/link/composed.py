"""The acronym and composed tiers: abbreviations of a body's name («МВД», «Минобороны»), the name
composed with its country («МВД Кыргызстана», «Министерство внутренних дел Киргизии»), and the
generic names that many countries' bodies share («МВД» alone), linked only when the document names
the body."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from normalize import morph
from normalize.gazetteer import Entity
from normalize.link.records import Candidate, Key, Needs, Slot
from normalize.link.variants import official_acronym

ABBREVIATED_TYPES = frozenset({"agency", "organization"})


@lru_cache(maxsize=4096)
def genitives(entity: Entity) -> tuple[str, ...]:
    """The entity's names in the genitive singular (acronyms as they are)."""
    out: list[str] = []
    for name in entity.names:
        if morph.is_acronym(name):
            out.append(name)
            continue
        out.extend(f.text for f in morph.phrase_forms(name, plural=False) if f.case == "gent")
    return tuple(out)


def country_genitives(entities: Sequence[Entity]) -> dict[str, Entity]:
    """Every name of every country in the genitive («Российской Федерации», «России», «РФ») → the country."""
    out: dict[str, Entity] = {}
    for e in entities:
        if e.type == "country":
            for gen in genitives(e):
                out.setdefault(gen, e)
    return out


def owner_country(e: Entity, by_id: dict[str, Entity], country_gens: dict[str, Entity]) -> Entity | None:
    """The country a body belongs to: its `parent`, else a country named in the genitive at the end of
    its name («Министерство внутренних дел Украины»), so a gazetteer without parents composes too."""
    parent = by_id.get(e.parent) if e.parent else None
    if parent is not None or e.type not in ("agency", "organization"):
        return parent
    for name in e.names:
        words = name.split()
        for k in range(1, min(3, len(words) - 1) + 1):
            country = country_gens.get(" ".join(words[-k:]))
            if country is not None:
                return country
    return None


def abbreviation_keys(e: Entity, name: str) -> Iterable[Key]:
    """The acronym of a spelled-out name («МВД»), and for bodies the compound abbreviations Russian
    forms («Госдума», «Минобороны», «Совфед»)."""
    acr = morph.acronym(name)
    if acr:
        yield Key(acr, "acronym", len(acr))
    if e.type in ABBREVIATED_TYPES:
        for text in compound_forms(name):
            yield Key(text, "acronym", len(text))


def composed_keys(names: Iterable[str], owner: Entity | None) -> Iterable[Key]:
    """A body named with its country («Министерство внутренних дел» + «Кыргызской Республики»): its
    name, acronym and abbreviations before every genitive of the country; and the bare generic name,
    which needs the document's help (`Needs.CONTEXT`). `names` are the body's spelled-out names."""
    owner_gens = genitives(owner) if owner is not None and owner.type == "country" else ()
    bases = [name[: -len(gen) - 1] for name in names for gen in owner_gens if name.endswith(" " + gen)]
    for base in dict.fromkeys(bases):
        base_forms = [f.text for f in morph.phrase_forms(base, plural=False)]
        acr = morph.acronym(base)
        abbreviations = ([acr] if acr else []) + compound_forms(base)
        # two initials («СК» of «Следственный комитет») compose with the country only («СК РФ»)
        initials = [] if acr else [i for i in [official_acronym(base)] if i]
        for head in base_forms + abbreviations + initials:
            method = "acronym" if head in abbreviations or head in initials else "composed"
            for gen in dict.fromkeys(owner_gens):
                yield Key(f"{head} {gen}", method, len(head) + 1)
            if head in initials:
                continue  # alone, two initials are what many bodies go by
            # `owner` is set: bases come only from the genitives of an owner country
            yield Key(head, "context", len(head), Needs.CONTEXT, owner.id if owner is not None else "")


def mark_generic(table: dict[str, Slot]) -> None:
    """A body named only by what many countries' bodies share («МВД», «Министерство обороны») is
    generic: like the bare name of a composed body, it is linked only when the document names it."""
    for slot in table.values():
        if not any(c.method == "context" for c in slot.values()):
            continue
        cands = list(slot.values())
        form = cands[0].form
        if len({c.entity for c in cands}) == 1 and (" " in form or not morph.is_word_form(form)):
            # an abbreviation («Минобрнауки») or a head phrase («Верховная Рада») that only one body in the
            # gazetteer goes by is not generic, unless the document is about another country (then it is
            # that country's body); a phrase only as the name writes it, with its capital (a lowercase
            # «министерство образования» is any country's)
            method, lower_first = ("composed", False) if " " in form else ("acronym", cands[0].lower_first)
            for k, c in list(slot.items()):
                slot[k] = Candidate(k[0], method, c.form, c.tail, Needs.OWNER, lower_first, c.owner)
            continue
        for k, c in list(slot.items()):
            idx, needs, _coord = k
            if needs is Needs.NOTHING and c.method != "context":
                del slot[k]
                slot.setdefault(
                    (idx, Needs.CONTEXT, ""), Candidate(idx, c.method, c.form, c.tail, Needs.CONTEXT, c.lower_first)
                )


@lru_cache(maxsize=65_536)  # a large set's bodies share their words
def _truncations(word: str) -> tuple[str, ...]:
    """The stems a compound abbreviation cuts a word to: its first syllable with some or all of the
    consonants after it, or its first two («гос», «моск»/«мос», «погран», «здрав», «обр»)."""
    low = word.lower()
    vowels = morph.VOWELS
    i = next((k for k, c in enumerate(low) if c in vowels), None)
    if i is None:
        return ()
    j = i + 1
    while j < len(low) and low[j] not in vowels:
        j += 1
    if j >= len(low) - 1:
        return ()  # one syllable («дум», «суд»): nothing to cut
    out = [low[:k] for k in range(i + 2, j + 1)]
    k = j + 1
    while k < len(low) and low[k] not in vowels:
        k += 1
    if k < len(low) - 1 and k > j + 1:
        out.append(low[:k])
    return tuple(out)


_WATCHDOG = re.compile(r"Федеральн(?:ая|ой|ую) служб[аеуы] по надзору в сфере ([а-яё]+)", re.IGNORECASE)
_MASC_ENDINGS = {"nomn": "", "gent": "а", "datv": "у", "accs": "", "ablt": "ом", "loct": "е"}


def compound_forms(name: str) -> list[str]:
    """Compound abbreviations (сложносокращённые слова) of a body's name, in every case:
    truncated agreeing adjectives + the head noun, which declines (Государственная дума → Госдума,
    Госдумы; Московская городская дума → Мосгордума); a ministry + its field, kept in the genitive
    (Министерство обороны → Минобороны) or truncated and declined as a masculine noun (Министерство
    финансов → Минфин, Минфина); a noun + its genitive noun (Совет Федерации → Совфед). Each once, in order."""
    words = name.split()
    stems: list[tuple[str, str | None]] = []  # (joined truncated prefixes, the head kept whole)
    watchdog = _WATCHDOG.match(name)
    if watchdog:
        # Russia's federal watchdogs: «Рос» + the field cut short + «надзор» (Рособрнадзор, Росздравнадзор)
        stems.extend(("рос" + t + "надзор", None) for t in _truncations(watchdog.group(1)))
        head = None
    elif not 2 <= len(words) <= 4 or not all(morph.NAME_WORD.match(w) and "-" not in w for w in words):
        return []
    else:
        head = morph.head_of(name)[0]
    if head is not None and head == len(words) - 1 and head >= 1:
        for combo in _combos([_truncations(w) for w in words[:head]]):
            stems.append((combo, words[head]))  # Госдума: the head declines
            stems.extend((c, None) for c in _combos([[combo], _truncations(words[head])]))  # Госдеп
    elif words[0].lower() == "министерство":
        rest = [w for w in words[1:] if w.lower() not in morph.ACRONYM_SKIP]
        if len(rest) <= 3:
            for combo in _combos([["мин"], *(_truncations(w) for w in rest[:-1])]):
                stems.append((combo + rest[-1].lower(), ""))  # Минобороны, Минобрнауки
        stems.extend((c, None) for c in _combos([["мин"], *(_truncations(w) for w in rest)]))  # Минфин
    elif len(words) == 2 and morph.reading(words[1], ("NOUN",), "gent") is not None:
        stems.extend((c, None) for c in _combos([_truncations(w) for w in words]))  # Совфед
    # each case's ending of a stem: a masculine noun's (None), none (""), or the head's in that case
    by_case = {f.case: f.text.split()[-1] for f in morph.phrase_forms(name, plural=False)} if head is not None else {}
    endings: dict[str | None, list[str]] = {None: list(_MASC_ENDINGS.values()), "": [""]}
    out: dict[str, None] = {}  # the texts in order, each once
    for stem, whole in stems:
        if whole not in endings:
            endings[whole] = [by_case.get(case, whole).lower() for case in morph.CASES]
        capital = stem[:1].upper() + stem[1:]  # a stem is never empty: a truncation keeps a syllable
        for ending in endings[whole]:
            text = capital + ending
            if len(text) >= 5:
                out.setdefault(text)
    return list(out)


def _combos(parts: list[Sequence[str]], limit: int = 16) -> list[str]:
    """One option of each part joined, every way (the first `limit` after each part; none if a part has none)."""
    out = [""]
    for options in parts:
        if not options:
            return []
        out = [o + p for o in out for p in options][:limit]
    return out
