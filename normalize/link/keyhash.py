"""The hashes a large set's key table is built on: a key's core (the key less any characters at its ends that
are no letter or digit) hashed as a polynomial in wrapping 64-bit arithmetic, which `keytable.KeyTable.find`
computes for every span of a text at once from prefix sums, and the columns of each key a compile's rows
carry (`key_columns`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

BASE = 0x9E3779B97F4A7C15  # odd: its powers are invertible modulo 2**64
BASE_FULL = 0xC2B2AE3D27D4EB4F  # another odd base: a second hash of the whole key, to tell keys apart
_WORDS = re.compile(r"[^\W_]+")
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
        out[i : i + _HASH_CHUNK] = _chunk_hashes(cores[i : i + _HASH_CHUNK], base)
    return out


def _chunk_hashes(cores: Sequence[str], base: int) -> Any:
    """The hash of each of a few strings (at least one), at once."""
    import numpy as np

    codes = np.frombuffer("".join(cores).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter(map(len, cores), dtype=np.int64, count=len(cores))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    pows, invs = powers(len(codes) + 1, base)
    prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
    np.cumsum(codes * pows[: len(codes)], dtype=np.uint64, out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * invs[starts]


def key_columns(keys: Sequence[str]) -> dict[str, Any]:
    """`KEY_COLUMNS` of each folded key: what the table keeps of a key, and what tells two keys apart."""
    import numpy as np

    cores: list[str] = []
    words: list[str] = []
    counts: list[int] = []
    for key in keys:
        spaced = key.split(" ")
        if key.replace(" ", "").isalnum() and "" not in spaced:  # most keys: words of letters, one space apart
            cores.append(key)
            words.append(spaced[0])
            counts.append(min(len(spaced), 255))
            continue
        cs, ce = core_span(key)
        core = key[cs:ce]
        found = _WORDS.findall(core)
        cores.append(core)
        words.append(found[0] if found else "")
        counts.append(min(len(found), 255))
    return {
        "key_core": hashes(cores),
        "key_full": hashes(keys, BASE_FULL),
        "key_word": hashes(words),
        "key_words": np.array(counts, dtype=np.uint8),
        "key_len": np.fromiter(map(len, cores), dtype=np.uint32, count=len(cores)),
    }
