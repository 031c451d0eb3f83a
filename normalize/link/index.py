"""The compiled index: every key of every entity, and the tables the tiers look up (people's name parts
and forms, the fuzzy and transliteration blocks). Immutable once compiled, and pickled by
`normalize.cache`; what linking learns while it runs lives in a `Linker`.

The keys and the near keys take one of two shapes by the number of keys (`use_key_table`): a small set
(the bundled one, a typical user's) keeps an Aho–Corasick automaton and lists (`smallindex`: no numpy,
no fixed cost per text); a large one a hashed key table and near-key columns (`keytable`, `nearkeys`:
mapped from the cache and shared by the workers, loading in the same time at any size). Both find the
same hits and the same nearest keys (`tests/test_keytable.py`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from normalize import morph
from normalize.gazetteer import Entity, Gazetteer
from normalize.link import KEY_TABLE_ENV, names, variants
from normalize.link.composed import country_genitives, mark_generic
from normalize.link.folding import fold
from normalize.link.keys import entity_keys, lower_first_ok
from normalize.link.keystore import KeyStore
from normalize.link.records import PRIORITY, Candidate, Needs, Slot, best
from normalize.link.smallindex import AutomatonKeys, BlockKeys, automaton_keys, block_keys

if TYPE_CHECKING:  # a small set's process never loads the key table's modules
    from normalize.link.keytable import KeyTable
    from normalize.link.nearkeys import NearKeys

FUZZY_MIN_LEN = 6
TRANSLIT_MIN_LEN = 5  # «Форбс» (Forbes): transliteration compares whole words, short ones too
# keys from which the index is a key table, not an automaton. Measured (docs/performance.md): the automaton
# links a text about 1.5× faster, the key table loads in the same time at any size where unpickling the
# automaton takes a worker 0.35 s at the bundled set's 25k keys and 0.5 s at 77k, with more memory;
# on NEREL train ×1, two workers, the whole run's CPU was even at 25k keys (0.94–0.99×), the key table's
# 0.93× at 39k and 0.85× at 52k. The bundled set (25k) stays well below it.
KEY_TABLE_MIN = 40_000


def use_key_table(n_keys: int) -> bool:
    """Whether an index of `n_keys` keys is a key table (else an automaton); `KEY_TABLE_ENV` may force it."""
    forced = os.environ.get(KEY_TABLE_ENV, "").lower()
    if forced in ("on", "off"):
        return forced == "on"
    return n_keys >= KEY_TABLE_MIN


@dataclass(frozen=True, eq=False)
class Index:
    """A compiled gazetteer: the folded forms and the entities (equal only to itself)."""

    entities: Sequence[Entity]  # the gazetteer's (a large set's a `pickled.Pickled` when loaded from the cache)
    # folded key → its readings: an automaton (`smallindex`) or hashed columns (`keytable`)
    keys: AutomatonKeys | KeyTable
    persons: Mapping[int, morph.PersonParts] = field(default_factory=dict)
    # case forms of each person's surname and first name, made once here: coreference needs them
    # for every document, and inflecting with pymorphy3 per document was most of its time
    surname_forms: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    # the same forms in the surname's other spellings (`names.other_spellings`), for coreference only
    surname_spellings: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    first_forms: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    # folded case form of a first name → the people (named in full) who have it, for names spelled
    # another way in the text («Теодор Маккаррик» for Теодор Маккэррик)
    first_persons: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # folded case form of a first name → how many people named in full have it: a title before a one-word
    # name («принц Филипп») says it is a person's, not which one when others go by that first name too
    first_counts: dict[str, int] = field(default_factory=dict)
    n_keys: int = 0
    # the one-word keys the typo and transliteration tiers compare words with, by blocks: lists
    # (`smallindex`) or columns (`nearkeys`)
    near: BlockKeys | NearKeys = field(default_factory=lambda: block_keys({}, {}, {}))

    @property
    def large(self) -> bool:
        """Whether the index is a large set's: a key table and near-key columns."""
        return not isinstance(self.keys, AutomatonKeys)


