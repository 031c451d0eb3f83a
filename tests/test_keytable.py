"""The key table and the near keys: what they find is what the structures they replace found (an automaton
over bounded keys; rapidfuzz over whole blocks), on tables of edge cases and on real texts."""

import pickle
import re

import ahocorasick
import pytest
from conftest import NEREL, need
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from normalize import gazetteer, link
from normalize.link import index, keyorder, keytable, nearkeys
from normalize.link.folding import bounded, fold
from normalize.link.records import Candidate


def reference(keys: list[str], folded: str) -> list[tuple[int, int, str]]:
    """What an Aho–Corasick automaton over the bounded keys finds: (start, end, key), by end, longest first."""
    automaton = ahocorasick.Automaton()
    groups: dict[str, list[str]] = {}
    for k in keys:
        groups.setdefault(bounded(k), []).append(k)
    for word, members in groups.items():
        automaton.add_word(word, (len(word) - 2, members))
    if not groups:
        return []
    automaton.make_automaton()
    out = []
    for end_idx, (length, members) in automaton.iter(bounded(folded)):
        end = end_idx - 1
        start = end - length
        out.extend((start, end, k) for k in members if folded[start:end] == k)
    return sorted(out, key=lambda t: (t[1], t[0]))


def table_of(keys: list[str]) -> keytable.KeyTable:
    return keytable.build(keyorder.of_slots((k, (Candidate(i, "exact", k, len(k)),)) for i, k in enumerate(keys)))


def found(table: keytable.KeyTable, folded: str) -> list[tuple[int, int, str]]:
    return [(s, e, table.readings(row)[0].form) for s, e, row in table.find(folded)]


EDGE_KEYS = [
    "якутия",
    "(якутия)",
    "республика саха (якутия)",
    "и. кубраков",
    "и.кубраков",
    "кубраков",
    "нью-йорк",
    "йорк",
    "g20",
    "20",
    "ван ван",
    "ван",
    "сша",
    "-",
]
EDGES = [
    ("республика саха (якутия) и якутия", [(0, 24), (17, 23), (16, 24), (27, 33)]),
    ("в (якутия)", [(3, 9), (2, 10)]),
    ("x(якутия)", [(2, 8)]),
    ("и. кубраков и и.кубраков", [(3, 11), (0, 11), (16, 24), (14, 24)]),
    ("и.  кубраков", [(4, 12)]),
    ("нью-йорк", [(4, 8), (0, 8)]),
    ("саммит g20 и g-20", [(7, 10), (15, 17)]),
    ("ван ван ван", [(0, 3), (4, 7), (0, 7), (8, 11), (4, 11)]),
    ("иван кубраковский усша", []),
    ("сша", [(0, 3)]),
    ("", []),
    ("— - —", []),
]


@pytest.mark.parametrize("text, spans", EDGES)
def test_hits_are_whole_keys_where_their_folded_form_stands(text, spans):
    table = table_of(EDGE_KEYS)
    got = found(table, text)
    assert sorted((s, e) for s, e, _k in got) == sorted(spans)
    assert got == [h for h in reference(EDGE_KEYS, text) if h[2] != "-"]  # a key of no letter stands nowhere


@settings(max_examples=150, deadline=None)
@given(
    keys=st.lists(st.text(alphabet="аб в.-(1", min_size=1, max_size=7), min_size=1, max_size=12, unique=True),
    text=st.text(alphabet="аб в.-(1x", max_size=40),
)
def test_hits_are_the_automatons(keys, text):
    with_letters = [k for k in keys if any(c.isalnum() for c in k)]
    assert found(table_of(keys), text) == [h for h in reference(with_letters, text)]


def test_a_text_longer_than_the_kept_powers():
    table = table_of(["москва"])
    text = "москва " * 20_000
    assert len(table.find(text)) == 20_000


def test_readings_come_back_as_compiled_and_the_table_pickles_both_ways():
    cands = (
        Candidate(3, "context", "МВД", 3, link.Needs.OWNER, False, "country/ru"),
        Candidate(4, "adjective", "таласской", 9, link.Needs.COORD, True, "", "областей"),
        Candidate(5, "surname", "Ұлы", 3),
    )
    table = keytable.build(keyorder.of_slots([("мвд", cands[:1]), ("таласской", cands[1:2]), ("ұлы", cands[2:])]))
    for protocol in (4, 5):
        again = pickle.loads(pickle.dumps(table, protocol=protocol))
        rows = {again.readings(r)[0].form: again.readings(r) for r in range(again.n_keys)}
        assert set(rows.values()) == {(c,) for c in cands}
        assert again.row_of("мвд") is not None and again.row_of("мвдд") is None


