"""The per-file key cache: each entity's own keys (`keys.own_keys`, every case form of its names:
most of compiling a large gazetteer), kept on disk one shard per gazetteer file, so changing one
file of a large set generates keys again only for the entities that changed.

A shard maps `keys.own_fingerprint` (all that `own_keys` reads of an entity) to the keys, so a kept
entry is right whatever else changed in the file or the set; what depends on the whole set (the
names `variants.derive` adds, which change the fingerprint; the name composed with its country;
surname-only keys; generic names) is worked out again on every compile, over the kept keys. A shard
is named by the code digest (`cache.code_digest`: a change to the code that makes keys makes new
shards) and the file's path; it is rewritten with just the file's entities of this compile when
any was missing or gone. Shards are written to a temporary file and renamed, and one that cannot
be read or written is compiled around, never an error (the gazetteer cache reports an unwritable
folder once).
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from normalize import cachefile
from normalize.gazetteer import Entity
from normalize.link.keys import own_fingerprint, own_keys
from normalize.link.records import Key

KEEP = 256  # shards kept; the least recently used beyond this are removed

@dataclass(frozen=True)
class KeyStore:
    """Shards of own keys in `where`, for the code of digest `code`."""

    where: Path
    code: str

    def shard(self, source: str) -> Path:
        """The shard of one gazetteer file (as the entities' locations name it)."""
        name = hashlib.sha256(f"{self.code}\0{source}".encode()).hexdigest()[:32]
        return self.where / f"keys-{name}.pickle"

    def own_keys(self, entities: Sequence[Entity]) -> Iterator[tuple[Key, ...]]:
        """`keys.own_keys` of each entity, in order: kept ones from the shards, the rest generated
        and kept. A shard is read when its file's first entity comes and let go after its last, so
        one file's keys are in memory at a time (a file's entities stand together in a set)."""
        cachefile.prune(self.where, "keys-*.pickle", KEEP)
        sources = [e.where.path if e.where is not None else "" for e in entities]
        last = {source: i for i, source in enumerate(sources)}
        open_shards: dict[str, tuple[dict[tuple, tuple[Key, ...]], dict[tuple, tuple[Key, ...]]]] = {}
        for i, e in enumerate(entities):
            source = sources[i]
            if source not in open_shards:
                open_shards[source] = (_read(self.shard(source)), {})
            kept, rows = open_shards[source]
            fp = own_fingerprint(e)
            found = rows.get(fp)
            if found is None:
                stored = kept.get(fp)
                found = tuple(map(Key._make, stored)) if stored is not None else tuple(own_keys(e))
            rows[fp] = found
            if last[source] == i:  # before the last yield: the caller takes no more than it needs
                del open_shards[source]
                if rows.keys() != kept.keys():
                    _write(self.shard(source), rows)
                else:
                    cachefile.touch(self.shard(source))
            yield found


def _read(path: Path) -> dict[tuple, tuple[tuple, ...]]:
    try:
        with cachefile.collector_off():
            rows = pickle.loads(zlib.decompress(path.read_bytes()))
    except Exception:  # missing, truncated or from another layout: generate again
        return {}
    return rows if isinstance(rows, dict) else {}


def _write(path: Path, rows: dict[tuple, tuple[Key, ...]]) -> None:
    # keys as plain tuples: pickle writes and reads them in C, a named tuple through Python calls (a shard of
    # 10,000 persons: 0.26 → 0.09 s); case forms share their stems: zlib's fastest level makes a shard 7×
    # smaller in 50 ms; an unwritable folder is compiled around (the gazetteer cache says so once)
    plain = {fp: tuple(map(tuple, keys)) for fp, keys in rows.items()}
    cachefile.write(path, lambda fh: fh.write(zlib.compress(pickle.dumps(plain, protocol=pickle.HIGHEST_PROTOCOL), 1)))
