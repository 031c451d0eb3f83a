"""The near-duplicate signature (normalize.minhash through dedup.signatures) against an oracle: a
pure-Python transcription of the documented formulas, one text and one shingle at a time. The
vectorised version must give the very same values (they are stored in checkpoints), for any text,
batch and chunking."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize import dedup, minhash
from normalize.dedup import DedupOptions

# --- the oracle: the formulas of normalize/minhash.py's docstring, written out with Python ints ---

MASK = (1 << 64) - 1
P = 0x100000001B3
L = 0x9E3779B97F4A7C15
SEPARATORS = set(" \t\n\r\x0b\x0c") | {chr(b) for b in range(33, 127) if not chr(b).isalnum()} | set("«»„“”—–…")


def mix(x: int) -> int:
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & MASK
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & MASK
    return x ^ (x >> 31)


def oracle_words(text: str) -> list[str]:
    found, word = [], ""
    for c in text:
        if c in SEPARATORS or c == "\0":
            found, word = found + [word] * bool(word), ""
        else:
            low = c.lower()[0]  # each character on its own: İ is i, Σ is σ (never ς)
            word += "е" if low == "ё" else low
    return found + [word] * bool(word)


def word_hash(word: str) -> int:
    return mix((sum(ord(c) * pow(P, i, 1 << 64) for i, c in enumerate(word)) + len(word) * L) & MASK)


def oracle_signature(text: str, w: int = 3, k: int = 128, least: int = 10) -> list[int] | None:
    h = [word_hash(x) for x in oracle_words(text)]
    shingles = [mix(sum(h[j + i] * (mix(i + 1) | 1) for i in range(w)) & MASK) for j in range(len(h) - w + 1)]
    if len(set(shingles)) < least:
        return None
    bits = k.bit_length() - 1
    bins: list[int | None] = [None] * k
    for g in shingles:
        b, v = g >> (64 - bits), g >> 32
        bins[b] = v if bins[b] is None else min(bins[b], v)
    out = []
    for j in range(k):
        probe = sorted((b for b in range(k) if b != j), key=lambda b, j=j: mix(j * k + b))
        out.append(bins[j] if bins[j] is not None else next(bins[b] for b in probe if bins[b] is not None))
    return out


# --- texts -----------------------------------------------------------------------------------------

SYLLABLES = ("ба", "ве", "го", "ду", "жи", "зо", "ка", "ле", "ми", "но", "па", "ре", "си", "ту", "фа", "хо")
LONG = " ".join(SYLLABLES[i % 16] + SYLLABLES[i // 16 % 16] + SYLLABLES[i // 256 % 16] for i in range(120)) + "."
TEXTS = [
    LONG,
    "Ёлка, ЁЖ и ёж! МВД-2024 в 10:35 — «Вести» сообщили… „цитата“ – snake_case " * 3,
    "№10 при +5°C: İstanbul, ΣΊΣΥΦΟΣ, emoji 🙂🙂 и 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 " * 4,  # astral code points, İ lowers to 2
    "ＦＵＬＬＷＩＤＴＨ Ⓐ Ⰰ 𐐀𐐁 Ꭰ\0nul ΟΔΟΣ ὈΔΥΣΣΕΎΣ " * 5,  # cased letters above the table, a NUL
    " ".join(f"слово{i}" for i in range(12)),  # 10 shingles: most bins empty, densified
    " ".join(f"w{i}" for i in range(3000)),  # more shingles than bins
    "да " * 60,  # 58 shingles, one distinct: none
    "",
    "коротко",
]


def test_the_signature_is_pinned():
    """Signatures are stored in a run's checkpoints: a change to how they are made must be deliberate
    (bump dedup.SIGNATURE_VERSION, which invalidates the checkpoints), never an accident of a library's
    version."""
    sig = dedup.signature(LONG)
    assert hashlib.sha256(str(sig).encode()).hexdigest()[:16] == "6f96f2596b9c1837"
    assert sig == oracle_signature(LONG)


@pytest.mark.parametrize("text", TEXTS)
def test_the_signature_is_the_oracles(text):
    assert dedup.signature(text) == oracle_signature(text)


@pytest.mark.parametrize(
    "options",
    [
        DedupOptions(shingle=1),
        DedupOptions(shingle=5, min_shingles=3),
        DedupOptions(permutations=2, bands=1, min_shingles=1),
        DedupOptions(permutations=1024, bands=256),
    ],
)
def test_the_signature_with_other_options_is_the_oracles(options):
    got = dedup.signatures(TEXTS, options).to_list()
    assert got == [oracle_signature(t, options.shingle, options.permutations, options.min_shingles) for t in TEXTS]


def test_a_batch_gives_each_text_its_own_signature():
    batch = dedup.signatures([*TEXTS, None, *reversed(TEXTS)]).to_list()
    alone = [dedup.signature(t) for t in TEXTS]
    assert batch == [*alone, None, *reversed(alone)]


@pytest.mark.parametrize("chunk", [16, 200, 1000])
def test_chunks_do_not_change_the_signatures(monkeypatch, chunk):
    """A batch is hashed in chunks of code points; a text longer than a chunk goes alone."""
    whole = dedup.signatures(TEXTS).to_list()
    monkeypatch.setattr(minhash, "_CHUNK", chunk)
    assert dedup.signatures(TEXTS).to_list() == whole


ALPHABET = st.sampled_from([*"аБвЁёe Z9\n\t-.,«»—…№°İßΣＡ", "🙂", "𐐀", "\x0b", "\u00a0", "\0"])


@settings(max_examples=200, deadline=None)
@given(st.text(ALPHABET, max_size=60))
def test_words_are_the_oracles(text):
    assert dedup.words(text) == oracle_words(text)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(ALPHABET, min_size=20, max_size=200), min_size=1, max_size=5))
def test_random_texts_have_the_oracles_signature(texts):
    options = DedupOptions(min_shingles=3)
    assert dedup.signatures(texts, options).to_list() == [oracle_signature(t, least=3) for t in texts]
