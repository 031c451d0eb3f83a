"""Columns of an index kept as plain buffers: pickled out of band (protocol 5, so `normalize.cache` can
write them after the pickle and map them back, shared by every process that loads the entry), and read
as numpy arrays made on first use (a process that never looks at them never imports numpy for them). A
column of strings is a blob and offsets (`encode`), made by numpy over the strings' code points (`join`):
at 100k entities a compile encodes 1.9M strings."""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

# how a column's strings are stored: "utf-8", or the alphabet of the strings when it has at most 256
# letters (a byte a letter, each byte the letter's place in the alphabet: half UTF-8's size for Cyrillic)
UTF8 = "utf-8"


def buffers(columns: Mapping[str, Any], names: Mapping[str, str], protocol: int) -> list[Any]:
    """The columns `names` in order, as pickle takes them: out of band from protocol 5 on."""
    raw = [buf if isinstance(buf, bytes | bytearray) else memoryview(buf).cast("B") for buf in map(columns.get, names)]
    return [pickle.PickleBuffer(b) for b in raw] if protocol >= 5 else [bytes(b) for b in raw]


def arrays(columns: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """numpy views of the columns (name → dtype)."""
    import numpy as np

    return {name: np.frombuffer(columns[name], dtype=dt) for name, dt in names.items()}


_SLICE = 1 << 16  # strings gathered at once by `Joined.take` (an index of their points: ~8 MiB)
_TIE_SLICE = 1 << 20  # rows compared at once (`repeats`)
_CHUNK = 1 << 20  # code points turned back into text at once (a column stored as UTF-8)


def code_points(text: str) -> Any:
    """A text's code points (a lone surrogate is one too): uint16 when all are in the BMP, UTF-16 being then
    the points themselves at half UTF-32's size, else uint32."""
    import numpy as np

    points = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(points) != len(text):  # a character past the BMP took two units
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return points


def text_of(points: Any) -> str:
    """The text of code points (`code_points`)."""
    return points.tobytes().decode("utf-16-le" if points.dtype == "uint16" else "utf-32-le", "surrogatepass")


@dataclass(frozen=True, eq=False)
class Joined:
    """Strings as their code points one after another (`code_points`), with where each string starts in them
    (int64, one more than the strings: the last is the end)."""

    points: Any
    at: Any

    @property
    def lengths(self) -> Any:
        """Each string's length in characters (int64)."""
        import numpy as np

        return np.diff(self.at)

    def take(self, order: Any) -> Joined:
        """The strings at the positions `order` (numpy integers), in that order: their points gathered by
        numpy, a slice of strings at a time."""
        import numpy as np

        at, slices = self.gather(order)
        points = np.empty(int(at[-1]), dtype=self.points.dtype)
        for lo, hi, part in slices:
            points[lo:hi] = part
        return Joined(points, at)

    def gather(self, order: Any) -> tuple[Any, Iterator[tuple[int, int, Any]]]:
        """Where each string at `order` would start if they were taken (`take`), and their points a slice of
        strings at a time: (start, end, points). Only the offsets are made for all the strings at once (at
        17M strings, each array of them is 130 MiB)."""
        import numpy as np

        order = np.asarray(order, dtype=np.int64)
        at = np.zeros(len(order) + 1, dtype=np.int64)
        for i in range(0, len(order), _SLICE):
            part = order[i : i + _SLICE]
            at[i + 1 : i + 1 + len(part)] = self.at[part + 1] - self.at[part]
        np.cumsum(at, out=at)

        def slices() -> Iterator[tuple[int, int, Any]]:
            for i in range(0, len(order), _SLICE):
                j = min(i + _SLICE, len(order))
                starts = self.at[order[i:j]]
                # each point's place in `self.points`: its string's start there, plus its place in the string
                where = np.repeat(starts - at[i:j], at[i + 1 : j + 1] - at[i:j])
                where += np.arange(at[i], at[j])
                yield int(at[i]), int(at[j]), self.points[where]

        return at, slices()

    def strings(self) -> list[str]:
        """The strings as Python strings (a small set's: a large one's stay points)."""
        text = text_of(self.points)
        at = self.at.tolist()
        return [text[s:e] for s, e in pairwise(at)]

    def isalpha(self) -> Any:
        """`str.isalpha` of each string (bool): asked of each distinct code point once, not of each string."""
        import numpy as np

        distinct = np.unique(self.points)
        alpha = np.array([chr(c).isalpha() for c in distinct.tolist()], dtype=np.uint8)
        flags = alpha[np.searchsorted(distinct, self.points)] if len(distinct) else alpha
        # every point a letter, and at least one (`"".isalpha()` is false)
        return (run_totals(np.minimum, flags, self.at, np.uint8) == 1) & (self.lengths > 0)


def offsets(strings: Sequence[str]) -> Any:
    """Where each string starts once they are joined (int64, one more than the strings: the last is the end)."""
    import numpy as np

    at = np.zeros(len(strings) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)), out=at[1:])
    return at


def join(strings: Sequence[str]) -> Joined:
    """The strings' code points and offsets (numpy reads the strings at once, not each; the joined text is let
    go: at 1.9M strings it is 53 MiB)."""
    return Joined(code_points("".join(strings)), offsets(strings))


