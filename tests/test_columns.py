"""String columns (`columns.encode`) and near-key columns (`nearkeys.build`) on tables of edge cases: what
each byte, offset and block holds, written out by hand."""

from __future__ import annotations

import pickle
from itertools import pairwise

import numpy as np
import pytest

from normalize.link import columns as col
from normalize.link import nearkeys

CJK = [chr(0x4E00 + i) for i in range(254)]  # 3 bytes each in UTF-8

# strings → (encoding, blob, offsets)
ENCODED = [
    ([], ("", b"", [0])),
    ([""], ("", b"", [0, 0])),
    (["ба", "", "аб"], ("аб", b"\x01\x00\x00\x01", [0, 2, 2, 4])),
    (["москва"], ("авкмос", b"\x03\x04\x05\x02\x01\x00", [0, 6])),
    # past the BMP: one letter of the alphabet, as any other
    (["a😀", "😀"], ("a😀", b"\x00\x01\x01", [0, 2, 3])),
    # a lone surrogate (text decoded with surrogateescape) is a letter too
    (["\udce2а"], ("а\udce2", b"\x01\x00", [0, 2])),
    # 256 letters: still a byte each
    (["a", "ж", *CJK], ("aж" + "".join(CJK), bytes(range(256)), list(range(257)))),
    # 257: UTF-8, offsets in bytes (1, 2, 4 and 3 a letter)
    (
        ["a", "ж", "😀", "", *CJK],
        ("utf-8", "aж😀".encode() + "".join(CJK).encode(), [0, 1, 3, 7, 7] + [7 + 3 * i for i in range(1, 255)]),
    ),
]


@pytest.mark.parametrize("strings, expected", ENCODED)
def test_encode_gives_each_string_its_bytes(strings, expected):
    encoding, raw, offsets = col.encode(strings)
    # bytes, or a uint8 array (an alphabet's: its bytes would be a copy)
    assert type(raw) is bytes or (isinstance(raw, np.ndarray) and raw.dtype == np.uint8 and raw.ndim == 1)
    blob = bytes(raw)
    assert (encoding, blob, offsets.tolist()) == expected
    assert offsets.dtype == np.uint32
    alphabet = col.decoder(encoding)
    assert [col.decode(blob[a:b], alphabet) for a, b in pairwise(offsets)] == strings
    assert bytes(col.encode(col.join(strings))[1]) == blob


# strings, order → the strings taken
TAKEN = [
    ([], []),
    (["а", "бв"], []),
    (["а", "", "бв"], [2, 1, 0]),
    (["а", "", "бв"], [2, 2, 0]),  # a string twice
    (["мвд", "...", "фсб"], [0, 2]),  # one left out
    (["a😀", "ж", "\udce2"], [2, 0]),  # past the BMP (UTF-32 points), a lone surrogate
    # more strings than a slice gathers at once (65,536), backwards
    ([("бв", "", "а", "вга")[i % 4] + str(i) for i in range(70_000)], list(range(69_999, -1, -1))),
]


@pytest.mark.parametrize("strings, order", TAKEN)
def test_take_gathers_the_strings_at_order(strings, order):
    taken = col.join(strings).take(np.array(order, dtype=np.int64))
    expected = col.join([strings[i] for i in order])
    assert taken.points.dtype == col.join(strings).points.dtype
    assert taken.points.tolist() == expected.points.tolist() and taken.at.tolist() == expected.at.tolist()
    assert bytes(col.encode(taken)[1]) == bytes(col.encode([strings[i] for i in order])[1])


@pytest.mark.parametrize(
    "strings",
    [[], [""], ["москва", "мвд-2", "", "x", "ab c", "𝔘nicode", "😀", "\udce2"], ["ёж", "12", "İs"]],
)
def test_isalpha_and_strings_are_strs_own(strings):
    joined = col.join(strings)
    assert joined.isalpha().tolist() == [s.isalpha() for s in strings]
    assert joined.strings() == strings


def test_a_lone_surrogate_cannot_be_utf8_encoded():
    with pytest.raises(UnicodeEncodeError):
        col.encode(["\udce2", *CJK, "a", "b"])


@pytest.mark.parametrize(
    "words, expected",
    [
        ([], []),
        ([""], [0]),
        (["а", "я", "аб", "бабба"], [1, 1 << 31, 3, 3]),
        (["", "ё", ""], [0, 1 << (32 + 0x451 % 32), 0]),
        (["a😀"], [1 << (32 + ord("a") % 32) | 1 << (32 + 0x1F600 % 32)]),
        (["я😀", "😀я"], [1 << 31 | 1 << (32 + 0x1F600 % 32)] * 2),
    ],
)
def test_letter_columns_are_each_words_letter_bits(words, expected):
    got = nearkeys.letter_columns(col.join(words)).tolist()
    assert got == expected == [nearkeys.letter_bits(w) for w in words]


