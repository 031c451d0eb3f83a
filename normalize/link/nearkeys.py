"""The one-word keys the typo and transliteration tiers compare words with, as columns (`columns`).

Each key is in a block: by its first two letters and length for typos («ки10»), by its first letter and
length for transliterations («к10»). A word is compared (rapidfuzz ratio) with the keys of the blocks
whose length can reach the cutoff; before that, numpy drops the keys that cannot reach it by their
letters alone: ratio = 200·LCS / (len a + len b), and the common subsequence holds no letter that only
one of the two has. The blocks grow with the gazetteer and most of their keys fail that test, so the
comparisons no longer do. The keys kept are in block order, so the nearest key, and which keys tie for
it, are those of comparing the whole blocks.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from normalize.link import columns as col

# a prefix's blocks: their key lengths, ascending, and the (start, end) rows of each
Blocks = tuple[tuple[int, ...], tuple[tuple[int, int], ...]]
_COLUMNS = {
    "keys": "u1",  # the keys, encoded (`columns.encode`), in transliteration-block order
    "key_at": "u4",  # where each key starts in `keys` (one more: the end)
    "length": "u2",  # each key's length
    "letters": "u8",  # each key's letters as bits (`letter_bits`)
    "owner": "u4",  # the entity each key names
    "typo_rows": "u4",  # the typo keys (a subset), in typo-block order
}


class Block(NamedTuple):
    """The keys a word is compared with (`NearKeys.block`): their rows, letter bits and lengths, sorted by
    length, and the lengths it holds with how many keys have each."""

    rows: Any  # a range of rows, or the rows gathered (int64)
    letters: Any  # uint64
    length: Any  # uint16: each key's
    sizes: tuple[int, ...]  # the key lengths it holds, ascending (as `Blocks` has them)
    runs: Any  # int64: how many keys have each of `sizes`


def letter_bits(word: str) -> int:
    """A bit per letter: а–я their own 32 bits (a folded word has no ё), every other character one of the
    upper 32 by its code point."""
    bits = 0
    for c in word:
        o = ord(c)
        bits |= 1 << (o - 0x430 if 0x430 <= o < 0x450 else 32 + o % 32)
    return bits


def letter_columns(joined: col.Joined) -> Any:
    """`letter_bits` of each of the strings `joined`, at once (uint64): a bit per code point, or-ed over each
    string's run of them."""
    import numpy as np

    points = joined.points
    # each code point's bit, from a table up to the highest point met (a few KiB for Cyrillic)
    table = np.arange(int(points.max()) + 1 if len(points) else 0, dtype=np.uint32)
    table = np.where((table >= 0x430) & (table < 0x450), table - 0x430, 32 + table % 32).astype(np.uint64)
    bits = np.left_shift(np.uint64(1), table)[points]
    return col.run_totals(np.bitwise_or, bits, joined.at, np.uint64)