def compile_index(gazetteer: Gazetteer, store: KeyStore | None = None, *, large: bool | None = None) -> Index:
    """Compile a gazetteer into an Index; with a `store`, the entities' own keys kept from an earlier
    compile are taken from it. `large`: a key table (True) or an automaton (False); by default by the
    number of keys (`use_key_table`)."""
    entities = gazetteer.entities
    # the names and adjectives the set implies («РФ», «Китай», «британский»), as the entities' own: every
    # key mechanism applies to them; the index keeps the entities as the gazetteer gives them
    derived = variants.derive(entities)
    named = [variants.with_derived(e, derived.get(i)) for i, e in enumerate(entities)]
    by_id = {e.id: e for e in named}
    table: dict[str, Slot] = defaultdict(dict)
    persons: dict[int, morph.PersonParts] = {}
    country_gens = country_genitives(named)
    own = store.own_keys(named) if store is not None else None
    for idx, e in enumerate(named):
        for k in entity_keys(e, by_id, country_gens, next(own) if own is not None else None):
            slot = table[fold(k.form)]
            old = slot.get((idx, k.needs, k.coord))
            if old is None or PRIORITY[k.method] < PRIORITY[old.method]:
                slot[(idx, k.needs, k.coord)] = Candidate(
                    idx, k.method, k.form, k.tail, k.needs, lower_first_ok(e, k.form), k.owner, k.coord
                )
        if e.type == "person" and len(e.name.split()) >= 2:
            persons[idx] = morph.person_parts(e.name, e.surname, e.gender)
    mark_generic(table)
    _add_surnames(table, entities, persons)
    n_keys = len(table)
    large = use_key_table(n_keys) if large is None else large
    unnamed = {k: v for k, v in table.items() if all(entities[c.entity].type != "person" for c in v.values())}
    blocks, _owners = _fuzzy_keys(unnamed)
    # a Latin spelling is evidence of a name: «Reuters» may be «Рейтер», which alone is also a common word
    translit, owners = _fuzzy_keys(unnamed, frozenset({Needs.NOTHING, Needs.EVIDENCE}))
    del unnamed
    # each key's slot (its dict and tuple keys) is let go as the key is read into the keys' structure: at
    # 100k entities the slots were most of the compile's peak, held while the key table was built
    slots = ((key, tuple(table.pop(key).values())) for key in list(table))
    if large:
        from normalize.link import keytable, nearkeys

        keys, near_keys = keytable.build(slots), nearkeys.build
    else:
        keys, near_keys = automaton_keys(slots), block_keys
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
        keys,
        persons,
        first_counts=dict(first_counts),
        surname_forms=surname_forms,
        # a foreign surname's case forms in its other spellings (Баффетт: «Баффета»)
        surname_spellings={i: names.other_spellings(forms) for i, forms in surname_forms.items()},
        first_forms=first_forms,
        first_persons={k: tuple(v) for k, v in first_persons.items()},
        n_keys=n_keys,
        # a key's block-mates in the order `_fuzzy_keys` met them: ties for the nearest key are settled by it
        near=near_keys(translit, blocks, owners),
    )


def has_key(index: Index, folded: str) -> bool:
    """Whether a folded form is one of the index's keys."""
    return index.keys.has(folded)


def _fuzzy_keys(
    table: dict[str, Slot], needs: frozenset[Needs] = frozenset({Needs.NOTHING})
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """One-word keys that name exactly one entity (and need no more than `needs`), blocked by their
    first two letters and length; with the entity of each (its most trusted reading's)."""
    blocks: dict[str, list[str]] = defaultdict(list)
    owners: dict[str, int] = {}
    for key, slot in table.items():
        if len(key) < min(FUZZY_MIN_LEN, TRANSLIT_MIN_LEN) or not key.isalpha():
            continue
        cands = list(slot.values())
        if len({c.entity for c in cands}) != 1:
            continue
        if any(c.needs not in needs or c.method == "surname" for c in cands):
            continue
        blocks[f"{key[:2]}{len(key)}"].append(key)
        owners[key] = best(cands).entity
    return dict(blocks), owners


def _add_surnames(table: dict[str, Slot], entities: Sequence[Entity], persons: dict[int, morph.PersonParts]) -> None:
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
        needs = Needs.EVIDENCE if morph.is_common_word(parts.surname) else Needs.NOTHING
        for form in morph.word_forms(parts.surname, parts.gender, "surname"):
            table[fold(form)].setdefault((idx, needs, ""), Candidate(idx, "surname", form, len(form), needs))
            if parts.first:
                # «И. Кубраков», «И.Кубраков»: initials make the surname safe on its own
                for sep in (" ", ""):
                    initialled = f"{parts.first[0]}.{sep}{form}"
                    table[fold(initialled)].setdefault(
                        (idx, Needs.NOTHING, ""), Candidate(idx, "surname", initialled, len(initialled))
                    )
