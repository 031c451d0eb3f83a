"""Link: find every mention of a gazetteer entity and link it to the entity.

The gazetteer is compiled once into an index: every case form of every name,
alias, derived acronym and composed agency name («МВД Кыргызстана»), folded to
lowercase with ё→е, in one Aho–Corasick automaton. A document is scanned once;
hits are kept at word boundaries and where their letter case fits the name's
(«КР» never matches «кр», «Бегун» never «бегун»). Overlaps are settled by the
longest match, with nested mentions allowed only inside a name's dependents
(«МВД [Беларуси]», never «Единая [Россия]»). Ambiguous names are resolved by
the document's other mentions or left unlinked. People named in full are then
found again by surname, first name and initials (coreference).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from normalize import morph
from normalize.gazetteer import Entity, Gazetteer

SCORES = {
    "exact": 1.0,
    "inflected": 0.95,
    "alias": 0.95,
    "acronym": 0.9,
    "composed": 0.9,
    "coreference": 0.85,
    "surname": 0.8,
    "context": 0.8,
    "adjective": 0.8,
    "transliteration": 0.8,
    "fuzzy": 0.75,
}
_PRIORITY = {m: i for i, m in enumerate(SCORES)}
PLURAL_TYPES = frozenset({"region", "agency", "organization"})
ADJECTIVE_TYPES = frozenset({"country", "region", "city"})
ABBREVIATED_TYPES = frozenset({"agency", "organization"})


@dataclass(frozen=True)
class Candidate:
    """One reading of an indexed key: which entity, how it was derived, what it needs."""

    entity: int
    method: str
    form: str  # the cased form, for the letter-case check
    tail: int  # offset where nested mentions may begin
    needs: str = ""  # "", "evidence" (a common word), "context" (a generic name), "coord:<word>"
    lower_first: bool = False  # «органов внутренних дел …»: a common-noun head may be lowercase in running text
    owner: str = ""  # the id of the country a generic name's body belongs to («Минобрнауки»: Russia)


@dataclass
class Index:
    """A compiled gazetteer: the automaton over folded forms and the entities."""

    entities: tuple[Entity, ...]
    automaton: ahocorasick.Automaton
    persons: dict[int, morph.PersonParts] = field(default_factory=dict)
    # case forms of each person's surname and first name, made once here: coreference needs them
    # for every document, and inflecting with pymorphy3 per document was most of its time
    surname_forms: dict[int, tuple[str, ...]] = field(default_factory=dict)
    first_forms: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # folded case form of a first name → the people (named in full) who have it, for names spelled
    # another way in the text («Теодор Маккаррик» for Теодор Маккэррик)
    first_persons: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # folded case form of a first name → how many people named in full have it: a title before a one-word
    # name («принц Филипп») says it is a person's, not which one when others go by that first name too
    first_counts: dict[str, int] = field(default_factory=dict)
    surname_choices: dict[int, tuple[list[str], list[tuple[str, str]]]] = field(default_factory=dict, repr=False)
    # nearest keys looked up so far (news repeat their unknown and Latin names): filled while linking
    nearest_memo: dict[tuple[str, float, bool, int | None], tuple[str, float] | None] = field(
        default_factory=dict, repr=False
    )
    # what the typo and transliteration tiers made of each distinct word (most are nothing): filled while linking
    word_memo: dict[tuple[str, str], tuple[int, float] | None] = field(default_factory=dict, repr=False)
    # the keys of each block and length range, joined once (a few thousand ranges at most)
    block_memo: dict[tuple[str, int, int, bool], list[str]] = field(default_factory=dict, repr=False)
    n_keys: int = 0
    # fuzzy matching: one-word keys blocked by their first two letters and length («ки10»)
    fuzzy_blocks: dict[str, list[str]] = field(default_factory=dict)
    # transliteration: the same keys blocked by their first letter only and length (Microsoft → микрософт,
    # the key is «майкрософт»: a Latin vowel is rendered several ways)
    translit_blocks: dict[str, list[str]] = field(default_factory=dict)
    fuzzy_owner: dict[str, Candidate] = field(default_factory=dict)


@dataclass(frozen=True)
class Found:
    """A linked mention: [start, end) in the text, the entity's position in the index."""

    start: int
    end: int
    entity: int
    method: str
    score: float


def fold(text: str) -> str:
    """Lowercase with ё→е, keeping every character's offset."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("ё", "е")


# --- compiling ------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _genitives(entity: Entity) -> tuple[str, ...]:
    """The entity's names in the genitive singular (acronyms as they are)."""
    out: list[str] = []
    for name in entity.names:
        if morph._is_acronym(name):
            out.append(name)
            continue
        out.extend(f.text for f in morph.phrase_forms(name, plural=False) if f.case == "gent")
    return tuple(out)


_LEGAL_FORM = re.compile(
    r"^(?:ПАО|ОАО|ЗАО|ООО|АО|НАО|ФГУП|ГУП|МУП|АНО)\s+|"
    r",?\s+(?:Company|Co\.|Inc\.?|Incorporated|Corporation|Corp\.?|Ltd\.?|Limited|LLC|PLC|plc|AG|GmbH|S\.A\.|N\.V\.)$"
)


def _country_genitives(entities: Sequence[Entity]) -> dict[str, Entity]:
    """Every name of every country in the genitive («Российской Федерации», «России», «РФ») → the country."""
    out: dict[str, Entity] = {}
    for e in entities:
        if e.type == "country":
            for gen in _genitives(e):
                out.setdefault(gen, e)
    return out


def _owner_country(e: Entity, by_id: dict[str, Entity], country_gens: dict[str, Entity]) -> Entity | None:
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


