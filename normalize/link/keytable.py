"""The key table: every folded key of an index, found in a text by hashing its spans between word edges.

A key is kept as the 64-bit polynomial hash of its core (the key less any characters at its ends that are
no letter or digit, as in «республика саха (якутия)») in one sorted column, with its readings in parallel
small-integer columns and their cased forms in one blob. `KeyTable.find` hashes every span of the folded
text that starts at a word's start and ends at a word's end (wrapping uint64 arithmetic over prefix sums
of the code points, in numpy), looks the hashes up with `searchsorted` and checks each hit against the
form: it finds what an automaton over `folding.bounded` keys finds (a key where its folded form stands
whole, no letter or digit on either side), at a fraction of the memory. Only spans as long, in words, as
the longest key that starts with their first word are hashed.

The columns are plain buffers. `normalize.cache` pickles them out of band and maps them back from its
file, so every process that loads an entry shares its pages; numpy arrays over them are made when a
text is first scanned (a process that only hands out work never imports numpy for them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from normalize.link import columns as col
from normalize.link.folding import fold
from normalize.link.keyhash import alnum_mask, core_span, hash_of, is_alnum, powers
from normalize.link.records import METHODS, NEEDS, Candidate

if TYPE_CHECKING:
    from normalize.link.keyorder import Keys

NARROW = ("tail", "extra")  # columns stored a byte a value when all fit (at 100k entities: 3.7 MB less)
_MEMO_SIZE = 50_000  # key rows whose readings are kept made (news name the same things again and again)
# columns: name → numpy dtype (their order is the order of the buffers in a pickle)
_COLUMNS = {
    "hashes": "u8",  # hash of each key's core, sorted
    "first": "u4",  # each key's first reading; its readings run to the next key's first
    "entity": "u4",  # per reading: the entity
    "code": "u1",  # per reading: method | needs << 4 | lower_first << 7
    "tail": "u2",  # per reading: `Candidate.tail`
    "extra": "u2",  # per reading: the (owner, coord) pair, a row of `KeyTable.extras`
    "form_at": "u4",  # per reading: where its cased form starts in `forms` (one more: the end)
    "forms": "u1",  # the cased forms, encoded with `KeyTable.encoding`
    "first_word": "u8",  # hash of every key's first word, sorted
    "span": "u1",  # the most words of a key that starts with that word
    # where the hashes whose top bits are i start: `hashes` in [at[i], at[i + 1]) (`_directory`)
    "hashes_at": "u4",
    "first_word_at": "u4",
}


@dataclass(frozen=True, eq=False)
class KeyTable:
    """Folded keys and their readings (`Candidate`s) as columns; see the module's docstring."""

    columns: dict[str, Any]  # name → a buffer (bytes, memoryview or numpy array) of `_COLUMNS[name]`
    extras: tuple[tuple[str, str], ...]  # (owner, coord) pairs, the first ("", "")
    encoding: str  # of `forms` (`columns.encode`)
    n_keys: int
    longest: int  # the longest key core, in characters
    narrow: tuple[str, ...] = ()  # the columns of `NARROW` whose values all fit a byte, stored so
    _made: dict[int, tuple[Candidate, ...]] = field(default_factory=dict, repr=False)
    _keys: dict[int, tuple[str, int, int]] = field(default_factory=dict, repr=False)

    def __reduce_ex__(self, protocol: Any) -> tuple:
        # protocol 5: the columns go out of band when the pickler takes buffers (`normalize.cache`)
        bufs = col.buffers(self.columns, _COLUMNS, protocol)
        return (_restore, ((self.extras, self.encoding, self.n_keys, self.longest, self.narrow), *bufs))

    @cached_property
    def _np(self) -> dict[str, Any]:
        return col.arrays(self.columns, {**_COLUMNS, **dict.fromkeys(self.narrow, "u1")})

    def readings(self, row: int) -> tuple[Candidate, ...]:
        """The readings of the key in `row`, in the order the index gave them."""
        made = self._made.get(row)
        if made is None:
            if len(self._made) >= _MEMO_SIZE:
                self._made.clear()
            made = self._made[row] = tuple(self._reading(r) for r in range(*self._rows(row)))
        return made

    def _rows(self, row: int) -> tuple[int, int]:
        first = self._np["first"]
        end = int(first[row + 1]) if row + 1 < self.n_keys else len(self._np["entity"])
        return int(first[row]), end

    def _form(self, r: int) -> str:
        at = self._np["form_at"]
        return col.decode(bytes(self._np["forms"][int(at[r]) : int(at[r + 1])]), self._alphabet)

    @cached_property
    def _alphabet(self) -> dict[int, str] | None:
        return col.decoder(self.encoding)

    def _reading(self, r: int) -> Candidate:
        cols = self._np
        code = int(cols["code"][r])
        owner, coord = self.extras[int(cols["extra"][r])]
        needs = NEEDS[(code >> 4) & 7]
        entity, tail = int(cols["entity"][r]), int(cols["tail"][r])
        return Candidate(entity, METHODS[code & 15], self._form(r), tail, needs, bool(code >> 7), owner, coord)

    def _key(self, row: int) -> tuple[str, int, int]:
        """The folded key of a row (every reading's form folds to it), and its core's [start, end)."""
        known = self._keys.get(row)
        if known is None:
            if len(self._keys) >= _MEMO_SIZE:
                self._keys.clear()
            key = fold(self._form(self._rows(row)[0]))
            known = self._keys[row] = (key, *core_span(key))
        return known

    def find(self, folded: str) -> list[tuple[int, int, int]]:
        """(start, end, row) of every key in a folded text, where it stands whole; by end, longest first."""
        if not self.n_keys or not folded:
            return []
        import numpy as np

        cols = self._np
        codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        word = alnum_mask(codes)
        edges = np.diff(np.concatenate(([False], word, [False])).view(np.int8))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        n_words = len(starts)
        if not n_words:
            return []
        pows, invs = powers(len(codes) + 1)
        prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
        np.cumsum(codes.astype(np.uint64) * pows[: len(codes)], dtype=np.uint64, out=prefix[1:])
        # how many words to try from each word: as many as the longest key that starts with it
        one = (prefix[ends] - prefix[starts]) * invs[starts]
        at, known = _lookup(cols["first_word"], cols["first_word_at"], one)
        span = np.where(known, cols["span"][at], 0).astype(np.int64)
        span = np.minimum(span, n_words - np.arange(n_words))
        total = int(span.sum())
        if not total:
            return []
        first = np.repeat(np.arange(n_words), span)
        last = first + np.arange(total) - np.repeat(np.cumsum(span) - span, span)
        s, e = starts[first], ends[last]
        near = (e - s) <= self.longest
        s, e = s[near], e[near]
        hashes = cols["hashes"]
        h = (prefix[e] - prefix[s]) * invs[s]
        pos, known = _lookup(hashes, cols["hashes_at"], h)
        hit = np.flatnonzero(known)
        out: list[tuple[int, int, int]] = []
        n = len(folded)
        for start, end, row in zip(s[hit].tolist(), e[hit].tolist(), pos[hit].tolist(), strict=True):
            while True:  # every key of this hash: a core with other ends, or (rarely) another core
                key, cs, ce = self._key(row)
                fs, fe = start - cs, end + len(key) - ce
                if (
                    fs >= 0
                    and folded[fs:fe] == key
                    and (fs == start or fs == 0 or not is_alnum(folded[fs - 1]))
                    and (fe == end or fe == n or not is_alnum(folded[fe]))
                ):
                    out.append((fs, fe, row))
                row += 1
                if row >= self.n_keys or hashes[row] != hashes[row - 1]:
                    break
        out.sort(key=lambda t: (t[1], t[0]))
        return out

    def hits(self, folded: str) -> Iterator[tuple[int, int, tuple[Candidate, ...]]]:
        """(start, end, readings) of every key in a folded text where it stands whole (as `find`)."""
        for start, end, row in self.find(folded):
            yield start, end, self.readings(row)

    def has(self, key: str) -> bool:
        """Whether a folded form is a key."""
        return self.row_of(key) is not None

    def items(self) -> Iterator[tuple[str, tuple[Candidate, ...]]]:
        """Every (folded key, readings), by hash."""
        for row in range(self.n_keys):
            yield self._key(row)[0], self.readings(row)

    def row_of(self, key: str) -> int | None:
        """The row of a folded key, or None."""
        cs, ce = core_span(key)
        if cs >= ce or not self.n_keys:
            return None
        import numpy as np

        h = np.uint64(hash_of(key[cs:ce]))
        hashes = self._np["hashes"]
        row = int(np.searchsorted(hashes, h))  # one string: a binary search is as quick
        while row < self.n_keys and hashes[row] == h:
            if self._key(row)[0] == key:
                return row
            row += 1
        return None


