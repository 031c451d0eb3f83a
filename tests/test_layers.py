"""Gazetteer layers: every merge rule, as a table of stacks (base, then layers) and what they make."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from normalize import check as check_mod
from normalize import gazetteer, link
from normalize.check import CODES, check_layers, main
from normalize.gazetteer import GazetteerError, load
from normalize.gazetteer_model import Gazetteer
from normalize.layers import Layer, command_layers, merge, stack

BASE = """\
entities:
  - id: country/kg
    type: country
    name: Киргизия
    aliases: [Кыргызстан]
    wikidata: Q813
    adjectives: [киргизский]
  - id: agency/kg-mvd
    type: agency
    name: МВД Киргизии
    parent: country/kg
  - id: person/begun
    type: person
    name: Алексей Бегун
    wikidata: Q1001
  - id: person/ivanov
    type: person
    name: Иван Иванов
  - id: org/sco
    type: organization
    name: Шанхайская организация сотрудничества
    aliases: [ШОС]
  - id: city/osh
    type: city
    name: Ош
rules:
  - id: typo/knd
    find: КНД
    replace: КНР
    examples:
      - {in: "опыт КНД", out: "опыт КНР"}
"""

KG = ("country/kg", "country", "Киргизия", ("Кыргызстан",), "Q813", None)


@dataclass(frozen=True)
class Case:
    """A stack over BASE: the layers' files, then the entities expected (id, type, name, aliases,
    wikidata, parent), the ids that must be gone, and every problem (layer, line, code, fragment)."""

    layers: tuple[str, ...]
    entities: tuple[tuple[object, ...], ...] = ()
    gone: tuple[str, ...] = ()
    problems: tuple[tuple[int, int, str, str], ...] = ()
    adjectives: dict[str, tuple[str, ...]] = field(default_factory=dict)


CASES: dict[str, Case] = {
    "the base alone is the base": Case(("",), entities=(KG,)),
    "same id: the fields given replace, aliases and adjectives add": Case(
        (
            """\
entities:
  - id: country/kg
    aliases: [КР, кыргызстан]
    adjectives: [кыргызский]
    description: updated
""",
        ),
        entities=(("country/kg", "country", "Киргизия", ("Кыргызстан", "КР"), "Q813", None),),
        adjectives={"country/kg": ("киргизский", "кыргызский")},
        problems=((1, 2, "layer-update", "updates 'country/kg' (base/g.yaml:2): aliases, description, adjectives"),),
    ),
    "same id: a new name replaces the old, which is no longer a name": Case(
        ("entities:\n  - id: country/kg\n    name: Кыргызстан\n",),
        entities=(("country/kg", "country", "Кыргызстан", (), "Q813", None),),
        problems=((1, 2, "layer-update", "updates 'country/kg'"),),
    ),
    "drop: true removes it": Case(
        ("entities:\n  - id: city/osh\n    drop: true\n",),
        gone=("city/osh",),
        problems=((1, 2, "layer-update", "drops 'city/osh' (base/g.yaml:23)"),),
    ),
    "drop of an id no earlier layer has is an error": Case(
        ("entities:\n  - id: city/nowhere\n    drop: true\n",),
        problems=((1, 3, "drop-unknown", "no earlier layer has an entity 'city/nowhere'"),),
    ),
    "a dropped parent is let go": Case(
        ("entities:\n  - id: country/kg\n    drop: true\n",),
        entities=(("agency/kg-mvd", "agency", "МВД Киргизии", (), None, None),),
        gone=("country/kg",),
        problems=(
            (1, 2, "layer-update", "drops 'country/kg'"),
            (1, 2, "parent-dropped", "'agency/kg-mvd' (base/g.yaml:8) had the parent 'country/kg'"),
        ),
    ),
    "same wikidata: one entity, the later id and name, names united, children follow": Case(
        (
            """\
entities:
  - id: my/kyrgyzstan
    type: country
    name: Кыргызстан
    aliases: [Кыргызская Республика]
    wikidata: Q813
