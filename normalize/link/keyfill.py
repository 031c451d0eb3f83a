"""The key store filled ahead: while a compile stacks and surveys a large set (`layers.stack`, `survey`),
work for one core, a forked process reads the set's files on the other core and keeps their entities'
own keys (`keys.own_keys`) in the key store (`keystore.KeyStore.fill`). The compile then finds those
kept, as a compile after a change to one file finds the others'.

It reads each file as the validator does (`gazetteer_validator.read_file`) and cuts it into the pieces
the merged set will have if its entities are all new, in their order (`keystore.pieces`). Where the
merge makes them otherwise (an update, a merge, names that the set implies), a shard holds keys the
compile does not ask for, or lacks some it does: those are generated, as any not kept. The store holds
keys by all that they are made of (`keys.own_fingerprint`), so a key filled ahead is never wrong.

It fills the set from its end, as the compile generates it from its start. A set large enough for
forked processes (`keyrows.PARALLEL_MIN`) stops it before they start, as they take every core: what it
filled is their last tasks, so the two end together (the first take longest). A smaller set's keys are
generated in the compiling process, on one core: the filling goes on beside it, and the two meet (the
filling then finds the rest kept, and ends). Stopped, it keeps the piece it was in as far as it went.
A file it cannot read, an entity it cannot make, a shard it cannot write: the compile makes those keys
itself, as it would have without it.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from normalize.gazetteer import Entity, Layer
from normalize.gazetteer_sets import entity_of, set_files
from normalize.gazetteer_validator import Findings, read_file
from normalize.link.keystore import KeyStore
from normalize.link.survey import as_written

log = logging.getLogger(__name__)

# the files' bytes from which a compile fills ahead: about 10k entities (below, the stack takes too
# little time for a second process to start, read a file and fill a piece of it before it ends)
FILL_MIN_BYTES = 1_000_000
STOP_WAIT = 10.0  # seconds to wait for the filling process to keep its last piece, after it is asked to stop


def files_of(layers: Sequence[Layer]) -> list[Path]:
    """The gazetteer files of a stack, in the order `layers.stack` reads them (`gazetteer_sets.set_files`;
    what it cannot walk, the stack reports)."""
    return [f for layer in layers for f in set_files(layer.paths, Findings())]


def entities_of(path: Path) -> list[Entity]:
    """The entities of one gazetteer file that read cleanly on their own, as the stack names their file
    (`str(path)`: their pieces' labels) and written as cleaned texts write them (`survey.as_written`); one
    that only updates or drops another's (no name) is left out."""
    entries, _rules = read_file(path, str(path), Findings())
    out: list[Entity] = []
    for entry in entries:
        values = entry.values
        if entry.clean and "type" in values and "name" in values and not values.get("drop"):
            out.append(as_written(entity_of(entry)))  # as the compile makes its keys (`survey.Survey.named`)
    return out


@contextlib.contextmanager
def ahead(layers: Sequence[Layer], store: KeyStore | None, cores: int) -> Iterator[Callable[[], None]]:
    """Fill `store` with the own keys of the stack's entities in a forked process while the body runs
    (on a spare core: `cores` free for a compile, `keyrows.free_cores`), for a stack of `FILL_MIN_BYTES`
    or more; stopped, and its last piece kept, when the body ends or calls the function it is given
    (before it forks processes of its own onto the cores)."""
    files = files_of(layers) if store is not None and cores > 1 else []
    if not files or sum(_size(f) for f in files) < FILL_MIN_BYTES:
        yield lambda: None
        return
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    made = context.Value("q", 0, lock=False)  # entities whose keys it made, for the log
    args = (files, store, stop.is_set, made)
    filler = context.Process(target=_fill, args=args, name="normalize-keyfill", daemon=True)
    filler.start()

    def stop_filling() -> None:
        if stop.is_set():
            return
        stop.set()
        filler.join(STOP_WAIT)
        if filler.is_alive():  # a shard is renamed into place whole: none is left half-written
            filler.terminate()
            filler.join()
        log.debug("compile: filled the key store ahead with %d entities' keys", made.value)

    try:
        yield stop_filling
    finally:
        stop_filling()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _fill(files: Sequence[Path], store: KeyStore, stop: Callable[[], bool], made: Any) -> None:
    # Ctrl-C reaches the whole process group: the compile stops this process, which must not print a
    # traceback of its own; and whatever goes wrong here, the compile makes those keys itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # what it makes, it keeps (keys, and the case forms of every word it meets) until it exits: the cyclic
    # collector would walk that growing heap again and again, as in the processes that generate the keys
    gc.disable()
    for path in reversed(files):
        if stop():
            return
        with contextlib.suppress(Exception):  # the stack reports what is wrong with the file
            made.value += store.fill(entities_of(path), stop)
