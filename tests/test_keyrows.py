"""The rows of a compile (`link.keyrows`) and their order by key (`link.keyorder`): the same index from
forked processes as from one, and the set-wide decisions (unique surnames, generic names, near keys) read
off columns as a table of slots would make them."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from normalize import gazetteer, link
from normalize.gazetteer import Entity, Gazetteer
from normalize.gazetteer_model import Location
from normalize.link import keyhash, keyorder, keyrows, keystore, people, records, variants
from normalize.link.records import METHODS, NEEDS_CODE, PRIORITY, Candidate, Key, Needs


def _named(g: Gazetteer) -> list[Entity]:
    derived = variants.derive(g.entities)
    return [variants.with_derived(e, derived.get(i)) for i, e in enumerate(g.entities)]


def _digest(index: link.Index) -> dict[str, str]:
    """Every column of a large index's key table and near keys, and its people's tables."""
    out = {f"keys.{k}": hashlib.md5(memoryview(v).cast("B")).hexdigest() for k, v in index.keys.columns.items()}
    out |= {f"near.{k}": hashlib.md5(memoryview(v).cast("B")).hexdigest() for k, v in index.near.columns.items()}
    out["extras"] = repr(index.keys.extras)
    for name in ("persons", "surname_forms", "surname_spellings", "first_forms", "first_persons"):
        out[name] = repr(dict(getattr(index, name).items()))  # a large set's people's tables: pickled maps
    out["first_counts"] = repr(sorted(index.first_counts.items()))
    return out


@pytest.mark.parametrize("pack_min", [1, 10**9], ids=["people packed by them", "people packed after"])
def test_forked_processes_make_the_index_one_process_makes(monkeypatch: pytest.MonkeyPatch, pack_min: int) -> None:
    g = gazetteer.load()
    monkeypatch.setattr(keyrows, "PACK_MIN", pack_min)
    monkeypatch.setattr(keyrows, "TASK_MIN", 1)  # a task a file: the bundled set's files in several processes
    assert len(keyrows.tasks(keystore.pieces(g.entities))) > 2  # the premise
    one = link.compile_index(g, large=True, processes=1)
    two = link.compile_index(g, large=True, processes=2)
    assert _digest(two) == _digest(one)
    assert two.n_keys == one.n_keys


def test_near_keys_beside_the_key_table_or_before_it_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Near keys chosen in a thread beside the key table, or, past `SIDE_BY_SIDE_KEYS`, before it (and
    blocked after it): the same index."""
    from normalize.link import index

    g = gazetteer.load()
    threads: list[bool] = []  # whether each choice of near keys ran on the main thread
    real = keyorder.near_keys

    def spied(*args: object) -> object:
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(keyorder, "near_keys", spied)
    beside = link.compile_index(g, large=True, processes=1)
    monkeypatch.setattr(index, "SIDE_BY_SIDE_KEYS", 0)
    apart = link.compile_index(g, large=True, processes=1)
    assert threads == [False, True]
    assert _digest(apart) == _digest(beside)


