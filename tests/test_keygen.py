"""Key generation made fast keeps every key: one lexeme walk per word picks the forms pymorphy3's
`inflect` picks; memoised word forms and the per-file key cache (`link.keystore`) give the keys a
straightforward generation gives, entity by entity, in the same order."""

from __future__ import annotations

import itertools
import pickle
import zlib
from pathlib import Path

import keysets
import pytest
from keysets import counting, kept, two_files

from normalize import cache, gazetteer, link, morph
from normalize.gazetteer import Entity
from normalize.gazetteer_model import Location
from normalize.link import keys, keystore, variants
from normalize.link.composed import country_genitives

# (word, readings' part of speech): nouns, adjectives, first names, surnames, a plurale tantum
# (no singular: the rare-case fallback, then nothing), a hyphenated place's last part, unknown words
WORDS = (
    "корпорация",
    "ножницы",
    "ледяной",
    "кыргызская",
    "любовь",
    "павел",
    "мария",
    "каменогорск",
    "соболь",
    "токаев",
    "жапаров",
    "сяохун",
)
GRAMS = [
    (case, number, *extra)
    for case, number in itertools.product(morph.CASES, ("sing", "plur"))
    for extra in ((), ("masc",), ("femn",), ("masc", "anim"))
]


@pytest.mark.parametrize("word", WORDS)
def test_inflected_words_pick_as_inflect(word: str) -> None:
    for p in morph.parses(word):
        want = [p.inflect(set(g)) for g in GRAMS]
        assert morph.inflected_words(p, GRAMS) == [q.word if q else None for q in want]
        # a dictionary word's lexeme from its paradigm's affixes, as pymorphy3 walks it
        assert morph.lexeme_words(p) == tuple(zip(*((f.word, f.tag.grammemes) for f in p.lexeme), strict=True))


# persons of both genders, with patronymic, in official order, hyphenated, foreign, a mononym, a first
# name alone, a title after a comma, an explicit surname; places (a hyphenated one, one the dictionary
# does not decline, a region); bodies (with a country in the genitive, an acronym, a legal form)
ENTITIES = (
    Entity("c/kg", "country", "Киргизия", ("Кыргызская Республика", "КР")),
    Entity("c/ru", "country", "Россия", ("Российская Федерация",), adjectives=("российский",)),
    Entity("p/1", "person", "Любовь Соболь", gender="f"),
    Entity("p/2", "person", "Касым-Жомарт Токаев", gender="m"),
    Entity("p/3", "person", "Анна Каренина"),
    Entity("p/4", "person", "Ерохин Дмитрий Юрьевич"),
    Entity("p/5", "person", "Наталья Дмитриевна Иванова", gender="f"),
    Entity("p/6", "person", "Ван Сяохун"),
    Entity("p/7", "person", "Неймар"),
    Entity("p/8", "person", "Филипп"),
    Entity("p/9", "person", "Чарльз, принц Уэльский"),
    Entity("p/10", "person", "Джон Фицджеральд Кеннеди", gender="m"),
    Entity("p/11", "person", "Садыр Жапаров", gender="m"),
    Entity("p/12", "person", "Мухаммед бин Салман", surname="Салман", gender="m"),
    Entity("g/1", "city", "Усть-Каменогорск"),
    Entity("g/2", "city", "Претория"),
    Entity("g/3", "city", "Ростов-на-Дону"),
    Entity("g/4", "region", "Таласская область"),
    Entity("o/1", "agency", "Министерство внутренних дел Кыргызской Республики", ("МВД КР",), parent="c/kg"),
    Entity("o/2", "organization", "Государственная дума", parent="c/ru"),
    Entity("o/3", "organization", "Ледяная корпорация"),
    Entity("o/4", "organization", "ПАО «Газпром»"),
)

# a few keys each row must have, written out (input → expected): the comparison below is between two
# generations, these say what both must give
EXPECTED = {
    "p/1": ("Любови Соболь", "Любовью Соболь"),
    "p/2": ("Касым-Жомарта Токаева", "Касым-Жомартом Токаевым"),
    "p/4": ("Дмитрия Ерохина", "Ерохиным Дмитрием Юрьевичем"),
    "p/5": ("Натальей Дмитриевной", "Натальи Ивановой"),
    "p/7": ("Неймара", "Неймаром"),
    "g/1": ("Усть-Каменогорске",),
    "g/2": ("Претории", "Преторией"),
    "g/3": ("Ростове-на-Дону",),
    "o/1": ("МВД Киргизии", "Министерством внутренних дел Кыргызской Республики"),
    "o/2": ("Госдумы", "Государственной думе"),
    "o/3": ("Ледяной корпорации", "Ледяными корпорациями"),
    "o/4": ("Газпром",),
}