def _entity_keys(
    e: Entity, by_id: dict[str, Entity], country_gens: dict[str, Entity] | None = None
) -> Iterable[tuple[str, str, int, str]]:
    """(form, method, tail, needs) for everything one entity may be called."""
    if e.type == "person":
        for i, name in enumerate(e.names):
            # «Чарльз, принц Уэльский», «Франциск, папа римский»: a name, then a title after a comma
            name = name.split(",")[0].strip() if "," in name and name.split(",")[0].strip() else name
            if len(name.split()) == 1:
                # a mononym («Неймар», «Мадонна») declines as a name word; one that is also an ordinary
                # word («Мадонна») needs evidence, a capital mid-sentence; a first name («Анна», «Филипп»)
                # could be anyone, so it needs the document's help
                role = "first" if morph.is_first_name(name, lemma=True) else "surname"
                needs = "context" if role == "first" else "evidence" if morph.is_common_word(name) else ""
                for form in morph.word_forms(name, e.gender, role):
                    method = ("exact" if form == name else "inflected") if i == 0 else "alias"
                    yield form, method, len(form), needs
                continue
            forms = morph.person_forms(name, e.surname, e.gender)
            for j, f in enumerate(forms):
                method = ("exact" if j == 0 else "inflected") if i == 0 else "alias"
                yield f.text, method, f.tail, ""
        return
    adjectives = list(e.adjectives)
    if e.type in ADJECTIVE_TYPES:
        # «бразильский», «пекинский»: the adjective Russian forms from a place's one-word names
        for name in e.names:
            adj = morph.derived_adjective(name)
            if adj and adj not in adjectives:
                adjectives.append(adj)
    for adjective in adjectives:
        # lowercase forms: «российских», and «Российская» at a sentence start, both fit
        for form in morph.adjective_forms(adjective):
            yield form.lower(), "adjective", len(form), ""
    plural = e.type in PLURAL_TYPES
    if e.type in ("organization", "media", "agency"):
        # «Monsanto Company» is written «Monsanto», «ПАО «Газпром»» is «Газпром»
        for name in e.names:
            short = _LEGAL_FORM.sub("", name).strip(' «»"')
            if short and short != name and len(short) >= 3:
                yield short, "alias", len(short), "evidence" if morph.is_word_form(short) else ""
    bases: list[str] = []
    parent = _owner_country(e, by_id, country_gens or {})
    parent_gens = _genitives(parent) if parent is not None and parent.type == "country" else ()
    for i, name in enumerate(e.names):
        if morph._is_acronym(name) or not morph._NAME_WORD.match(name.replace(" ", "")):
            method = "acronym" if morph._is_acronym(name) else ("exact" if i == 0 else "alias")
            first = name.split()[0]
            yield name, method, len(first) + 1 if len(first) < len(name) else len(name), ""
            continue
        forms = morph.phrase_forms(name, plural=plural)
        # a city or a body called «Владимир», «Анна»: alone it is a person's name (judged on the name,
        # not on each form: «Марселе» may parse as a first name, «Марсель» is a city first)
        first_like = " " not in name and morph.is_mainly_first_name(name)
        for j, f in enumerate(forms):
            method = ("exact" if j == 0 else "inflected") if i == 0 else "alias"
            # a one-word name that is also an ordinary word («Того», «Семей») needs evidence
            needs = "evidence" if " " not in f.text and morph.is_word_form(f.text) else ""
            if first_like and " " not in f.text:
                needs = "context"
            yield f.text, method, f.tail, needs
            yield from _coordinated(f, "inflected" if i == 0 else "alias")
        acr = morph.acronym(name)
        if acr:
            yield acr, "acronym", len(acr), ""
        if e.type in ABBREVIATED_TYPES:
            # «Госдума», «Минобороны», «Совфед»: compound abbreviations, as Russian forms them
            for f in morph.compound_forms(name):
                yield f.text, "acronym", len(f.text), ""
        # an agency named with its country: «Министерство внутренних дел» + «Кыргызской Республики»
        for gen in parent_gens:
            if name.endswith(" " + gen):
                bases.append(name[: -len(gen) - 1])
    for base in dict.fromkeys(bases):
        base_forms = [f.text for f in morph.phrase_forms(base, plural=False)]
        acr = morph.acronym(base)
        abbreviations = ([acr] if acr else []) + [f.text for f in morph.compound_forms(base)]
        for head in base_forms + abbreviations:
            method = "acronym" if head in abbreviations else "composed"
            for gen in dict.fromkeys(parent_gens):
                yield f"{head} {gen}", method, len(head) + 1, ""
            # the bare generic name («МВД», «министерство внутренних дел») needs the document's help
            yield head, "context", len(head), "context@" + (parent.id if parent is not None else "")


def _mark_generic(table: dict[str, dict[tuple[int, str], Candidate]]) -> None:
    """A body named only by what many countries' bodies share («МВД», «Министерство обороны») is
    generic: like the bare name of a composed body, it is linked only when the document names it."""
    for slot in table.values():
        if not any(c.method == "context" for c in slot.values()):
            continue
        cands = list(slot.values())
        if len({c.entity for c in cands}) == 1 and " " not in cands[0].form and not morph.is_word_form(cands[0].form):
            # an abbreviation («Минобрнауки») that only one body in the gazetteer goes by is not generic,
            # unless the document is about another country (then it is that country's body)
            for (idx, _needs), c in list(slot.items()):
                slot[(idx, _needs)] = Candidate(idx, "acronym", c.form, c.tail, "owner", c.lower_first, c.owner)
            continue
        for (idx, needs), c in list(slot.items()):
            if not needs and c.method != "context":
                del slot[(idx, needs)]
                slot.setdefault((idx, "context"), Candidate(idx, c.method, c.form, c.tail, "context", c.lower_first))


def _coordinated(f: morph.Form, method: str) -> Iterable[tuple[str, str, int, str]]:
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
    yield " ".join([*words[:-1], plural_word]), method, f.tail, ""
    yield " ".join(words[:-1]), method, f.tail, "coord:" + fold(plural_word)


def _lower_first_ok(e: Entity, form: str) -> bool:
    """Names of bodies that start with a common noun («министерство», «органы») may be lowercased."""
    words = form.split()
    if e.type not in ("agency", "organization") or len(words) < 2 or not words[0][:1].isupper():
        return False
    if morph._is_acronym(words[0]) or not words[1][:1].islower():
        return False
    return morph.is_word_form(words[0])


