"""MinHash signatures of word shingles, vectorised with numpy over a batch of texts (`normalize.dedup`
holds the rules and the clustering; this module only the arithmetic, so that numpy is imported only by
a process that makes signatures).

A batch's texts are joined into one array of code points, and one lookup table reads each code point
as words are made of it: its lowercase (the first code point of Python's `lower()` of that one
character, so İ is i and Σ is σ everywhere), ё as е, and 0 for a separator; the edges of the zeros
are the words. Then, all in uint64 arithmetic mod 2^64:

- a word's hash is mix(Σ c_i·P^i + n·L) over its (read) code points c_0…c_n-1;
- a shingle's hash is mix(Σ_i h_i·F_i) over its w words' hashes, F_i = mix(i + 1) | 1;
- one-permutation MinHash: the top log2(k) bits of a shingle's hash are its bin, and each bin keeps the
  least top-32-bits of the hashes that fall into it; an empty bin takes the value of the first filled
  bin in its probe sequence (the other bins, ordered by mix(j·k + b): "optimal densification",
  Shrivastava 2017). A value carries its bin in its top bits, so a borrowed value never equals one of
  another bin.

mix is splitmix64's finalizer; P, L and the probe order are fixed constants, so the same text gives the
same signature in every process, run, numpy version and engine (tests/test_dedup.py checks it against a
pure-Python transcription of these formulas). A change to any of them must bump
`dedup.SIGNATURE_VERSION`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

# words are split at ASCII whitespace, ASCII punctuation and the typographic quotes, dashes and
# ellipsis; every other character (letters, digits, symbols such as № or °) belongs to a word
ASCII_SPACE = " \t\n\r\x0b\x0c"
ASCII_PUNCTUATION = "".join(chr(b) for b in range(33, 127) if not chr(b).isalnum())
TYPOGRAPHIC = "«»„“”—–…"
SEPARATORS = ASCII_SPACE + ASCII_PUNCTUATION + TYPOGRAPHIC
_TOP = max(map(ord, SEPARATORS)) + 1  # every code point from here up is a word character

MASK64 = (1 << 64) - 1
P = 0x100000001B3  # base of a word's polynomial (FNV's 64-bit prime; odd, so P^i never vanishes)
L = 0x9E3779B97F4A7C15  # a word's length enters times this (2^64 / golden ratio)
# code points hashed at once: bounds the arrays' memory (about 40 bytes a code point; a longer text
# goes alone) and keeps them in the CPU's caches
_CHUNK = 1 << 16  # measured: 40 µs a document at 2^16 and 2^15, 44 at 2^18 (a loaded VM)
_U64 = np.uint64


def mix(x: int) -> int:
    """splitmix64's finalizer: a fixed, well-spread bijection of 64-bit ints."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & MASK64
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & MASK64
    return x ^ (x >> 31)


def _mix_array(x: np.ndarray) -> np.ndarray:
    """`mix` of each value of a uint64 array, in place (numpy's uint64 arithmetic wraps mod 2^64)."""
    x ^= x >> _U64(30)
    x *= _U64(0xBF58476D1CE4E5B9)
    x ^= x >> _U64(27)
    x *= _U64(0x94D049BB133111EB)
    x ^= x >> _U64(31)
    return x


def fold(c: str) -> str:
    """One character as words are read: its lowercase (the first character of `lower()`: İ is i,
    Σ is σ wherever it stands), ё as е; a separator is read as NUL."""
    if c in SEPARATORS:
        return "\0"
    low = c.lower()[:1] or c
    return "е" if low == "ё" else low


def folded(text: str) -> str:
    """The text with every character read as words are (`fold`): separators are NULs."""
    return "".join(map(fold, text))


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """`fold` of each code point below _TOP, as code points (0: a separator). NUL is a separator too."""
    table = np.frombuffer(folded("".join(map(chr, range(_TOP)))).encode("utf-32-le"), dtype=np.uint32).copy()
    table[0] = 0
    return table


def _folded_code_points(cp: np.ndarray) -> np.ndarray:
    """`fold` of each code point of cp (the table below _TOP; the few above, text by text's rare
    scripts and emoji, one distinct code point at a time)."""
    low = np.take(_fold_table(), cp, mode="clip")
    high = np.flatnonzero(cp >= _TOP)
    if high.size:
        values, where = np.unique(cp[high], return_inverse=True)
        read = folded("".join(map(chr, values.tolist())))
        low[high] = np.frombuffer(read.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)[where]
    return low


@lru_cache(maxsize=8)
def probes(k: int) -> np.ndarray:
    """Row j: the bins an empty bin j borrows from, in order (every bin but j, by mix(j·k + b))."""
    j, b = np.divmod(np.arange(k * k, dtype=np.uint64), _U64(k))
    order = np.argsort(_mix_array(j * _U64(k) + b).reshape(k, k), axis=1, kind="stable")
    return order[order != np.arange(k)[:, None]].reshape(k, k - 1)