def test_forked_processes_rows_pass_through_files_or_pipes_alike(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    g = gazetteer.load()
    monkeypatch.setattr(keyrows, "TASK_MIN", 1)
    monkeypatch.setattr(keyrows.tempfile, "tempdir", str(tmp_path))
    received: list[object] = []
    load = keyrows._load
    monkeypatch.setattr(keyrows, "_load", lambda done: received.append(done) or load(done))
    by_files = link.compile_index(g, large=True, processes=2)
    files = [d for d in received if not isinstance(d, keyrows.Rows)]  # the rows read, then joined
    assert files and all(str(d).startswith(str(tmp_path)) for d in files)  # each task's rows in a file
    assert list(tmp_path.iterdir()) == []  # the spill folder is gone with its files
    received.clear()

    def unwritable(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(keyrows.tempfile, "TemporaryDirectory", unwritable)
    by_pipes = link.compile_index(g, large=True, processes=2)
    assert received and all(isinstance(d, keyrows.Rows) for d in received)
    assert _digest(by_pipes) == _digest(by_files)


def test_rows_made_in_batches_are_the_rows_made_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    g = gazetteer.load()
    whole = keyrows.generate(_named(g), processes=1)
    monkeypatch.setattr(keyrows, "BATCH_ROWS", 7)  # a batch every entity or two
    batched = keyrows.generate(_named(g), processes=1)
    assert len(batched) == len(whole) > 7 * len(g.entities) // 2
    for name in keyrows.COLUMNS:
        assert batched.columns[name].tobytes() == whole.columns[name].tobytes(), name
    assert (batched.forms.points.tobytes(), batched.pairs) == (whole.forms.points.tobytes(), whole.pairs)
    assert batched.forms.at.tolist() == whole.forms.at.tolist()


def test_tasks_are_runs_of_whole_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyrows, "TASK_MIN", 3)
    monkeypatch.setattr(keystore, "PIECE", 3)
    files = ["a", "a", "b", "b", "b", "b", "c", "d", "d", "e"]
    entities = [Entity(f"x/{i}", "city", f"Город{i}", where=Location(f, i + 1)) for i, f in enumerate(files)]
    # a task ends at the first piece's end once it has three entities: a + b's first three, b's last + c + d, e
    assert keyrows.tasks(keystore.pieces(entities)) == [(0, 5), (5, 9), (9, 10)]
    monkeypatch.setattr(keystore, "PIECE", 2_500)  # whole files: a+b, c+d, e
    assert keyrows.tasks(keystore.pieces(entities)) == [(0, 6), (6, 9), (9, 10)]


def test_forked_processes_keep_a_file_in_pieces_as_one_process_does(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    g = gazetteer.load()
    monkeypatch.setattr(keyrows, "TASK_MIN", 1)
    monkeypatch.setattr(keystore, "PIECE", 7)  # the bundled files cut, tasks ending mid-file
    path = [e.where.path for e in g.entities]
    runs = keyrows.tasks(keystore.pieces(g.entities))
    assert any(hi < len(path) and path[hi - 1] == path[hi] for _lo, hi in runs)  # the premise
    one = link.compile_index(g, keystore.KeyStore(tmp_path / "one", "code"), large=True, processes=1)
    two = link.compile_index(g, keystore.KeyStore(tmp_path / "two", "code"), large=True, processes=2)
    assert _digest(two) == _digest(one) == _digest(link.compile_index(g, large=True, processes=1))
    shards = sorted(p.name for p in (tmp_path / "one").glob("keys-*.pickle"))
    assert shards == sorted(p.name for p in (tmp_path / "two").glob("keys-*.pickle"))
    assert len(shards) == len(keystore.pieces(g.entities)) > len({e.where.path for e in g.entities})
    again = link.compile_index(g, keystore.KeyStore(tmp_path / "two", "code"), large=True, processes=2)
    assert _digest(again) == _digest(one)  # from the kept shards


PEOPLE = [
    ("person/a", "person", "Виктор Самойленко", "Самойленко"),
    ("person/b", "person", "Андрей Самойленко", "Самойленко"),
    ("person/c", "person", "Ирина Кубракова", "Кубракова"),
]


def _index(rows: list[tuple], **kwargs: object) -> link.Index:
    return link.compile_index(Gazetteer(tuple(Entity(*row) for row in rows), ()), **kwargs)


@pytest.mark.parametrize("large", [False, True], ids=["automaton", "key table"])
def test_surname_only_keys_for_a_surname_one_person_has(large: bool) -> None:
    index = _index(PEOPLE, large=large)
    surname_only = {
        (key, index.entities[c.entity].id) for key, cands in index.keys.items() for c in cands if c.method == "surname"
    }
    assert ("кубраковой", "person/c") in surname_only
    assert ("и. кубраковой", "person/c") in surname_only and ("и.кубраковой", "person/c") in surname_only
    assert not any(key.endswith("самойленко") and "." not in key for key, _ in surname_only)


def test_surname_only_readings_are_made_only_for_a_surname_one_person_has() -> None:
    """A shared surname's surname-only readings would be dropped (`keyorder.arrange`): none is made."""
    entities = [Entity(*row) for row in PEOPLE]
    assert people.census(entities).unique == {"кубракова"}
    rows = keyrows.generate(entities, processes=1)
    alone = rows.columns["part"] != keyrows.Part.OWN
    assert set(rows.columns["entity"][alone].tolist()) == {2}  # Кубракова's only
    assert set(rows.people.surname_forms) == {0, 1, 2}  # every person's name tables all the same


# an entity's keys as its generators give them → its rows: (form, method, pair); one reading per
# (folded key, needs, coord), in the place it first came, of the most trusted method (the first of equals)
REPEATED = [
    (
        "a more trusted method later takes the first place, and its pair is numbered as met",
        [
            Key("Альфа Бета", "alias", 5),
            Key("Гамма", "context", 5, Needs.CONTEXT, "country/ru"),
            Key("альфа бета", "exact", 5, Needs.NOTHING, "country/kz"),
            Key("Альфа Бета", "inflected", 5),
        ],
        [("альфа бета", "exact", ("country/kz", "")), ("Гамма", "context", ("country/ru", ""))],
    ),
    (
        "of equal methods the first stays",
        [Key("Дельта", "alias", 6), Key("ДЕЛЬТА", "alias", 6)],
        [("Дельта", "alias", ("", ""))],
    ),
    (
        "other needs or another coordinated noun: another reading",
        [
            Key("Эпсилон", "inflected", 7),
            Key("Эпсилон", "inflected", 7, Needs.EVIDENCE),
            Key("Эпсилон", "inflected", 7, Needs.COORD, coord="областей"),
        ],
        [("Эпсилон", "inflected", ("", ""))] * 2 + [("Эпсилон", "inflected", ("", "областей"))],
    ),
]


def test_keys_coded_as_columns_as_the_rows_and_the_key_store_keep_them() -> None:
    made = [Key("МВД", "acronym", 3), Key("Министерства", "context", 12, Needs.CONTEXT, "country/ru")]
    assert records.coded_keys(made) == (
        ["МВД", "Министерства"],
        [PRIORITY["acronym"], PRIORITY["context"]],
        [3, 12],
        [NEEDS_CODE[Needs.NOTHING], NEEDS_CODE[Needs.CONTEXT]],
        ["", "country/ru"],
        ["", ""],
    )
    assert records.coded_keys([]) == ([], [], [], [], [], [])
    assert records.coded_keys(made).keys() == made  # and back
    assert records.coded_keys(made).span(1, 2).keys() == made[1:]


@pytest.mark.parametrize("kept", [False, True], ids=["made", "kept"])
@pytest.mark.parametrize("made, expected", [r[1:] for r in REPEATED], ids=[r[0] for r in REPEATED])
def test_an_entity_gives_one_reading_of_a_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, made: list[Key], expected: list, kept: bool
) -> None:
    """The same rows from keys as they are made and as a key store keeps them (columns, read back)."""
    monkeypatch.setattr(keyrows, "own_keys", lambda e: list(made))
    monkeypatch.setattr(keystore, "own_keys", lambda e: list(made))
    monkeypatch.setattr(keyrows, "composed_keys_of", lambda e, *args: ())
    monkeypatch.setattr(keyrows, "BATCH_ROWS", 2)  # a batch an entity
    entities = [
        Entity("organization/x", "organization", "Икс", where=Location("a.yaml", 1)),
        Entity("organization/y", "organization", "Игрек", where=Location("b.yaml", 1)),
    ]
    store = keystore.KeyStore(tmp_path, "code") if kept else None
    if store is not None:
        keyrows.generate(entities, store=store, processes=1)  # kept, then read back below
    rows = keyrows.generate(entities, store=store, processes=1)
    got = [
        (rows.forms[r], METHODS[m], rows.pairs[p])
        for r, (m, p) in enumerate(zip(rows.columns["method"].tolist(), rows.columns["pair"].tolist(), strict=True))
    ]
    assert got == expected * 2
    assert rows.columns["entity"].tolist() == [0] * len(expected) + [1] * len(expected)
    if store is not None:
        assert len(list(tmp_path.glob("keys-*.pickle"))) == 2


def test_generic_names_are_marked_across_entities() -> None:
    """«Министерство обороны» of two countries: the bare name is every body's, linked only in context."""
    rows = [
        ("country/ru", "country", "Россия", ("РФ",)),
        ("country/by", "country", "Белоруссия", ()),
        ("org/mo-ru", "agency", "Министерство обороны Российской Федерации", (), "country/ru"),
        ("org/mo-by", "agency", "Министерство обороны Белоруссии", (), "country/by"),
    ]
    for large in (False, True):
        index = _index(rows, large=large)
        bare = dict(index.keys.items())["министерство обороны"]
        assert {index.entities[c.entity].id for c in bare} == {"org/mo-ru", "org/mo-by"}
        assert {c.needs for c in bare} == {Needs.CONTEXT}


SLOTS = [
    ("мвд", (Candidate(0, "acronym", "МВД", 3), Candidate(1, "acronym", "МВД", 3, Needs.CONTEXT))),
    ("таласская", (Candidate(2, "exact", "Таласская", 9),)),
    ("нет", ()),  # no readings: not a key
    ("...", (Candidate(3, "alias", "...", 3),)),  # no letter: a key, never in a key table
]


def test_keys_keep_the_slots_they_are_made_of() -> None:
    keys = keyorder.of_slots(SLOTS)
    assert list(keys.slots()) == [(k, tuple(c)) for k, c in SLOTS if c]
    assert keys.columns["key_len"].tolist() == [3, 3, 9, 0]


KEY_COLUMNS = [
    # key → (words, first word, core length)
    ("мвд", (1, "мвд", 3)),
    ("министерство обороны", (2, "министерство", 20)),
    ("«газпром»", (1, "газпром", 7)),
    ("и.кубраков", (2, "и", 10)),
    ("республика саха (якутия)", (3, "республика", 23)),
    ("два  пробела", (2, "два", 12)),
    ("...", (0, "", 0)),
]


@pytest.mark.parametrize("key, expected", KEY_COLUMNS, ids=[k for k, _ in KEY_COLUMNS])
def test_key_columns(key: str, expected: tuple[int, str, int]) -> None:
    words, first, length = expected
    cols = keyhash.key_columns([key])
    assert cols["key_words"].tolist() == [words]
    assert cols["key_len"].tolist() == [length]
    assert cols["key_word"].tolist() == keyhash.hashes([first]).tolist()
    s, e = keyhash.core_span(key)
    assert cols["key_core"].tolist() == [keyhash.hash_of(key[s:e])]


_THREADS = """
import os, threading
from normalize.link import keyrows
keyrows.PARALLEL_MIN = 1
alone = keyrows.process_count(10, 4)
stop = threading.Event()
thread = threading.Thread(target=stop.wait)
thread.start()
beside = keyrows.process_count(10, 4)
stop.set()
thread.join()
print(alone, beside, min(4, len(os.sched_getaffinity(0))))
"""


def test_one_process_while_another_thread_runs() -> None:
    """A fork copies the locks other threads hold: with a thread running, the rows are made in the process.
    In a fresh interpreter: a thread polars ran Python on stays on as a `threading._DummyThread` for good."""
    out = subprocess.run([sys.executable, "-c", _THREADS], capture_output=True, text=True, check=True, timeout=60)
    alone, beside, cores = map(int, out.stdout.split())
    assert (alone, beside) == (cores, 1)


def test_compile_index_pauses_the_collector_and_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A library caller's compile too: the collector walked the rows' growing lists again and again."""
    import gc

    seen: list[bool] = []
    real = keyrows.generate
    monkeypatch.setattr(keyrows, "generate", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    assert gc.isenabled()
    link.compile_index(gazetteer.load())
    assert seen == [False] and gc.isenabled()
