"""The rows of a compile (`keyrows`) put together by key: each key's readings in the order a table of
`records.Slot`s filled entity by entity would hold them, and the keys in the order they first came.

What the whole set decides is decided here, over columns (but whose surname is read alone: `keyrows`
makes those readings for a surname one person has): which surname-only readings an entity already has
as its own, which names are generic (`composed.mark_generic`, on the few keys a generic reading names),
and which one-word keys the typo and transliteration tiers compare words with
(`near_keys`). Keys are told apart by two 64-bit hashes of the folded key (`keyhash.key_columns`), so
no step holds every key as a string: at 100k entities the table of slots was most of a compile's memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from normalize.link import columns as col
from normalize.link.composed import mark_generic
from normalize.link.folding import fold
from normalize.link.keyrows import COLUMNS, Part, RowMaker, Rows
from normalize.link.nearkeys import Words, words
from normalize.link.records import (
    FUZZY_MIN_LEN,
    METHODS,
    NEEDS,
    NEEDS_CODE,
    PRIORITY,
    TRANSLIT_MIN_LEN,
    Candidate,
    Needs,
    Slot,
)
from normalize.link.strings import Reordered, Strings

# the row columns a key keeps (`keyrows.COLUMNS`): what tells keys apart and where a row came from are spent
ARRANGED = tuple(name for name in COLUMNS if name not in ("key_full", "part"))


@dataclass(frozen=True)
class Keys:
    """Every folded key and its readings: key i's are rows start[i] to start[i + 1] of the columns."""

    columns: dict[str, Any]  # `ARRANGED` (of `keyrows.COLUMNS`), a row a reading, key by key
    forms: Strings | Reordered  # each row's cased form
    pairs: list[tuple[str, str]]  # (owner, coord) by `pair`
    start: Any  # numpy int64, one more than the keys

    def __len__(self) -> int:
        return len(self.start) - 1

    def key(self, i: int) -> str:
        """The folded key i (every reading's form folds to it)."""
        return fold(self.forms[int(self.start[i])])

    def readings(self, i: int) -> tuple[Candidate, ...]:
        """Key i's readings."""
        return tuple(_candidate(self, r) for r in range(int(self.start[i]), int(self.start[i + 1])))

    def slots(self) -> Iterator[tuple[str, tuple[Candidate, ...]]]:
        """(folded key, readings) of every key, in order."""
        for i in range(len(self)):
            yield self.key(i), self.readings(i)


def arrange(rows: Rows) -> Keys:
    """The keys of the rows: generic names marked (`composed.mark_generic`), each key's readings in order and
    the keys by their first reading (a shared surname has no surname-only rows: `keyrows.unique_surnames`).
    The rows' columns are taken (`rows.columns` is left empty)."""
    import numpy as np

    c = rows.columns
    n = len(rows)
    # a Slot table is filled with the entities' own readings first, then the surname-only ones: by key, the
    # own rows first, each in the order made (as a lexsort: `columns.lexsorted`)
    later = c["part"] != Part.OWN
    by_key = col.lexsorted(c["key_core"], c["key_full"], later)
    # a key starts where a row's hashes are not the row before's
    starts = np.flatnonzero(~(col.repeats(c["key_core"], by_key) & col.repeats(c["key_full"], by_key)))
    generic = _any(c["method"][by_key] == PRIORITY["context"], starts)
    counts = np.diff(np.append(starts, len(by_key)))
    # a surname-only reading its entity already has goes, but where a generic name changed that one
    held = (c["part"][by_key] == Part.SURNAME_HELD) & ~np.repeat(generic, counts)
    counts -= col.run_totals(np.add, held, np.append(starts, len(held)), np.int64)
    by_key = by_key[~held]
    del held
    left = counts > 0
    counts, generic = counts[left], generic[left]
    starts = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    first = by_key[starts]
    first_seq = first + n * later[first]  # where each key's first reading stands in a Slot table's order
    del later, first, left
    pairs = list(rows.pairs)
    added: dict[str, Any] = {}
    sources = None
    if generic.any():
        by_key, starts, counts, added, sources = _mark_generic(rows, by_key, starts, counts, generic, pairs)
    order = np.argsort(first_seq)  # the keys as their first readings came (no two keys' first reading is one)
    counts = counts[order]
    at = np.concatenate(([0], np.cumsum(counts)))
    picks = np.repeat(starts[order] - at[:-1], counts)
    picks += np.arange(int(at[-1]))
    picks = by_key[picks]
    del by_key, starts, order
    picked = {}
    for name in ARRANGED:
        # the rows' columns are let go as they are read: at 100k entities one copy of them was 116 MiB
        values = c.pop(name)
        picked[name] = (np.concatenate((values, added[name])) if added else values)[picks]
        del values
    c.clear()
    if sources is not None:  # an added row's form is its source row's: the forms are not copied to add them
        more = np.flatnonzero(picks >= n)
        picks[more] = sources[picks[more] - n]
    return Keys(picked, rows.forms.reordered(picks), pairs, at)


