"""The Linker: the tiers in order over one text, with the memos of a run."""

from __future__ import annotations

from normalize.link.coref import corefer
from normalize.link.folding import fold
from normalize.link.fuzzy import fuzzy_names, typos
from normalize.link.index import Index
from normalize.link.memo import Memo
from normalize.link.records import Found
from normalize.link.resolve import resolve
from normalize.link.scan import scan, select
from normalize.link.translit import glossed, transliterated


class Linker:
    """Finds the mentions in texts with one index. Hold one per run (or worker) and pass it every text:
    what the slow tiers make of each word is remembered for the next texts (`memo.Memo`)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.memo = Memo()

    def find(self, text: str) -> list[Found]:
        """All linked mentions in a text, sorted by offset."""
        if not text or not self.index.entities:  # a set of rules only (or nothing) links nothing
            return []
        index, memo = self.index, self.memo
        folded = fold(text)
        hits = select(scan(text, folded, index), index)
        found = resolve(hits, index, text)
        # each later tier fills only what the earlier ones left free, and may build on what they found
        found += fuzzy_names(text, found, index, memo)
        found += glossed(text, found, index)
        found += corefer(text, folded, found, index, memo)
        found += typos(text, found, index, memo)
        found += transliterated(text, found, index, memo)
        found.sort(key=lambda f: (f.start, f.end))
        return found


def find_mentions(text: str, index: Index) -> list[Found]:
    """All linked mentions in one text (a Linker of its own: for many texts, hold one `Linker`)."""
    return Linker(index).find(text)
