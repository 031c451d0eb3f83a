"""`link.strings.Strings`: many strings as one, read back, reordered and encoded as `columns.encode` encodes a list."""

from __future__ import annotations

import numpy as np
import pytest

from normalize.link import columns as col
from normalize.link.strings import Strings

CASES = [
    ("none", []),
    ("one letter", ["а"]),
    ("with an empty string", ["Москва", "", "МВД", "x"]),
    ("outside the BMP", ["𝔘nicode", "ё"]),
    ("over 256 letters: UTF-8", [chr(0x400 + i) + chr(0x4E00 + i) for i in range(300)]),
]


@pytest.mark.parametrize("strings", [s for _, s in CASES], ids=[name for name, _ in CASES])
def test_strings_read_back_reorder_and_encode_as_a_list(strings: list[str]) -> None:
    joined = Strings.of(strings)
    assert [joined[i] for i in range(len(joined))] == strings
    backwards = np.arange(len(strings), dtype=np.int64)[::-1]
    for order, expected in ((None, strings), (backwards, strings[::-1])):
        encoding, blob, offsets = joined.encode(order)
        want = col.encode(list(expected))
        assert (encoding, bytes(blob), offsets.tolist()) == (want[0], bytes(want[1]), want[2].tolist())
    both = Strings.join([joined, Strings.of(strings[::-1])])
    assert [both[i] for i in range(len(both))] == strings + strings[::-1]
    # read through an order: as the strings in that order, read back, encoded and folded
    seen = both.reordered(np.concatenate((backwards, np.arange(len(strings), 2 * len(strings)))))
    assert len(seen) == 2 * len(strings) and [seen[i] for i in range(len(seen))] == strings[::-1] * 2
    copy = Strings.of(strings[::-1] * 2)
    some = np.arange(len(seen), dtype=np.int64)[::2]
    for order in (None, some):
        (encoding, blob, offsets), want = seen.encode(order), copy.encode(order)
        assert (encoding, bytes(blob), offsets.tolist()) == (want[0], bytes(want[1]), want[2].tolist())
    assert seen.folded(some).strings() == copy.folded(some).strings()


def test_the_letters_are_those_of_the_strings_taken() -> None:
    """A string left out («...») leaves its letters out of the alphabet, as a list without it would."""
    joined = Strings.of(["мвд", "...", "фсб"])
    assert joined.encode(np.array([0, 2]))[0] == col.encode(["мвд", "фсб"])[0] == "бвдмсф"


def test_folded_as_one_by_one() -> None:
    """Folded a slice at a time, as `fold` folds each: a NUL or a letter that lowercases long («İ») too."""
    from normalize.link.folding import fold

    strings = ["Москва", "", "ЁЖИК", "a\0b", "İstanbul", "x"]
    joined = Strings.of(strings)
    assert joined.folded(np.arange(len(strings))).strings() == [fold(s) for s in strings]
    assert joined.folded(np.array([4, 0])).strings() == [fold(strings[4]), fold(strings[0])]
    assert Strings.of(["𝔘NICODE", "Ё"]).folded(np.array([1, 0])).strings() == ["е", "𝔘nicode"]
    assert joined.folded(np.zeros(0, dtype=np.int64)).strings() == []


@pytest.mark.parametrize(
    "texts",
    [[], [""], ["Москва", "ЁЖИК", "МВД"], ["ΟΔΟΣ", "İstanbul"], ["ΟΔΟΣ", "Σ"], ["a\0b", "Б"], ["", "", "Ё"]],
)
def test_fold_all_folds_each_as_fold_does(texts: list[str]) -> None:
    from normalize.link.folding import fold, fold_all

    assert fold_all(texts) == [fold(t) for t in texts]
