"""The compiled-gazetteer cache: hits give the same index, any change of content misses, bad entries recompile."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from normalize import cache, cachefile, digest, link, resume
from normalize import gazetteer as gz

TEXT = "Министр внутренних дел Кыргызстана встретился с Ваном Сяохуном в Бишкеке."


@pytest.fixture
def cache_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("NORMALIZE_CACHE", str(where))
    return where


@pytest.fixture
def gaz(tmp_path: Path, mini_gazetteer: Path) -> Path:
    d = tmp_path / "gaz"
    d.mkdir()
    shutil.copy(mini_gazetteer, d / "mini.yaml")
    return d


def entries(where: Path) -> list[Path]:
    return sorted(where.glob("gazetteer-*.pickle"))


def test_hit_gives_the_same_index(cache_at: Path, gaz: Path) -> None:
    g1, i1 = cache.compile_gazetteers([gaz], bundled=False)
    assert len(entries(cache_at)) == 1
    g2, i2 = cache.compile_gazetteers([gaz], bundled=False)
    assert g2 == g1 and g2.digest == g1.digest
    assert i2.n_keys == i1.n_keys
    assert link.find_mentions(TEXT, i2) == link.find_mentions(TEXT, i1)


def test_digest_is_the_gazetteers(cache_at: Path, gaz: Path) -> None:
    g, _ = cache.compile_gazetteers([gaz], bundled=False)
    assert cache.files_digest(sorted(gaz.glob("*.yaml"))) == g.digest


def test_changed_gazetteer_misses(cache_at: Path, gaz: Path) -> None:
    cache.compile_gazetteers([gaz], bundled=False)
    before = cache.key([gaz], bundled=False)
    f = gaz / "mini.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert cache.key([gaz], bundled=False) != before
    cache.compile_gazetteers([gaz], bundled=False)
    assert len(entries(cache_at)) == 2


def test_code_change_misses(cache_at: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.key([gaz], bundled=False)
    monkeypatch.setattr(cache, "code_digest", lambda: "another version of link.py")
    assert cache.key([gaz], bundled=False) != before


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a pickle", b"\x80\x05N.", cache.MAGIC, cache.MAGIC + bytes(40)],
    ids=["empty", "text", "none", "magic", "mapped-none"],
)
def test_corrupt_entry_recompiles(cache_at: Path, gaz: Path, garbage: bytes) -> None:
    _, index = cache.compile_gazetteers([gaz], bundled=False)
    (entry,) = entries(cache_at)
    entry.write_bytes(garbage)
    _, again = cache.compile_gazetteers([gaz], bundled=False)
    assert again.n_keys == index.n_keys
    assert cache._read(entry) is not None  # rewritten


def test_unwritable_cache_is_not_an_error(tmp_path: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("NORMALIZE_CACHE", str(blocker / "cache"))
    _, index = cache.compile_gazetteers([gaz], bundled=False)
    assert index.n_keys > 0


def test_off(tmp_path: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NORMALIZE_CACHE", "off")
    assert cache.cache_dir() is None
    assert cache.compile_gazetteers([gaz], bundled=False)[1].n_keys > 0


def test_no_temporary_files_left(cache_at: Path, gaz: Path) -> None:
    cache.compile_gazetteers([gaz], bundled=False)
    assert [p.name for p in cache_at.iterdir() if not p.name.startswith(("gazetteer-", "keys-"))] == []


def test_unfinished_writes_swept_once_stale(cache_at: Path, gaz: Path) -> None:
    # a process killed mid-write leaves its temporary file: an hour old, it is swept with the entries;
    # a newer one may be another run's write in progress, and stays
    cache_at.mkdir(parents=True)
    stale, fresh = cache_at / ".tmp-killed.pickle", cache_at / ".tmp-writing.pickle"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    an_hour_ago = time.time() - cachefile.STALE
    os.utime(stale, (an_hour_ago, an_hour_ago))
    cache.compile_gazetteers([gaz], bundled=False)
    assert not stale.exists()
    assert fresh.exists()


def test_least_recently_used_pruned(cache_at: Path, gaz: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "KEEP", 2)
    dirs = []
    for i in range(3):
        d = tmp_path / f"g{i}"
        shutil.copytree(gaz, d)
        dirs.append(d)
    for d in dirs:
        cache.compile_gazetteers([d], bundled=False)
    assert len(entries(cache_at)) == 2
    assert not (cache_at / f"gazetteer-{cache.key([dirs[0]], bundled=False)}.pickle").exists()


@pytest.mark.parametrize(
    ("sizes", "keep", "keep_bytes", "kept"),
    [
        # entry sizes, newest first, each used `IN_USE` seconds or more ago but the one marked "just"
        # (its size as a string) → which stay
        ([10, 10, 10], 2, None, [0, 1]),
        ([10, 10, 10], 16, 25, [0, 1]),
        ([10, 30, 10], 16, 25, [0]),  # the first entry over the bytes goes, and every older one
        ([40, 10], 16, 25, [0]),  # the newest stays, however large
        ([10, 10, 10], 16, 30, [0, 1, 2]),
        (["10", "30", 10], 16, 25, [0, 1]),  # just used: a run's workers may be about to open it
        (["10", "10", "10"], 2, 25, [0, 1]),  # but never more than `keep`
    ],
)
def test_prune_keeps_the_most_recent_within_count_and_bytes(
    tmp_path: Path, sizes: list[int | str], keep: int, keep_bytes: int | None, kept: list[int]
) -> None:
    now = time.time()
    for i, size in enumerate(sizes):
        f = tmp_path / f"gazetteer-{i}.pickle"
        f.write_bytes(b"x" * int(size))
        used = now - i if isinstance(size, str) else now - cachefile.IN_USE - 10 - i
        os.utime(f, (used, used))
    cachefile.prune(tmp_path, "gazetteer-*.pickle", keep, keep_bytes)
    assert sorted(int(p.stem.split("-")[1]) for p in tmp_path.glob("gazetteer-*.pickle")) == kept



@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, cache.KEEP_BYTES),
        ("", cache.KEEP_BYTES),
        ("5000000000", 5_000_000_000),
        ("2G", 2 << 30),
        ("500m", 500 << 20),
        ("1.5GiB", 3 << 29),
        ("64 MB", 64 << 20),
        ("0", 0),  # only the entries in use, and the newest
        ("lots", cache.KEEP_BYTES),  # not a size: said once, the default kept
        ("-1G", cache.KEEP_BYTES),
    ],
)
def test_cache_size_is_a_setting(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, value: str | None, expected: int
) -> None:
    if value is None:
        monkeypatch.delenv(cache.SIZE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(cache.SIZE_VARIABLE, value)
    monkeypatch.setattr(cache, "_warned", set())
    assert cache.keep_bytes() == expected
    assert cache.keep_bytes() == expected
    warned = [r.getMessage() for r in caplog.records if cache.SIZE_VARIABLE in r.getMessage()]
    assert len(warned) == (value in ("lots", "-1G"))  # once, however often asked


def test_cache_size_setting_prunes(cache_at: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The setting is what a compile's prune keeps: with a small size, only the newest entry stays."""
    monkeypatch.setattr(cachefile, "IN_USE", -1)  # no entry counts as in use
    cache.compile_gazetteers([gaz], bundled=False)
    (gaz / "extra.yaml").write_text("entities:\n  - {id: city/x, type: city, name: Иксград}\n", encoding="utf-8")
    monkeypatch.setenv(cache.SIZE_VARIABLE, "1M")
    cache.compile_gazetteers([gaz], bundled=False)
    assert len(entries(cache_at)) == 2  # both within a megabyte
    (gaz / "extra.yaml").write_text("entities:\n  - {id: city/y, type: city, name: Игрекград}\n", encoding="utf-8")
    monkeypatch.setenv(cache.SIZE_VARIABLE, "1K")
    cache.compile_gazetteers([gaz], bundled=False)
    assert entries(cache_at) == [cache_at / f"gazetteer-{cache.key([gaz], bundled=False)}.pickle"]  # the newest