def compile_index(gazetteer: Gazetteer) -> Index:
    """Compile a gazetteer into an Index (every form of every name in one automaton)."""
    entities = gazetteer.entities
    by_id = {e.id: e for e in entities}
    table: dict[str, dict[tuple[int, str], Candidate]] = defaultdict(dict)
    persons: dict[int, morph.PersonParts] = {}
    country_gens = _country_genitives(entities)
    for idx, e in enumerate(entities):
        for form, method, tail, needs in _entity_keys(e, by_id, country_gens):
            needs, _, owner = needs.partition("@")
            key = fold(form)
            slot = table[key]
            old = slot.get((idx, needs))
            if old is None or _PRIORITY[method] < _PRIORITY[old.method]:
                slot[(idx, needs)] = Candidate(idx, method, form, tail, needs, _lower_first_ok(e, form), owner)
        if e.type == "person" and len(e.name.split()) >= 2:
            persons[idx] = morph.person_parts(e.name, e.surname, e.gender)
    _mark_generic(table)
    _add_surnames(table, entities, persons)
    automaton = ahocorasick.Automaton()
    by_word: dict[str, list[tuple[str, tuple[Candidate, ...]]]] = defaultdict(list)
    for key, slot in table.items():
        by_word[_bounded(key)].append((key, tuple(slot.values())))
    for word, keys in by_word.items():
        automaton.add_word(word, (len(word) - 2, tuple(keys)))
    if len(table):
        automaton.make_automaton()
    blocks, owners = _fuzzy_keys(
        {k: v for k, v in table.items() if all(entities[c.entity].type != "person" for c in v.values())}
    )
    surname_forms = {i: tuple(morph.word_forms(p.surname, p.gender, "surname")) for i, p in persons.items()}
    first_forms = {i: tuple(morph.word_forms(p.first, p.gender, "first")) for i, p in persons.items() if p.first}
    first_persons: dict[str, list[int]] = defaultdict(list)
    for i, forms in first_forms.items():
        # Russian surnames are spelled one way: a near spelling is another family, never a variant
        if len(persons[i].first or "") >= 3 and not morph.is_russian_surname(persons[i].surname):
            for form in dict.fromkeys(fold(f) for f in forms):
                first_persons[form].append(i)
    first_counts: dict[str, int] = defaultdict(int)
    for forms in first_forms.values():
        for form in {fold(f) for f in forms}:
            first_counts[form] += 1
    return Index(
        entities,
        automaton,
        persons,
        first_counts=dict(first_counts),
        surname_forms=surname_forms,
        first_forms=first_forms,
        first_persons={k: tuple(v) for k, v in first_persons.items()},
        n_keys=len(table),
        fuzzy_blocks=blocks,
        translit_blocks=_by_first_letter(blocks),
        fuzzy_owner=owners,
    )


FUZZY_MIN_LEN = 6
TRANSLIT_MIN_LEN = 5  # «Форбс» (Forbes): transliteration compares whole words, short ones too


