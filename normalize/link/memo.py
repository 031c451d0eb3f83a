"""What linking learns while it runs, kept for the next texts: a `Linker`'s memos.

News repeat their unknown and Latin names, and most capitalised words are nothing: what the typo
and transliteration tiers made of a word, and the nearest key to it, are worked out once per run.
Every memo holds what a pure function of the word and the index gives, so a memo never changes a
result, only how soon it comes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")

MEMO_SIZE = 100_000  # entries per memo; a full memo starts again empty (a bound on memory, not a cache policy)


class Memo:
    """The memos of one Linker (each one index's)."""

    def __init__(self) -> None:
        # (word, cutoff, by letter, max length difference) → the nearest one-word key, its score and entity
        self.nearest: dict[tuple[str, float, bool, int | None], tuple[str, float, int] | None] = {}
        # (prefix, shortest, longest + 1, by letter) → those blocks' keys (`BlockKeys.block`, `NearKeys.block`)
        self.blocks: dict[tuple[str, int, int, bool], Any] = {}
        # person → the folded forms of their surname candidates, and (nominative, form) of each
        self.surnames: dict[int, tuple[list[str], list[tuple[str, str]]]] = {}
        # a capitalised word → (entity, score) of the one-word key it is a typo of, or None
        self.typos: dict[str, tuple[int, float] | None] = {}
        # a Latin name → (entity, score) of the key it transliterates close to, or None
        self.translits: dict[str, tuple[int, float] | None] = {}


def remember(memo: dict[K, V], key: K, make: Callable[..., V], *args: Any) -> V:
    """`memo[key]`, made by `make(*args)` the first time."""
    if key not in memo:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[key] = make(*args)
    return memo[key]
