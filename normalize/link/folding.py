"""How text and keys are compared: folded to lowercase with ё→е, and bounded at word edges."""

from __future__ import annotations

import re
from collections.abc import Sequence


def fold(text: str) -> str:
    """Lowercase with ё→е, keeping every character's offset."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("ё", "е")


def fold_all(texts: Sequence[str]) -> list[str]:
    """`fold` of each text, folded as one text: a call for many short ones (an entity's keys, a slice of a
    compile's forms), not a call each. Exact where `fold` falls back character by character (a letter that
    lowercases long, «İ»), and where a text holds a NUL of its own: those are folded one by one."""
    joined = "\0".join(texts)
    low = joined.lower()
    # a NUL of its own, or a letter lowercased long: one by one (the fallback is per text, as `fold`'s is)
    if len(low) != len(joined) or joined.count("\0") != len(texts) - 1:
        return [fold(t) for t in texts]
    return low.replace("ё", "е").split("\0") if texts else []


# Where a key stands whole: read with every character that is not a letter or a digit as a space and
# padded with a space at each end, the key is in the text read the same way, and its folded form is
# where it stands («и.кубраков» and «и кубраков» read alike). A small set's automaton scans keys and texts
# read so (`smallindex`: without it, eight hits in nine were short keys inside longer words, each turned
# down in Python); a large set's key table hashes the spans between word edges instead and finds the same
# (`keytable.KeyTable.find`; its tests compare the two). `guards.at_boundary` then also turns down a
# hyphen between letters («Петров-Водкин»).
_NOT_ALNUM = re.compile(r"[^\w ]|_")


def bounded(folded: str) -> str:
    """A folded text or key read for whole words: non-alphanumerics as spaces, a space at each end."""
    return " " + _NOT_ALNUM.sub(" ", folded) + " "
