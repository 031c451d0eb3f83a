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

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from normalize import heap, morph
from normalize.cachefile import collector_off
from normalize.gazetteer import Entity, Gazetteer
from normalize.link import KEY_TABLE_ENV
from normalize.link.smallindex import AutomatonKeys, BlockKeys, automaton_keys, block_keys

if TYPE_CHECKING:
    # a small set's process never loads the key table's modules; a run's, which loads a compiled index from
    # the cache, never the compile's (`compile_index` imports them): 0.04–0.06 s of every start
    from normalize.link import keyorder
    from normalize.link.keystore import KeyStore
    from normalize.link.keytable import KeyTable
    from normalize.link.nearkeys import NearKeys, Words
    from normalize.link.survey import Survey

# keys from which the index is a key table, not an automaton. Measured (docs/performance.md): the automaton
# links a text about 1.5× faster, the key table loads in the same time at any size where unpickling the
# automaton takes a worker 0.35 s at the bundled set's 25k keys and 0.5 s at 77k, with more memory;
# on NEREL train ×1, two workers, the whole run's CPU was even at 25k keys (0.94–0.99×), the key table's
# 0.93× at 39k and 0.85× at 52k. The bundled set (25k) stays well below it.
KEY_TABLE_MIN = 40_000
# keys up to which the near keys and the people's pickled tables are made beside the key table
# (`compile_index`); beyond, one after the other: at 17M keys (1M entities) their copies at once were the
# compile's peak (7.9 GiB; 150 MiB more at 1.8M keys, 100k entities)
SIDE_BY_SIDE_KEYS = 4_000_000


# each phase of `compile_index` as it ends, at DEBUG (`tests/benchmarks/compile_phases.py` times them)
log = logging.getLogger("normalize.link.index")


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
    near: BlockKeys | NearKeys = field(default_factory=lambda: BlockKeys({}, {}, {}, 0))

    @property
    def large(self) -> bool:
        """Whether the index is a large set's: a key table and near-key columns."""
        return not isinstance(self.keys, AutomatonKeys)


# compiling makes millions of objects, all kept: the cyclic collector, walking the growing heap again and
# again, took a fifth of a 100k-entity set's compile (and a third of generating its keys, in each process)
@collector_off()
def compile_index(
    gazetteer: Gazetteer,
    store: KeyStore | None = None,
    *,
    large: bool | None = None,
    processes: int | None = None,
    meanwhile: Callable[[], object] | None = None,
    facts: Survey | None = None,
) -> Index:
    """Compile a gazetteer into an Index; with a `store`, the entities' own keys kept from an earlier
    compile are taken from it. `large`: a key table (True) or an automaton (False); by default by the
    number of keys (`use_key_table`). `processes`: how many generate the keys (`keyrows.generate`);
    `meanwhile`: more work to do beside the compile once they are generated, in a thread. `facts`: the
    set's `survey.Survey`, if made before its entities were packed (`cache.compile_gazetteers`)."""
    from normalize.link import keyorder, keyrows
    from normalize.link.people import pickled_maps
    from normalize.link.survey import survey

    entities = gazetteer.entities
    # the names and adjectives the set implies («РФ», «Китай», «британский»), as the entities' own: every
    # key mechanism applies to them; the index keeps the entities as the gazetteer gives them
    if facts is None:
        facts = survey(entities)
    log.debug("compile: surveyed")
    rows = keyrows.generate(entities, facts, store, processes)
    log.debug("compile: generated %d rows", len(rows))
    people = rows.people
    # the steps that need not wait for one another run side by side, in threads (started only now: a thread
    # must not run while `generate` forks): numpy and zlib let go of the interpreter for most of their time,
    # so the second core works (1.5 to 2 s of a compile of 100k entities)
    with ThreadPoolExecutor(2, thread_name_prefix="normalize-compile") as beside:
        more = beside.submit(meanwhile) if meanwhile is not None else None
        keys = keyorder.arrange(rows)
        del rows
        heap.trim()
        n_keys = len(keys)
        log.debug("compile: arranged %d keys", n_keys)
        large = use_key_table(n_keys) if large is None else large
        side_by_side = n_keys <= SIDE_BY_SIDE_KEYS
        if side_by_side:
            near_keys = beside.submit(_near_keys, keys, facts.persons, large)
        else:  # chosen before the key table, blocked after it: as words they are the smaller
            words = keyorder.near_keys(keys, facts.persons)
        # a large set's people's tables as its cache entry keeps them and a run's processes read them
        tables = beside.submit(pickled_maps, people) if large and side_by_side else None
        if large:
            from normalize.link import keytable

            # past `SIDE_BY_SIDE_KEYS` nothing else reads the keys now: their columns go as the table reads them
            table: KeyTable | AutomatonKeys = keytable.build(keys, release=not side_by_side)
            heap.trim()  # its copies made and freed, while the threads beside still make theirs
            log.debug("compile: built the key table")
        else:
            table = automaton_keys(keys.slots())
            log.debug("compile: built the automaton")
        del keys
        if not side_by_side:
            tables = beside.submit(pickled_maps, people) if large else None  # once the keys are let go
            near_keys = beside.submit(lambda: (_blocked(words, large), len(words)))
        near, n_words = near_keys.result()
        log.debug("compile: chose %d near keys", n_words)  # logged here, in order: they were chosen meanwhile
        log.debug("compile: built the near keys")
        maps = tables.result() if tables is not None else people.maps()
        if more is not None:
            more.result()
    first_counts, first_persons = people.first_counts, people.first_persons
    del people
    heap.trim()
    return Index(
        entities,
        table,
        maps["parts"],
        first_counts=first_counts,
        surname_forms=maps["surname_forms"],
        surname_spellings=maps["surname_spellings"],
        first_forms=maps["first_forms"],
        first_persons={form: tuple(persons) for form, persons in first_persons.items()},
        n_keys=n_keys,
        # a key's block-mates in the order `keyorder.near_keys` met them: ties for the nearest key are settled by it
        near=near,
    )


def _near_keys(keys: keyorder.Keys, persons: bytes, large: bool) -> tuple[NearKeys | BlockKeys, int]:
    """The one-word keys the typo and transliteration tiers compare words with, blocked (`keyorder.near_keys`);
    and how many."""
    from normalize.link import keyorder

    words = keyorder.near_keys(keys, persons)
    return _blocked(words, large), len(words)


def _blocked(words: Words, large: bool) -> NearKeys | BlockKeys:
    """Near keys by blocks: columns for a key table's index (`nearkeys.build`), else lists."""
    if large:
        from normalize.link import nearkeys

        return nearkeys.build(words)
    return block_keys(words)


def has_key(index: Index, folded: str) -> bool:
    """Whether a folded form is one of the index's keys."""
    return index.keys.has(folded)
