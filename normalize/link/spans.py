"""Spans taken so far in a text, for the overlap queries of every tier."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable


def _span_start(span: tuple[int, int, object]) -> int:
    return span[0]


class Spans:
    """Spans taken so far, sorted by start: an overlap query costs a bisect, not a scan,
    so a document dense with names stays linear (spans are short: at most `longest`)."""

    def __init__(self, spans: Iterable[tuple[int, int, object]] = ()) -> None:
        # sorted at once (stable: spans with one start keep their order, as `add` keeps it)
        self.items: list[tuple[int, int, object]] = sorted(spans, key=_span_start)
        self.starts: list[int] = [s for s, _e, _item in self.items]
        self.longest = max((e - s for s, e, _item in self.items), default=0)

    def add(self, start: int, end: int, item: object = None) -> None:
        """Take [start, end), with `item` to return from `overlapping`."""
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.items.insert(i, (start, end, item))
        self.longest = max(self.longest, end - start)

    def overlapping(self, start: int, end: int) -> list[object]:
        """The items of the spans that overlap [start, end), by start."""
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [item for s, e, item in self.items[lo:hi] if s < end and start < e]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether any span taken overlaps [start, end)."""
        return bool(self.overlapping(start, end))