def _keys_by_entity() -> dict[str, list[keys.Key]]:
    derived = variants.derive(ENTITIES)
    named = [variants.with_derived(e, derived.get(i)) for i, e in enumerate(ENTITIES)]
    by_id = {e.id: e for e in named}
    gens = country_genitives(named)
    return {e.id: list(keys.entity_keys(e, by_id, gens)) for e in named}


def _straightforward(p: morph.pymorphy3.analyzer.Parse, wanted: list) -> list[str | None]:
    return [q.word if q is not None else None for q in (p.inflect(set(g)) for g in wanted)]


def test_keys_same_as_straightforward_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    morph.forget()
    fast = _keys_by_entity()  # memos shared by all the rows, as in a large set
    # the reference: one inflect call per form, no memo of word forms, every memo emptied first
    morph.forget()
    monkeypatch.setattr(morph, "inflected_words", _straightforward)
    monkeypatch.setattr(morph, "name_word_cases", morph.name_word_cases.__wrapped__)
    try:
        reference = _keys_by_entity()
    finally:
        monkeypatch.undo()
        morph.forget()  # the reference's memos hold nothing wrong, but leave none behind
    assert fast == reference
    for eid, forms in EXPECTED.items():
        assert set(forms) <= {k.form for k in fast[eid]}, eid


def test_keys_same_from_any_order() -> None:
    """A memo never changes a result: each row's keys alone, from empty memos, equal the set's."""
    together = _keys_by_entity()
    for e in ENTITIES:
        morph.forget()
        derived = variants.derive(ENTITIES)
        named = {x.id: variants.with_derived(x, derived.get(i)) for i, x in enumerate(ENTITIES)}
        alone = list(keys.entity_keys(named[e.id], named, country_genitives(list(named.values()))))
        assert alone == together[e.id], e.id


# --- the per-file key cache ---------------------------------------------------------------------

TEXT = "Любови Соболь вручили награду в Бишкеке; МВД Кыргызской Республики сообщило, Соболь согласна."


def _summary(index: link.Index) -> tuple:
    return index.n_keys, sorted(index.surname_forms.items()), link.find_mentions(TEXT, index)


def test_store_gives_the_keys_generated(tmp_path: Path) -> None:
    folder = two_files(tmp_path / "gaz")
    store = keystore.KeyStore(tmp_path / "cache", "code")
    named = keysets.named(folder)
    fresh = [tuple(keys.own_keys(e)) for e in named]
    assert kept(store.own_keys(named)) == fresh  # generated and kept
    assert len(list(store.where.glob("keys-*.pickle"))) == 2  # one shard per file
    assert kept(store.own_keys(named)) == fresh  # read back
    g = gazetteer.load([folder])
    with_store, fresh_index = _summary(link.compile_index(g, store)), _summary(link.compile_index(g))
    assert with_store == fresh_index
    other = keystore.KeyStore(tmp_path / "other", "code")
    assert _summary(link.compile_index(g, other)) == fresh_index
    assert len(list(other.where.glob("keys-*.pickle"))) == 2  # compiling kept every file's keys, the last too
    assert len(with_store[2]) >= 2  # the text links: the comparison compares something


@pytest.mark.parametrize("piece", [keystore.PIECE, 4], ids=["whole files", "pieces of four"])
def test_one_entity_changed_generates_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int) -> None:
    monkeypatch.setattr(keystore, "PIECE", piece)
    folder = two_files(tmp_path / "gaz")
    store = keystore.KeyStore(tmp_path / "cache", "code")
    kept(store.own_keys(keysets.named(folder)))
    real = keystore.own_keys
    made = counting(monkeypatch)
    more = folder / "more.yaml"
    more.write_text(more.read_text(encoding="utf-8").replace("Любовь Соболь", "Мария Соболь"), encoding="utf-8")
    named = keysets.named(folder)
    assert kept(store.own_keys(named)) == [tuple(real(e)) for e in named]
    assert made == ["Мария Соболь"]
    made.clear()
    assert kept(store.own_keys(named)) == [tuple(real(e)) for e in named]
    assert made == []


def test_a_file_is_kept_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keystore, "PIECE", 4)
    folder = two_files(tmp_path / "gaz")
    store = keystore.KeyStore(tmp_path / "cache", "code")
    named = keysets.named(folder)
    fresh = [tuple(keys.own_keys(e)) for e in named]
    assert kept(store.own_keys(named)) == fresh
    # mini.yaml's 19 entities in five pieces of up to four, more.yaml's one in one
    assert len(list(store.where.glob("keys-*.pickle"))) == 6
    real = keystore.own_keys
    made = counting(monkeypatch)
    # an entity put first moves one entity of each piece into the next: those are generated again, no more
    mini = folder / "mini.yaml"
    text = mini.read_text(encoding="utf-8")
    first = "  - {id: city/grodno, type: city, name: Гродно, parent: country/by}\n"
    mini.write_text(text.replace("entities:\n", "entities:\n" + first, 1), encoding="utf-8")
    named = keysets.named(folder)
    assert kept(store.own_keys(named)) == [tuple(real(e)) for e in named]
    assert made[0] == "Гродно" and len(made) == 1 + 4


