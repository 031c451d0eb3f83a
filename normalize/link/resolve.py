"""Resolution: settle each hit on one entity, or none. A reading that needs evidence or context gets
it from the document's unambiguous mentions; a name shared by several entities is narrowed by them,
then by the entities' parents, then by type cues; the guards turn down what the text around says is
something else."""

from __future__ import annotations

from normalize.link.adjective import names_other_thing
from normalize.link.folding import fold
from normalize.link.guards import (
    another_country_follows,
    by_type,
    mid_sentence_capital,
    other_first_name_before,
    other_initial_before,
    own_titles,
    qualified_by_plural,
    quoted,
    title_before,
)
from normalize.link.index import Index
from normalize.link.names import own_name
from normalize.link.records import SCORES, Candidate, Found, Needs, best
from normalize.link.scan import Hit


def titled(hits: list[Hit], index: Index, text: str) -> dict[int, int]:
    """Start → person of each one-word name a title stands before, where one person in the gazetteer goes by
    that name alone and nobody named in full has it as a first name («папа Франциск», «певицы Алсу»)."""
    out: dict[int, int] = {}
    for h in hits:
        persons = {c.entity for c in h.cands if c.needs is Needs.CONTEXT and index.entities[c.entity].type == "person"}
        if len(persons) != 1 or not text[h.start].isupper() or " " in text[h.start : h.end]:
            continue
        title = title_before(text, h.start)
        if title is None:
            continue
        person = persons.pop()
        # «принц Филипп»: others named in full go by that first name too, unless the gazetteer gives this
        # person that very title («Чарльз, принц Уэльский»)
        if index.first_counts.get(fold(text[h.start : h.end])) and title not in own_titles(index.entities[person]):
            continue
        out[h.start] = person
    return out


def resolve(hits: list[Hit], index: Index, text: str) -> list[Found]:
    """Settle each hit on one entity, using the document's unambiguous mentions."""
    plain = [
        h
        for h in hits
        if len({c.entity for c in h.cands}) == 1
        and all(
            c.needs is Needs.NOTHING or (c.needs is Needs.EVIDENCE and mid_sentence_capital(text, h.start))
            for c in h.cands
        )
        and best(h.cands).method != "surname"
    ]
    # a name that is also a word, once capitalised mid-sentence, is evidence for its other mentions
    # («Мадонна» opening a sentence after «концерт Мадонны»)
    seen = {h.cands[0].entity for h in plain}
    by_title = titled(hits, index, text)
    seen.update(by_title.values())
    # (an entity without a parent says nothing of another's: None is no parent seen)
    seen_parents = {p for e in seen if (p := index.entities[e].parent)} | {index.entities[e].id for e in seen}
    seen_countries = {index.entities[e].id for e in seen if index.entities[e].type == "country"}
    starts = {h.start: h for h in hits}

    def countries_at(start: int) -> set[str]:  # asked only of the few generic names
        after = starts.get(start)
        cands = after.cands if after is not None else ()
        entities = [index.entities[c.entity] for c in cands if c.method != "adjective"]
        return {e.id for e in entities if e.type == "country"}

    found: list[Found] = []
    for h in hits:
        cands = h.cands
        if h.start in by_title:
            cands = [c for c in cands if c.entity == by_title[h.start]]
        # a name quoted whole is a body's or a place's («Рома», «Юность»), not a first name or a common word
        is_quoted = quoted(text, h.start, h.end)
        usable: list[Candidate] = []
        for c in cands:
            if (
                is_quoted
                and c.needs in (Needs.EVIDENCE, Needs.CONTEXT)
                and c.method != "context"
                and index.entities[c.entity].type != "person"
                and text[h.start].isupper()
            ):
                usable.append(c)
            elif c.needs is Needs.EVIDENCE:
                if c.entity in seen or mid_sentence_capital(text, h.start):
                    usable.append(c)
            elif c.needs in (Needs.CONTEXT, Needs.OWNER) and another_country_follows(
                text, h.end, countries_at, c.owner or index.entities[c.entity].parent or ""
            ):
                continue  # a generic name right before another country is that country's body
            elif c.needs is Needs.CONTEXT:
                if c.entity in seen and not qualified_by_plural(text, h.end):
                    usable.append(c)
            elif c.needs is Needs.OWNER:
                if not seen_countries or c.owner in seen_countries or c.entity in seen:
                    usable.append(c)
            else:
                usable.append(c)
        entities = {c.entity for c in usable}
        if len(entities) > 1:
            narrowed = [c for c in usable if c.entity in seen]
            if len({c.entity for c in narrowed}) != 1:
                narrowed = [c for c in usable if index.entities[c.entity].parent in seen_parents]
            if len({c.entity for c in narrowed}) != 1:
                # an entity's own name beats another's surname («Армстронг» named so in the set)
                narrowed = own_name(usable)
            if len({c.entity for c in narrowed}) != 1:
                narrowed = by_type(usable, index, text, h.start, h.end)
            usable = narrowed if len({c.entity for c in narrowed}) == 1 else []
        if not usable:
            continue
        chosen = best(usable)
        if chosen.method == "surname" and (
            other_first_name_before(text, h.start, index, chosen.entity)
            or other_initial_before(text, h.start, index, chosen.entity)
        ):
            continue
        if chosen.method == "adjective" and names_other_thing(text, h.end):
            continue
        method = chosen.method
        if method == "surname" and chosen.entity in seen:
            method = "coreference"
        score = SCORES[method] * (0.9 if len({c.entity for c in cands}) > 1 else 1.0)
        found.append(Found(h.start, h.end, chosen.entity, method, round(score, 3)))
    return found