def _restore(meta: tuple, *bufs: Any) -> KeyTable:
    extras, encoding, n_keys, longest, narrow = meta
    return KeyTable(dict(zip(_COLUMNS, bufs, strict=True)), extras, encoding, n_keys, longest, narrow)


def _directory(hashes: Any) -> Any:
    """Where the sorted hashes whose top bits are i start, for every i (and one more: the end), with one
    or two slots a hash: a lookup reads a slot and a hash or two, not twenty (a binary search). Made a
    block of slots at a time: at 17M keys there are 33M slots, and their hashes and places at once were
    800 MiB, the compile's peak."""
    import numpy as np

    bits = max(1, len(hashes).bit_length())
    out = np.empty((1 << bits) + 1, dtype=np.uint32)
    step = 1 << min(bits, 20)
    for lo in range(0, 1 << bits, step):
        slots = np.arange(lo, lo + step, dtype=np.uint64) << np.uint64(64 - bits)
        out[lo : lo + step] = np.searchsorted(hashes, slots)
    out[-1] = len(hashes)
    return out


def _lookup(hashes: Any, at: Any, needles: Any) -> tuple[Any, Any]:
    """(position, found) of each needle in the sorted hashes, by their directory `at`: the first position
    of an equal hash where there is one."""
    import numpy as np

    bits = (len(at) - 1).bit_length() - 1
    slot = (needles >> np.uint64(64 - bits)).astype(np.int64)
    pos, end = at[slot].astype(np.int64), at[slot + 1].astype(np.int64)
    last = max(len(hashes) - 1, 0)
    # most slots hold one hash or none: the first two of a slot are read, a longer slot is searched
    first = (pos < end) & (hashes[np.minimum(pos, last)] == needles)
    second = ~first & (pos + 1 < end) & (hashes[np.minimum(pos + 1, last)] == needles)
    found = first | second
    pos += second
    longer = np.flatnonzero(~found & (end - pos > 2))
    if len(longer):
        pos[longer] = np.searchsorted(hashes, needles[longer])
        found[longer] = hashes[np.minimum(pos[longer], last)] == needles[longer]
    return np.minimum(pos, last), found