@pytest.fixture(scope="module")
def bundled() -> link.Index:
    """The bundled set as a large set's index (a key table), whatever its size."""
    return link.compile_index(gazetteer.load(), large=True)


@pytest.fixture(scope="module")
def bundled_small() -> link.Index:
    """The bundled set as a small set's index (an automaton), whatever its size."""
    return link.compile_index(gazetteer.load(), large=False)


@pytest.fixture(scope="module")
def dev_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(need(NEREL / "dev").glob("*.txt"))]
    assert texts
    return texts


def test_the_size_switch_picks_by_key_count_unless_forced(monkeypatch):
    monkeypatch.delenv(link.KEY_TABLE_ENV, raising=False)
    assert [index.use_key_table(n) for n in (0, index.KEY_TABLE_MIN - 1, index.KEY_TABLE_MIN)] == [False, False, True]
    for forced, expected in (("on", True), ("ON", True), ("off", False), ("", False), ("maybe", False)):
        monkeypatch.setenv(link.KEY_TABLE_ENV, forced)
        assert index.use_key_table(10) is expected
        assert index.use_key_table(index.KEY_TABLE_MIN) is (expected if forced.lower() in ("on", "off") else True)


def test_the_bundled_set_is_a_small_set(bundled):
    """The bundled set keeps the automaton (as fast as before the key table): well below the switch."""
    assert bundled.n_keys < index.KEY_TABLE_MIN * 0.8


def test_both_shapes_hold_the_same_keys_and_readings(bundled, bundled_small):
    assert (bundled.large, bundled_small.large) == (True, False)
    assert sorted(bundled.keys.items()) == sorted(bundled_small.keys.items())
    assert bundled.keys.n_keys == bundled_small.keys.n_keys == bundled.n_keys


def test_the_bundled_sets_hits_on_nerel_are_the_automatons(bundled, bundled_small, dev_texts):
    """Every key of the bundled set, on every NEREL dev text: the key table's hits are the automaton's, the
    small set's index (`smallindex`) and a reference automaton built here alike."""
    table = bundled.keys
    keys = [table.readings(r)[0].form for r in range(table.n_keys)]
    folded_keys = [fold(k) for k in keys]
    for text in dev_texts:
        folded = fold(text)
        got = [(s, e, fold(k)) for s, e, k in found(table, folded)]
        assert got == reference(folded_keys, folded)
        assert got == [(s, e, fold(cands[0].form)) for s, e, cands in bundled_small.keys.hits(folded)]


def test_both_shapes_link_the_same_mentions(bundled, bundled_small, dev_texts):
    """Every tier over NEREL dev, the bundled set as a key table and as an automaton: the same mentions."""
    large, small = link.Linker(bundled), link.Linker(bundled_small)
    n = 0
    for text in dev_texts:
        got = large.find(text)
        assert got == small.find(text)
        n += len(got)
    assert n > 500
    assert large.memo.nearest and large.memo.nearest.keys() == small.memo.nearest.keys()  # near keys were sought


@pytest.mark.parametrize("corpus", ["seeds", "examples"])
def test_a_run_writes_the_same_tables_with_either_shape(corpus, tmp_path):
    """The whole command on the acceptance corpora, the key table forced on and off: the same tables."""
    import os
    import subprocess
    import sys

    import polars as pl
    from conftest import EXAMPLES, SEEDS

    source = need(SEEDS) if corpus == "seeds" else EXAMPLES
    tables = {}
    for shape in ("on", "off"):
        env = {**os.environ, link.KEY_TABLE_ENV: shape, "NORMALIZE_CACHE": str(tmp_path / "cache")}
        out = tmp_path / shape
        subprocess.run([sys.executable, "-m", "normalize", str(source), str(out), "--quiet"], env=env, check=True)
        tables[shape] = {t: pl.read_parquet(out / f"{t}.parquet") for t in ("documents", "mentions", "edits")}
    assert tables["on"]["mentions"].height > 10
    for name, frame in tables["on"].items():
        assert frame.equals(tables["off"][name]), name


