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


def _pack(values: Iterable[Any]) -> tuple[bytes, array]:
    """The chunks' compressed pickles end to end, and where each starts; then, last, how many values."""
    items = list(values)
    parts = [
        # the fastest level: 100k entities pack in 0.67 s, not 0.80, to 5.6 MB, not 4.8 (16 MB unpacked)
        zlib.compress(pickle.dumps(items[i : i + CHUNK], protocol=pickle.HIGHEST_PROTOCOL), 1)
        for i in range(0, len(items), CHUNK)
    ]
    at = array("Q", [0])
    total = 0
    for p in parts:
        total += len(p)
        at.append(total)
    at.append(len(items))
    return b"".join(parts), at


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
        """The values, pickled."""
        return cls(*_pack(values))

    def __len__(self) -> int:
        return self._at[-1]

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        chunk = self._read.get(i // CHUNK)
        if chunk is None:
            c = i // CHUNK
            chunk = self._read[c] = pickle.loads(zlib.decompress(self._blob[self._at[c] : self._at[c + 1]]))
        return chunk[i % CHUNK]

    def __iter__(self) -> Iterator[V]:
        return (self[i] for i in range(len(self)))

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