def build(keys: Keys, release: bool = False) -> KeyTable:
    """The table of the keys and their readings, in the keys' order (`keyorder`). A key with no letter or
    digit is left out: it would stand nowhere whole. Each step's arrays are let go as soon as it is done,
    and with `release` the keys' columns too, each once read (nothing else may read them then): at 17M
    keys (1M entities) a column is up to 130 MiB."""
    import numpy as np

    take = keys.columns.pop if release else keys.columns.__getitem__  # a column, read once
    first_row = keys.start[:-1]
    core_len = take("key_len")
    kept = np.flatnonzero(core_len[first_row] > 0)  # keys with a core
    kept_rows = first_row[kept]
    longest = int(core_len[kept_rows].max()) if len(kept_rows) else 0
    del core_len
    # each first word once, with the most words of a key that starts with it
    word_hashes, spans = _most_words(take("key_word")[kept_rows], take("key_words")[kept_rows])
    hashes = take("key_core")[kept_rows]
    del kept_rows
    by_hash_order = col.lexsorted(hashes)  # keys by hash, equal hashes in the keys' order
    sorted_hashes = hashes[by_hash_order]
    del hashes
    by_hash = kept[by_hash_order]
    del kept, by_hash_order
    begin = keys.start[by_hash].astype(np.int64)
    counts = keys.start[by_hash + 1] - begin
    del by_hash
    n_keys = len(counts)
    at = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(counts, out=at[1:])
    first = at[:-1].astype(np.uint32)
    # the rows of the keys by hash, each key's in its order
    flat = np.repeat(begin - at[:-1], counts)
    flat += np.arange(int(at[-1]))
    del begin, counts, at
    encoding, blob, form_at = keys.forms.encode(flat)
    code = take("method")[flat] | take("needs")[flat] << 4 | take("lower_first")[flat] << 7
    tails = take("tail")[flat]
    extra, ranked = _extras(take("pair")[flat], len(keys.pairs))
    if len(ranked) > 0xFFFF or (len(tails) and int(tails.max()) > 0xFFFF):
        raise ValueError("key table: more than 65,535 owner/coord pairs or a key over 65,535 characters")
    columns = {
        "hashes": sorted_hashes,
        "first": first,
        "entity": take("entity")[flat],
        "code": code.astype(np.uint8),
        "tail": tails,
        "extra": extra,
        "form_at": form_at,
        "forms": np.frombuffer(blob, dtype=np.uint8),
        "first_word": word_hashes,
        "span": spans,
        "hashes_at": _directory(sorted_hashes),
        "first_word_at": _directory(word_hashes),
    }
    narrow = tuple(name for name in NARROW if int(columns[name].max(initial=0)) <= 0xFF)
    for name in NARROW:
        columns[name] = columns[name].astype(np.uint8 if name in narrow else np.uint16)
    extras = tuple(keys.pairs[i] for i in ranked.tolist())
    return KeyTable(columns, extras, encoding, n_keys, longest, narrow)


def _most_words(words: Any, n_words: Any) -> tuple[Any, Any]:
    """Each word hash once, sorted, and the most `n_words` (uint8) it has."""
    import numpy as np

    order = np.argsort(words)  # any order of equal words: the most of each group is the same
    starts = np.flatnonzero(~col.repeats(words, order))
    spans = col.run_totals(np.maximum, n_words[order], np.append(starts, len(order)), np.uint8)
    return words[order[starts]], spans


def _extras(pair: Any, n_pairs: int) -> tuple[Any, Any]:
    """Each row's (owner, coord) pair renumbered as the rows first meet them, ("", "") first (uint32); and the
    old numbers in the new order. Most rows have none: only the others are sorted."""
    import numpy as np

    some = np.flatnonzero(pair)
    seen, first_at = np.unique(pair[some], return_index=True)
    ranked = np.concatenate(([0], seen[np.argsort(first_at, kind="stable")])).astype(np.int64)
    number = np.zeros(n_pairs, dtype=np.uint32)
    number[ranked] = np.arange(len(ranked))
    return number[pair], ranked
