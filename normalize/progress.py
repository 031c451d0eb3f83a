"""Terminal output for people: a progress bar, the closing summary, colours, and the notices of a long
gazetteer compile.

The bar is drawn on stderr only when stderr is a terminal, CI is not set and the
run is not --quiet; otherwise nothing is drawn, so logs stay clean. It counts the
records as the pipeline takes them, and once every record is taken (with several
workers, that happens early) it shows that the rest is processing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from normalize.dedup import ClusterSummary

T = TypeVar("T")

# ANSI colours per entity type (foreground), used by `explain` and the summary
TYPE_COLOURS = {
    "country": "32",
    "region": "36",
    "city": "36",
    "place": "36",
    "agency": "34",
    "organization": "35",
    "person": "33",
    "media": "90",
    "event": "31",
}


@contextlib.contextmanager
def notices(enabled: bool = True, stream: IO[str] | None = None) -> Iterator[None]:
    """Within: what the gazetteer cache tells a person (`normalize.cache` at INFO: that a large set is being
    compiled, and how long it took; its warnings) written to `stream` (stderr), one line each, as they come.
    A library caller sees none of it unless it sets up logging."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("normalize.cache")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.setLevel(logging.INFO)
    level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def interactive(stream: IO[str] | None = None) -> bool:
    """A person is watching: a terminal, not CI, not TERM=dumb."""
    stream = stream or sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


def use_colour(stream: IO[str] | None = None, mode: str = "auto") -> bool:
    """Colour when asked (always), never when told (never, NO_COLOR), else on a terminal."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


# the few nouns whose plural is not noun + "s"
PLURALS = {"entity": "entities", "copy": "copies"}


def plural(n: int, noun: str) -> str:
    """The noun in the number `n` takes: document for 1, documents for 0 or 2, entities for 5."""
    return noun if n == 1 else PLURALS.get(noun, noun + "s")


def counted(n: int, noun: str) -> str:
    """`n` and the noun in the number it takes: "1 document", "2 documents", "0 entities"."""
    return f"{n} {plural(n, noun)}"


def paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on and code else text


class Progress:
    """A one-line progress bar on stderr, redrawn by a thread (so it moves while workers run)."""

    def __init__(self, total: int, label: str = "document", enabled: bool | None = None, stream: IO[str] | None = None):
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = interactive(self.stream) if enabled is None else enabled
        self.done = 0
        self.phase = "reading"
        self.started = time.perf_counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Pass items through, counting them."""
        for item in items:
            self.done += 1
            yield item
        self.phase = "processing"

    def line(self, width: int = 30) -> str:
        elapsed = time.perf_counter() - self.started
        if self.total:
            frac = min(self.done / self.total, 1.0)
            filled = int(frac * width)
            bar = "█" * filled + "░" * (width - filled)
            count = f"{self.done}/{counted(self.total, self.label)}"
        else:
            bar, count = "", counted(self.done, self.label)
        rate = f"{self.done / elapsed:.0f}/s" if elapsed > 0.5 and self.done else ""
        parts = ["normalize", bar, count, rate, f"{elapsed:.1f}s"]
        if self.phase == "processing":
            parts.append("— processing")
        return " ".join(p for p in parts if p)

    def _draw(self) -> None:
        try:
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()
        except (OSError, ValueError):
            self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self._draw()

    def close(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            try:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            except (OSError, ValueError):
                pass


def summary(
    overview,
    elapsed: float,
    out: object = None,
    top: int = 8,
    unlinked: list[tuple[str, int]] | None = None,
    colour: bool = False,
    processed: int | None = None,
    reused: int = 0,
) -> str:
    """The closing summary of a run's `overview.Overview`: counts, mentions per type, top entities,
    unlinked candidates, rejects, edits, time and throughput.

    `processed`, when given, is the number of records this run processed: with none (every
    record reused from an earlier run, say) there is no throughput to show, but what was reused."""
    o = overview
    if processed == 0:
        rate = "nothing processed" + (f", {counted(reused, 'record')} reused from an earlier run" if reused else "")
    else:
        rate = f"{o.n_chars / elapsed:,.0f} chars/s, {o.documents / elapsed:,.1f} docs/s" if elapsed > 0 else ""
    target = f" → {out}" if out is not None else ""
    bold = "1"
    figures = ((o.documents, "document"), (o.rejects.height, "reject"), (o.edits, "edit"), (o.mentions, "mention"))
    counts = ", ".join(counted(n, noun) for n, noun in figures)
    lines = [paint(f"normalize: {counts} in {elapsed:.2f}s ({rate}){target}", bold, colour)]
    if o.mentions_by_type:
        lines.append(
            "  mentions by type: "
            + ", ".join(paint(f"{t} {n}", TYPE_COLOURS.get(t, ""), colour) for t, n in o.mentions_by_type)
        )
    if o.entities:
        lines.append("  top entities: " + ", ".join(f"{name} {n}" for name, _t, n in o.entities[:top]))
    if unlinked:
        lines.append(
            "  unlinked candidates: "
            + ", ".join(f"{name} {n}" for name, n in unlinked[:top])
            + "  (normalize suggest IN for YAML stubs)"
        )
    for reason, n in o.rejects_by_reason[:5]:
        lines.append(f"  rejected {n}: {reason}")
    if o.edits_by_step:
        lines.append("  edits: " + ", ".join(f"{s} {n}" for s, n in o.edits_by_step[:6]))
    if o.dedup is not None and o.dedup.clusters:
        lines.append(f"  near-duplicates: {duplicates_line(o.dedup)}")
    return "\n".join(lines)


def duplicates_line(clusters: ClusterSummary) -> str:
    """A `dedup.ClusterSummary` in words: «3 duplicates in 2 clusters; largest: a and 2 copies (b, c)»."""
    head, *copies = clusters.example
    more = ", …" if clusters.largest_size > len(clusters.example) else ""
    return (
        f"{counted(clusters.duplicates, 'duplicate')} in {counted(clusters.clusters, 'cluster')}; largest: {head} "
        f"and {counted(clusters.largest_size - 1, 'copy')} ({', '.join(copies)}{more})"
    )
