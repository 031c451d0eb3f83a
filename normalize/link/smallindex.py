"""The index's structures for a small gazetteer (the bundled set, a typical user's): every key in one
Aho–Corasick automaton, and the near keys as lists by block. Pure Python and pyahocorasick: no numpy is
imported, and a short text costs no fixed per-call overhead, where the key table (`keytable`, `nearkeys`)
pays numpy's on every text and wins only once the keys are many (`index.KEY_TABLE_MIN`). Both answer the
same questions with the same answers (`tests/test_keytable.py` compares them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ahocorasick

from normalize.link.folding import bounded
from normalize.link.records import Candidate

if TYPE_CHECKING:
    from normalize.link.nearkeys import Words


@dataclass(frozen=True, eq=False)
class AutomatonKeys:
    """Folded keys and their readings in one automaton over `folding.bounded` keys: bounded key → (its
    length less the two padding spaces, ((folded key, readings), …))."""

    automaton: ahocorasick.Automaton
    n_keys: int

    def hits(self, folded: str) -> Iterator[tuple[int, int, tuple[Candidate, ...]]]:
        """(start, end, readings) of every key in a folded text where it stands whole; by end, longest first."""
        # in the bounded text, position i + 1 is position i of the text
        for end_idx, (length, keys) in self.automaton.iter(bounded(folded)):
            end = end_idx - 1
            start = end - length
            for key, cands in keys:
                if folded[start:end] == key:
                    yield start, end, cands

    def has(self, key: str) -> bool:
        """Whether a folded form is a key."""
        found = self.automaton.get(bounded(key), None)
        return found is not None and any(k == key for k, _cands in found[1])

    def items(self) -> Iterator[tuple[str, tuple[Candidate, ...]]]:
        """Every (folded key, readings)."""
        for _length, keys in self.automaton.values():
            yield from keys


def automaton_keys(slots: Iterable[tuple[str, tuple[Candidate, ...]]]) -> AutomatonKeys:
    """The automaton of (folded key, readings) pairs."""
    automaton = ahocorasick.Automaton()
    by_word: dict[str, list[tuple[str, tuple[Candidate, ...]]]] = {}
    n = 0
    for key, cands in slots:
        by_word.setdefault(bounded(key), []).append((key, cands))
        n += 1
    for word, keys in by_word.items():
        automaton.add_word(word, (len(word) - 2, tuple(keys)))
    if by_word:
        automaton.make_automaton()
    return AutomatonKeys(automaton, n)


@dataclass(frozen=True, eq=False)
class BlockKeys:
    """The one-word keys the typo and transliteration tiers compare words with, as lists: typo blocks by
    first two letters and length («ки10»), transliteration blocks by first letter and length («к10»)."""

    typo_blocks: dict[str, list[str]]
    translit_blocks: dict[str, list[str]]
    owners: dict[str, int]  # the entity each key names
    n_typo: int  # how many keys typos are compared with

    def block(self, prefix: str, lengths: range, by_letter: bool) -> list[str]:
        """The keys of a prefix's blocks of `lengths`, joined in length order."""
        blocks = self.translit_blocks if by_letter else self.typo_blocks
        return [k for n in lengths for k in blocks.get(f"{prefix}{n}", ())]

    def nearest(self, word: str, block: Sequence[str], cutoff: float) -> list[tuple[str, float, int]]:
        """The two keys of `block` nearest `word` at `cutoff` or more (rapidfuzz ratio), with their entities."""
        if not block:
            return []
        from rapidfuzz import fuzz, process

        best = process.extract(word, block, scorer=fuzz.ratio, score_cutoff=cutoff, limit=2)
        return [(k, score, self.owners[k]) for k, score, _i in best]


def block_keys(words: Words) -> BlockKeys:
    """The near keys (`nearkeys.Words`) as lists by block: typo blocks by «ки10» (first two letters and
    length), transliteration blocks by «к10», each the «к…10» blocks joined in the order `sorted` gives them,
    each block's keys in the keys' order."""
    translit: dict[str, list[str]] = {}
    typo: dict[str, list[str]] = {}
    owners: dict[str, int] = {}
    for key, nothing, owner in zip(words.joined.strings(), words.typo.tolist(), words.owner.tolist(), strict=True):
        block = f"{key[:2]}{len(key)}"
        translit.setdefault(block, []).append(key)
        if nothing:
            typo.setdefault(block, []).append(key)
        owners[key] = owner
    by_letter: dict[str, list[str]] = {}
    for prefix, keys in sorted(translit.items()):
        by_letter.setdefault(prefix[:1] + prefix[2:], []).extend(keys)
    typo_blocks = typo
    return BlockKeys(typo_blocks, by_letter, owners, sum(map(len, typo_blocks.values())))
