"""How text and keys are compared: folded to lowercase with ё→е, and bounded at word edges."""

from __future__ import annotations

import re


def fold(text: str) -> str:
    """Lowercase with ё→е, keeping every character's offset."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("ё", "е")


# Keys and texts are scanned with every character that is not a letter or a digit read as a
# space, keys padded with a space at each end: the automaton then reports only forms that start
# and end at word edges. Without it, eight hits in nine were short keys inside longer words, each
# turned down in Python. A hit is still checked against the folded text (several spellings share
# a bounded form: «и.кубраков», «и кубраков») and against `guards.at_boundary` (a hyphen between
# letters joins words).
_NOT_ALNUM = re.compile(r"[^\w ]|_")


def bounded(folded: str) -> str:
    """A folded text or key as the automaton reads it: non-alphanumerics as spaces, a space at each end."""
    return " " + _NOT_ALNUM.sub(" ", folded) + " "
