"""Columns of an index kept as plain buffers: pickled out of band (protocol 5, so `normalize.cache` can
write them after the pickle and map them back, shared by every process that loads the entry), and read
as numpy arrays made on first use (a process that never looks at them never imports numpy for them)."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
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


def encode(strings: list[str]) -> tuple[str, bytes, Any]:
    """(encoding, blob, offsets: uint32, one more than the strings) of a list of strings."""
    import numpy as np

    joined = "".join(strings)
    letters = sorted(set(joined))
    if len(letters) <= 256:
        encoding = "".join(letters)
        blob = joined.translate({ord(c): i for i, c in enumerate(letters)}).encode("latin-1")
        sizes = np.fromiter((len(s) for s in strings), dtype=np.uint64, count=len(strings))
    else:
        encoding, blob = UTF8, joined.encode()
        sizes = np.fromiter((len(s.encode()) for s in strings), dtype=np.uint64, count=len(strings))
    if len(blob) >= 1 << 32:
        raise ValueError(f"{len(strings):,} strings of {len(blob):,} bytes: over the 4 GiB a column of them may hold")
    offsets = np.zeros(len(strings) + 1, dtype=np.uint32)
    np.cumsum(sizes, out=offsets[1:])
    return encoding, blob, offsets


def decoder(encoding: str) -> dict[int, str] | None:
    """What `decode` needs for an encoding (None for UTF-8)."""
    return None if encoding == UTF8 else dict(enumerate(encoding))


def decode(raw: bytes, alphabet: dict[int, str] | None) -> str:
    """One string of a blob `encode` made."""
    return raw.decode() if alphabet is None else raw.decode("latin-1").translate(alphabet)