# (keys in the keys' order, typo flags, owners) → (keys in row order, owner column, typo rows, transliteration
# blocks, typo blocks)
BUILT = [
    (([], [], []), ([], [], [], {}, {})),
    ((["киров"], [True], [7]), (["киров"], [7], [0], {"к": ((5,), ((0, 1),))}, {"ки": ((5,), ((0, 1),))})),
    (
        # «к5» is «ка5» then «ки5»; lengths sort as numbers (5 before 10); a block's keys in the keys' order;
        # typo blocks are subsets: «ка5» lacks a key, «ки10» is its whole block
        (
            ["москва", "кировоград", "киров", "камыш", "казан"],
            [True, True, False, True, False],
            [5, 4, 3, 2, 1],
        ),
        (
            ["камыш", "казан", "киров", "кировоград", "москва"],
            [2, 1, 3, 4, 5],
            [0, 3, 4],
            {"к": ((5, 10), ((0, 3), (3, 4))), "м": ((6,), ((4, 5),))},
            {"ка": ((5,), ((0, 1),)), "ки": ((10,), ((1, 2),)), "мо": ((6,), ((2, 3),))},
        ),
    ),
    (
        # blocks of one first letter and length by their second letter, whatever the keys' order
        (["кб", "ка", "кв"], [True, True, True], [0, 1, 2]),
        (
            ["ка", "кб", "кв"],
            [1, 0, 2],
            [0, 1, 2],
            {"к": ((2,), ((0, 3),))},
            {"ка": ((2,), ((0, 1),)), "кб": ((2,), ((1, 2),)), "кв": ((2,), ((2, 3),))},
        ),
    ),
    (
        # a first letter past the BMP: the blocks' prefixes are the letters, not UTF-16 halves
        (["😀я", "яя"], [True, False], [0, 1]),
        (["яя", "😀я"], [1, 0], [1], {"я": ((2,), ((0, 1),)), "😀": ((2,), ((1, 2),))}, {"😀я": ((2,), ((0, 1),))}),
    ),
]


COLUMN_TYPES = {"key_at": "u4", "length": "u2", "letters": "u8", "typo_rows": "u4"}


@pytest.mark.parametrize("args, expected", BUILT)
def test_build_lays_out_keys_owners_and_blocks(args, expected):
    near = nearkeys.build(nearkeys.words(*args))
    keys, owners, typo_rows, translit_blocks, typo_blocks = expected
    for got in (near, pickle.loads(pickle.dumps(near, protocol=4)), pickle.loads(pickle.dumps(near, protocol=5))):
        assert [got.key(i) for i in range(got.n_keys)] == keys
        assert [got.owner(i) for i in range(got.n_keys)] == owners
        assert got.translit_blocks == translit_blocks and got.typo_blocks == typo_blocks
        arrays = col.arrays(got.columns, COLUMN_TYPES)
        assert arrays["typo_rows"].tolist() == typo_rows
        assert arrays["length"].tolist() == [len(k) for k in keys]
        assert arrays["letters"].tolist() == [nearkeys.letter_bits(k) for k in keys]
        assert arrays["key_at"].tolist() == np.cumsum([0] + [len(k) for k in keys]).tolist()


def test_a_key_over_65535_characters_is_refused():
    key = "к" * 70_000
    with pytest.raises(ValueError, match="65,535"):
        nearkeys.build(nearkeys.words([key], [False], [0]))


def test_encode_in_an_order_has_the_alphabet_of_the_strings_it_takes():
    """Strings at an order (repeated, left out, empty, past a slice of `_SLICE` strings) encode as the list of
    those strings would: a letter of a string left out is not in the alphabet."""
    strings = ["аб", "вг", "ё", "", "аб", *(["д"] * 70_000), "ж"]
    joined = col.join(strings)
    last = len(strings) - 1
    for order in ([0], [1, 1, 0], [2], [3], [4, 0], [], [5, last], [last - 1], list(range(last + 1))[::-1]):
        got = col.encode(joined, np.array(order, dtype=np.int64))
        want = col.encode([strings[i] for i in order])
        assert (got[0], bytes(got[1]), got[2].tolist()) == (want[0], bytes(want[1]), want[2].tolist()), order
