"""The key store filled ahead (`keyfill`): what a forked process keeps while the set is stacked is what the
compile would have generated, found there by the compile, and never changes what it compiles."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import keysets
import pytest
from keysets import FIXTURE, MORE, kept, two_files

from normalize import cache, gazetteer, link
from normalize.gazetteer import Layer
from normalize.layers import merge
from normalize.link import keyfill, keys, keystore


@pytest.mark.parametrize("piece", [keystore.PIECE, 4], ids=["whole files", "pieces of four"])
def test_filled_keys_are_found_by_the_compile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int) -> None:
    monkeypatch.setattr(keystore, "PIECE", piece)
    folder = two_files(tmp_path / "gaz")
    store = keystore.KeyStore(tmp_path / "cache", "code")
    for path in keyfill.files_of([Layer.of(folder)]):
        assert store.fill(keyfill.entities_of(path)) > 0
    named = keysets.named(folder)
    made = keysets.counting(monkeypatch)
    assert kept(store.own_keys(named)) == [tuple(keys.own_keys(e)) for e in named]
    # what the set implies (variants.derive) changes an entity's names: only those are generated again
    plain = gazetteer.load([folder]).entities
    changed = [e.name for e, p in zip(named, plain, strict=True) if keys.own_fingerprint(e) != keys.own_fingerprint(p)]
    assert made == changed and len(made) < len(named) // 2
    assert store.fill(keyfill.entities_of(folder / "more.yaml")) == 0  # all kept already


def test_a_fill_stopped_keeps_its_piece_as_far_as_it_went(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keystore, "STOP_EVERY", 5)
    entities = keyfill.entities_of(FIXTURE)  # 19, in one piece
    store = keystore.KeyStore(tmp_path / "cache", "code")
    asked = []

    def stop() -> bool:  # the third ask stops it: after 10 entities
        asked.append(1)
        return len(asked) == 3

    assert store.fill(entities, stop) == 10
    made = keysets.counting(monkeypatch)
    assert kept(store.own_keys(entities)) == [tuple(keys.own_keys(e)) for e in entities]
    assert made == [e.name for e in entities[10:]]
    assert store.fill(entities, lambda: True) == 0  # stopped before it began: nothing made


def test_files_in_the_order_the_stack_reads_them(tmp_path: Path) -> None:
    folder = two_files(tmp_path / "gaz")
    layers = [Layer.of(gazetteer.bundled_dir()), Layer.of(folder, folder / "more.yaml", tmp_path / "gone")]
    assert keyfill.files_of(layers) == list(merge(layers, warnings=False).files)


def test_entities_of_leaves_out_what_only_updates_or_drops(tmp_path: Path) -> None:
    path = tmp_path / "layer.yaml"
    path.write_text(
        "entities:\n"
        "  - {id: person/x, type: person, name: Любовь Соболь}\n"
        "  - {id: country/kg, aliases: [Киргизстан]}\n"  # an update: no name of its own
        "  - {id: country/by, drop: true}\n"
        "  - {id: city/bad, type: city}\n",  # no name: an error the stack reports
        encoding="utf-8",
    )
    assert [e.id for e in keyfill.entities_of(path)] == ["person/x"]


def test_ahead_fills_beside_the_body_and_stops_with_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyfill, "FILL_MIN_BYTES", 0)
    monkeypatch.setattr(keystore, "PIECE", 4)
    folder = two_files(tmp_path / "gaz")
    store = keystore.KeyStore(tmp_path / "cache", "code")
    with keyfill.ahead([Layer.of(folder)], store, cores=2) as stop:
        deadline = time.monotonic() + 60
        while len(list(store.where.glob("keys-*.pickle"))) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)  # the body: what the compile does meanwhile
        stop()  # as before the compile forks processes of its own
        assert not multiprocessing.active_children()
        stop()  # and once more, as the body ends: nothing to stop
    assert not [p for p in store.where.iterdir() if not p.name.startswith("keys-")]  # no temporary file left
    assert store.fill(keyfill.entities_of(folder / "mini.yaml")) == 0  # all 19 filled, in five pieces
    assert not multiprocessing.active_children()


def test_a_file_that_fails_is_left_to_the_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A file it cannot read, keys it cannot make: the other files are filled, and nothing is printed."""
    monkeypatch.setattr(keyfill, "FILL_MIN_BYTES", 0)
    folder = two_files(tmp_path / "gaz")
    (folder / "broken.yaml").write_text("entities: [{id: x, type: city, name: [", encoding="utf-8")
    (folder / "zz.yaml").write_text(MORE.replace("person/x", "person/y").replace("Любовь", "Анна"), encoding="utf-8")
    real = keystore.own_keys
    monkeypatch.setattr(keystore, "own_keys", lambda e: 1 / 0 if e.name == "Анна Соболь" else real(e))
    store = keystore.KeyStore(tmp_path / "cache", "code")
    with keyfill.ahead([Layer.of(folder)], store, cores=2):
        deadline = time.monotonic() + 60
        while len(list(store.where.glob("keys-*.pickle"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
    assert store.fill(keyfill.entities_of(folder / "mini.yaml")) == 0  # filled
    assert store.fill(keyfill.entities_of(folder / "more.yaml")) == 0
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(("store", "cores", "min_bytes"), [(False, 2, 0), (True, 1, 0), (True, 2, 10**9)])
def test_ahead_does_nothing_without_a_store_a_core_or_a_largetwo_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: bool, cores: int, min_bytes: int
) -> None:
    monkeypatch.setattr(keyfill, "FILL_MIN_BYTES", min_bytes)
    kept = keystore.KeyStore(tmp_path / "cache", "code")
    with keyfill.ahead([Layer.of(two_files(tmp_path / "gaz"))], kept if store else None, cores):
        assert not multiprocessing.active_children()
    assert not kept.where.exists()


def test_a_compile_filled_ahead_is_the_compile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first compile that fills ahead (here from a set of bytes enough) gives the index one without a store does."""
    monkeypatch.setattr(keyfill, "FILL_MIN_BYTES", 0)
    monkeypatch.setenv("NORMALIZE_CACHE", str(tmp_path / "cache"))
    folder = two_files(tmp_path / "gaz")
    g, index = cache.compile_gazetteers([folder])
    fresh = link.compile_index(g)
    text = "Любови Соболь вручили награду в Бишкеке; МВД Кыргызской Республики сообщило, Соболь согласна."
    assert index.n_keys == fresh.n_keys
    assert link.find_mentions(text, index) == link.find_mentions(text, fresh)
    assert len(link.find_mentions(text, fresh)) >= 2