@pytest.mark.parametrize(
    ("files", "piece", "expected"),  # expected: (lo, hi, file, the piece's number in its file)
    [
        ("aab", 4, [(0, 2, "a", "0"), (2, 3, "b", "0")]),
        ("aaaaab", 2, [(0, 2, "a", "0"), (2, 4, "a", "1"), (4, 5, "a", "2"), (5, 6, "b", "0")]),
        ("abba", 1, [(0, 1, "a", "0"), (1, 2, "b", "0"), (2, 3, "b", "1"), (3, 4, "a", "1")]),
        ("abba", 3, [(0, 1, "a", "0"), (1, 3, "b", "0"), (3, 4, "a", "1")]),  # never one shard for two pieces
        ("", 3, []),
    ],
)
def test_pieces_cut_each_file(files: str, piece: int, expected: list, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keystore, "PIECE", piece)
    entities = [Entity(f"x/{i}", "city", f"Город{i}", where=Location(f, i + 1)) for i, f in enumerate(files)]
    assert [(p.lo, p.hi, *p.label.split("\0")) for p in keystore.pieces(entities)] == expected


def test_a_shard_keeps_every_field_of_every_key(tmp_path: Path) -> None:
    """Keys kept as columns (forms, lengths, codes, the rare owner and coord) read back as they were given."""
    from normalize.link.records import Key, Needs, coded_keys

    rows = {
        ("person", ("Ирина Кубракова",), (), "f", None): (
            Key("Ирина Кубракова", "exact", 15),
            Key("Ирины Кубраковой", "inflected", 16, Needs.EVIDENCE),
        ),
        ("agency", ("УВД",), (), None, None): (
            Key("УВД", "acronym", 3, Needs.OWNER, owner="country/kg"),
            Key("УВД Таласской", "composed", 13, Needs.COORD, coord="областей"),
            Key("", "alias", 0),  # an empty form among others
        ),
        ("city", ("Ош",), (), None, None): (),  # an entity without keys
    }
    shard = tmp_path / "keys-x.pickle"
    keystore._write(shard, [(fp, coded_keys(keys)) for fp, keys in rows.items()])
    back = keystore._read(shard)
    assert list(back.spans) == list(rows)
    assert {fp: tuple(back.of(fp).keys()) for fp in back.spans} == rows
    assert all(type(k) is Key and type(k.needs) is Needs for fp in back.spans for k in back.of(fp).keys())


def test_shards_beyond_keep_are_pruned_least_recent_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setattr(keystore, "PIECE", 4)
    store = keystore.KeyStore(tmp_path / "cache", "code")
    kept(store.own_keys(keysets.named(two_files(tmp_path / "gaz"))))
    shards = sorted(store.where.glob("keys-*.pickle"))
    assert len(shards) == 6
    for age, shard in enumerate(shards):  # the first the most recently used
        os.utime(shard, (1e9 - age, 1e9 - age))
    monkeypatch.setattr(keystore, "KEEP", 4)
    store.prune()
    assert sorted(store.where.glob("keys-*.pickle")) == shards[:4]


# a shard's bytes → what a damaged one holds instead
DAMAGE = {
    "garbage": lambda data: b"\x00not a shard",
    "truncated": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "other layout": lambda data: zlib.compress(pickle.dumps(["a", "list"])),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_shard_is_generated_again(tmp_path: Path, damage: str) -> None:
    folder = two_files(tmp_path / "gaz")
    store = keystore.KeyStore(tmp_path / "cache", "code")
    named = keysets.named(folder)
    fresh = kept(store.own_keys(named))
    for shard in store.where.glob("keys-*.pickle"):
        shard.write_bytes(DAMAGE[damage](shard.read_bytes()))
    assert kept(store.own_keys(named)) == fresh
    assert kept(store.own_keys(named)) == fresh


def test_unwritable_store_compiles_around(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    store = keystore.KeyStore(tmp_path / "file" / "cache", "code")
    named = keysets.named(two_files(tmp_path / "gaz"))
    assert kept(store.own_keys(named)) == [tuple(keys.own_keys(e)) for e in named]


def test_code_change_makes_new_shards(tmp_path: Path) -> None:
    a = keystore.KeyStore(tmp_path, "code-1")
    b = keystore.KeyStore(tmp_path, "code-2")
    assert a.shard("x.yaml") != b.shard("x.yaml") != b.shard("y.yaml")


def test_cache_clear_removes_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NORMALIZE_CACHE", str(tmp_path / "cache"))
    cache.compile_gazetteers([two_files(tmp_path / "gaz")], bundled=False)
    assert list((tmp_path / "cache").glob("keys-*.pickle"))
    cache.clear()
    assert list((tmp_path / "cache").iterdir()) == []
