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
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from normalize import cachefile
from normalize.gazetteer import Entity
from normalize.link.keys import own_fingerprint, own_keys
from normalize.link.records import Key, KeyColumns, coded_keys, no_keys

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

    def own_keys(self, entities: Sequence[Entity], within: Sequence[Piece] | None = None) -> Iterator[KeyColumns]:
        """`keys.own_keys` of each entity of the pieces `within` (by default: all of `pieces(entities)`),
        in order, as columns: kept ones from the shards, the rest generated and kept. One piece's shard is
        in memory at a time."""
        for piece in pieces(entities) if within is None else within:
            shard = self.shard(piece.label)
            kept = _read(shard)
            fingerprints = [own_fingerprint(entities[i]) for i in range(piece.lo, piece.hi)]
            made: dict[tuple, tuple[Key, ...]] = {}
            for i, fp in enumerate(fingerprints, piece.lo):
                if fp not in kept.spans and fp not in made:
                    made[fp] = tuple(own_keys(entities[i]))
            fresh = _coded(made)  # coded once, for the shard and the rows alike
            # the piece's keys, each fingerprint's once: what its shard is to hold, and what is handed out
            held = {fp: (fresh if fp in made else kept).of(fp) for fp in dict.fromkeys(fingerprints)}
            if held.keys() != kept.spans.keys():
                _write(shard, list(held.items()))
            else:
                cachefile.touch(shard)
            for fp in fingerprints:
                yield held[fp]

    def fill(self, entities: Sequence[Entity], stop: Callable[[], bool] = lambda: False) -> int:
        """Keep the own keys of `entities` (one file's, read alone: `keyfill`) in the shards of their
        `pieces`, the last piece first, beside those kept there already, until `stop()` (asked every
        `STOP_EVERY` entities): the piece it stops in is kept as far as it went. How many entities' keys
        it made (not found kept)."""
        n_made = 0
        for piece in reversed(pieces(entities)):
            shard = self.shard(piece.label)
            kept = _read(shard)
            made: dict[tuple, tuple[Key, ...]] = {}
            stopped = False
            for i in range(piece.lo, piece.hi):
                if (i - piece.lo) % STOP_EVERY == 0 and stop():
                    stopped = True
                    break
                fp = own_fingerprint(entities[i])
                if fp not in kept.spans and fp not in made:
                    made[fp] = tuple(own_keys(entities[i]))
            if made:
                fresh = _coded(made)
                _write(shard, [*((fp, kept.of(fp)) for fp in kept.spans), *((fp, fresh.of(fp)) for fp in made)])
                n_made += len(made)
            if stopped:
                break
        return n_made


class _Kept(NamedTuple):
    """Keys by fingerprint: each one's keys are [a, b) of `keys`."""

    spans: dict[tuple, tuple[int, int]]
    keys: KeyColumns

    def of(self, fp: tuple) -> KeyColumns:
        a, b = self.spans[fp]
        return self.keys.span(a, b)


def _coded(made: dict[tuple, tuple[Key, ...]]) -> _Kept:
    """Keys made, by fingerprint, coded as columns in one call."""
    ends = list(accumulate(map(len, made.values())))
    spans = dict(zip(made, zip([0, *ends][:-1], ends, strict=True), strict=True))
    return _Kept(spans, coded_keys([k for keys in made.values() for k in keys]))


_LAYOUT = "columns-1"  # a shard's first field: a shard of another layout is generated again


def _read(path: Path) -> _Kept:
    try:
        with cachefile.collector_off():
            shard = pickle.loads(zlib.decompress(path.read_bytes()))
            if isinstance(shard, tuple) and shard[:1] == (_LAYOUT,):
                return _kept_of(shard)
    except Exception:  # missing, truncated or damaged: generate again
        pass
    return _Kept({}, no_keys())


def _write(path: Path, entries: Sequence[tuple[tuple, KeyColumns]]) -> None:
    # keys as columns: one string of the forms, their lengths, a byte a method and a need; pickle writes a
    # few large values where a tuple a key had it take each field of each key (writing the shards was a
    # tenth of generating 100k entities' keys); case forms share their stems: zlib's fastest level makes a
    # shard several times smaller; an unwritable folder is compiled around (the gazetteer cache says so once)
    joined = no_keys()
    for _fp, keys in entries:
        joined.extend(keys)
    forms, methods, tails, needs, owners, coords = joined
    shard = (
        _LAYOUT,
        [fp for fp, _keys in entries],  # the fingerprints
        array("I", (len(keys.forms) for _fp, keys in entries)),  # each one's keys
        "".join(forms),
        array("I", map(len, forms)),
        bytes(methods),
        array("I", tails),
        bytes(needs),
        {i: (o, c) for i, (o, c) in enumerate(zip(owners, coords, strict=True)) if o or c},  # most have neither
    )
    cachefile.write(path, lambda fh: fh.write(zlib.compress(pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL), 1)))


def _kept_of(shard: tuple) -> _Kept:
    """A shard's keys by fingerprint, as `_write` was given them: columns, never a `Key` each (a shard holds
    tens of thousands, and the rows are made from columns)."""
    _layout, fingerprints, counts, text, lengths, methods, tails, needs, extra = shard
    ends = list(accumulate(lengths))
    forms = [text[s:e] for s, e in zip([0, *ends][:-1], ends, strict=True)]
    n = len(forms)
    owners, coords = [""] * n, [""] * n
    for i, (owner, coord) in extra.items():
        owners[i], coords[i] = owner, coord
    whole = len(fingerprints) == len(counts) and sum(counts) == n == len(methods) == len(tails) == len(needs)
    if not whole or (ends[-1] if ends else 0) != len(text):
        raise ValueError("a damaged shard")
    bounds = list(accumulate(counts))
    spans = dict(zip(fingerprints, zip([0, *bounds][:-1], bounds, strict=True), strict=True))
    return _Kept(spans, KeyColumns(forms, list(methods), list(tails), list(needs), owners, coords))