def _by_first_letter(blocks: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for prefix, keys in sorted(blocks.items()):
        out[prefix[:1] + prefix[2:]].extend(keys)
    return dict(out)


FUZZY_CUTOFF = 88.0


def _fuzzy_keys(
    table: dict[str, dict[tuple[int, str], Candidate]],
) -> tuple[dict[str, list[str]], dict[str, Candidate]]:
    """One-word keys that name exactly one entity, blocked by their first two letters and length."""
    blocks: dict[str, list[str]] = defaultdict(list)
    owners: dict[str, Candidate] = {}
    for key, slot in table.items():
        if len(key) < min(FUZZY_MIN_LEN, TRANSLIT_MIN_LEN) or not key.isalpha():
            continue
        cands = list(slot.values())
        if len({c.entity for c in cands}) != 1 or any(c.needs or c.method == "surname" for c in cands):
            continue
        blocks[f"{key[:2]}{len(key)}"].append(key)
        owners[key] = _best(cands)
    return dict(blocks), owners


def _add_surnames(
    table: dict[str, dict[tuple[int, str], Candidate]],
    entities: Sequence[Entity],
    persons: dict[int, morph.PersonParts],
) -> None:
    """Surname-only keys for people whose surname no other person in the gazetteer shares."""
    by_surname: dict[str, list[int]] = defaultdict(list)
    for idx, parts in persons.items():
        by_surname[fold(parts.surname)].append(idx)
    for surname, owners in by_surname.items():
        if len(owners) != 1 or len(surname) < 4:
            continue
        idx = owners[0]
        parts = persons[idx]
        if morph.is_first_name(parts.surname):
            continue  # «Томас», «Джеймс»: alone they name anyone; coreference still finds them
        needs = "evidence" if morph.is_common_word(parts.surname) else ""
        for form in morph.word_forms(parts.surname, parts.gender, "surname"):
            table[fold(form)].setdefault((idx, needs), Candidate(idx, "surname", form, len(form), needs))
            if parts.first:
                # «И. Кубраков», «И.Кубраков»: initials make the surname safe on its own
                for sep in (" ", ""):
                    initialled = f"{parts.first[0]}.{sep}{form}"
                    table[fold(initialled)].setdefault(
                        (idx, ""), Candidate(idx, "surname", initialled, len(initialled))
                    )


# --- finding --------------------------------------------------------------------------


def _at_boundary(text: str, start: int, end: int) -> bool:
    if start > 0:
        c = text[start - 1]
        if c.isalnum() or (c == "-" and start > 1 and text[start - 2].isalnum()):
            return False
    if end < len(text):
        c = text[end]
        if c.isalnum() or (c == "-" and end + 1 < len(text) and text[end + 1].isalnum()):
            return False
    return True


def _case_fits(c: Candidate, surface: str) -> bool:
    """Every capital in the name's form is a capital in the text (but a free first letter)."""
    return c.form == surface or _caps_fit(c.form, surface, 1 if c.lower_first else 0)


@lru_cache(maxsize=50_000)
def _caps_fit(form: str, surface: str, start: int) -> bool:
    # a name meets the same few spellings again and again: judged once per pair
    return all(not (f.isupper() and not s.isupper()) for f, s in zip(form[start:], surface[start:], strict=False))


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t«\"'(—-":
        i -= 1
    return i < 0 or text[i] in ".!?…\n:"


def _mid_sentence_capital(text: str, start: int) -> bool:
    return text[start].isupper() and not _sentence_start(text, start)


@dataclass
class _Hit:
    start: int
    end: int
    cands: list[Candidate]
    nested: bool = False


# Keys and texts are scanned with every character that is not a letter or a digit read as a
# space, keys padded with a space at each end: the automaton then reports only forms that start
# and end at word edges. Without it, eight hits in nine were short keys inside longer words, each
# turned down in Python. A hit is still checked against the folded text (several spellings share
# a bounded form: «и.кубраков», «и кубраков») and against `_at_boundary` (a hyphen between letters
# joins words).
_NOT_ALNUM = re.compile(r"[^\w ]|_")


def _bounded(folded: str) -> str:
    return " " + _NOT_ALNUM.sub(" ", folded) + " "


def has_key(index: Index, folded: str) -> bool:
    """Whether a folded form is one of the index's keys."""
    found = index.automaton.get(_bounded(folded), None)
    return found is not None and any(key == folded for key, _cands in found[1])


def _scan(text: str, folded: str, index: Index) -> list[_Hit]:
    hits: list[_Hit] = []
    n = len(text)
    # in the bounded text, position i + 1 is position i of the text
    for end_idx, (length, keys) in index.automaton.iter(_bounded(folded)):
        end = end_idx - 1
        start = end - length
        if not _at_boundary(text, start, end):
            continue
        surface = text[start:end]
        for key, cands in keys:
            if folded[start:end] != key:
                continue
            fitting = [c for c in cands if _case_fits(c, surface)]
            if not fitting and start > 0 and end < n and text[start - 1] in _OPEN_QUOTES and text[end] in _CLOSE_QUOTES:
                fitting = _quoted_fit(cands, surface, index)
            fitting = [
                c for c in fitting if not c.needs.startswith("coord:") or _coord_follows(folded, end, c.needs[6:])
            ]
            if fitting:
                hits.append(_Hit(start, end, fitting))
    return hits


_OPEN_QUOTES = frozenset('«"„')
_CLOSE_QUOTES = frozenset('»"“')


def _quoted_fit(cands: Sequence[Candidate], surface: str, index: Index) -> list[Candidate]:
    """A body's name quoted whole: its later words may be lowercase in running text («Уральской стали»
    for «Уральская Сталь»), its first keeps its capital."""
    if not surface[:1].isupper() or " " not in surface:
        return []
    first = surface.split(" ", 1)[0]
    return [
        c
        for c in cands
        if index.entities[c.entity].type in _QUOTED_TYPES and _caps_fit(c.form.split(" ", 1)[0], first, 0)
    ]


def _coord_follows(folded: str, end: int, plural: str) -> bool:
    return re.match(r"\s+и\s+[^.;!?]{0,60}?" + re.escape(plural) + r"(?!\w)", folded[end : end + 120]) is not None


def _span_start(span: tuple[int, int, object]) -> int:
    return span[0]


class _Spans:
    """Spans taken so far, sorted by start: an overlap query costs a bisect, not a scan,
    so a document dense with names stays linear (spans are short: at most `longest`)."""

    def __init__(self, spans: Iterable[tuple[int, int, object]] = ()) -> None:
        # sorted at once (stable: spans with one start keep their order, as `add` keeps it)
        self.items: list[tuple[int, int, object]] = sorted(spans, key=_span_start)
        self.starts: list[int] = [s for s, _e, _item in self.items]
        self.longest = max((e - s for s, e, _item in self.items), default=0)

    def add(self, start: int, end: int, item: object = None) -> None:
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.items.insert(i, (start, end, item))
        self.longest = max(self.longest, end - start)

    def overlapping(self, start: int, end: int) -> list[object]:
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [item for s, e, item in self.items[lo:hi] if s < end and start < e]

    def overlaps(self, start: int, end: int) -> bool:
        return bool(self.overlapping(start, end))


def _select(hits: list[_Hit]) -> list[_Hit]:
    """Longest first; a shorter hit survives only nested in a longer one's dependents."""
    hits.sort(key=lambda h: (-(h.end - h.start), h.start))
    taken: list[_Hit] = []
    spans = _Spans()
    for h in hits:
        overlapping: list = spans.overlapping(h.start, h.end)
        if not overlapping:
            taken.append(h)
            spans.add(h.start, h.end, h)
            continue
        if len(overlapping) == 1 and not overlapping[0].nested:
            outer = overlapping[0]
            tail = min(c.tail for c in outer.cands)
            if h.start >= outer.start + tail and h.end <= outer.end:
                outer_entities = {c.entity for c in outer.cands}
                h.cands = [c for c in h.cands if c.entity not in outer_entities]
                if h.cands:
                    h.nested = True
                    taken.append(h)
                    spans.add(h.start, h.end, h)
    taken.sort(key=lambda h: (h.start, h.end))
    return taken


_DIVISION_NOUN = re.compile(r"\s+(?:област|район|кра[йяюе]|округ|губерни|уезд|волост)", re.IGNORECASE)
_LANGUAGE_NOUN = re.compile(r"\s+язык(?:а|у|ом|е|и|ов|ам|ами|ах)?\b")


def _other_initial_before(text: str, start: int, index: Index, entity: int) -> bool:
    """«Э.Уитакер» is not Форест Уитакер: a surname led by another initial (of the first name;
    the second of two initials is the patronymic's: «Г. А. Зюганов»)."""
    m = re.search(r"(?<![А-ЯЁа-яё])([А-ЯЁ])\.\s?(?:([А-ЯЁ])\.\s?)?$", text[max(0, start - 8) : start])
    if m is None or entity not in index.persons:
        return False
    first = index.persons[entity].first
    return not first or first[0].upper() != m.group(1)


def _other_first_name_before(text: str, start: int, index: Index, entity: int) -> bool:
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
        if _sentence_start(text, word_start) or any(p.is_known for p in morph.parses(word.lower())):
            return False
    own = {fold(f) for f in index.first_forms.get(entity, ())}
    return fold(word) not in own


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


def _qualified_by_plural(text: str, end: int) -> bool:
    """«МВД стран ТС»: a generic name followed by a plural genitive names several bodies."""
    m = re.match(r"\s+([а-яё]+)", text[end : end + 40])
    if m is None:
        return False
    return any(p.tag.POS == "NOUN" and {"gent", "plur"} <= p.tag.grammemes for p in morph.parses(m.group(1))[:1])


def _best(cands: list[Candidate]) -> Candidate:
    return min(cands, key=lambda c: (_PRIORITY[c.method], c.entity))


# one name, several kinds of thing («Вашингтон»: the city, the state, a president's surname): without
# other evidence the place people live in is meant, in the order a news reader would take it
_TYPE_ORDER = {t: i for i, t in enumerate(("country", "city", "region", "place", "organization", "media", "agency"))}
_QUOTED_TYPES = frozenset({"organization", "media", "agency"})
_TYPE_CUES = (
    (re.compile(r"(?:штат|провинци|област|кра[йяюе]|округ|земл[яиюе]|графств)[а-яё]*\s+$"), "region"),
    (re.compile(r"(?:город|г\.|столиц)[а-яё]*\s*$"), "city"),
    (re.compile(r"(?:клуб|команд|компани|парти|группировк|издани|газет|журнал)[а-яё]*\s+$"), "organization"),
)


def _by_type(cands: list[Candidate], index: Index, text: str, start: int, end: int) -> list[Candidate]:
    """Settle a name shared by things of different types (never two of one type) by the words
    around it: «штат Вашингтон», «клуб «Барселона»», a name in quotes (a club, a party, a paper),
    else by _TYPE_ORDER. A person's surname yields to a place or a body of that name."""
    named = [c for c in cands if c.method != "surname"] or cands
    types = [index.entities[c.entity].type for c in named]
    by_entity = {c.entity: index.entities[c.entity].type for c in named}
    if len(set(by_entity.values())) != len(by_entity) or "person" in types:
        return []
    before = text[max(0, start - 20) : start].lower()
    quoted = before.endswith(("«", '"', "„")) and text[end : end + 1] in ("»", '"', "“")
    for pattern, cue in _TYPE_CUES:
        if pattern.search(before.rstrip('«"„ ') + " "):
            hit = [c for c in named if by_entity[c.entity] == cue]
            if hit:
                return hit
    if quoted:
        hit = [c for c in named if by_entity[c.entity] in _QUOTED_TYPES]
        if len({c.entity for c in hit}) == 1:
            return hit
    first = min(named, key=lambda c: _TYPE_ORDER.get(by_entity[c.entity], 99))
    return [c for c in named if c.entity == first.entity]


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


def _title_before(text: str, start: int) -> str | None:
    """The title or occupation word right before `start` («папа», «принца», «певицы»), as a folded lemma."""
    m = _TITLE_BEFORE.search(text, max(0, start - 40), start)
    if m is None:
        return None
    for p in morph.parses(m.group(1).lower()):
        lemma = p.normal_form.replace("ё", "е")
        if lemma in _TITLES_FOLDED and p.tag.POS == "NOUN":
            return lemma
    return None


def _own_titles(entity: Entity) -> set[str]:
    """Folded lemmas of the words after the comma of a name like «Чарльз, принц Уэльский»."""
    return {
        p.normal_form.replace("ё", "е")
        for name in entity.names
        if "," in name
        for word in name.split(",", 1)[1].split()
        for p in morph.parses(word.lower())[:1]
    }


def _titled(hits: list[_Hit], index: Index, text: str, seen: set[int]) -> dict[int, int]:
    """Start → person of each one-word name a title stands before, where one person in the gazetteer goes by
    that name alone and nobody named in full has it as a first name («папа Франциск», «певицы Алсу»)."""
    out: dict[int, int] = {}
    for h in hits:
        persons = {c.entity for c in h.cands if c.needs == "context" and index.entities[c.entity].type == "person"}
        if len(persons) != 1 or not text[h.start].isupper() or " " in text[h.start : h.end]:
            continue
        title = _title_before(text, h.start)
        if title is None:
            continue
        person = persons.pop()
        # «принц Филипп»: others named in full go by that first name too, unless the gazetteer gives this
        # person that very title («Чарльз, принц Уэльский»)
        if index.first_counts.get(fold(text[h.start : h.end])) and title not in _own_titles(index.entities[person]):
            continue
        out[h.start] = person
    return out


def _resolve(hits: list[_Hit], index: Index, text: str) -> list[Found]:
    """Settle each hit on one entity, using the document's unambiguous mentions."""
    plain = [
        h
        for h in hits
        if len({c.entity for c in h.cands}) == 1
        and all(not c.needs or (c.needs == "evidence" and _mid_sentence_capital(text, h.start)) for c in h.cands)
        and _best(h.cands).method != "surname"
    ]
    # a name that is also a word, once capitalised mid-sentence, is evidence for its other mentions
    # («Мадонна» opening a sentence after «концерт Мадонны»)
    seen = {h.cands[0].entity for h in plain}
    titled = _titled(hits, index, text, seen)
    seen.update(titled.values())
    seen_parents = {index.entities[e].parent for e in seen} | {index.entities[e].id for e in seen}
    seen_countries = {index.entities[e].id for e in seen if index.entities[e].type == "country"}
    found: list[Found] = []
    n = len(text)
    for h in hits:
        cands = h.cands
        if h.start in titled:
            cands = [c for c in cands if c.entity == titled[h.start]]
        # a name quoted whole is a body's or a place's («Рома», «Юность»), not a first name or a common word
        quoted = 0 < h.start and h.end < n and text[h.start - 1] in _OPEN_QUOTES and text[h.end] in _CLOSE_QUOTES
        usable: list[Candidate] = []
        for c in cands:
            if (
                quoted
                and c.needs in ("evidence", "context")
                and c.method != "context"
                and index.entities[c.entity].type != "person"
                and text[h.start].isupper()
            ):
                usable.append(c)
            elif c.needs == "evidence":
                if c.entity in seen or _mid_sentence_capital(text, h.start):
                    usable.append(c)
            elif c.needs == "context":
                if c.entity in seen and not _qualified_by_plural(text, h.end):
                    usable.append(c)
            elif c.needs == "owner":
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
                narrowed = _by_type(usable, index, text, h.start, h.end)
            usable = narrowed if len({c.entity for c in narrowed}) == 1 else []
        if not usable:
            continue
        best = _best(usable)
        if best.method == "surname" and (
            _other_first_name_before(text, h.start, index, best.entity)
            or _other_initial_before(text, h.start, index, best.entity)
        ):
            continue
        if best.method == "adjective" and (_LANGUAGE_NOUN.match(text, h.end) or _describes_person(text, h.end)):
            continue  # «французский язык» names a language, «французский журналист» a nationality
        if best.method == "adjective" and _DIVISION_NOUN.match(text, h.end):
            continue  # «Минская область» is a region of its own, not the city of Minsk
        if best.method == "surname" and best.entity in seen:
            best = Candidate(best.entity, "coreference", best.form, best.tail)
        score = SCORES[best.method] * (0.9 if len({c.entity for c in cands}) > 1 else 1.0)
        found.append(Found(h.start, h.end, best.entity, best.method, round(score, 3)))
    return found


@lru_cache(maxsize=20_000)
def _surname_word_forms(word: str, gender: str | None) -> tuple[str, ...]:
    return tuple(morph.word_forms(word, gender, "surname"))


def _surname_candidates(index: Index, idx: int) -> list[tuple[str, tuple[str, ...]]]:
    """(nominative, case forms) of the words a person may be called by alone: the surname, and the
    first of a Spanish double surname («Гарсиа» of «Алан Гарсиа Перес»)."""
    parts = index.persons[idx]
    if morph.is_russian_surname(parts.surname):
        return []  # Russian surnames are spelled one way: a near spelling is another family
    out = [(parts.surname, index.surname_forms[idx])]
    if parts.roles == ("first", "other", "surname"):
        out.append((parts.words[1], _surname_word_forms(parts.words[1], parts.gender)))
    return out


def _closest_surname(word: str, index: Index, idx: int, cutoff: float) -> tuple[float, str, str] | None:
    """(score, nominative, form) of the person's surname form spelled closest to `word` (folded)."""
    from rapidfuzz import fuzz, process

    choices, meta = _surname_choices(index, idx)
    hit = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff) if choices else None
    return (hit[1], *meta[hit[2]]) if hit else None


