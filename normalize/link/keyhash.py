"""The hashes a large set's key table is built on: a key's core (the key less any characters at its ends that
are no letter or digit) hashed as a polynomial in wrapping 64-bit arithmetic, which `keytable.KeyTable.find`
computes for every span of a text at once from prefix sums, and the columns of each key a compile's rows
carry (`key_columns`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from normalize.link import columns as col

BASE = 0x9E3779B97F4A7C15  # odd: its powers are invertible modulo 2**64
BASE_FULL = 0xC2B2AE3D27D4EB4F  # another odd base: a second hash of the whole key, to tell keys apart
_HASH_CHUNK = 1 << 16  # strings hashed at once (`hashes`)
_POWERS: dict[int, tuple[Any, Any]] = {}
# what `key_columns` gives of each key (name → numpy dtype): the rows of a compile carry them
KEY_COLUMNS = {
    "key_core": "u8",  # the hash of the key's core (as `find` hashes a span)
    "key_full": "u8",  # a hash of the whole key in another base: with the core's, tells keys apart
    "key_word": "u8",  # the hash of the core's first word
    "key_words": "u1",  # the core's words (255 at most)
    "key_len": "u4",  # the core's length: 0 for a key with no letter or digit
}


def is_alnum(c: str) -> bool:
    """A letter or digit: what `folding.bounded` keeps (`\\w` less the underscore)."""
    return c.isalnum()


def core_span(key: str) -> tuple[int, int]:
    """[start, end) of a key less the characters at its ends that are no letter or digit."""
    s, e = 0, len(key)
    while s < e and not is_alnum(key[s]):
        s += 1
    while e > s and not is_alnum(key[e - 1]):
        e -= 1
    return s, e


def hash_of(core: str) -> int:
    """The hash of a string (as `find` computes it for a span of the text)."""
    h, p = 0, 1
    for c in core:
        h = (h + ord(c) * p) & 0xFFFFFFFFFFFFFFFF
        p = (p * BASE) & 0xFFFFFFFFFFFFFFFF
    return h


def powers(n: int, base: int = BASE) -> tuple[Any, Any]:
    """base**i and base**-i modulo 2**64 for i < n (at least), grown by doubling and kept."""
    import numpy as np

    kept = _POWERS.get(base)
    if kept is None or len(kept[0]) < n:
        size = max(n, 2 * len(kept[0]) if kept else 1 << 16)
        pows = np.full(size, base, dtype=np.uint64)
        invs = np.full(size, pow(base, -1, 1 << 64), dtype=np.uint64)
        pows[0] = invs[0] = 1
        kept = _POWERS[base] = (np.cumprod(pows, dtype=np.uint64), np.cumprod(invs, dtype=np.uint64))
    return kept


def hashes(cores: Sequence[str], base: int = BASE) -> Any:
    """The hash of each string, `_HASH_CHUNK` strings at a time: all at once, the prefix sums of every
    code point of 2.6M keys (100k entities) and their powers took a GiB, the compile's peak."""
    import numpy as np

    out = np.zeros(len(cores), dtype=np.uint64)
    for i in range(0, len(cores), _HASH_CHUNK):
        chunk = col.join(cores[i : i + _HASH_CHUNK])
        out[i : i + len(chunk.at) - 1] = span_hashes(chunk.points.astype(np.uint64), chunk.at[:-1], chunk.at[1:], base)
    return out


def span_hashes(codes: Any, starts: Any, ends: Any, base: int = BASE) -> Any:
    """The hash of each span [start, end) of the code points `codes` (`hash_of` of its text), at once."""
    return _spans_hashed(codes, base)(starts, ends)


def _spans_hashed(codes: Any, base: int) -> Any:
    """A function of spans ([start, end) arrays) giving their hashes, from one prefix sum of `codes`."""
    import numpy as np

    pows, invs = powers(len(codes) + 1, base)
    prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
    np.cumsum(codes * pows[: len(codes)], dtype=np.uint64, out=prefix[1:])
    return lambda starts, ends: (prefix[ends] - prefix[starts]) * invs[starts]


_ALNUM_LIMIT = 0x3000  # code points below this are judged by a table; the rare others one by one
_ALNUM_TABLE: list = []


def alnum_mask(codes: Any) -> Any:
    """Which code points are letters or digits (`is_alnum`)."""
    import numpy as np

    if not _ALNUM_TABLE:
        _ALNUM_TABLE.append(np.array([is_alnum(chr(i)) for i in range(_ALNUM_LIMIT)] + [False]))
    mask = _ALNUM_TABLE[0][np.minimum(codes, _ALNUM_LIMIT)]
    rare = np.flatnonzero(codes >= _ALNUM_LIMIT)
    if len(rare):
        mask[rare] = [is_alnum(chr(c)) for c in codes[rare].tolist()]
    return mask


def key_columns(keys: Sequence[str]) -> dict[str, Any]:
    """`KEY_COLUMNS` of each folded key: what the table keeps of a key, and what tells two keys apart.
    Computed over the keys' joined code points, `_HASH_CHUNK` keys at a time (a loop over the keys in
    Python was a third of generating a large set's rows)."""
    import numpy as np

    out = {name: np.zeros(len(keys), dtype=dtype) for name, dtype in KEY_COLUMNS.items()}
    for i in range(0, len(keys), _HASH_CHUNK):
        for name, values in _chunk_columns(keys[i : i + _HASH_CHUNK]).items():
            out[name][i : i + len(values)] = values
    return out


def _chunk_columns(keys: Sequence[str]) -> dict[str, Any]:
    """`key_columns` of a few keys."""
    import numpy as np

    joined = col.join(keys)
    codes, starts, ends = joined.points.astype(np.uint64), joined.at[:-1], joined.at[1:]
    mask = alnum_mask(codes)
    alnum = np.flatnonzero(mask)
    other = np.flatnonzero(~mask)
    # the core: from a key's first letter or digit to its last (empty, at the key's start, if none)
    first = np.append(alnum, len(codes))[np.searchsorted(alnum, starts)]
    last = np.insert(alnum, 0, -1)[np.searchsorted(alnum, ends)]
    cored = first < ends
    core_start = np.where(cored, first, starts)
    core_end = np.where(cored, last + 1, starts)
    # the first word ends at the first character after the core's start that is no letter or digit
    word_end = np.minimum(np.append(other, len(codes))[np.searchsorted(other, core_start)], core_end)
    # a word starts at a letter or digit after none, or at a key's start
    opens = mask.copy()
    opens[1:] &= ~mask[:-1]
    opens[starts[starts < ends]] = mask[starts[starts < ends]]
    opened = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(opens, out=opened[1:])
    hashed = _spans_hashed(codes, BASE)
    return {
        "key_core": hashed(core_start, core_end),
        "key_full": span_hashes(codes, starts, ends, BASE_FULL),
        "key_word": hashed(core_start, word_end),
        "key_words": np.minimum(opened[ends] - opened[starts], 255),
        "key_len": core_end - core_start,
    }
