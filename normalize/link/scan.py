"""The exact, inflected and alias tier: the index's keys found in the folded text (`Index.keys.hits`: an
automaton's or a key table's), each kept at word boundaries where its letter case fits, then overlaps
settled by the longest match."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from normalize.link import names
from normalize.link.guards import QUOTED_TYPES, at_boundary, caps_fit, case_fits, quoted
from normalize.link.index import Index
from normalize.link.records import Candidate, Needs
from normalize.link.spans import Spans


@dataclass
class Hit:
    """A key found in the text, with the readings that fit it (narrowed while overlaps are settled)."""

    start: int
    end: int
    cands: list[Candidate]
    nested: bool = False


def scan(text: str, folded: str, index: Index) -> list[Hit]:
    """Every key of the index in the text (`folded`: `fold(text)`), with the readings that fit there."""
    hits: list[Hit] = []
    for start, end, cands in index.keys.hits(folded):
        if not at_boundary(text, start, end):
            continue
        surface = text[start:end]
        fitting = [c for c in cands if case_fits(c, surface)]
        if not fitting and quoted(text, start, end):
            fitting = _quoted_fit(cands, surface, index)
        fitting = [c for c in fitting if c.needs is not Needs.COORD or _coord_follows(folded, end, c.coord)]
        if any(c.needs is Needs.COORD for c in fitting):
            # the coordinated phrase says which: «Таласской и Чуйской областей» is a region, not a city's adjective
            fitting = [c for c in fitting if c.needs is Needs.COORD]
        if fitting:
            hits.append(Hit(start, end, fitting))
    return hits


def _quoted_fit(cands: Sequence[Candidate], surface: str, index: Index) -> list[Candidate]:
    """A body's name quoted whole: its later words may be lowercase in running text («Уральской стали»
    for «Уральская Сталь»), its first keeps its capital."""
    if not surface[:1].isupper() or " " not in surface:
        return []
    first = surface.split(" ", 1)[0]
    return [
        c
        for c in cands
        if index.entities[c.entity].type in QUOTED_TYPES and caps_fit(c.form.split(" ", 1)[0], first, 0)
    ]


def _coord_follows(folded: str, end: int, plural: str) -> bool:
    """Whether «и …» and the plural noun follow within the sentence («УВД Таласской и ГУВД Чуйской областей»)."""
    return re.match(r"\s+и\s+[^.;!?]{0,60}?" + re.escape(plural) + r"(?!\w)", folded[end : end + 120]) is not None


def select(hits: list[Hit], index: Index) -> list[Hit]:
    """Longest first; a shorter hit survives only nested in a longer one's dependents, or as a country
    named inside a body's name («Единая [Россия]», `names.nests`)."""
    hits.sort(key=lambda h: (-(h.end - h.start), h.start))
    taken: list[Hit] = []
    spans = Spans()
    for h in hits:
        overlapping: list = spans.overlapping(h.start, h.end)
        if not overlapping:
            taken.append(h)
            spans.add(h.start, h.end, h)
            continue
        if len(overlapping) == 1 and not overlapping[0].nested:
            outer = overlapping[0]
            tail = min(c.tail for c in outer.cands)
            inside = h.start >= outer.start + tail or names.nests(
                {index.entities[c.entity].type for c in outer.cands},
                {index.entities[c.entity].type for c in h.cands if c.method != "adjective"},
            )
            if inside and h.end <= outer.end:
                outer_entities = {c.entity for c in outer.cands}
                h.cands = [c for c in h.cands if c.entity not in outer_entities]
                if h.cands:
                    h.nested = True
                    taken.append(h)
                    spans.add(h.start, h.end, h)
    taken.sort(key=lambda h: (h.start, h.end))
    return taken