def _surname_choices(index: Index, idx: int) -> tuple[list[str], list[tuple[str, str]]]:
    """The folded forms of a person's surname candidates, and (nominative, form) of each; made once."""
    memo = index.surname_choices
    if idx not in memo:
        pairs = [(nominative, form) for nominative, forms in _surname_candidates(index, idx) for form in forms]
        memo[idx] = ([fold(f) for _n, f in pairs], pairs)
    return memo[idx]


def _spelled_as(token: str, nominative: str, form: str) -> str:
    """The nominative of a surname as the text spells it: `token` is `form` (a case form of
    `nominative`) spelled another way, so it takes the same ending (Маккаррика ~ Маккэррика → Маккаррик)."""
    k = 0
    while k < min(len(form), len(nominative)) and form[k].lower() == nominative[k].lower():
        k += 1
    stem = token[: len(token) - (len(form) - k)] if len(form) > k else token
    return stem + nominative[k:]


NAME_FUZZY_CUTOFF = 80.0
# two capitalised words with a space between (the second one looked ahead, so that pairs overlap)
_NAME_PAIR = re.compile(r"([А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)\s{1,2}(?=([А-ЯЁ][а-яё]{3,}(?:-[А-ЯЁ][а-яё]+)?))")


def _fuzzy_names(text: str, found: list[Found], index: Index) -> list[Found]:
    """«Теодор Маккаррик» for Теодор Маккэррик, «Алан Гарсия» for Алан Гарсиа Перес: a first name of a
    person in the gazetteer, then a word spelled close to that person's surname (foreign surnames are
    transliterated several ways). Only one person may fit, and the word must be no dictionary word."""
    if not index.first_persons:
        return []
    taken = _Spans((f.start, f.end, None) for f in found)
    out: list[Found] = []
    first_persons = index.first_persons
    for m in _NAME_PAIR.finditer(text):
        persons = first_persons.get(m.group(1).lower().replace("ё", "е"))
        if not persons:
            continue
        s, e = m.start(), m.end() + len(m.group(2))
        if not _at_boundary(text, s, e) or taken.overlaps(s, e):
            continue
        surname = m.group(2)
        word = fold(surname)
        scored = [(c[0], idx) for idx in persons if (c := _closest_surname(word, index, idx, NAME_FUZZY_CUTOFF))]
        if not scored:
            continue
        top = max(sc for sc, _ in scored)
        winners = {idx for sc, idx in scored if sc == top}
        if top >= 100 or len(winners) != 1 or morph.is_word_form(surname) or morph.is_russian_surname(word):
            continue  # the exact name was left unlinked on purpose (ambiguous, or needs context)
        out.append(Found(s, e, winners.pop(), "fuzzy", round(0.85 * top / 100, 3)))
        taken.add(s, e)
    return out


