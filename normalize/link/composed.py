"""The acronym and composed tiers: abbreviations of a body's name («МВД», «Минобороны»), the name
composed with its country («МВД Кыргызстана», «Министерство внутренних дел Киргизии»), and the
generic names that many countries' bodies share («МВД» alone), linked only when the document names
the body."""

from __future__ import annotations

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
        for text in morph.compound_forms(name):
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
        abbreviations = ([acr] if acr else []) + morph.compound_forms(base)
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