def encode(strings: Sequence[str] | Joined, order: Any = None) -> tuple[str, Any, Any]:
    """(encoding, blob: bytes, or a uint8 array, offsets: uint32, one more than the strings) of a list of
    strings (or of them `join`ed; those at `order`, in that order, gathered a slice at a time: their points
    are never all copied)."""
    import numpy as np

    joined = strings if isinstance(strings, Joined) else join(strings)
    letters = _letters(joined, order)
    if len(letters) > 256:
        return _utf8(joined if order is None else joined.take(order))
    encoding = "".join(map(chr, letters.tolist()))
    place = np.zeros(0x110000, dtype=np.uint8)
    place[letters] = np.arange(len(letters), dtype=np.uint8)
    at, slices = (joined.at, iter([(0, len(joined.points), joined.points)])) if order is None else joined.gather(order)
    blob = np.empty(int(at[-1]), dtype=np.uint8)  # its bytes would be a copy (at 100k entities, 27 MiB)
    for lo, hi, points in slices:
        blob[lo:hi] = place[points]
    return encoding, blob, _offsets(at, len(blob))


def _letters(joined: Joined, order: Any = None) -> Any:
    """The code points (sorted) of the strings at `order` (of all without it), read in place a slice of strings
    at a time (marks per code point: a set of a long text's characters made a string object a character).
    Gathered in `order` they were read at random, half of encoding a large set's forms."""
    import numpy as np

    seen = np.zeros(0x110000, dtype=bool)
    points, at = joined.points, joined.at
    if order is None:
        seen[points] = True
        return np.flatnonzero(seen)
    chosen = np.zeros(len(at) - 1, dtype=bool)
    chosen[order] = True
    for i in range(0, len(chosen), _SLICE):
        j = min(i + _SLICE, len(chosen))
        part = points[at[i] : at[j]]
        seen[part[np.repeat(chosen[i:j], np.diff(at[i : j + 1]))]] = True
    return np.flatnonzero(seen)


def _utf8(joined: Joined) -> tuple[str, Any, Any]:
    """`encode` of strings in more than 256 letters (rare): UTF-8, the text again from its points, a chunk at a
    time; a lone surrogate fails here as it would encoding the strings."""
    import numpy as np

    points, at = joined.points, joined.at
    chunks = (points[i : i + _CHUNK].astype("<u4").tobytes() for i in range(0, len(points), _CHUNK))
    blob = b"".join(c.decode("utf-32-le", "surrogatepass").encode() for c in chunks)
    # each character's UTF-8 size (1–4 bytes), summed over each string (reduceat: see `run_totals`)
    size = (points >= 0x80).astype(np.uint8) + (points >= 0x800) + (points >= 0x10000) + 1
    ends = np.zeros(len(at), dtype=np.int64)
    np.cumsum(run_totals(np.add, size, at, np.int64), out=ends[1:])
    return UTF8, blob, _offsets(ends, len(blob))


def _offsets(ends: Any, size: int) -> Any:
    if size >= 1 << 32:
        raise ValueError(f"{len(ends) - 1:,} strings of {size:,} bytes: over the 4 GiB a column of them may hold")
    return ends.astype("uint32")


def run_totals(op: Any, values: Any, at: Any, dtype: Any) -> Any:
    """`op` (a numpy ufunc: np.add, np.bitwise_or) over each run of `values` that `at` bounds (one more offset
    than the runs), in `dtype`; an empty run's is 0 (reduceat alone gives it the next value)."""
    import numpy as np

    out = np.zeros(len(at) - 1, dtype=dtype)
    full = np.flatnonzero(at[1:] > at[:-1])
    if len(full):
        out[full] = op.reduceat(values, at[full], dtype=dtype)
    return out


def decoder(encoding: str) -> dict[int, str] | None:
    """What `decode` needs for an encoding (None for UTF-8)."""
    return None if encoding == UTF8 else dict(enumerate(encoding))


def decode(raw: bytes, alphabet: dict[int, str] | None) -> str:
    """One string of a blob `encode` made."""
    return raw.decode() if alphabet is None else raw.decode("latin-1").translate(alphabet)


def lexsorted(first: Any, *then: Any) -> Any:
    """The rows in the order `np.lexsort((*reversed(then), first))` gives: by `first`, then by each of `then`,
    then by position. `first` is sorted alone (an unstable sort, several times quicker on hashes than the
    stable passes of a lexsort over every column), and only the rows whose value of `first` another row
    shares (few, for hashes) are sorted by the rest."""
    import numpy as np

    order = np.argsort(first)
    same = repeats(first, order)
    tied = same.copy()
    tied[:-1] |= same[1:]
    at = np.flatnonzero(tied)
    if len(at):
        rows = order[at]
        order[at] = rows[np.lexsort((rows, *(c[rows] for c in reversed(then)), first[rows]))]
    return order


def repeats(values: Any, order: Any) -> Any:
    """Whether each row in `order` has the value of the row before it in that order (the first: False), read a
    slice at a time: the values in that order are not copied whole (at 1M entities, a column of the rows is
    130 MiB)."""
    import numpy as np

    out = np.zeros(len(order), dtype=bool)
    for i in range(1, len(order), _TIE_SLICE):
        ordered = values[order[i - 1 : i + _TIE_SLICE]]
        out[i : i + len(ordered) - 1] = ordered[1:] == ordered[:-1]
    return out