_NAME_WORDS = r"[A-ZА-ЯЁ][a-zа-яёA-ZÀ-ÿ'’]+(?:-[A-ZА-ЯЁ][a-zа-яёÀ-ÿ]+)?"
# «Фолькер Буфье (Volker Bouffier)»: a name, then the same name in the other script in parentheses
_GLOSS = re.compile(rf"({_NAME_WORDS}(?: {_NAME_WORDS}){{1,3}}) \(({_NAME_WORDS}(?: {_NAME_WORDS}){{1,3}})\)")
GLOSS_CUTOFF = 60.0


def _is_latin(name: str) -> bool:
    return name[:1].isascii()


def _glossed(text: str, found: list[Found], index: Index) -> list[Found]:
    """A person's name and, in parentheses right after it, the same name in the other script
    («Модибо Сидибе (Modibo Sidibe)»): when one of the two is linked, the other is the same person, if
    both have as many words and the Latin one transliterates close to the Cyrillic one."""
    if "(" not in text:
        return []
    # by end: the linked mention may leave out a first word of the name («Шейк [Модибо Диарра] (Cheick …)»)
    spans = {f.end: f for f in found if f.entity in index.persons}
    if not spans:
        return []
    taken = _Spans((f.start, f.end, None) for f in found)
    out: list[Found] = []
    from rapidfuzz import fuzz

    for m in _GLOSS.finditer(text):
        (s1, e1), (s2, e2) = m.span(1), m.span(2)
        a, b = m.group(1), m.group(2)
        words = a.split(" ")
        k = len(b.split(" "))
        if len(words) > k:  # «Кандидат Модибо Сидибе (Modibo Sidibe)»: the name is the last words
            a = " ".join(words[-k:])
            s1 = e1 - len(a)
        if _is_latin(a) == _is_latin(b) or len(a.split(" ")) != k or not _at_boundary(text, s1, e1):
            continue
        latin, cyrillic = (a, b) if _is_latin(a) else (b, a)
        if fuzz.ratio(transliterate(latin), fold(cyrillic)) < GLOSS_CUTOFF:
            continue
        for (ls, le), (os_, oe) in (((s1, e1), (s2, e2)), ((s2, e2), (s1, e1))):
            f = spans.get(le)
            if f is not None and f.start >= ls and f.end - f.start > (le - ls) // 2 and not taken.overlaps(os_, oe):
                out.append(Found(os_, oe, f.entity, "transliteration", SCORES["transliteration"]))
                taken.add(os_, oe)
                break
    return out


def _nominative(word: str) -> str:
    """A name word in the nominative as pymorphy3 guesses it from its ending («Матиасом» → «Матиас»)."""
    p = next(iter(morph.parses(word.lower())), None)
    if p is None or p.tag.POS != "NOUN" or "nomn" in p.tag or not p.normal_form:
        return word
    return morph.match_case(word, p.normal_form)