""",
        ),
        entities=(
            ("my/kyrgyzstan", "country", "Кыргызстан", ("Киргизия", "Кыргызская Республика"), "Q813", None),
            ("agency/kg-mvd", "agency", "МВД Киргизии", (), None, "my/kyrgyzstan"),
        ),
        gone=("country/kg",),
        adjectives={"my/kyrgyzstan": ("киргизский",)},
        problems=((1, 2, "layer-merge", "'my/kyrgyzstan' has the wikidata Q813 of 'country/kg' (base/g.yaml:2)"),),
    ),
    "same type and name: one entity, what the earlier one knew is kept": Case(
        ("entities:\n  - id: my/kg\n    type: country\n    name: Киргизия\n    aliases: [КР]\n",),
        entities=(("my/kg", "country", "Киргизия", ("Кыргызстан", "КР"), "Q813", None),),
        gone=("country/kg",),
        problems=((1, 2, "layer-merge", "the country name 'Киргизия' of 'country/kg'"),),
    ),
    "same type and name but another wikidata: the later takes the name": Case(
        ("entities:\n  - id: my/kg\n    type: country\n    name: Киргизия\n    wikidata: Q999\n",),
        entities=(
            ("my/kg", "country", "Киргизия", (), "Q999", None),
            ("agency/kg-mvd", "agency", "МВД Киргизии", (), None, "my/kg"),
        ),
        gone=("country/kg",),
        problems=((1, 4, "layer-name", "is the name of 'country/kg' (base/g.yaml:4), which it replaces"),),
    ),
    "same name, another type: two entities": Case(
        ("entities:\n  - id: region/kg\n    type: region\n    name: Киргизия\n",),
        entities=(KG, ("region/kg", "region", "Киргизия", (), None, None)),
    ),
    "two persons of one name: the later takes the name, no merge": Case(
        ("entities:\n  - id: my/ivanov\n    type: person\n    name: Иван Иванов\n    gender: m\n",),
        entities=(("my/ivanov", "person", "Иван Иванов", (), None, None),),
        gone=("person/ivanov",),
        problems=((1, 4, "layer-name", "'Иван Иванов' of 'my/ivanov' is the name of 'person/ivanov'"),),
    ),
    "persons with one wikidata: one entity": Case(
        ("entities:\n  - id: my/begun\n    type: person\n    name: Алексей Бегун\n    wikidata: Q1001\n",),
        entities=(("my/begun", "person", "Алексей Бегун", (), "Q1001", None),),
        gone=("person/begun",),
        problems=((1, 2, "layer-merge", "has the wikidata Q1001 of 'person/begun'"),),
    ),
    "an alias taken by a later entity leaves the earlier one": Case(
        ("entities:\n  - id: my/shos\n    type: organization\n    name: ШОС-клуб\n    aliases: [ШОС]\n",),
        entities=(
            ("org/sco", "organization", "Шанхайская организация сотрудничества", (), None, None),
            ("my/shos", "organization", "ШОС-клуб", ("ШОС",), None, None),
        ),
        problems=((1, 5, "layer-name", "'ШОС' of 'my/shos' was an alias of 'org/sco' (base/g.yaml:22)"),),
    ),
    "within one layer, a duplicate id is still an error": Case(
        ("entities:\n  - id: country/kg\n    aliases: [КР]\n  - id: country/kg\n    aliases: [Кыргыз]\n",),
        entities=(("country/kg", "country", "Киргизия", ("Кыргызстан", "КР"), "Q813", None),),
        problems=(
            (1, 2, "layer-update", "updates 'country/kg'"),
            (1, 4, "duplicate-id", "duplicate entity id 'country/kg' (first at top1/g.yaml:2)"),
        ),
    ),
    "within one layer, a name claimed twice by one type is still an error": Case(
        ("entities:\n  - {id: my/a, type: city, name: Нарын}\n  - {id: my/b, type: city, name: Нарын}\n",),
        problems=((1, 3, "alias-collision", "two city entities cannot share a name"),),
    ),
    "a new entity still needs its type and name": Case(
        ("entities:\n  - id: city/naryn\n    aliases: [Нарын]\n",),
        problems=(
            (1, 2, "missing-field", "entity 'city/naryn' is missing required field 'type'"),
            (1, 2, "missing-field", "entity 'city/naryn' is missing required field 'name'"),
        ),
    ),
    "an update's surname is checked against the name it keeps (and a broken update is not applied)": Case(
        ("entities:\n  - id: person/ivanov\n    surname: Петров\n",),
        problems=((1, 3, "surname-not-in-name", "surname 'Петров' is not a word of the name 'Иван Иванов'"),),
    ),
    "an old id still names its entity, for updates and parents, layers later": Case(
        (
            "entities:\n  - id: my/kg\n    type: country\n    name: Кыргызстан\n    wikidata: Q813\n",
            "entities:\n  - id: country/kg\n    aliases: [КР]\n"
            "  - id: city/naryn\n    type: city\n    name: Нарын\n    parent: country/kg\n",
        ),
        entities=(
            ("my/kg", "country", "Кыргызстан", ("Киргизия", "КР"), "Q813", None),
            ("city/naryn", "city", "Нарын", (), None, "my/kg"),
        ),
        problems=(
            (1, 2, "layer-merge", "'my/kg' has the wikidata Q813 of 'country/kg'"),
            (2, 2, "layer-update", "updates 'my/kg'"),
        ),
    ),
    "a parent cycle across layers is an error": Case(
        ("entities:\n  - id: country/kg\n    parent: agency/kg-mvd\n",),
        problems=(
            (1, 2, "layer-update", "updates 'country/kg'"),
            (1, 3, "parent-cycle", "country/kg → agency/kg-mvd → country/kg"),
        ),
    ),
    "an entity that takes in its own parent loses the parent": Case(
        (
            "entities:\n  - {id: region/chui, type: region, name: Чуй, parent: region/chui-oblast}\n"
            "  - {id: region/chui-oblast, type: region, name: Чуйская область}\n",
            "entities:\n  - {id: my/chui, type: region, name: Чуй, aliases: [Чуйская область]}\n",
        ),
        entities=(("my/chui", "region", "Чуй", ("Чуйская область",), None, None),),
        gone=("region/chui", "region/chui-oblast"),
        problems=(
            (2, 2, "layer-merge", "'my/chui' has the region name 'Чуй' of 'region/chui' (top1/g.yaml:2)"),
            (2, 2, "layer-name", "'Чуйская область' of 'my/chui' is the name of 'region/chui-oblast'"),
            (2, 2, "parent-dropped", "'my/chui' took in its parent 'region/chui-oblast'"),
        ),
    ),
    "a parent in an earlier layer resolves": Case(
        ("entities:\n  - {id: city/naryn, type: city, name: Нарын, parent: country/kg}\n",),
        entities=(("city/naryn", "city", "Нарын", (), None, "country/kg"),),
    ),
    "a rule with an earlier id replaces it": Case(
        (
            "rules:\n  - id: typo/knd\n    find: КНД\n    replace: Китая\n"
            "    examples:\n      - {in: 'опыт КНД', out: 'опыт Китая'}\n",
        ),
        problems=((1, 2, "layer-update", "rule 'typo/knd' replaces the rule of base/g.yaml:27"),),
    ),
}


def build(tmp_path: Path, case: Case) -> list[Layer]:
    """BASE and the case's layers, each in its folder (base, top1, top2, ...)."""
    layers = []
    for i, text in enumerate((BASE, *case.layers)):
        folder = tmp_path / ("base" if i == 0 else f"top{i}")
        folder.mkdir()
        (folder / "g.yaml").write_text(text, encoding="utf-8")
        layers.append(Layer.of(folder))
    return layers


