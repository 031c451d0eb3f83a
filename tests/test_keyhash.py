"""The key columns of a compile's rows (`link.keyhash.key_columns`), computed over the keys' joined code
points: each key's as a key read alone, character by character, gives them."""

from __future__ import annotations

import re

import pytest

from normalize.link import columns as col
from normalize.link import keyhash

# keys that meet at the joins: a word ending one key and starting the next, keys with no letter or digit,
# the empty key, digits, an underscore (no letter), code points past the table and past the BMP
KEYS = [
    "мвд",
    "министерство обороны",
    "«газпром»",
    "и.кубраков",
    "республика саха (якутия)",
    "два  пробела",
    "...",
    "",
    " пробел по краям ",
    "g7",
    "snake_case",
    "_",
    "1-й канал",
    "漢字 かな",
    "𝔘𝔫𝔦 code",
    "a" * 300,
    " ".join(["слово"] * 300),
    "—",
    "x",
]


def _expected(key: str) -> tuple[int, int, int, int, int]:
    """The columns of one key, character by character (what the vectorised columns must equal)."""
    s, e = keyhash.core_span(key)
    core = key[s:e]
    words = re.findall(r"[^\W_]+", core)
    full = 0
    p = 1
    for c in key:
        full = (full + ord(c) * p) & 0xFFFFFFFFFFFFFFFF
        p = (p * keyhash.BASE_FULL) & 0xFFFFFFFFFFFFFFFF
    first = words[0] if words else ""
    return keyhash.hash_of(core), full, keyhash.hash_of(first), min(len(words), 255), len(core)


@pytest.mark.parametrize("chunk", [1 << 16, 3, 1])
def test_key_columns_as_each_key_alone(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(keyhash, "_HASH_CHUNK", chunk)
    cols = keyhash.key_columns(KEYS)
    got = list(zip(*(cols[name].tolist() for name in keyhash.KEY_COLUMNS), strict=True))
    assert got == [_expected(k) for k in KEYS]
    assert keyhash.hashes(KEYS, keyhash.BASE_FULL).tolist() == cols["key_full"].tolist()


def test_no_keys() -> None:
    cols = keyhash.key_columns([])
    assert {name: len(v) for name, v in cols.items()} == dict.fromkeys(keyhash.KEY_COLUMNS, 0)


@pytest.mark.parametrize("key", KEYS)
def test_alnum_mask_as_str_judges(key: str) -> None:
    mask = keyhash.alnum_mask(col.code_points(key))
    assert mask.tolist() == [c.isalnum() for c in key]