def _any(flags: Any, starts: Any) -> Any:
    """Per group (rows from each start to the next): whether any row's flag is set."""
    import numpy as np

    return col.run_totals(np.logical_or, flags, np.append(starts, len(flags)), bool)


def _mark_generic(
    rows: Rows, by_key: Any, starts: Any, counts: Any, generic: Any, pairs: list[tuple[str, str]]
) -> tuple[Any, Any, Any, dict[str, Any], Any]:
    """The keys a generic reading names, as `Slot`s: `composed.mark_generic` on their entities' own
    readings, then the surname-only ones as `Slot.setdefault` adds them. Their new readings are rows to
    add after the others (their columns are returned, and for each the row whose form it has: a reading
    keeps its form); the groups point at them."""
    import numpy as np

    c = rows.columns
    table: dict[str, Slot] = {}
    later: dict[str, list[int]] = {}
    for g in np.flatnonzero(generic).tolist():
        members = by_key[starts[g] : starts[g] + counts[g]].tolist()
        key = fold(rows.forms[members[0]])
        slot = table[key] = {}
        for r in members:
            cand = _candidate(rows, r)
            if c["part"][r] == Part.OWN:
                slot[cand.entity, cand.needs, cand.coord] = cand
            else:
                later.setdefault(key, []).append(r)
    mark_generic(table)
    maker = RowMaker(pairs)
    new_starts, new_counts = starts.copy(), counts.copy()
    sources: list[int] = []
    for g, (key, slot) in zip(np.flatnonzero(generic).tolist(), table.items(), strict=True):
        for r in later.get(key, ()):
            cand = _candidate(rows, r)
            slot.setdefault((cand.entity, cand.needs, ""), cand)
        new_starts[g], new_counts[g] = len(by_key) + len(maker.forms), len(slot)
        rows_of = {}
        for r in by_key[starts[g] : starts[g] + counts[g]].tolist():
            rows_of.setdefault(rows.forms[r], r)
        for cand in slot.values():
            maker.add(cand, key)
            sources.append(rows_of[cand.form])
    pairs[:] = list(maker.pairs)
    added = maker.rows()
    n = len(rows)
    extended = np.concatenate((by_key, np.arange(n, n + len(added))))
    return extended, new_starts, new_counts, added.columns, np.array(sources, dtype=np.int64)


def _candidate(rows: Rows | Keys, r: int) -> Candidate:
    """Row r as a reading."""
    c = rows.columns
    owner, coord = rows.pairs[int(c["pair"][r])]
    return Candidate(
        int(c["entity"][r]),
        METHODS[int(c["method"][r])],
        rows.forms[r],
        int(c["tail"][r]),
        NEEDS[int(c["needs"][r])],
        bool(c["lower_first"][r]),
        owner,
        coord,
    )


def near_keys(keys: Keys, persons: bytes) -> Words:
    """The one-word keys of a single entity, not a person, in the keys' order: words of letters only, as long
    as the near tiers compare. Typos compare words with the keys that need nothing; transliteration also with
    those that need evidence (a Latin spelling is evidence of a name: «Reuters» may be «Рейтер», which alone
    is also a common word); neither with a surname-only reading. `persons`: a byte an entity, 1 for a person
    (`survey.Survey.persons`)."""
    import numpy as np

    c = keys.columns
    if not len(keys):
        return words((), (), ())
    starts = keys.start[:-1]
    person = np.frombuffer(persons, dtype=np.uint8).astype(bool)
    entity = c["entity"].astype(np.int64)
    one = np.minimum.reduceat(entity, starts) == np.maximum.reduceat(entity, starts)
    needs = np.maximum.reduceat(c["needs"], starts)
    shortest = min(FUZZY_MIN_LEN, TRANSLIT_MIN_LEN)
    fit = (
        one
        & ~_any(person[entity], starts)
        & ~_any(c["method"] == PRIORITY["surname"], starts)
        & (needs <= max(NEEDS_CODE[Needs.NOTHING], NEEDS_CODE[Needs.EVIDENCE]))
        & (c["key_words"][starts] == 1)
        & (c["key_len"][starts] >= shortest)
    )
    chosen = np.flatnonzero(fit)
    first = starts[chosen]
    folded = keys.forms.folded(first)
    kept = np.flatnonzero((folded.lengths >= shortest) & folded.isalpha())
    typo = needs[chosen][kept] == NEEDS_CODE[Needs.NOTHING]
    return Words(folded.take(kept), typo, entity[first][kept].astype(np.uint32))


def of_slots(slots: Iterable[tuple[str, Sequence[Candidate]]]) -> Keys:
    """The keys of (folded key, readings) pairs, in their order (a key without readings left out)."""
    import numpy as np

    maker = RowMaker()
    start = [0]
    for key, cands in slots:
        if not cands:
            continue
        for cand in cands:
            maker.add(cand, key)
        start.append(len(maker.forms))
    rows = maker.rows()
    return Keys(rows.columns, rows.forms, rows.pairs, np.array(start, dtype=np.int64))
