"""A disk cache of compiled gazetteers, so a run starts in well under a second.

Compiling a gazetteer (parsing the YAML, deriving every case form of every name,
building the index) takes seconds; unpickling the result takes
milliseconds. The cache key covers everything the result depends on:

- the gazetteer stack, layer by layer (bundled or not, then each `--gazetteers` layer): each
  layer's files as `Gazetteer.digest` takes them (each file's name and bytes, in
  `gazetteer_files` order), computed from the bytes without parsing them, plus the resolved
  paths (they appear in error locations);
- the package version and every source file of the package (`digest.code_digest`), so a
  change to the code that builds the index invalidates it;
- the Python, pyahocorasick, numpy and pymorphy3 dictionary versions, and `link.KEY_TABLE_ENV`.

An entry of a small set (an automaton: `link.Index.large` false) is two pickles, the gazetteer then its
index, so a process that needs only the gazetteer stops reading after the first. An entry of a large set
starts with `MAGIC`; its two pickles (protocol 5) have the index's columns (`link.keytable`,
`link.nearkeys`) and the entities and people's name forms (pickled in chunks: `pickled`) out of band,
after them in the file, each at a multiple of `ALIGN` bytes: a reader maps the file and the columns are
views of the mapping, so the processes that load one entry (a run's workers) share its pages, loading
takes about as long at any size, and an entity is unpickled when a document names it.

The cache lives in `$NORMALIZE_CACHE` (default `~/.cache/normalize`); `NORMALIZE_CACHE=off`
disables it; `compile_ahead` fills it for a stack before any run (`normalize gazetteers compile`). The
most recently used entries are kept, `KEEP` at most and `$NORMALIZE_CACHE_SIZE` in all (`keep_bytes`: by
default `KEEP_BYTES`; the most recent always, and any used in the last `cachefile.IN_USE` seconds). Entries
are written to a temporary file and renamed, so a reader never sees half an entry; an entry that cannot be
read is ignored and rewritten. A cache directory that cannot be written (read-only, full, a
file in the way) is not an error: the run compiles and goes on without the cache, and says so
once, in one warning line (logger `normalize.cache`; on stderr unless logging is set up), from
the main process only (the workers of a run meet the same folder).
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import logging
import mmap
import multiprocessing
import os
import pickle
import re
import struct
import sys
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from normalize import cachefile, digest, faults, heap, link
from normalize import gazetteer as gz
from normalize.gazetteer import command_layers

if TYPE_CHECKING:
    from normalize.pickled import Pickled

# bump when the pickled layout changes; 2: the gazetteer and its index are two pickles, one after the
# other, so that a process that needs only the gazetteer stops reading after the first; 3: a small set's
# index is an automaton or a large set's a key table, its entry mapped (`MAGIC`); 4: a key table's narrow columns
FORMAT = 4
MAGIC = b"NORMGAZ3"  # a large set's entry (a pickle starts with b"\x80")
_HEAD = struct.Struct("<QQQQ")  # buffers, the gazetteer's buffers, the gazetteer pickle's size, the index's
_SPAN = struct.Struct("<QQ")  # where a buffer starts in the file, its size
ALIGN = 64  # each buffer starts at a multiple of this in the file
KEEP = 16  # entries kept; the least recently used beyond this are removed
# bytes of entries kept, the most recent always: an entry of 100k entities is 132 MB, and each edit of a large
# set writes a new one (sixteen edits of it were 2.1 GB); the older ones beyond this are removed
KEEP_BYTES = 1 << 30
# entities from which a compile says that it runs and how long it took (INFO, on stderr in a run without
# --quiet): 100k take half a minute, a million five, before the first document is read
NOTICE_MIN = 20_000
SIZE_VARIABLE = "NORMALIZE_CACHE_SIZE"  # the bytes of entries kept, if not `KEEP_BYTES`: «2G», «500M», «0»
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?")
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
log = logging.getLogger("normalize.cache")
_warned: set[str] = set()  # the folders (and settings) this process has warned about


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
    for dist in ("pyahocorasick", "numpy", "pymorphy3", "pymorphy3-dicts-ru"):
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
    h.update(os.environ.get(link.KEY_TABLE_ENV, "").lower().encode())
    for layer in command_layers(dirs or (), bundled=bundled):
        h.update(b"\0layer\0" + files_digest(gz.gazetteer_files(layer.paths)).encode())
        for p in layer.paths:
            h.update(str(p.resolve()).encode() + b"\0")
    return h.hexdigest()


def _read(path: Path, with_index: bool = True) -> tuple[gz.Gazetteer, link.Index | None] | None:
    """The entry at `path`, or None when it is missing or unreadable; without `with_index` the index
    is left unread (None in its place)."""
    try:
        with cachefile.collector_off(), path.open("rb") as fh:
            if fh.read(len(MAGIC)) == MAGIC:
                g, index = _read_mapped(fh, with_index)
            else:
                fh.seek(0)
                g = pickle.load(fh)
                index = pickle.load(fh) if with_index else None
    except Exception:  # missing, truncated, corrupt or stale: compile again
        return None
    if not isinstance(g, gz.Gazetteer) or (with_index and not isinstance(index, link.Index)):
        return None
    return g, index


def _read_mapped(fh: BinaryIO, with_index: bool) -> tuple[Any, Any]:
    """A large set's entry (`_dump_mapped`): its pickles, with the buffers after them handed in as views
    of the mapped file (the views keep the mapping open for as long as the index lives)."""
    view = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
    n_buffers, n_first, size_g, size_i = _HEAD.unpack_from(view, len(MAGIC))
    at = len(MAGIC) + _HEAD.size
    spans = [_SPAN.unpack_from(view, at + _SPAN.size * i) for i in range(n_buffers)]
    bufs = [view[start : start + n] for start, n in spans]
    at += _SPAN.size * n_buffers
    g = pickle.loads(view[at : at + size_g], buffers=bufs[:n_first])
    if not with_index:
        return g, None
    index = pickle.loads(view[at + size_g : at + size_g + size_i], buffers=bufs[n_first:])
    # the index was stored without its entities: they are the gazetteer's (one sequence, read once)
    return g, dataclasses.replace(index, entities=g.entities) if isinstance(index, link.Index) else index


def _dump_mapped(fh: BinaryIO, entry: tuple[gz.Gazetteer, link.Index], entities: Pickled | None = None) -> None:
    """`MAGIC`, the counts and sizes, (offset, size) of each buffer, the two pickles, then the buffers,
    aligned. The entities (`entities` if already pickled) and people's name forms are stored pickled in
    chunks (`pickled`)."""
    from normalize import pickled

    g, index = entry
    entities = pickled.Pickled.of(g.entities) if entities is None else entities
    index = dataclasses.replace(
        index,
        entities=(),
        persons=pickled.PickledMap.of(index.persons),
        surname_forms=pickled.PickledMap.of(index.surname_forms),
        surname_spellings=pickled.PickledMap.of(index.surname_spellings),
        first_forms=pickled.PickledMap.of(index.first_forms),
    )
    buffers: list[pickle.PickleBuffer] = []
    data_g = pickle.dumps(dataclasses.replace(g, entities=entities), protocol=5, buffer_callback=buffers.append)
    n_first = len(buffers)
    data_i = pickle.dumps(index, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    head = len(MAGIC) + _HEAD.size + _SPAN.size * len(raws) + len(data_g) + len(data_i)  # before the buffers
    at = head
    spans = []
    for raw in raws:
        at += -at % ALIGN
        spans.append((at, raw.nbytes))
        at += raw.nbytes
    fh.write(MAGIC + _HEAD.pack(len(raws), n_first, len(data_g), len(data_i)))
    fh.write(b"".join(_SPAN.pack(*s) for s in spans))
    fh.write(data_g)
    fh.write(data_i)
    written = head
    for (start, _n), raw in zip(spans, raws, strict=True):
        fh.write(b"\0" * (start - written))
        fh.write(raw)
        written = start + raw.nbytes


def _warn_once(about: str, message: str, *args: object) -> None:
    """One warning line `about` a folder or a setting, once a process, from the main process only: a run's
    workers meet the same cache and the same environment."""
    if about in _warned or multiprocessing.parent_process() is not None:
        return
    _warned.add(about)
    log.warning(message, *args)


def _unwritable(where: Path, exc: OSError) -> None:
    """The run goes on without the cache, and says so once."""
    _warn_once(
        str(where),
        "normalize: warning: gazetteer cache %s not writable (%s); running without it (NORMALIZE_CACHE=off: no cache)",
        where,
        faults.describe(exc),
    )


def _write(path: Path, entry: tuple[gz.Gazetteer, link.Index], entities: Pickled | None = None) -> OSError | None:
    """Write the entry at `path` whole, or nothing: what stopped it (a read-only home, a full disk, a file in
    the way), or None."""

    def fill(fh: BinaryIO) -> None:
        if entry[1].large:
            _dump_mapped(fh, entry, entities)
            return
        for part in entry:  # the gazetteer first: `load_gazetteer` reads no further
            pickle.dump(part, fh, protocol=pickle.HIGHEST_PROTOCOL)

    failed = cachefile.write(path, fill)
    if failed is None:
        _prune(path.parent)
    return failed


def _prune(where: Path) -> None:
    """Remove the least recently used entries beyond `KEEP` or `keep_bytes()` (a hit refreshes an entry's mtime)."""
    cachefile.prune(where, "gazetteer-*.pickle", KEEP, keep_bytes())


def keep_bytes() -> int:
    """The bytes of entries the cache keeps: `$NORMALIZE_CACHE_SIZE` in bytes or with a binary unit («2G»,
    «500M», «1.5GiB»), else `KEEP_BYTES`. A value that is not a size is said once, in a warning line, and
    the default kept: a cache setting never stops a run."""
    raw = os.environ.get(SIZE_VARIABLE, "").strip()
    if not raw:
        return KEEP_BYTES
    size = _SIZE.fullmatch(raw.upper())
    if size is None:
        _warn_once(
            f"{SIZE_VARIABLE}={raw}",
            "normalize: warning: %s=%r is not a size (bytes, or with K, M, G: «2G»); keeping %d MiB of entries",
            SIZE_VARIABLE,
            raw,
            KEEP_BYTES >> 20,
        )
        return KEEP_BYTES
    return int(float(size[1]) * _UNITS[size[2]])


def compile_gazetteers(
    dirs: Sequence[Path | str] | None = None, *, bundled: bool = True
) -> tuple[gz.Gazetteer, link.Index]:
    """The merged gazetteer of a stack (the bundled set unless `bundled` is false, then each of
    `dirs` on top) and its index, from the cache when it holds this exact stack.

    Errors in the gazetteer files (GazetteerError) are raised as by `layers.stack`:
    a stack that does not load is never cached.
    """
    path = entry_path(dirs, bundled=bundled)
    entry = None if path is None else _read(path)
    if path is not None and entry is not None:
        cachefile.touch(path)
        return entry
    entry, failed = _compile(dirs, bundled, path)
    if failed is not None and path is not None:  # the run goes on without the cache
        _unwritable(path.parent, failed)
    return entry


def entry_path(dirs: Sequence[Path | str] | None = None, *, bundled: bool = True) -> Path | None:
    """Where the cache keeps the compiled stack (`compile_gazetteers`' arguments); None with the cache off."""
    where = cache_dir()
    return None if where is None else where / f"gazetteer-{key(dirs, bundled=bundled)}.pickle"


def _compile(
    dirs: Sequence[Path | str] | None, bundled: bool, path: Path | None
) -> tuple[tuple[gz.Gazetteer, link.Index], OSError | None]:
    """Stack, compile and (with a `path`) write the entry: the entry, and what stopped the write if anything did."""
    from normalize.layers import stack  # the validator: only to compile, never on a cache hit
    from normalize.link import keyfill, keyrows
    from normalize.link.keystore import KeyStore
    from normalize.link.survey import survey
    from normalize.pickled import Pickled

    # the entities' own keys are kept per piece of a file: a change to one file of a large set generates
    # its changed entities' keys only; a large set's first compile fills the store as it stacks the set
    store = None if path is None else KeyStore(path.parent, code_digest())
    layers = command_layers(dirs or (), bundled=bundled)
    packed = None
    started = time.perf_counter()
    with keyfill.ahead(layers, store, keyrows.free_cores()) as stop_filling:
        g = stack(layers)
        log.debug("compile: stacked %d entities", len(g.entities))
        noticed = len(g.entities) >= NOTICE_MIN and multiprocessing.parent_process() is None
        if noticed:
            log.info(
                "normalize: compiling %s gazetteer entities (once: later runs with these files read the cache)",
                f"{len(g.entities):,}",
            )
        with cachefile.collector_off():  # as `link.compile_index` does: a hundred thousand objects, all kept
            facts = survey(g.entities)
        if len(g.entities) >= keyrows.PACK_MIN:
            # packed as the entry keeps them, and the objects let go before the keys are generated: the
            # forked processes unpack their own (at 1M entities the objects were 1.6 GiB of this process,
            # and counted again in each forked one)
            g = dataclasses.replace(g, entities=Pickled.of(g.entities))
        elif path is not None:
            packed = []
        processes = keyrows.process_count(len(g.entities), len(keyrows.tasks(facts.pieces)))
        if processes > 1:
            stop_filling()  # the processes that generate the keys take every core; one process leaves it one

        def meanwhile() -> None:  # beside the compile's last steps, in a thread, once the keys are generated
            stop_filling()
            if packed is not None:  # the entities as the entry keeps them
                packed.append(Pickled.of(g.entities))

        entry = (g, link.compile_index(g, store, processes=processes, meanwhile=meanwhile, facts=facts))
    failed = None
    if path is not None:
        failed = _write(path, entry, packed[0] if packed else None)
        log.debug("compile: wrote the cache entry")
    if noticed:
        log.info("normalize: compiled in %.1f s", time.perf_counter() - started)
    return entry, failed


@dataclasses.dataclass(frozen=True)
class Entry:
    """A stack's entry in the cache, as `compile_ahead` leaves it."""

    path: Path
    entities: int
    keys: int  # the index's distinct keys
    size: int  # bytes on disk
    seconds: float  # of compiling (0.0: it was there already)
    compiled: bool  # False: the cache held it already


def compile_ahead(dirs: Sequence[Path | str] | None = None, *, bundled: bool = True) -> Entry:
    """Compile a stack into the cache now (`normalize gazetteers compile`), so that the runs with these
    files, at these paths, with this version of normalize, start warm: a container image's build step, or a
    CI step before the runs. ValueError when the cache is off; `faults.IOFault` when it cannot be written
    (checked before the compile, and after)."""
    path = entry_path(dirs, bundled=bundled)
    if path is None:
        raise ValueError("the gazetteer cache is off (NORMALIZE_CACHE=off): there is nowhere to keep a compiled set")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        faults.inject("cache", path)
        if not os.access(path.parent, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as exc:
        raise faults.fault(path.parent, exc) from None
    started = time.perf_counter()
    entry = _read(path)
    compiled = entry is None
    if entry is None:
        entry, failed = _compile(dirs, bundled, path)
        if failed is not None:
            raise faults.fault(path.parent, failed)
    else:
        cachefile.touch(path)
    seconds = time.perf_counter() - started if compiled else 0.0
    g, index = entry
    return Entry(path, len(g.entities), index.n_keys, path.stat().st_size, seconds, compiled)


def load_gazetteer(dirs: Sequence[Path | str] | None = None, *, bundled: bool = True) -> gz.Gazetteer:
    """The merged gazetteer of a stack without its index: the first half of the cache entry when the
    cache holds this stack, else compiled and cached whole as by `compile_gazetteers` (without the
    cache: merged, and not indexed). The main process of a run with workers needs no more (its
    digest and size); the workers read the index themselves, and reading it here took a tenth of a
    second per run."""
    where = cache_dir()
    if where is None:
        from normalize.layers import stack

        return stack(command_layers(dirs or (), bundled=bundled))
    path = where / f"gazetteer-{key(dirs, bundled=bundled)}.pickle"
    entry = _read(path, with_index=False)
    if entry is not None:
        cachefile.touch(path)
        return entry[0]
    g = compile_gazetteers(dirs, bundled=bundled)[0]
    heap.trim()  # the index, let go (the workers read it from the entry), and what writing the entry made
    return g


def clear() -> int:
    """Remove every cache entry; returns how many were removed."""
    where = cache_dir()
    if where is None or not where.is_dir():
        return 0
    n = 0
    for p in [*where.glob("gazetteer-*.pickle"), *where.glob("keys-*.pickle")]:
        p.unlink(missing_ok=True)
        n += 1
    return n
