"""Traced text: apply replacements in passes and map offsets back to the raw text.

Every stage that changes a document (clean, fix) does so through `TracedText.apply`,
which records the change as an edit (with offsets into the raw decoded text) and
keeps what is needed to map any later offset back to the raw input. Passes are
kept as sorted arrays, so mapping an offset costs a bisect per pass.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """Replace text[start:end] with `text`; `step` names the rule or cleaning step."""

    start: int
    end: int
    text: str
    step: str


@dataclass
class Pass:
    """One pass of non-overlapping changes, in the coordinates before and after it."""

    old_starts: list[int]
    old_ends: list[int]
    new_starts: list[int]
    new_ends: list[int]

    def back(self, pos: int, side: str, whole: bool = False) -> int:
        """Map an offset after this pass to the offset before it.

        side="start" maps into the replaced span's start, "end" to its end, so that a
        span [start, end) maps to a span covering what the replacement came from. Inside a
        same-length replacement an offset maps char by char, unless `whole`: an edit's span
        must hold an earlier edit whole or not at all, never cut through it.
        """
        i = bisect_right(self.new_starts, pos) - 1
        if i < 0:
            return pos
        ns, ne, os_, oe = self.new_starts[i], self.new_ends[i], self.old_starts[i], self.old_ends[i]
        if pos > ne:
            return oe + (pos - ne)
        if pos == ns and side == "end" and ne > ns:
            return os_  # an end just before the replacement stays before it
        if pos == ne:
            # just after the replacement; for a pure deletion an end stays before it
            return os_ if (ns == ne and side == "end") else oe
        if ne - ns == oe - os_ and not whole:  # same-length replacement: map char by char
            return os_ + (pos - ns)
        return os_ if side == "start" else oe


@dataclass
class Edit:
    """A change as reported in the `edits` table: offsets into the raw decoded text."""

    step: str
    before: str
    after: str
    start: int
    end: int


@dataclass
class TracedText:
    """A document's text with the history of changes made to it since decoding."""

    text: str
    passes: list[Pass] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)

    def to_raw(self, pos: int, side: str = "start", whole: bool = False) -> int:
        for p in reversed(self.passes):
            pos = p.back(pos, side, whole)
        return pos

    def apply(self, changes: list[Change]) -> None:
        """Apply non-overlapping changes (any order) in one pass; no-op changes are skipped."""
        changes = sorted(
            (c for c in changes if self.text[c.start : c.end] != c.text),
            key=lambda c: (c.start, c.end),
        )
        if not changes:
            return
        parts: list[str] = []
        old_starts: list[int] = []
        old_ends: list[int] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        cursor = 0
        length = 0
        for c in changes:
            if c.start < cursor:
                raise ValueError(f"overlapping changes at {c.start} ({c.step})")
            parts.append(self.text[cursor : c.start])
            length += c.start - cursor
            old_starts.append(c.start)
            old_ends.append(c.end)
            new_starts.append(length)
            parts.append(c.text)
            length += len(c.text)
            new_ends.append(length)
            self.edits.append(
                Edit(
                    step=c.step,
                    before=self.text[c.start : c.end],
                    after=c.text,
                    start=self.to_raw(c.start, "start", whole=True),
                    end=self.to_raw(c.end, "end", whole=True),
                )
            )
            cursor = c.end
        parts.append(self.text[cursor:])
        self.text = "".join(parts)
        self.passes.append(Pass(old_starts, old_ends, new_starts, new_ends))
