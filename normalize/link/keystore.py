"""The per-file key cache: each entity's own keys (`keys.own_keys`, every case form of its names:
most of compiling a large gazetteer), kept on disk a shard per piece of a gazetteer file (`pieces`:
up to `PIECE` entities in a row), so changing one file of a large set generates keys again only for
the entities that changed.

A shard maps `keys.own_fingerprint` (all that `own_keys` reads of an entity) to the keys, so a kept
entry is right whatever else changed in the file or the set; what depends on the whole set (the
names `variants.derive` adds, which change the fingerprint; the name composed with its country;
surname-only keys; generic names) is worked out again on every compile, over the kept keys. A shard
is named by the code digest (`cache.code_digest`: a change to the code that makes keys makes new
shards), the file's path and the piece's number in it; it is rewritten with just the piece's entities
of this compile when any was missing or gone (an entity moved into another piece by entities added
before it is generated again). Shards are written to a temporary file and renamed, and one that cannot
be read or written is compiled around, never an error (the gazetteer cache reports an unwritable
folder once).
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, repeat
from pathlib import Path
from typing import NamedTuple

from normalize import cachefile
from normalize.gazetteer import Entity
from normalize.link.keys import own_fingerprint, own_keys
from normalize.link.records import METHODS, NEEDS, Key, coded_keys

# entities of a shard: a file's pieces are also the smallest tasks that forked processes share
# (`keyrows.tasks`); whole files of 10,000 persons left one process a second of work after the other's
PIECE = 2_500
KEEP = 1_024  # shards kept (a set of 2.5M entities); the least recently used beyond this are removed
STOP_EVERY = 64  # entities between two asks whether to stop filling (`KeyStore.fill`: a few milliseconds of keys)


class Piece(NamedTuple):
    """Entities [lo, hi) of one gazetteer file: a shard of the store (`label` names it)."""

    lo: int
    hi: int
    label: str


def pieces(entities: Sequence[Entity]) -> list[Piece]:
    """The set cut into pieces: each file's entities (they stand together in a set), `PIECE` at a time,
    numbered in their file."""
    out: list[Piece] = []
    numbers: dict[str, int] = {}  # a file's pieces so far
    lo = 0
    for i in range(1, len(entities) + 1):
        if i == len(entities) or i - lo == PIECE or _source(entities[i]) != _source(entities[lo]):
            source = _source(entities[lo])
            n = numbers[source] = numbers.get(source, -1) + 1
            out.append(Piece(lo, i, f"{source}\0{n}"))
            lo = i
    return out


def _source(e: Entity) -> str:
    return e.where.path if e.where is not None else ""


@dataclass(frozen=True)
class KeyStore:
    """Shards of own keys in `where`, for the code of digest `code`."""

    where: Path
    code: str

    def prune(self) -> None:
        """Remove the least recently used shards beyond `KEEP` (once a compile: a set of 1M entities reads
        its keys in 400 tasks)."""
        cachefile.prune(self.where, "keys-*.pickle", KEEP)

    def shard(self, label: str) -> Path:
        """The shard of one piece of a gazetteer file (`Piece.label`)."""
        name = hashlib.sha256(f"{self.code}\0{label}".encode()).hexdigest()[:32]
        return self.where / f"keys-{name}.pickle"

    def own_keys(self, entities: Sequence[Entity], within: Sequence[Piece] | None = None) -> Iterator[tuple[Key, ...]]:
        """`keys.own_keys` of each entity of the pieces `within` (by default: all of `pieces(entities)`),
        in order: kept ones from the shards, the rest generated and kept. One piece's shard is in memory
        at a time."""
        for piece in pieces(entities) if within is None else within:
            shard = self.shard(piece.label)
            kept = _read(shard)
            rows: dict[tuple, tuple[Key, ...]] = {}
            for i in range(piece.lo, piece.hi):
                e = entities[i]
                fp = own_fingerprint(e)
                found = rows.get(fp)
                if found is None:
                    stored = kept.get(fp)
                    found = stored if stored is not None else tuple(own_keys(e))
                rows[fp] = found
                if i == piece.hi - 1:  # before the last yield: the caller takes no more than it needs
                    if rows.keys() != kept.keys():
                        _write(shard, rows)
                    else:
                        cachefile.touch(shard)
                yield found

    def fill(self, entities: Sequence[Entity], stop: Callable[[], bool] = lambda: False) -> int:
        """Keep the own keys of `entities` (one file's, read alone: `keyfill`) in the shards of their
        `pieces`, the last piece first, beside those kept there already, until `stop()` (asked every
        `STOP_EVERY` entities): the piece it stops in is kept as far as it went. How many entities' keys
        it made (not found kept)."""
        made = 0
        for piece in reversed(pieces(entities)):
            shard = self.shard(piece.label)
            kept = _read(shard)
            rows = dict(kept)
            stopped = False
            for i in range(piece.lo, piece.hi):
                if (i - piece.lo) % STOP_EVERY == 0 and stop():
                    stopped = True
                    break
                fp = own_fingerprint(entities[i])
                if fp not in rows:
                    rows[fp] = tuple(own_keys(entities[i]))
                    made += 1
            if len(rows) > len(kept):
                _write(shard, rows)
            if stopped:
                break
        return made


_LAYOUT = "columns-1"  # a shard's first field: a shard of another layout is generated again


def _read(path: Path) -> dict[tuple, tuple[Key, ...]]:
    try:
        with cachefile.collector_off():
            shard = pickle.loads(zlib.decompress(path.read_bytes()))
            return _keys_of(shard) if isinstance(shard, tuple) and shard[:1] == (_LAYOUT,) else {}
    except Exception:  # missing, truncated or from another layout: generate again
        return {}


def _write(path: Path, rows: dict[tuple, tuple[Key, ...]]) -> None:
    # keys as columns: one string of the forms, their lengths, a byte a method and a need; pickle writes a
    # few large values where a tuple a key had it take each field of each key (writing the shards was a
    # tenth of generating 100k entities' keys); case forms share their stems: zlib's fastest level makes a
    # shard several times smaller; an unwritable folder is compiled around (the gazetteer cache says so once)
    forms, methods, tails, needs, owners, coords = coded_keys([k for keys in rows.values() for k in keys])
    shard = (
        _LAYOUT,
        list(rows),  # the fingerprints
        array("I", map(len, rows.values())),  # each one's keys
        "".join(forms),
        array("I", map(len, forms)),
        bytes(methods),
        array("I", tails),
        bytes(needs),
        {i: (o, c) for i, (o, c) in enumerate(zip(owners, coords, strict=True)) if o or c},  # most have neither
    )
    cachefile.write(path, lambda fh: fh.write(zlib.compress(pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL), 1)))


def _keys_of(shard: tuple) -> dict[tuple, tuple[Key, ...]]:
    """A shard's keys by fingerprint, as `_write` was given them."""
    _layout, fingerprints, counts, text, lengths, methods, tails, needs, extra = shard
    ends = list(accumulate(lengths))
    starts = [0, *ends[:-1]]
    owners, coords = [""] * len(ends), [""] * len(ends)
    for i, (owner, coord) in extra.items():
        owners[i], coords[i] = owner, coord
    fields = zip(
        [text[s:e] for s, e in zip(starts, ends, strict=True)],
        map(METHODS.__getitem__, methods),
        tails,
        map(NEEDS.__getitem__, needs),
        owners,
        coords,
        strict=True,
    )
    # made as the tuples they are, not by a call of `Key(...)` each (a Python function): a shard holds tens of thousands
    keys = list(map(tuple.__new__, repeat(Key), fields))
    if len(fingerprints) != len(counts) or sum(counts) != len(keys) or (ends[-1] if ends else 0) != len(text):
        raise ValueError("a damaged shard")
    out: dict[tuple, tuple[Key, ...]] = {}
    at = 0
    for fp, n in zip(fingerprints, counts, strict=True):
        out[fp] = tuple(keys[at : at + n])
        at += n
    return out
