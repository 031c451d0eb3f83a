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


@dataclass(frozen=True)
class Strings:
    """String i is the code points points[at[i]:at[i + 1]]."""

    points: Any  # numpy uint16 or uint32 (`columns.code_points`)
    at: Any  # numpy int64, one more than the strings

    @classmethod
    def of(cls, strings: Sequence[str]) -> Strings:
        return cls(col.code_points("".join(strings)), col.offsets(strings))

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

    def folded(self, order: Any) -> col.Joined:
        """The strings at `order`, folded (`folding.fold`), as code points: folded together, a call a slice,
        not a string, and no string made of each."""
        import numpy as np

        joined = col.Joined(self.points, self.at)
        points, lengths = [np.zeros(0, dtype=np.uint16)], [np.zeros(0, dtype=np.int64)]
        for i in range(0, len(order), _SLICE):
            parts = fold_all(joined.take(order[i : i + _SLICE]).strings())
            points.append(col.code_points("".join(parts)))
            lengths.append(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
        at = np.zeros(sum(map(len, lengths)) + 1, dtype=np.int64)
        np.cumsum(np.concatenate(lengths), out=at[1:])
        return col.Joined(np.concatenate(points), at)

    def encode(self, order: Any = None) -> tuple[str, Any, Any]:
        """`columns.encode` of the strings (those at `order`, in that order): numpy gathers their code points a
        slice of strings at a time (`columns.Joined.gather`); no string is made a form."""
        return col.encode(col.Joined(self.points, self.at), order)


@dataclass(frozen=True)
class Reordered:
    """`strings` at the positions `order`: string i is strings[order[i]] (`Strings.reordered`)."""

    strings: Strings
    order: Any  # numpy integers

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i: int) -> str:
        return self.strings[int(self.order[i])]

    def folded(self, order: Any) -> col.Joined:
        """`Strings.folded` of the strings at `order`."""
        return self.strings.folded(self.order[order])

    def encode(self, order: Any = None) -> tuple[str, Any, Any]:
        """`Strings.encode` of the strings (those at `order`)."""
        return self.strings.encode(self.order if order is None else self.order[order])