def row(e: gazetteer.Entity) -> tuple[object, ...]:
    return (e.id, e.type, e.name, e.aliases, e.wikidata, e.parent)


@pytest.mark.parametrize("name", list(CASES))
def test_merge_rule(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    merged = merge(build(tmp_path, case), label=lambda p: p.relative_to(tmp_path).as_posix())
    by_id = merged.gazetteer.by_id()
    for expected in case.entities:
        assert expected[0] in by_id, (expected[0], sorted(by_id))
        assert row(by_id[expected[0]]) == expected  # type: ignore[index]
    for eid, adjectives in case.adjectives.items():
        assert by_id[eid].adjectives == adjectives
    assert not set(case.gone) & set(by_id)
    problems = [p for p in merged.problems if p.code != "common-word"]
    layer = {"base": 0, **{f"top{i}": i for i in range(1, 9)}}
    assert [(layer[p.path.split("/")[0]], p.line, p.code) for p in problems] == [
        (n, line, code) for n, line, code, _ in case.problems
    ], [str(p) for p in problems]
    for p, (_n, _line, _code, fragment) in zip(problems, case.problems, strict=True):
        assert fragment in p.message, (fragment, p.message)
        assert p.severity == CODES[p.code][0]


def test_every_layer_code_has_a_case() -> None:
    layer_codes = {code for code in CODES if code.startswith("layer-")} | {"drop-unknown", "parent-dropped"}
    covered = {code for case in CASES.values() for _, _, code, _ in case.problems}
    assert layer_codes <= covered


def test_stack_refuses_what_merge_reports_as_an_error(tmp_path: Path) -> None:
    layers = build(tmp_path, CASES["drop of an id no earlier layer has is an error"])
    with pytest.raises(GazetteerError, match=r"top1/g\.yaml:3: nothing to drop: no earlier layer has an entity"):
        stack(layers)
    (tmp_path / "ok").mkdir()
    ok = build(tmp_path / "ok", CASES["drop: true removes it"])
    assert "city/osh" not in stack(ok).by_id()


def test_provenance_of_a_merged_entity(tmp_path: Path) -> None:
    layers = build(tmp_path, CASES["same wikidata: one entity, the later id and name, names united, children follow"])
    e = stack(layers, label=lambda p: p.relative_to(tmp_path).as_posix()).by_id()["my/kyrgyzstan"]
    where = {(o.field, o.item): str(o.where) for o in e.origin}
    assert where == {
        ("id", None): "top1/g.yaml:2",
        ("type", None): "top1/g.yaml:3",
        ("name", None): "top1/g.yaml:4",
        ("wikidata", None): "top1/g.yaml:6",
        ("aliases", "Киргизия"): "base/g.yaml:4",  # the earlier name, from where it was written
        ("aliases", "Кыргызская Республика"): "top1/g.yaml:5",
        ("adjectives", "киргизский"): "base/g.yaml:7",
    }
    assert str(e.where) == "top1/g.yaml:2"
    assert [str(o.where) for o in e.origin_of("aliases")] == ["base/g.yaml:4", "top1/g.yaml:5"]


NEW_ENTITY = """\
entities:
  - id: org/sco
    type: organization
    aliases:
      - ШОС
      - Шанхайская организация сотрудничества.
      - «ШОС»
    adjectives: [шосовский, шосовский]
    name: Шанхайская организация сотрудничества
    wikidata: Q485128
"""


def test_provenance_of_a_new_entity(tmp_path: Path) -> None:
    # the name is no alias; an alias (or adjective) given twice points at where it was first given;
    # the fields' origins come in the record's order, the list items' after them
    (tmp_path / "g.yaml").write_text(NEW_ENTITY, encoding="utf-8")
    e = stack([Layer.of(tmp_path)], label=lambda p: p.name).entities[0]
    assert (e.aliases, e.adjectives, str(e.where)) == (("ШОС", "«ШОС»"), ("шосовский", "шосовский"), "g.yaml:2")
    assert [(o.field, o.item, str(o.where)) for o in e.origin] == [
        ("id", None, "g.yaml:2"),
        ("type", None, "g.yaml:3"),
        ("name", None, "g.yaml:9"),
        ("wikidata", None, "g.yaml:10"),
        ("aliases", "ШОС", "g.yaml:5"),
        ("aliases", "ШОС", "g.yaml:5"),
        ("adjectives", "шосовский", "g.yaml:8"),
        ("adjectives", "шосовский", "g.yaml:8"),
    ]


def test_one_layer_is_what_load_gives() -> None:
    bundled = gazetteer.bundled_dir()
    stacked, loaded = stack([Layer.of(bundled)]), load([bundled])
    assert stacked == loaded  # entities, rules, sources and digest
    assert all(e.origin for e in stacked.entities)


def test_a_user_entity_with_a_bundled_wikidata_id_merges_into_it(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "entities:\n  - id: team/kg\n    type: country\n    name: Кыргызстан\n    wikidata: Q813\n", encoding="utf-8"
    )
    layers = command_layers([tmp_path])
    assert [layer.paths for layer in layers] == [(gazetteer.bundled_dir(),), (tmp_path,)]
    merged = merge(layers, advice_from=1)
    assert [p.code for p in merged.problems] == ["layer-merge"]
    g = merged.gazetteer
    kg = g.by_id()["team/kg"]
    assert kg.name == "Кыргызстан" and "Киргизия" in kg.aliases and "country/kg" not in g.by_id()
    assert len(g.entities) == len(load().entities)
    assert all(e.parent != "country/kg" for e in g.entities)  # the bundled agencies follow the new id


# --- empty and rules-only sets --------------------------------------------------------------


def test_no_layers_is_the_empty_gazetteer() -> None:
    g = stack(command_layers([], bundled=False))
    assert g == Gazetteer((), (), (), g.digest)


def test_a_rules_only_layer(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(BASE[BASE.index("rules:") :], encoding="utf-8")
    g = stack([Layer.of(tmp_path)])
    assert g.entities == () and [r.id for r in g.rules] == ["typo/knd"]
    assert load([tmp_path]).rules == g.rules


def test_an_empty_entity_list_compiles() -> None:
    index = link.compile_index(Gazetteer((), ()))
    assert index.entities == () and index.n_keys == 0


def test_an_empty_index_finds_no_mentions() -> None:
    empty = link.compile_index(Gazetteer((), ()))
    assert link.find_mentions("Министр Кыргызстана встретился с Ваном Сяохуном.", empty) == []


# --- check with layers ----------------------------------------------------------------------


def test_check_with_layers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = build(tmp_path, CASES["drop of an id no earlier layer has is an error"])
    top = str(base[1].paths[0])
    assert check_layers(base)[-1].code == "drop-unknown"
    # the command's way: the bundled set under the user's layer, whose drop is an error
    assert main(layers=[top]) == 1
    out = capsys.readouterr().out
    assert "top1/g.yaml:3: error [drop-unknown]" in out and out.rstrip().endswith("1 error, 0 warnings in 9 files")
    ok = tmp_path / "ok.yaml"
    ok.write_text("entities:\n  - id: country/kg\n    aliases: [Кыргыз Республикасы]\n", encoding="utf-8")
    assert main(layers=[str(ok)]) == 0
    assert "warning [layer-update] updates 'country/kg' (" in capsys.readouterr().out
    assert main(layers=[str(ok)], errors_only=True) == 0
    assert capsys.readouterr().out.strip() == "0 errors, 0 warnings in 9 files"
    assert main(layers=[top], bundled=False) == 1  # the user's layer alone: nothing below to drop
    assert "1 error, 0 warnings in 1 file" in capsys.readouterr().out
    assert main([top], layers=[top]) == 2
    assert "not both" in capsys.readouterr().err


def test_check_without_a_bundled_set_in_layer_mode(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing() -> Path:
        raise GazetteerError(check_mod.Location("normalize/gazetteers", 1), "bundled gazetteers not found")

    monkeypatch.setattr("normalize.gazetteer.bundled_dir", missing)  # where command_layers finds it
    assert main(layers=["anything"]) == 1
    assert "normalize/gazetteers:1: error [unreadable] bundled gazetteers not found" in capsys.readouterr().out
