"""Values pickled in small compressed chunks into one buffer, each chunk unpickled when first read.

A large gazetteer's entities and its people's name forms are a hundred thousand small objects: unpickled
whole, they took seconds in every process that loaded the cache, where a document reads a few dozen. Here
they stay bytes (mapped from the cache file by `normalize.cache` and shared by the processes) until one is
read; what was read is kept. A chunk of `CHUNK` values shares its pickle's memo (an entity's file path
is written once a chunk) and is compressed: a third of the size of values pickled one by one. A `Pickled`
is a sequence (the entities, by position); a `PickledMap` maps ints to values (a person's entity number
to their name forms).
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

V = TypeVar("V")
CHUNK = 32  # values a chunk


def pack_chunks(values: Iterable[Any]) -> tuple[bytes, array]:
    """The values pickled `CHUNK` at a time, compressed, end to end; and each chunk's size. Runs of chunks
    packed apart (each a multiple of `CHUNK` values but the last) join into one `Pickled` (`Pickled.joined`)."""
    items = list(values)
    parts = [
        # the fastest level: 100k entities pack in 0.67 s, not 0.80, to 5.6 MB, not 4.8 (16 MB unpacked)
        zlib.compress(pickle.dumps(items[i : i + CHUNK], protocol=pickle.HIGHEST_PROTOCOL), 1)
        for i in range(0, len(items), CHUNK)
    ]
    return b"".join(parts), array("Q", map(len, parts))


def _buffer(buf: Any, protocol: int) -> Any:
    raw = buf if isinstance(buf, bytes | bytearray) else memoryview(buf).cast("B")
    return pickle.PickleBuffer(raw) if protocol >= 5 else bytes(raw)


class Pickled(Sequence[V], Generic[V]):
    """A sequence of values kept pickled until read (compares equal to the tuple of its values)."""

    def __init__(self, blob: Any, at: Any) -> None:
        self._blob = memoryview(blob).cast("B")
        self._at = memoryview(at).cast("B").cast("Q")  # where each chunk starts, its end, then the count
        self._read: dict[int, list[V]] = {}  # chunk → its values

    @classmethod
    def of(cls, values: Iterable[V]) -> Pickled[V]:
        """The values, pickled (values already pickled are themselves)."""
        if isinstance(values, Pickled):
            return values
        items = list(values)
        return cls.joined([pack_chunks(items)], len(items))

    @classmethod
    def joined(cls, runs: Sequence[tuple[bytes, array]], count: int) -> Pickled[V]:
        """`count` values from runs of chunks (`pack_chunks`), in order."""
        at = array("Q", [0])
        total = 0
        for _blob, sizes in runs:
            for size in sizes:
                total += size
                at.append(total)
        if len(at) - 1 != -(-count // CHUNK):
            raise ValueError(f"{len(at) - 1:,} chunks for {count:,} values")
        at.append(count)
        return cls(b"".join(blob for blob, _sizes in runs), at)

    def __len__(self) -> int:
        return self._at[-1]

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            lo, hi, step = i.indices(len(self))
            return tuple(self.run(lo, hi)) if step == 1 else tuple(self[j] for j in range(lo, hi, step))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        c = i // CHUNK
        chunk = self._read.get(c)
        if chunk is None:
            chunk = self._read[c] = self._unpack(c)
        return chunk[i % CHUNK]

    def _unpack(self, c: int) -> list[V]:
        """Chunk c's values, unpickled."""
        return pickle.loads(zlib.decompress(self._blob[self._at[c] : self._at[c + 1]]))

    def __iter__(self) -> Iterator[V]:
        return (self[i] for i in range(len(self)))

    def run(self, lo: int, hi: int) -> list[V]:
        """Values [lo, hi) (as a slice gives them), unpickled and not kept: a pass over many values (a
        compile's forked processes read their entities so) does not hold them all."""
        out: list[V] = []
        for c in range(lo // CHUNK, -(-hi // CHUNK)):
            chunk = self._read.get(c)
            if chunk is None:
                chunk = self._unpack(c)
            out += chunk[max(lo - c * CHUNK, 0) : hi - c * CHUNK]
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return (Pickled, (_buffer(self._blob, protocol), _buffer(self._at, protocol)))


class PickledMap(Mapping[int, V], Generic[V]):
    """A mapping of ints to values kept pickled until read."""

    def __init__(self, keys: Any, values: Pickled[V]) -> None:
        self._keys = memoryview(keys).cast("B").cast("Q")  # sorted
        self._values = values

    @classmethod
    def of(cls, mapping: Mapping[int, V]) -> PickledMap[V]:
        """The mapping, pickled (one already pickled is itself)."""
        if isinstance(mapping, PickledMap):
            return mapping
        keys = sorted(mapping)
        return cls(array("Q", keys), Pickled.of(mapping[k] for k in keys))

    def _find(self, key: object) -> int:
        if not isinstance(key, int):
            return -1
        i = bisect_left(self._keys, key)
        return i if i < len(self._keys) and self._keys[i] == key else -1

    def __contains__(self, key: object) -> bool:
        return self._find(key) >= 0

    def __getitem__(self, key: int) -> V:
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return self._values[i]

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys.tolist())

    def __len__(self) -> int:
        return len(self._keys)

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return (PickledMap, (_buffer(self._keys, protocol), self._values))