def brute_nearest(
    index: link.Index, blocks: dict[str, list[str]], word: str, cutoff: float, by_letter: bool, max_diff: int | None
) -> tuple[str, float, int] | None:
    """The nearest key as rapidfuzz finds it over the whole blocks."""
    from normalize.link.fuzzy import reachable_lengths

    lengths = reachable_lengths(len(word), cutoff, max_diff)
    prefix = word[:1] if by_letter else word[:2]
    block = [k for n in lengths for k in blocks.get(f"{prefix}{n}", ())]
    best = process.extract(word, block, scorer=fuzz.ratio, score_cutoff=cutoff, limit=2) if block else []
    owner = {index.near.key(i): index.near.owner(i) for i in range(index.near.n_keys)}
    if not best or len({owner[k] for k, sc, _i in best if sc == best[0][1]}) != 1:
        return None
    return best[0][0], best[0][1], owner[best[0][0]]


def test_the_nearest_key_is_the_one_of_the_whole_blocks(bundled, bundled_small):
    """Words near keys (a letter changed, dropped, doubled) and far from them: the nearest key and its
    entity are what rapidfuzz finds comparing the whole blocks, for typos and transliterations, and what
    the small set's blocks (`smallindex.BlockKeys`) give."""
    from normalize.link.fuzzy import nearest_key
    from normalize.link.memo import Memo

    near = bundled.near
    keys = [near.key(i) for i in range(near.n_keys)]
    by_letter: dict[str, list[str]] = {}
    by_pair: dict[str, list[str]] = {}
    for blocks, kind, by_letter_ in ((by_letter, near.translit_blocks, True), (by_pair, near.typo_blocks, False)):
        for prefix, (sizes, _spans) in kind.items():
            for size in sizes:
                blocks[f"{prefix}{size}"] = [keys[r] for r in near.block(prefix, range(size, size + 1), by_letter_)[0]]
    n = len(keys)
    words = set()
    for k in keys[:: max(1, n // 400)]:
        words |= {k, k[:-1] + "а", k[:3] + k[4:], k[:2] + k[2] + k[2:], k[:2] + "ыы" + k[4:], k[::-1][:2] + k[2:]}
    memo, small_memo = Memo(), Memo()
    checked = 0
    for word in sorted(w for w in words if len(w) >= 4 and re.fullmatch(r"\w+", w)):
        for cutoff, by_letter_, max_diff, blocks in ((88.0, False, 1, by_pair), (85.0, True, None, by_letter)):
            got = nearest_key(word, bundled, memo, cutoff, by_letter_, max_diff)
            assert got == brute_nearest(bundled, blocks, word, cutoff, by_letter_, max_diff), word
            assert got == nearest_key(word, bundled_small, small_memo, cutoff, by_letter_, max_diff), word
            checked += got is not None
    assert checked > 100


def test_letter_bits_give_each_cyrillic_letter_its_own_bit():
    assert [nearkeys.letter_bits(c) for c in "аяб"] == [1, 1 << 31, 2]
    assert nearkeys.letter_bits("ab") == (1 << (32 + ord("a") % 32)) | (1 << (32 + ord("b") % 32))


def test_a_lone_surrogate_in_a_text_is_a_character_like_any_other():
    """Text decoded with surrogateescape may hold lone surrogates: the scan reads them, as the automaton did."""
    table = table_of(["москва"])
    assert [(s, e) for s, e, _r in table.find("\udce2 москва\udce2")] == [(2, 8)]


@pytest.mark.parametrize("cutoff", [60.0, 80.0, 85.0, 88.0, 90.0, 95.0, 100.0])
def testleast_matches_is_the_fewest_that_reach_the_cutoff(cutoff):
    """The bound `reachable` keeps keys by: for every word and key length, the fewest common characters whose
    ratio reaches the cutoff, as the float comparison of the ratio's bound judges it."""
    for n in range(2, 40):
        lengths = tuple(range(2, 50))
        least = nearkeys.least_matches(n, lengths, cutoff).tolist()
        expected = [next(m for m in range(0, 100) if 200 * m >= cutoff * (n + length) - 1e-6) for length in lengths]
        assert least == expected, n
