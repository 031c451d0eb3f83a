"""One file of the on-disk cache (`cache.py`'s compiled gazetteers, `link/keystore.py`'s key
shards): read with the collector off, written to a temporary file and renamed, kept by recent use.
A cache file is never needed: what cannot be read is compiled again, what cannot be written is left out."""

from __future__ import annotations

import contextlib
import gc
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from normalize import faults

TEMP_PREFIX = ".tmp-"  # a write in progress (`write`)
STALE = 3600  # seconds after which a temporary file is a write that never finished (`prune`)
# seconds during which a file just written or read may be about to be opened by another process (a run's
# workers open the cache entry its main process wrote): `prune` keeps it, whatever its size
IN_USE = 300


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """The cyclic collector paused: while a hundred thousand objects are unpickled it would walk the
    growing heap again and again (loading takes a third of the time without it)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def write(path: Path, fill: Callable[[BinaryIO], None]) -> OSError | None:
    """Write `path` whole or not at all (`fill` writes into a temporary file, renamed into place);
    the OS error that stopped it, if one did (a read-only or full disk, a file in the way). Any other
    failure leaves no file either, and is not an error: the cache is only ever a shortcut."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".pickle", dir=path.parent)
    except OSError as exc:
        return exc
    try:
        with os.fdopen(fd, "wb") as fh:
            faults.inject("cache", path)
            fill(fh)
        os.replace(tmp, path)
    except Exception as exc:  # a disk that filled up, or an entry that does not pickle: no file
        Path(tmp).unlink(missing_ok=True)
        return exc if isinstance(exc, OSError) else None
    return None


def touch(path: Path) -> None:
    """Mark `path` recently used: `prune` keeps it."""
    try:
        os.utime(path)
    except OSError:
        pass


def prune(where: Path, pattern: str, keep: int, keep_bytes: int | None = None) -> None:
    """Remove the least recently used files matching `pattern` in `where` beyond `keep`, or beyond
    `keep_bytes` in all (the most recent is always kept, and any used in the last `IN_USE` seconds), and
    the temporary files of writes that never finished (`STALE` seconds old or more)."""
    try:
        now = time.time()
        stats = sorted(((p, p.stat()) for p in where.glob(pattern)), key=lambda ps: ps[1].st_mtime, reverse=True)
        total = 0
        for i, (old, st) in enumerate(stats):
            total += st.st_size
            over = i > 0 and keep_bytes is not None and total > keep_bytes and now - st.st_mtime >= IN_USE
            if i >= keep or over:
                old.unlink(missing_ok=True)
        # a process killed mid-write (a stopped key fill, a run killed with SIGKILL) leaves its temporary
        # file; one this old is no other process's write in progress
        for tmp in where.glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(FileNotFoundError):
                if now - tmp.stat().st_mtime >= STALE:
                    tmp.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned first
