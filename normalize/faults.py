"""Faults of the environment: a disk that fills up, a read-only or vanished OUT, an unreadable file.

A run that cannot read or write while running stops with an `IOFault`: one line naming the
path and the cause, exit 3 on the command line; the checkpoints already written stay, so the
same command run again resumes. Both kinds of error the writers raise are recognised: an
`OSError` (from Python, or from polars without its errno set) and a polars error that wraps
one (`ComputeError: ... No space left on device (os error 28)`). Every place that writes into
OUT does so inside `writing(path)`, which turns either into an `IOFault` naming that path,
in a worker process as well (an `IOFault` pickles, so it crosses the process pool whole).

`NORMALIZE_IO_FAULT` makes those places fail as the environment would (tests only): a
comma-separated list of `POINT[#N]=ERRNO[:polars]`, e.g. `part#3=ENOSPC` (the third and every
later checkpoint part this process writes meets a full disk), `write:documents.parquet=ENOSPC:polars`
(the table's writer fails as polars reports it), `read:doc7.txt=EACCES`, `cache=EROFS`. Points:
`out` (the probe of OUT when a run starts), `part` (a checkpoint part), `write:NAME` (a file
written atomically into OUT or its state folder), `read:NAME` (an input file), `cache` (a
compiled-gazetteer cache entry).
"""

from __future__ import annotations

import errno as errnos
import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

ENV = "NORMALIZE_IO_FAULT"
_OS_ERROR = re.compile(r"\(os error (\d+)\)")
_passes: Counter = Counter()  # how often this process reached each injection point


class IOFault(Exception):
    """The run could not read or write `path` while running (exit 3); run again to resume."""

    def __init__(self, path: str | Path, cause: str, code: int | None = None) -> None:
        super().__init__(str(path), cause, code)  # the args rebuild it when it is unpickled

    @property
    def path(self) -> str:
        return self.args[0]

    @property
    def cause(self) -> str:
        return self.args[1]

    @property
    def errno(self) -> int | None:
        return self.args[2]

    def __str__(self) -> str:
        return f"{self.path}: {self.cause}"


def errno_of(exc: BaseException) -> int | None:
    """The OS error number behind an I/O failure, also when polars wraps it; None if there is none."""
    if isinstance(exc, OSError) and exc.errno:
        return exc.errno
    if isinstance(exc, (OSError, pl.exceptions.PolarsError)):
        found = _OS_ERROR.search(str(exc))
        if found:
            return int(found.group(1))
        for code in (errnos.ENOSPC, errnos.EDQUOT, errnos.EROFS, errnos.EACCES, errnos.EIO, errnos.ENOENT):
            if os.strerror(code) in str(exc):
                return code
    return None


def describe(exc: BaseException) -> str:
    """The cause of an I/O failure in a few words: «No space left on device»."""
    code = errno_of(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if code is not None:
        return os.strerror(code)
    return str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__


def is_io(exc: BaseException) -> bool:
    """Whether exc is a failure of the environment (an OSError, or a polars error wrapping one)."""
    return isinstance(exc, OSError) or errno_of(exc) is not None


def fault(path: str | Path, exc: BaseException, verb: str = "write") -> IOFault:
    """The `IOFault` for exc met while reading or writing path."""
    return IOFault(path, f"cannot {verb}: {describe(exc)}", errno_of(exc))


@contextmanager
def writing(path: str | Path, verb: str = "write") -> Iterator[None]:
    """Turn an I/O failure inside the block into an `IOFault` naming path; other errors pass."""
    try:
        yield
    except IOFault:
        raise
    except (OSError, pl.exceptions.PolarsError) as exc:
        if not is_io(exc):
            raise  # a polars error that is not about the disk: a bug, not the environment
        raise fault(path, exc, verb) from exc


def _spec() -> dict[str, tuple[int, int, bool]]:
    """NORMALIZE_IO_FAULT parsed: point → (from which pass, errno, as polars reports it)."""
    found: dict[str, tuple[int, int, bool]] = {}
    for entry in filter(None, (e.strip() for e in os.environ.get(ENV, "").split(","))):
        point, _, what = entry.rpartition("=")
        point, _, nth = point.partition("#")
        name, _, flavour = what.partition(":")
        found[point] = (int(nth or 1), getattr(errnos, name), flavour == "polars")
    return found


def inject(point: str, path: str | Path) -> None:
    """Fail here as the environment would, when NORMALIZE_IO_FAULT names this point (tests only)."""
    if ENV not in os.environ:
        return
    spec = _spec().get(point)
    if spec is None:
        return
    _passes[point] += 1
    first, code, polars = spec
    if _passes[point] < first:
        return
    if polars:
        raise pl.exceptions.ComputeError(
            f"parquet: File out of specification: underlying IO error: {os.strerror(code)} (os error {code})"
        )
    raise OSError(code, os.strerror(code), str(path))


def reset() -> None:
    """Forget how often each point was reached: `#N` counts from the next run on (tests in one process)."""
    _passes.clear()
