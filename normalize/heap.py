"""Freed memory handed back to the system.

glibc keeps what a process frees in its heap for the next allocation, so after a large compile the process
stays at its high-water mark: at 100k entities 170 MiB of rows, joined and freed, stayed resident in the
main process, and each forked process kept the lists a task had freed. `trim` returns the free pages
(glibc's `malloc_trim`, which since glibc 2.8 releases them from the middle of the heap too, not only its
top). Elsewhere (musl, macOS, Windows) it does nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # here: a run that reads a compiled set from the cache never trims, nor pays for the import
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)  # glibc's; musl has none


def trim() -> bool:
    """Give the C heap's free pages back to the system, after a phase that freed much; whether any were."""
    release = _malloc_trim()
    return bool(release(0)) if release is not None else False