@dataclass(frozen=True, eq=False)
class NearKeys:
    """One-word keys, their owners and blocks; see the module's docstring."""

    columns: dict[str, Any]
    encoding: str
    # block → (lengths, (start, end) of each) in the rows (transliteration) or `typo_rows` (typos)
    translit_blocks: dict[str, Blocks]
    typo_blocks: dict[str, Blocks]
    _keys: dict[int, str] = field(default_factory=dict, repr=False)

    def __reduce_ex__(self, protocol: Any) -> tuple:
        meta = (self.encoding, self.translit_blocks, self.typo_blocks)
        return (_restore, (meta, *col.buffers(self.columns, _COLUMNS, protocol)))

    @property
    def n_keys(self) -> int:
        """How many keys transliterations are compared with (typos with some of them)."""
        return len(self._np["owner"])

    @property
    def n_typo(self) -> int:
        """How many keys typos are compared with."""
        return len(self._np["typo_rows"])

    @cached_property
    def _np(self) -> dict[str, Any]:
        return col.arrays(self.columns, _COLUMNS)

    @cached_property
    def _alphabet(self) -> dict[int, str] | None:
        return col.decoder(self.encoding)

    def key(self, row: int) -> str:
        """The key in a row."""
        known = self._keys.get(row)
        if known is None:
            if len(self._keys) >= 200_000:
                self._keys.clear()
            at = self._np["key_at"]
            raw = bytes(self._np["keys"][int(at[row]) : int(at[row + 1])])
            known = self._keys[row] = col.decode(raw, self._alphabet)
        return known

    def owner(self, row: int) -> int:
        """The entity the key in a row names."""
        return int(self._np["owner"][row])

    def block(self, prefix: str, lengths: range, by_letter: bool) -> Block:
        """The keys of the blocks of a prefix and lengths, in block order (`Block`): a transliteration block
        is a run of rows (a `range`, and views of the columns: nothing is copied, however many ranges a
        run's words ask for); a typo block's rows are gathered (small)."""
        import numpy as np

        blocks = self.translit_blocks if by_letter else self.typo_blocks
        sizes, spans = blocks.get(prefix, ((), ()))
        lo, hi = bisect_left(sizes, lengths.start), bisect_left(sizes, lengths.stop)
        # a prefix's blocks are stored by length: the lengths asked for are one run
        start, end = (spans[lo][0], spans[hi - 1][1]) if lo < hi else (0, 0)
        runs = np.array([e - s for s, e in spans[lo:hi]], dtype=np.int64)
        cols = self._np
        if by_letter:
            return Block(range(start, end), cols["letters"][start:end], cols["length"][start:end], sizes[lo:hi], runs)
        rows = cols["typo_rows"][start:end].astype(np.int64)
        return Block(rows, cols["letters"][rows], cols["length"][rows], sizes[lo:hi], runs)

    def reachable(self, word: str, block: Block, cutoff: float) -> list[int]:
        """The rows of a block, in order, whose keys may reach `cutoff` with `word` (see the module's
        docstring)."""
        import numpy as np

        rows, letters, length = block.rows, block.letters, block.length
        if not len(rows):
            return []
        bits = letter_bits(word)
        n, n_bits = len(word), bits.bit_count()
        # letters of the word the key lacks (the word's distinct letters less those they share): at least
        # one character each the subsequence cannot hold. Put as a least number of shared letters for each
        # key length (in bytes, as the counts are), one pass over the block keeps the few keys that pass
        need = least_matches(n, block.sizes, cutoff)
        least = np.clip(need + (n_bits - n), 0, 255).astype(np.uint8)
        common = np.bitwise_count(letters & np.uint64(bits))
        keep = np.flatnonzero(common >= np.repeat(least, block.runs))
        # then, by the same bound, the key's letters the word lacks
        lengths = length[keep].astype(np.int64)
        theirs = np.bitwise_count(letters[keep] & ~np.uint64(bits)).astype(np.int64)
        keep = keep[lengths - theirs >= need[np.searchsorted(block.sizes, lengths)]]
        return (keep + rows.start).tolist() if isinstance(rows, range) else rows[keep].tolist()

    def nearest(self, word: str, block: Block, cutoff: float) -> list[tuple[str, float, int]]:
        """The two keys of `block` nearest `word` at `cutoff` or more (rapidfuzz ratio), with their entities:
        rapidfuzz compares only the keys `reachable` leaves, in block order (the same keys and ties)."""
        rows = self.reachable(word, block, cutoff)
        if not rows:
            return []
        from rapidfuzz import fuzz, process

        best = process.extract(word, [self.key(i) for i in rows], scorer=fuzz.ratio, score_cutoff=cutoff, limit=2)
        return [(k, score, self.owner(rows[i])) for k, score, i in best]


@lru_cache(maxsize=4096)
def least_matches(n: int, lengths: tuple[int, ...], cutoff: float) -> Any:
    """For each key length, the fewest characters a common subsequence of a word of n and a key of that length
    must hold for their ratio to reach `cutoff` (200·matches ≥ cutoff·(n + length), compared in floats as the
    ratio's bound always was, so that no key is kept or dropped otherwise)."""
    import numpy as np

    bound = cutoff * (n + np.array(lengths, dtype=np.int64)) - 1e-6
    least = np.ceil(bound / 200)
    least -= 200 * (least - 1) >= bound  # the division rounded up past the least
    least += 200 * least < bound  # or down below it
    return least.astype(np.int64)