def word_spans(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The words of texts: (the `fold`ed code points of the texts joined by separators, each word's
    start and end in them, each text's number of words)."""
    joined = "\n" + "\n".join(texts) + "\n"  # a separator before, between and after the texts
    cp = _folded_code_points(np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))
    is_word = cp != 0
    edges = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1  # starts and ends, alternating
    starts, ends = edges[0::2], edges[1::2]
    spans = np.fromiter((len(t) + 1 for t in texts), dtype=np.intp, count=len(texts))  # a text and its separator
    first = np.searchsorted(starts, np.cumsum(spans) - spans + 1)  # each text's first word
    return cp, starts, ends, np.diff(first, append=starts.size)


@lru_cache(maxsize=1)
def _chunk_powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """`_powers` for a chunk of n code points, made once a process."""
    return _powers(n)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(P^i, P^-i) for i < n, mod 2^64 (P is odd, so it has an inverse)."""
    inverse = pow(P, -1, 1 << 64)
    return (
        np.cumprod(np.full(n, P, dtype=np.uint64)) * _U64(inverse),
        np.cumprod(np.full(n, inverse, dtype=np.uint64)) * _U64(P),
    )


def word_hashes(cp: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Each word's hash, mix(Σ c_i·P^i + n·L) mod 2^64 (module docstring), from `word_spans`: the sums
    of c·P^position from each word's start to the next's (a separator's c is 0, so that is the word's
    sum), divided by P^start."""
    if not starts.size:
        return np.zeros(0, dtype=np.uint64)
    powers, inverses = _chunk_powers(_CHUNK) if cp.size <= _CHUNK else _powers(cp.size)
    h = np.add.reduceat(cp * powers[: cp.size], starts) * inverses[starts]
    h += (ends - starts).astype(np.uint64) * _U64(L)
    return _mix_array(h)


def shingle_hashes(hashes: np.ndarray, counts: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Each shingle's hash, mix(Σ_i h_i·F_i) over w consecutive words of one text, and its text's index."""
    text = np.repeat(np.arange(counts.size), counts)
    m = hashes.size - w + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
    h = hashes[:m] * _U64(mix(1) | 1)
    for i in range(1, w):
        h += hashes[i : i + m] * _U64(mix(i + 1) | 1)
    inside = text[:m] == text[w - 1 :]  # the shingle's words are all of one text
    return _mix_array(h[inside]), text[:m][inside]


def signatures(texts: Sequence[str], w: int, k: int, least: int) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of texts with shingles of w words and k bins:
    (an n × k uint32 array, a boolean array: has the text a signature, i.e. at least `least`
    distinct shingles). Rows of texts without one are zeros."""
    out = np.zeros((len(texts), k), dtype=np.uint32)
    signed = np.zeros(len(texts), dtype=bool)
    begin = 0
    while begin < len(texts):  # chunks of at most _CHUNK code points joined (or one longer text)
        end, size = begin + 1, len(texts[begin]) + 2
        while end < len(texts) and size + len(texts[end]) + 1 <= _CHUNK:
            size += len(texts[end]) + 1
            end += 1
        out[begin:end], signed[begin:end] = _signatures(texts[begin:end], w, k, least)
        begin = end
    return out, signed


def _signatures(texts: Sequence[str], w: int, k: int, least: int) -> tuple[np.ndarray, np.ndarray]:
    cp, starts, ends, counts = word_spans(texts)
    h, text = shingle_hashes(word_hashes(cp, starts, ends), counts, w)
    n = len(texts)
    value = h >> _U64(32)
    mins = np.full(n * k, 1 << 32, dtype=np.uint64)  # 2^32: above every value, an empty bin
    np.minimum.at(mins, text * k + (value >> _U64(32 - (k.bit_length() - 1))).astype(np.intp), value)
    mins = mins.reshape(n, k)
    filled = mins != _U64(1 << 32)
    # distinct shingles ≥ filled bins; count them only where the bins are too few to tell
    signed = filled.sum(axis=1) >= least
    unsure = np.flatnonzero(~signed & (np.bincount(text, minlength=n) >= least))
    if unsure.size:
        pick = np.isin(text, unsure)
        pairs = np.unique(np.stack([text[pick].astype(np.uint64), h[pick]]), axis=1)
        signed[unsure] = np.bincount(pairs[0].astype(np.intp), minlength=n)[unsure] >= least
    # densify: an empty bin of a signed text takes the first filled bin of its probe sequence
    row, empty = np.nonzero(~filled & signed[:, None])
    if row.size:
        order = probes(k)
        source = np.full(row.size, -1, dtype=np.intp)
        todo = np.arange(row.size)  # the empty bins still looking, probe by probe
        for p in range(k - 1):
            b = order[empty[todo], p]
            found = filled[row[todo], b]
            source[todo[found]] = b[found]
            todo = todo[~found]
            if not todo.size:
                break
        mins[row, empty] = mins[row, source]
    result = mins.astype(np.uint32)  # every value of a signed text is below 2^32
    result[~signed] = 0
    return result, signed
