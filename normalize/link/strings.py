"""Many short strings kept as one: a compile's millions of key forms as their code points and offsets.

At 100k entities a compile makes 2.7M forms; as Python strings they took 281 MiB of the main process and
were pickled one by one from the processes that made them. As code points (`columns.code_points`: two
bytes a character where all are in the BMP) they take a third of that, pickle as one array, and are
encoded for a key table (`encode`, as `columns.encode` encodes a list) without being copied: at 1M
entities the forms were kept as one string, and its points copied to encode them (460 MiB more at the
compile's peak).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from normalize.link import columns as col
from normalize.link.folding import fold_all

_SLICE = 1 << 18  # forms read at once by `folded`


@dataclass(frozen=True, eq=False)
class Strings(col.Joined):
    """Strings as their code points and offsets (a `columns.Joined`), read one by one, joined, reordered,
    folded and encoded."""

    @classmethod
    def of(cls, strings: Sequence[str]) -> Strings:
        joined = col.join(strings)
        return cls(joined.points, joined.at)

    @classmethod
    def join(cls, parts: Sequence[Strings]) -> Strings:
        """The strings of each part, in order."""
        import numpy as np

        if not parts:
            return cls.of(())
        shifts = np.cumsum([0] + [len(p.points) for p in parts[:-1]])
        ends = [parts[-1].at[-1:] + shifts[-1]]
        at = np.concatenate([p.at[:-1] + s for p, s in zip(parts, shifts, strict=True)] + ends)
        return cls(np.concatenate([p.points for p in parts]), at)

    def __len__(self) -> int:
        return len(self.at) - 1

    def __getitem__(self, i: int) -> str:
        return col.text_of(self.points[int(self.at[i]) : int(self.at[i + 1])])

    def reordered(self, order: Any) -> Reordered:
        """The strings at the positions `order` (numpy integers), in that order, read through it: no string
        copied (a compile's 2.7M forms at 100k entities took half a second to copy, and 100 MiB)."""
        return Reordered(self, order)

    def folded(self, order: Any) -> Strings:
        """The strings at `order`, folded (`folding.fold`): folded together, a call a slice, not a string."""
        slices = range(0, len(order), _SLICE)
        return Strings.join([Strings.of(fold_all(self.take(order[i : i + _SLICE]).strings())) for i in slices])

    def encode(self, order: Any = None) -> tuple[str, Any, Any]:
        """`columns.encode` of the strings (those at `order`, in that order): numpy gathers their code points a
        slice of strings at a time (`columns.Joined.gather`); no string is made a form."""
        return col.encode(self, order)


@dataclass(frozen=True)
class Reordered:
    """`strings` at the positions `order`: string i is strings[order[i]] (`Strings.reordered`)."""

    strings: Strings
    order: Any  # numpy integers

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i: int) -> str:
        return self.strings[int(self.order[i])]

    def folded(self, order: Any) -> Strings:
        """`Strings.folded` of the strings at `order`."""
        return self.strings.folded(self.order[order])

    def encode(self, order: Any = None) -> tuple[str, Any, Any]:
        """`Strings.encode` of the strings (those at `order`)."""
        return self.strings.encode(self.order if order is None else self.order[order])