def _restore(meta: tuple, *bufs: Any) -> NearKeys:
    encoding, translit_blocks, typo_blocks = meta
    return NearKeys(dict(zip(_COLUMNS, bufs, strict=True)), encoding, translit_blocks, typo_blocks)


@dataclass(frozen=True, eq=False)
class Words:
    """The one-word keys the near tiers compare with, in the keys' order: folded, as code points (two letters
    or more each), whether typos are compared with each (transliterations are with all), and each one's
    entity. A key's block is its first two letters and length («ки10»)."""

    joined: col.Joined
    typo: Any  # bool
    owner: Any  # uint32

    def __len__(self) -> int:
        return len(self.owner)


def words(keys: Sequence[str], typo: Sequence[bool], owners: Sequence[int]) -> Words:
    """`Words` of a list of keys."""
    import numpy as np

    return Words(col.join(keys), np.array(typo, dtype=bool), np.array(owners, dtype=np.uint32))


def _spans(groups: Sequence[tuple[str, int, int, int]]) -> dict[str, Blocks]:
    """(prefix, length, start, end) runs, by length within a prefix → the blocks' lookup table."""
    out: dict[str, tuple[list[int], list[tuple[int, int]]]] = {}
    for prefix, n, start, end in groups:
        sizes, spans = out.setdefault(prefix, ([], []))
        sizes.append(n)
        spans.append((start, end))
    return {p: (tuple(sizes), tuple(spans)) for p, (sizes, spans) in out.items()}


def _runs(prefix: Any, lengths: Any, rows: Any) -> list[tuple[str, int, int, int]]:
    """(prefix, length, start, end) of each run of equal (prefix, length) in rows sorted by them; `prefix` an
    array of code points (one letter) or of their pairs (two columns)."""
    import numpy as np

    if not len(rows):
        return []
    keys = [*([prefix] if prefix.ndim == 1 else prefix), lengths]
    change = np.zeros(len(rows) - 1, dtype=bool)
    for k in keys:
        change |= k[rows][1:] != k[rows][:-1]
    starts = np.concatenate(([0], np.flatnonzero(change) + 1))
    ends = np.append(starts[1:], len(rows))
    firsts = rows[starts]
    letters = ["".join(map(chr, t)) for t in zip(*(k[firsts].tolist() for k in keys[:-1]), strict=True)]
    return list(zip(letters, lengths[firsts].tolist(), starts.tolist(), ends.tolist(), strict=True))


def build(words: Words) -> NearKeys:
    """The keys by blocks: transliteration rows by (first letter, length, second letter), typo rows by (first
    two letters, length), each block's keys in the keys' order (the order `sorted` gave the «ки10» blocks
    when they were dictionaries, and the ties for the nearest key that order settles). numpy sorts the rows:
    at 1M entities the blocks as dictionaries of 5.9M strings took 1.7 GiB."""
    import numpy as np

    joined = words.joined
    lengths = joined.lengths
    if len(lengths) and lengths.max() > 0xFFFF:
        raise ValueError("near keys: a key over 65,535 characters")
    if len(lengths) and lengths.min() < 2:
        raise ValueError("near keys: a key of fewer than two letters has no block")
    n = len(lengths)
    first = joined.points[joined.at[:-1]].astype(np.int64)
    second = joined.points[joined.at[:-1] + 1].astype(np.int64) if n else first
    order = np.lexsort((np.arange(n), second, lengths, first))
    typo = np.flatnonzero(words.typo)
    typo_order = typo[np.lexsort((typo, lengths[typo], second[typo], first[typo]))]
    row = np.empty(n, dtype=np.uint32)
    row[order] = np.arange(n, dtype=np.uint32)
    keys = joined.take(order)
    encoding, blob, key_at = col.encode(keys)
    columns = {
        "keys": np.frombuffer(blob, dtype=np.uint8),
        "key_at": key_at,
        "length": keys.lengths.astype(np.uint16),
        "letters": letter_columns(keys),
        "owner": words.owner[order].astype(np.uint32),
        "typo_rows": row[typo_order],
    }
    translit_groups = _runs(first, lengths, order)
    typo_groups = _runs(np.stack((first, second)), lengths, typo_order)
    # the typo groups' rows are numbered in `typo_rows`, not in the rows
    return NearKeys(columns, encoding, _spans(translit_groups), _spans(typo_groups))