def _variant_surnames(
    text: str, found: list[Found], index: Index, firsts: dict[int, str] | None = None
) -> dict[int, tuple[str, ...]]:
    """Case forms of the surname of each person as this text spells it, when its full-name mention
    ends in another spelling («Теодор Маккаррик») or in the first of two surnames («Алан Гарсиа»)."""
    out: dict[int, tuple[str, ...]] = {}
    own: dict[int, set[str]] = {}
    for f in found:
        if f.entity not in index.persons or f.entity in out or f.method not in _NAMED_IN_FULL:
            continue
        token = text[f.start : f.end].split()[-1]
        if f.entity not in own:
            own[f.entity] = {fold(x) for x in index.surname_forms[f.entity]}
        if fold(token) in own[f.entity]:
            continue
        if _is_latin(token) != _is_latin(index.persons[f.entity].surname):
            # a Latin name given in Cyrillic («Модибо Сидибе (Modibo Sidibe)»): the surname as written
            if f.method == "transliteration" and token.isalpha():
                out[f.entity] = _surname_word_forms(_nominative(token), index.persons[f.entity].gender)
                words = text[f.start : f.end].split()
                if len(words) > 1 and firsts is not None:
                    firsts[f.entity] = fold(_nominative(words[0]))[:-1]
            continue
        best = _closest_surname(fold(token), index, f.entity, NAME_FUZZY_CUTOFF)
        if best is not None:
            nominative = _spelled_as(token, best[1], best[2])
            out[f.entity] = _surname_word_forms(nominative, index.persons[f.entity].gender)
    return out


# methods of a person's mention by full name (a transliteration of a person is a gloss: «(Modibo Sidibe)»)
_NAMED_IN_FULL = frozenset({"exact", "inflected", "alias", "fuzzy", "transliteration"})


def _corefer(text: str, folded: str, found: list[Found], index: Index) -> list[Found]:
    """Surname and initial mentions of people named in full in this document.

    A first name alone links when exactly one person named in full has it and no
    surname follows it. A surname that the text also gives with another first name
    («Юрий Визбор» beside «Варвара Визбор») stays unlinked.
    """
    full = {f.entity for f in found if f.entity in index.persons and f.method in _NAMED_IN_FULL}
    if not full:
        return []
    keys: dict[str, int] = {}
    # the stem of the first name a glossed mention gives («Сабриэлем Матиасом (Subriel Matías)»: «сабриэл»)
    glossed_firsts: dict[int, str] = {}
    variants = _variant_surnames(text, found, index, glossed_firsts)
    for idx in full:
        parts = index.persons[idx]
        for form in (*variants.get(idx, ()), *index.surname_forms[idx]):
            keys.setdefault(fold(form), idx)
            if parts.first:
                initial = parts.first[0] + "."
                keys.setdefault(fold(f"{initial} {form}"), idx)
                keys.setdefault(fold(f"{initial}{form}"), idx)
    # a first name alone, when one person named in full has it and it stands alone («Кэтрин сказала»)
    first_owner: dict[str, set[int]] = defaultdict(set)
    # a first name alone is the weakest coreference: only after the name itself, not a near spelling of it
    spelled = {f.entity for f in found if f.entity in full and f.method != "fuzzy"}
    for idx in spelled:
        parts = index.persons[idx]
        if parts.first and len(parts.first) >= 3:
            for form in index.first_forms[idx]:
                first_owner[fold(form)].add(idx)
    firsts = {k: next(iter(v)) for k, v in first_owner.items() if len(v) == 1 and k not in keys}
    keys.update(firsts)
    hits = [
        (s, e, k)
        for s, e, k in _leftmost_longest(folded, keys)
        if _at_boundary(text, s, e)
        and text[s].isupper()
        and not (k in firsts and re.match(r"\s+[А-ЯЁA-Z]", text[e : e + 2]))
    ]
    # a surname the text also gives with another first name is shared by a family: only first names stay safe
    # (not within a mention of that person: «Модибо Сидибе (Modibo Sidibe)» gives the person's own first name)
    taken = _Spans((f.start, f.end, f.entity) for f in found)
    shared = {
        keys[k]
        for s, e, k in hits
        if k not in firsts
        and keys[k] not in taken.overlapping(s, e)
        and _other_first_name_before(text, s, index, keys[k])
        and not _glossed_first_before(text, s, glossed_firsts.get(keys[k]))
    }
    out: list[Found] = []
    for s, e, k in hits:
        idx = keys[k]
        if (idx in shared and k not in firsts) or taken.overlaps(s, e):
            continue
        if k not in firsts and _other_initial_before(text, s, index, idx):
            continue
        out.append(Found(s, e, idx, "coreference", SCORES["coreference"]))
        taken.add(s, e)
    return out


def _glossed_first_before(text: str, start: int, stem: str | None) -> bool:
    """The word before `start` is a case form of the first name a glossed mention gave («Сабриэл»)."""
    if not stem:
        return False
    m = re.search(r"([А-ЯЁ][а-яё]+)\s+$", text[max(0, start - 30) : start])
    return m is not None and fold(m.group(1)).startswith(stem) and len(m.group(1)) - len(stem) <= 3


def _leftmost_longest(folded: str, keys: Iterable[str]) -> list[tuple[int, int, str]]:
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


_WORD_RE = re.compile(r"[А-ЯЁA-Z][а-яёa-z]{5,}")


def _nearest_key(
    word: str, index: Index, cutoff: float, by_letter: bool = False, max_diff: int | None = None
) -> tuple[str, float] | None:
    """The indexed one-word key closest to `word` (rapidfuzz ratio ≥ cutoff, same first two
    letters, or first letter `by_letter`), when the keys at that score all name one entity."""
    memo_key = (word, cutoff, by_letter, max_diff)
    memo = index.nearest_memo
    if memo_key not in memo:
        if len(memo) >= NEAREST_MEMO_SIZE:
            memo.clear()
        memo[memo_key] = _nearest_key_uncached(word, index, cutoff, by_letter, max_diff)
    return memo[memo_key]


NEAREST_MEMO_SIZE = 100_000


