"""A disk cache of compiled gazetteers, so a run starts in well under a second.

Compiling a gazetteer (parsing the YAML, deriving every case form of every name,
building the key table) takes seconds; unpickling the result takes
milliseconds. The cache key covers everything the result depends on:

- the gazetteer stack, layer by layer (bundled or not, then each `--gazetteers` layer): each
  layer's files as `Gazetteer.digest` takes them (each file's name and bytes, in
  `gazetteer_files` order), computed from the bytes without parsing them, plus the resolved
  paths (they appear in error locations);
- the package version and every source file of the package (`digest.code_digest`), so a
  change to the code that builds the index invalidates it;
- the Python, numpy and pymorphy3 dictionary versions.

An entry is the pickle (protocol 5) of (Gazetteer, Index) with the index's columns (`link.keytable`)
out of band, after it in the file, each at a multiple of 64 bytes: a reader maps the file and the
columns are views of the mapping, so the processes that load one entry (a run's workers) share its
pages, and loading it takes no longer for a large gazetteer's key table than for a small one's. The
entities and the people's name forms are pickled one by one (`pickled`) and read as a document needs them.

The cache lives in `$NORMALIZE_CACHE` (default `~/.cache/normalize`); `NORMALIZE_CACHE=off`
disables it. The `KEEP` most recently used entries are kept. Entries are written to a
temporary file and renamed, so a reader never sees half an entry; an entry that cannot be
read is ignored and rewritten. A cache directory that cannot be written (read-only, full, a
file in the way) is not an error: the run compiles and goes on without the cache, and says so
once, in one warning line (logger `normalize.cache`; on stderr unless logging is set up), from
the main process only (the workers of a run meet the same folder).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import logging
import mmap
import multiprocessing
import os
import pickle
import struct
import sys
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from normalize import digest, faults, link, pickled
from normalize import gazetteer as gz
from normalize.layers import command_layers, stack

FORMAT = 2  # bump when the pickled layout changes
MAGIC = b"NORMGAZ2"
ALIGN = 64  # each column starts at a multiple of this in the file
KEEP = 16  # entries kept; the least recently used beyond this are removed
log = logging.getLogger("normalize.cache")
_warned: set[str] = set()  # the folders this process has warned about


def cache_dir() -> Path | None:
    """Where entries go; None when caching is switched off."""
    env = os.environ.get("NORMALIZE_CACHE")
    if env and env.lower() in ("0", "off", "no", "false", "none"):
        return None
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "normalize"


def files_digest(files: Sequence[Path]) -> str:
    """`Gazetteer.digest` of these files, without parsing them."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The package version, the package's code and the library versions."""
    from importlib import metadata

    from normalize import __version__

    h = hashlib.sha256(f"{FORMAT}|{__version__}|{sys.version_info[:2]}|{digest.code_digest()}".encode())
    for dist in ("numpy", "pymorphy3", "pymorphy3-dicts-ru"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?".encode())
    return h.hexdigest()


def key(dirs: Sequence[Path | str] | None = None, *, bundled: bool = True) -> str:
    """The cache key of a gazetteer stack: the bundled set (unless `bundled` is false), then each
    of `dirs` as a layer. Each layer is hashed on its own (its files, then its resolved paths),
    so where one layer ends and the next begins is part of the key, and so is the bundled set (a
    layer like any other: the same stack spelt either way has one key)."""
    h = hashlib.sha256(code_digest().encode())
    for layer in command_layers(dirs or (), bundled=bundled):
        h.update(b"\0layer\0" + files_digest(gz.gazetteer_files(layer.paths)).encode())
        for p in layer.paths:
            h.update(str(p.resolve()).encode() + b"\0")
    return h.hexdigest()


def _read(path: Path) -> tuple[gz.Gazetteer, link.Index] | None:
    # the collector would walk the growing heap again and again while a hundred thousand objects
    # are made: loading takes a third of the time with it off
    collecting = gc.isenabled()
    gc.disable()
    try:
        entry = _load(path)
    except FileNotFoundError:
        return None
    except Exception:  # a truncated, corrupt or stale entry: compile again
        return None
    finally:
        if collecting:
            gc.enable()
    if (
        not isinstance(entry, tuple)
        or len(entry) != 2
        or not isinstance(entry[0], gz.Gazetteer)
        or not isinstance(entry[1], link.Index)
    ):
        return None
    return entry


def _load(path: Path) -> object:
    """An entry: its pickle, with the columns after it handed in as views of the mapped file."""
    with path.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    if bytes(view[:8]) != MAGIC:
        raise ValueError("not an entry of this format")
    n_buffers, size = struct.unpack_from("<QQ", view, 8)
    at = 24 + 16 * n_buffers
    spans = [struct.unpack_from("<QQ", view, 24 + 16 * i) for i in range(n_buffers)]
    # the views keep the mapping open for as long as the index lives
    return pickle.loads(view[at : at + size], buffers=[view[start : start + n] for start, n in spans])


def _stored(entry: tuple[gz.Gazetteer, link.Index]) -> tuple[gz.Gazetteer, link.Index]:
    """The entry as it is stored: the entities (one sequence, the gazetteer's and the index's) and the
    people's name forms pickled one by one, to be read as they are needed."""
    g, index = entry
    entities = pickled.Pickled.of(g.entities)
    index = dataclasses.replace(
        index,
        entities=entities,
        persons=pickled.PickledMap.of(index.persons),
        surname_forms=pickled.PickledMap.of(index.surname_forms),
        surname_spellings=pickled.PickledMap.of(index.surname_spellings),
        first_forms=pickled.PickledMap.of(index.first_forms),
    )
    return dataclasses.replace(g, entities=entities), index


def _dump(fh: BinaryIO, entry: tuple[gz.Gazetteer, link.Index]) -> None:
    """Magic, counts, (offset, size) of each column, the pickle, then the columns, aligned."""
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(_stored(entry), protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    at = 24 + 16 * len(raws) + len(data)
    spans = []
    for raw in raws:
        at += -at % ALIGN
        spans.append((at, raw.nbytes))
        at += raw.nbytes
    head = MAGIC + struct.pack("<QQ", len(raws), len(data)) + b"".join(struct.pack("<QQ", *s) for s in spans)
    fh.write(head)
    fh.write(data)
    written = len(head) + len(data)
    for (start, _n), raw in zip(spans, raws, strict=True):
        fh.write(b"\0" * (start - written))
        fh.write(raw)
        written = start + raw.nbytes


def _unwritable(where: Path, exc: OSError) -> None:
    """One warning line, once per folder, from the main process: the run goes on without the cache."""
    if str(where) in _warned or multiprocessing.parent_process() is not None:
        return
    _warned.add(str(where))
    log.warning(
        "normalize: warning: gazetteer cache %s not writable (%s); running without it (NORMALIZE_CACHE=off: no cache)",
        where,
        faults.describe(exc),
    )


def _write(path: Path, entry: tuple[gz.Gazetteer, link.Index]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pickle", dir=path.parent)
    except OSError as exc:
        _unwritable(path.parent, exc)  # read-only home, full disk, a file in the way
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            faults.inject("cache", path)
            _dump(fh, entry)
        os.replace(tmp, path)
    except Exception as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # the disk filled up while the entry was written
            _unwritable(path.parent, exc)
        return
    _prune(path.parent)


def _prune(where: Path, keep: int = KEEP) -> None:
    """Remove the least recently used entries beyond `keep` (a hit refreshes an entry's mtime)."""
    try:
        entries = sorted(where.glob("gazetteer-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned first


def compile_gazetteers(
    dirs: Sequence[Path | str] | None = None, *, bundled: bool = True
) -> tuple[gz.Gazetteer, link.Index]:
    """The merged gazetteer of a stack (the bundled set unless `bundled` is false, then each of
    `dirs` on top) and its index, from the cache when it holds this exact stack.

    Errors in the gazetteer files (GazetteerError) are raised as by `layers.stack`:
    a stack that does not load is never cached.
    """
    layers = command_layers(dirs or (), bundled=bundled)
    where = cache_dir()
    if where is None:
        g = stack(layers)
        return g, link.compile_index(g)
    path = where / f"gazetteer-{key(dirs, bundled=bundled)}.pickle"
    entry = _read(path)
    if entry is not None:
        try:
            os.utime(path)  # recently used: kept by _prune
        except OSError:
            pass
        return entry
    g = stack(layers)
    entry = (g, link.compile_index(g))
    _write(path, entry)
    return entry


def clear() -> int:
    """Remove every cache entry; returns how many were removed."""
    where = cache_dir()
    if where is None or not where.is_dir():
        return 0
    n = 0
    for p in where.glob("gazetteer-*.pickle"):
        p.unlink(missing_ok=True)
        n += 1
    return n