def test_a_large_compile_is_noticed_once(
    cache_at: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """`NOTICE_MIN` entities or more: a compile logs that it runs and how long it took (INFO); a hit, nothing."""
    caplog.set_level("INFO", logger="normalize.cache")
    n = len(gz.load([gaz]).entities)

    def noticed() -> list[str]:
        said = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
        caplog.clear()
        return said

    monkeypatch.setattr(cache, "NOTICE_MIN", n + 1)
    cache.compile_gazetteers([gaz], bundled=False)
    assert noticed() == []  # below: a small set compiles in a second
    cache.clear()
    monkeypatch.setattr(cache, "NOTICE_MIN", n)
    cache.compile_gazetteers([gaz], bundled=False)
    said = noticed()
    assert len(said) == 2 and said[0].startswith(f"normalize: compiling {n:,} gazetteer entities")
    cache.compile_gazetteers([gaz], bundled=False)
    assert noticed() == []  # from the cache


# --- the code digest: every file of the package, no hand-kept list ----------------------------

TREE = {"a.py": "x = 1\n", "sub/b.py": "y = 2\n", "data/rules.yaml": "rules: []\n"}


@pytest.mark.parametrize(
    ("path", "content", "changes"),
    [
        ("new.py", "z = 3\n", True),  # a module added: a hand-kept list would miss it
        ("a.py", "x = 2\n", True),  # a module edited
        ("sub/b.py", None, True),  # a module removed
        ("data/rules.yaml", "rules: [x]\n", True),  # a data file
        ("sub/new.py", "", True),  # even an empty file: its name is hashed too
        ("__pycache__/a.cpython-311.pyc", "\0", False),  # bytecode is not the code
        (".a.py.swp", "\0", False),  # nor an editor's hidden file
    ],
)
def test_tree_digest(tmp_path: Path, path: str, content: str | None, changes: bool) -> None:
    for name, text in TREE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = digest.tree_digest(tmp_path)
    target = tmp_path / path
    if content is None:
        target.unlink()
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    assert (digest.tree_digest(tmp_path) != before) is changes


def test_a_name_and_its_bytes_cannot_trade_places(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "ab").write_bytes(b"c")
    (tmp_path / "two" / "a").write_bytes(b"bc")
    assert digest.tree_digest(tmp_path / "one") != digest.tree_digest(tmp_path / "two")


def test_every_module_of_the_package_is_hashed() -> None:
    files = set(digest.source_files())
    assert set(digest.PACKAGE.rglob("*.py")) <= files
    assert digest.PACKAGE / "data" / "boilerplate.yaml" in files


def test_the_cache_and_the_checkpoints_share_the_code_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.code_digest(), resume.config_digest("gazetteers")
    cache.code_digest.cache_clear()
    monkeypatch.setattr(digest, "code_digest", lambda: "a module added")
    try:
        after = cache.code_digest(), resume.config_digest("gazetteers")
    finally:
        cache.code_digest.cache_clear()
    assert before[0] != after[0] and before[1] != after[1]


def test_the_gazetteer_alone_reads_no_index(cache_at: Path, gaz: Path) -> None:
    g, _ = cache.compile_gazetteers([gaz], bundled=False)
    (entry,) = entries(cache_at)
    # the index is the second pickle of an entry: spoilt, the gazetteer alone still loads from the entry
    cut = entry.read_bytes()[: len(pickle.dumps(g, protocol=pickle.HIGHEST_PROTOCOL)) + 10]
    entry.write_bytes(cut)
    assert cache.load_gazetteer([gaz], bundled=False) == g
    assert entry.read_bytes() == cut  # read, not rewritten
    _, index = cache.compile_gazetteers([gaz], bundled=False)  # the whole entry: compiled again
    assert index.n_keys > 0 and entry.read_bytes() != cut


def test_a_large_sets_entry_is_mapped_and_links_as_compiled(
    cache_at: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key table's entry: the columns mapped, the entities one lazily read sequence that the gazetteer and
    the index share; what it links is what the uncached automaton links."""
    from normalize import pickled

    small = link.compile_index(cache.compile_gazetteers([gaz], bundled=False)[0], large=False)
    monkeypatch.setenv(link.KEY_TABLE_ENV, "on")
    g1, i1 = cache.compile_gazetteers([gaz], bundled=False)
    assert len(entries(cache_at)) == 2  # another key: the shapes are cached apart
    assert [e.read_bytes().startswith(cache.MAGIC) for e in entries(cache_at)].count(True) == 1
    g2, i2 = cache.compile_gazetteers([gaz], bundled=False)
    assert i1.large and i2.large and isinstance(i2.entities, pickled.Pickled) and i2.entities is g2.entities
    assert tuple(g2.entities) == tuple(g1.entities) and g2.digest == g1.digest
    assert cache.load_gazetteer([gaz], bundled=False).entities == g1.entities
    assert link.find_mentions(TEXT, i2) == link.find_mentions(TEXT, i1) == link.find_mentions(TEXT, small)
    assert link.find_mentions(TEXT, i2)


def test_a_large_entry_packs_its_entities_beside_the_compile(
    cache_at: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entities pickled in a thread beside the compile's last steps: the entry reads back as one written
    by pickling them as it is written."""
    monkeypatch.setenv(link.KEY_TABLE_ENV, "on")
    real = link.compile_index
    def plain(g: gz.Gazetteer, store: object, processes: int, meanwhile: object, facts: object) -> link.Index:
        return real(g, store, processes=processes, facts=facts)  # type: ignore[arg-type]

    monkeypatch.setattr(link, "compile_index", plain)
    cache.compile_gazetteers([gaz], bundled=False)
    g1, i1 = cache.compile_gazetteers([gaz], bundled=False)  # read back
    cache.clear()
    called: list[str] = []

    def spy(
        g: gz.Gazetteer, store: object, processes: int, meanwhile: Callable[[], object], facts: object
    ) -> link.Index:
        wrapped = lambda: called.append("meanwhile") or meanwhile()  # noqa: E731
        return real(g, store, processes=processes, meanwhile=wrapped, facts=facts)  # type: ignore[arg-type]

    monkeypatch.setattr(link, "compile_index", spy)
    cache.compile_gazetteers([gaz], bundled=False)
    assert called == ["meanwhile"]
    g2, i2 = cache.compile_gazetteers([gaz], bundled=False)
    assert called == ["meanwhile"]  # read back, not compiled
    assert tuple(g2.entities) == tuple(g1.entities) and len(g2.entities) > 10
    assert tuple(i2.entities) == tuple(i1.entities)
    assert link.find_mentions(TEXT, i2) == link.find_mentions(TEXT, i1) and link.find_mentions(TEXT, i1)


def test_a_set_of_many_entities_is_packed_before_its_keys_are_generated(
    cache_at: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From `keyrows.PACK_MIN` entities the compile is handed them packed, its survey made before: the same
    index and entry as a set packed beside the compile's last steps."""
    from normalize.link import keyrows
    from normalize.pickled import Pickled

    monkeypatch.setenv(link.KEY_TABLE_ENV, "on")
    beside, before = cache.compile_gazetteers([gaz], bundled=False)
    cache.clear()
    monkeypatch.setattr(keyrows, "PACK_MIN", 1)
    real = link.compile_index
    given: list[object] = []

    def spy(g: gz.Gazetteer, store: object, processes: int, meanwhile: object, facts: object) -> link.Index:
        given.append((g.entities, meanwhile, facts))
        return real(g, store, processes=processes, meanwhile=meanwhile, facts=facts)  # type: ignore[arg-type]

    monkeypatch.setattr(link, "compile_index", spy)
    g, index = cache.compile_gazetteers([gaz], bundled=False)
    (entities, _meanwhile, facts), = given
    assert isinstance(entities, Pickled) and facts is not None
    assert index.entities is entities and tuple(g.entities) == tuple(beside.entities)
    assert link.find_mentions(TEXT, index) == link.find_mentions(TEXT, before) and link.find_mentions(TEXT, index)
    _g, i2 = cache.compile_gazetteers([gaz], bundled=False)  # read back
    assert len(given) == 1 and tuple(i2.entities) == tuple(beside.entities)
    assert link.find_mentions(TEXT, i2) == link.find_mentions(TEXT, before)


def test_a_large_sets_gazetteer_alone_reads_no_index(
    cache_at: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mapped entry: its index pickle spoilt, the gazetteer alone still loads from it; the whole entry
    is compiled again."""
    import struct

    monkeypatch.setenv(link.KEY_TABLE_ENV, "on")
    g, _ = cache.compile_gazetteers([gaz], bundled=False)
    (entry,) = entries(cache_at)
    data = bytearray(entry.read_bytes())
    n_buffers, _n_first, size_g, size_i = struct.unpack_from("<QQQQ", data, len(cache.MAGIC))
    at = len(cache.MAGIC) + 32 + 16 * n_buffers + size_g
    data[at : at + size_i] = bytes(size_i)
    entry.write_bytes(data)
    assert tuple(cache.load_gazetteer([gaz], bundled=False).entities) == tuple(g.entities)
    assert entry.read_bytes() == data  # read, not rewritten
    _, index = cache.compile_gazetteers([gaz], bundled=False)
    assert index.large and entry.read_bytes() != data


def test_the_gazetteer_alone_compiles_a_missing_entry(cache_at: Path, gaz: Path) -> None:
    g = cache.load_gazetteer([gaz], bundled=False)
    (entry,) = entries(cache_at)  # written whole, for the workers that read the index next
    assert cache.compile_gazetteers([gaz], bundled=False)[0] == g
    assert entries(cache_at) == [entry]


# a process that finds its stack in the cache: what it unpickles, which of the validator's modules it
# imports, and whether it loads the linking code (the index's module, morphology, fuzzy matching)
_HIT = """
import pickle, sys
read = []
load = pickle.load
pickle.load = lambda fh: read.append(type(obj := load(fh)).__name__) or obj
from normalize import pipeline
layers = pipeline.gazetteer_stack([sys.argv[1]], bundled=False)
{call}
validator = ("gazetteer_validator", "gazetteer_sets", "layers", "regex_safety")
linking = ("normalize.link.index", "normalize.link.linker", "normalize.morph", "pymorphy3", "rapidfuzz", "ahocorasick")
imported = sorted(m for m in sys.modules if m.split(".")[-1] in validator)
print(",".join(read), imported, any(m in sys.modules for m in linking), "numpy" in sys.modules)
"""


@pytest.mark.parametrize(
    ("call", "read", "linking"),
    [
        ("pipeline.run_gazetteer(layers, 2)", "Gazetteer", "False"),  # the main process of a run with workers
        ("pipeline.run_gazetteer(layers, 1)", "Gazetteer,Index", "True"),  # one worker: this process links
        ("pipeline.compile_gazetteers([sys.argv[1]], bundled=False)", "Gazetteer,Index", "True"),
    ],
    ids=["workers", "one-worker", "compile"],
)
def test_a_cache_hit_imports_no_validator(cache_at: Path, gaz: Path, call: str, read: str, linking: str) -> None:
    cache.compile_gazetteers([gaz], bundled=False)
    script = _HIT.format(call=call)
    out = subprocess.run([sys.executable, "-c", script, str(gaz)], capture_output=True, text=True, check=True).stdout
    assert out.split() == [read, "[]", linking, "False"]  # a small set's index needs no numpy


@pytest.mark.parametrize("cached", [True, False])
def test_the_collector_is_paused_while_a_stack_compiles(
    tmp_path: Path, gaz: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    """Merging and indexing keep everything they make: a collection in between only walks the heap."""
    import gc

    from normalize import layers

    monkeypatch.setenv("NORMALIZE_CACHE", str(tmp_path / "cache") if cached else "off")
    from normalize.link import keyrows

    seen: dict[str, bool] = {}
    real_generate, real_validate = keyrows.generate, layers.validate

    def generate(*args, **kwargs):
        seen["index"] = gc.isenabled()
        return real_generate(*args, **kwargs)

    def validate(*args, **kwargs):
        seen["merge"] = gc.isenabled()
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(keyrows, "generate", generate)
    monkeypatch.setattr(layers, "validate", validate)
    assert gc.isenabled()
    cache.compile_gazetteers([gaz])
    assert seen == {"index": False, "merge": False}
    assert gc.isenabled()


def test_parsing_a_file_leaves_no_cycles_for_the_collector(mini_gazetteer: Path) -> None:
    """With the collector paused, nothing a file's parse made may wait for it (the loader's memo of
    every node did)."""
    import gc

    from normalize.gazetteer_validator import Findings, parse_yaml

    text = mini_gazetteer.read_text(encoding="utf-8")
    gc.collect()
    gc.disable()
    try:
        assert parse_yaml(text, str(mini_gazetteer), Findings()) is not None
        assert gc.collect() == 0
    finally:
        gc.enable()


# --- normalize gazetteers compile: the cache filled ahead of the runs ---------------------------------


def test_compiled_ahead_a_run_starts_warm(
    cache_at: Path, gaz: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from normalize.cli import main

    assert main(["gazetteers", "compile", "-g", str(gaz), "--no-bundled"]) == 0
    line = capsys.readouterr().out.strip()
    (entry,) = entries(cache_at)

    def no_compile(*_args: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(cache, "_compile", no_compile)
    g, index = cache.compile_gazetteers([gaz], bundled=False)  # what a run reads: the entry compiled ahead
    assert line == (
        f"normalize gazetteers compile: {len(g.entities)} entities, {index.n_keys} keys: compiled in "
        f"{line.split(' compiled in ')[1].split(' s ')[0]} s → {entry} ({entry.stat().st_size / 1e6:.1f} MB)"
    )
    assert main(["gazetteers", "compile", "-g", str(gaz), "--no-bundled"]) == 0
    assert ": in the cache already → " in capsys.readouterr().out
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(corpus), str(out), "-g", str(gaz), "--no-bundled", "--quiet", "-j", "1"]) == 0
    assert entries(cache_at) == [entry]


@pytest.mark.parametrize(
    ("setting", "fault", "code", "message"),
    [
        ("off", "", 2, "the gazetteer cache is off (NORMALIZE_CACHE=off)"),
        ("{tmp}/cache", "cache=EROFS", 3, "cannot write: Read-only file system"),  # known before compiling
        ("{tmp}/file/cache", "", 3, "cannot write: "),  # a file where the folder should be
        ("{tmp}/cache", "cache#2=ENOSPC", 3, "cannot write: No space left on device"),  # the entry itself
    ],
    ids=["off", "read-only", "file-in-the-way", "disk-full"],
)
def test_compile_ahead_fails_in_one_line(
    tmp_path: Path,
    gaz: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    setting: str,
    fault: str,
    code: int,
    message: str,
) -> None:
    from normalize import faults
    from normalize.cli import main

    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("NORMALIZE_CACHE", setting.format(tmp=tmp_path))
    if fault:
        monkeypatch.setenv(faults.ENV, fault)
    faults.reset()
    assert main(["gazetteers", "compile", "-g", str(gaz), "--no-bundled"]) == code
    err = capsys.readouterr().err
    assert err.startswith("normalize: error: ") and message in err and err.count("\n") == 1
    assert not list(tmp_path.glob("cache/gazetteer-*.pickle"))


def test_compile_ahead_of_an_invalid_set_names_the_file(
    cache_at: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from normalize.cli import main

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.yaml").write_text("entities:\n  - id: x/1\n    type: planet\n    name: Марс\n", encoding="utf-8")
    assert main(["gazetteers", "compile", "-g", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("normalize: error: ") and "broken.yaml:" in err and err.count("\n") == 1
    assert not entries(cache_at)