def _nearest_key_uncached(
    word: str, index: Index, cutoff: float, by_letter: bool, max_diff: int | None
) -> tuple[str, float] | None:
    from rapidfuzz import fuzz, process

    # only keys of a length that can reach the cutoff: ratio = 2·matches / (len a + len b)
    r = cutoff / 100
    lengths = range(max(1, math.ceil(len(word) * r / (2 - r))), math.floor(len(word) * (2 - r) / r) + 1)
    if max_diff is not None:
        lengths = range(max(lengths.start, len(word) - max_diff), min(lengths.stop, len(word) + max_diff + 1))
    prefix = word[:1] if by_letter else word[:2]
    block_key = (prefix, lengths.start, lengths.stop, by_letter)
    block = index.block_memo.get(block_key)
    if block is None:
        blocks = index.translit_blocks if by_letter else index.fuzzy_blocks
        block = index.block_memo[block_key] = [k for n in lengths for k in blocks.get(f"{prefix}{n}", ())]
    if not block:
        return None
    best = process.extract(word, block, scorer=fuzz.ratio, score_cutoff=cutoff, limit=2)
    if not best or len({index.fuzzy_owner[k].entity for k, sc, _i in best if sc == best[0][1]}) != 1:
        return None
    return best[0][0], best[0][1]


def _fuzzy(text: str, found: list[Found], index: Index) -> list[Found]:
    """Typos of one-word names: a capitalised unknown word close to exactly one key."""
    if not index.fuzzy_blocks:
        return []
    taken = _Spans((f.start, f.end, None) for f in found)
    out: list[Found] = []
    for m in _WORD_RE.finditer(text):
        # what the word itself allows is the same wherever it stands: judged once per distinct word,
        # and only where it stands free (most words are nothing, and known at once the second time)
        typo = index.word_memo.get(("fuzzy", m.group()), _UNSEEN)
        if typo is None:
            continue
        s, e = m.span()
        if not _at_boundary(text, s, e) or _sentence_start(text, s) or taken.overlaps(s, e):
            continue
        if typo is _UNSEEN:
            typo = _memo(index, "fuzzy", m.group(), _typo_of)
        if typo is not None:
            out.append(Found(s, e, typo[0], "fuzzy", typo[1]))
    return out


_UNSEEN = (-1, 0.0)


def _memo(
    index: Index, tier: str, word: str, make: Callable[[str, Index], tuple[int, float] | None]
) -> tuple[int, float] | None:
    """What `make` makes of `word` for one tier, remembered in the index."""
    memo = index.word_memo
    key = (tier, word)
    if key not in memo:
        if len(memo) >= NEAREST_MEMO_SIZE:
            memo.clear()
        memo[key] = make(word, index)
    return memo[key]


def _typo_of(surface: str, index: Index) -> tuple[int, float] | None:
    """(entity, score) when a capitalised word is a typo of exactly one one-word key."""
    word = fold(surface)
    near = _nearest_key(word, index, FUZZY_CUTOFF, max_diff=1)
    # same ending: a different inflection («Ниязбековой» for «Ниязбековым») is another word, not a typo;
    # a typo changes a letter or two, not the length by more than one («Арлингтонском» is an adjective)
    if near is None or near[0][-2:] != word[-2:] or abs(len(near[0]) - len(word)) > 1 or len(near[0]) < FUZZY_MIN_LEN:
        return None
    if any(p.is_known for p in morph.parses(word)):
        return None  # a dictionary word or a known name is itself, not a typo (checked last: it is slow)
    return index.fuzzy_owner[near[0]].entity, round(0.85 * near[1] / 100, 3)


# longest Latin spelling first: «shch» before «sh» before «s»
_LATIN_TO_CYR = sorted(
    (
        tuple(pair.split("="))
        for pair in (
            "shch=щ sch=щ tch=ч ch=ч sh=ш zh=ж kh=х ts=ц ya=я yu=ю yo=ё ye=е ay=ай ey=ей oy=ой uy=уй "
            "ee=и oo=у ph=ф th=т ck=к qu=кв eu=ей ou=у a=а b=б c=к d=д e=е f=ф g=г h=х i=и j=дж k=к "
            "l=л m=м n=н o=о p=п q=к r=р s=с t=т u=у v=в w=в x=кс y=и z=з"
        ).split()
    ),
    key=lambda pair: -len(pair[0]),
)
_LATIN_RE = re.compile(r"[A-Z][A-Za-z]{2,}(?:[ -][A-Z][A-Za-z]+)*")
TRANSLIT_CUTOFF = 85.0


# one alternation in the same longest-first order: at each position the first spelling that fits wins,
# as in a left-to-right scan; letters with no rule pass through
_LATIN_SPELLING = re.compile("|".join(re.escape(src) for src, _dst in _LATIN_TO_CYR))
_LATIN_MAP = dict(_LATIN_TO_CYR)


@lru_cache(maxsize=20_000)
def transliterate(latin: str) -> str:
    """Latin letters to Cyrillic by the usual rules of Russian news spelling (Bayer → байер)."""
    return _LATIN_SPELLING.sub(lambda m: _LATIN_MAP[m.group()], latin.lower())


def _transliterated(text: str, found: list[Found], index: Index) -> list[Found]:
    """Latin names of entities known by Cyrillic names (Bayer → Байер, Reuters → Рейтер)."""
    if not index.fuzzy_blocks:
        return []
    taken = _Spans((f.start, f.end, None) for f in found)
    out: list[Found] = []
    for m in _LATIN_RE.finditer(text):
        s, e = m.span()
        if not _at_boundary(text, s, e) or taken.overlaps(s, e):
            continue
        # the whole name, else without an English article («The New York Times»); not a word inside a
        # longer name («Washington Post», «Miami Heat» name other things)
        spans = [(s, e)]
        if m.group().startswith("The "):
            spans.append((s + 4, e))
        for ws, we in spans:
            owner = _memo(index, "translit", text[ws:we], _transliteration_of)
            if owner is not None:
                out.append(Found(ws, we, owner[0], "transliteration", SCORES["transliteration"]))
                break
    return out


def _transliteration_of(latin: str, index: Index) -> tuple[int, float] | None:
    """(entity, score) of the one-word key a Latin name transliterates close to."""
    cyr = transliterate(latin)
    near = _nearest_key(cyr, index, TRANSLIT_CUTOFF, by_letter=True) if len(cyr) >= 4 else None
    return None if near is None else (index.fuzzy_owner[near[0]].entity, SCORES["transliteration"])


def find_mentions(text: str, index: Index) -> list[Found]:
    """All linked mentions in a text, sorted by offset."""
    if not text:
        return []
    folded = fold(text)
    hits = _select(_scan(text, folded, index))
    found = _resolve(hits, index, text)
    found += _fuzzy_names(text, found, index)
    found += _glossed(text, found, index)
    found += _corefer(text, folded, found, index)
    found += _fuzzy(text, found, index)
    found += _transliterated(text, found, index)
    found.sort(key=lambda f: (f.start, f.end))
    return found
