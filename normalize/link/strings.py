"""Many short strings kept as one: a compile's millions of key forms as one `str` and their offsets.

At 100k entities a compile makes 2.7M forms; as Python strings they took 281 MiB of the main process and
were pickled one by one from the processes that made them. Joined they take a third of that, pickle as
one, and are encoded for a key table (`encode`, as `columns.encode` encodes a list) in slices, without
making a string a form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from normalize.link import columns as col
from normalize.link.folding import fold_all

_SLICE = 1 << 18  # forms read at once by `take` and `folded`


@dataclass(frozen=True)
class Strings:
    """Strings i is text[at[i]:at[i + 1]]."""

    text: str
    at: Any  # numpy int64, one more than the strings

    @classmethod
    def of(cls, strings: Sequence[str]) -> Strings:
        return cls("".join(strings), col.offsets(strings))

    @classmethod
    def join(cls, parts: Sequence[Strings]) -> Strings:
        """The strings of each part, in order."""
        import numpy as np

        if not parts:
            return cls.of(())
        shifts = np.cumsum([0] + [len(p.text) for p in parts[:-1]])
        ends = [parts[-1].at[-1:] + shifts[-1]]
        at = np.concatenate([p.at[:-1] + s for p, s in zip(parts, shifts, strict=True)] + ends)
        return cls("".join(p.text for p in parts), at)

    def __len__(self) -> int:
        return len(self.at) - 1

    def __getitem__(self, i: int) -> str:
        return self.text[int(self.at[i]) : int(self.at[i + 1])]

    def reordered(self, order: Any) -> Reordered:
        """The strings at the positions `order` (numpy integers), in that order, read through it: no string
        copied (a compile's 2.7M forms at 100k entities took half a second to copy, and 100 MiB)."""
        return Reordered(self, order)

    def folded(self, order: Any) -> col.Joined:
        """The strings at `order`, folded (`folding.fold`), as code points: folded together, a call a slice,
        not a string, and no string made of each."""
        import numpy as np

        points, lengths = [np.zeros(0, dtype=np.uint16)], [np.zeros(0, dtype=np.int64)]
        for batch in self._slices(order):
            parts = fold_all(batch)
            points.append(col.code_points("".join(parts)))
            lengths.append(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
        at = np.zeros(sum(map(len, lengths)) + 1, dtype=np.int64)
        np.cumsum(np.concatenate(lengths), out=at[1:])
        return col.Joined(np.concatenate(points), at)

    def _slices(self, order: Any) -> Any:
        """The strings at `order`, `_SLICE` at a time, each slice a list."""
        at, text = self.at, self.text
        for i in range(0, len(order), _SLICE):
            part = order[i : i + _SLICE]
            yield [text[s:e] for s, e in zip(at[part].tolist(), at[part + 1].tolist(), strict=True)]

    def encode(self, order: Any = None) -> tuple[str, Any, Any]:
        """`columns.encode` of the strings (those at `order`, in that order): numpy gathers their code points a
        slice at a time (`columns.Joined.gather`); no string is made a form."""
        return col.encode(col.Joined(col.code_points(self.text), self.at), order)


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
