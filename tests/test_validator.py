"""One validator for the run and for `gazetteers check`: what one refuses, the other refuses.

The fixture cases are test_check's (one broken gazetteer per problem kind); here each is also
loaded and run, and the JSON Schema is held to the same field tables as the loader.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from runs import corpus, env

from normalize import cli
from normalize.check import check, check_layers, label
from normalize.gazetteer import GazetteerError, gazetteer_files, load
from normalize.gazetteer_model import Entity, json_schema, json_schema_text
from normalize.gazetteer_sets import normalize_name
from normalize.gazetteer_validator import Findings, read_file
from normalize.layers import command_layers

HERE = Path(__file__).resolve().parent
CASES = HERE / "fixtures" / "gazetteers"
SCHEMA = HERE.parent / "schemas" / "gazetteer.schema.json"
ALL_CASES = sorted(d.name for d in CASES.iterdir() if d.is_dir())
ERROR_CASES = [c for c in ALL_CASES if any(p.severity == "error" for p in check([CASES / c]))]
SOUND_CASES = sorted(set(ALL_CASES) - set(ERROR_CASES))  # no problems, or warnings only


def first_error(case: str, bundled: bool = False) -> tuple[Path, int, str] | None:
    """The first error `check` reports in a case (on its own, or as a layer on the bundled set, as
    `gazetteers check -g CASE` checks it): file, line, and the message as the loader words it (the
    loader names files as it was given them, `check` relative to the working directory)."""
    if bundled:
        layers = command_layers([CASES / case])
        problems = check_layers(layers, advice_from=1)
        files = gazetteer_files([p for layer in layers for p in layer.paths])
    else:
        problems, files = check([CASES / case]), gazetteer_files([CASES / case])
    p = next((p for p in problems if p.severity == "error"), None)
    if p is None:
        return None
    message = p.message
    for f in files:
        message = message.replace(label(f), str(f))
    return Path(p.path).resolve(), p.line, message


def test_the_cases_cover_both_sides() -> None:
    assert len(ERROR_CASES) >= 20 and {"clean", "common_word", "rule_no_examples"} <= set(SOUND_CASES)


@pytest.mark.parametrize("case", ERROR_CASES)
def test_every_check_error_stops_the_loader_at_that_file_and_line(case: str) -> None:
    path, line, message = first_error(case)  # type: ignore[misc]
    with pytest.raises(GazetteerError) as caught:
        load([CASES / case])
    where = caught.value.where
    assert (Path(where.path).resolve(), where.line) == (path, line)  # type: ignore[union-attr]
    assert caught.value.message.startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("case", SOUND_CASES)
def test_a_set_with_warnings_only_loads(case: str) -> None:
    g = load([CASES / case])
    assert g.entities or g.rules


# Each case as the only layer (--no-bundled), and some on the bundled set, where the stack decides:
# drop_unknown drops an entity that only the bundled set has (an error alone, accepted on it);
# missing_field's entity without a name updates the bundled country/kg, so its first error is the rule's.
RUNS = [(case, False) for case in ALL_CASES] + [
    (case, True) for case in ("drop_unknown", "missing_field", "duplicate_id", "rule_example_failed")
]


@pytest.mark.parametrize(("case", "bundled"), RUNS, ids=[f"{c}-{'stacked' if b else 'alone'}" for c, b in RUNS])
def test_the_run_refuses_exactly_what_check_reports_as_an_error(
    case: str, bundled: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error = first_error(case, bundled)
    alone = [] if bundled else ["--no-bundled"]
    argv = [str(corpus(tmp_path / "in", 1)), str(tmp_path / "out"), "-g", str(CASES / case), *alone, "-j1", "-q"]
    code = cli.main(argv)
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    if error is None:  # warnings only: the run takes it
        assert (code, err) == (0, [])
        return
    path, line, message = error
    assert code == 2
    assert len(err) == 1 and err[0].startswith("normalize: error: ")
    assert f"{path}:{line}: {message}" in err[0]


def test_a_python_tag_is_one_line_in_a_subprocess_too(tmp_path: Path) -> None:
    # an unknown YAML tag used to escape the loader as a yaml ConstructorError, with a traceback
    bad = CASES / "yaml_syntax" / "tag.yaml"
    argv = [sys.executable, "-m", "normalize", str(corpus(tmp_path / "in", 1)), str(tmp_path / "out"), "-g", str(bad)]
    p = subprocess.run(argv, env=env(), capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [
        f"normalize: error: {bad}:5: YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/name:os.system'"
    ]


def test_the_first_error_says_how_many_more() -> None:
    more = r"adjectives\.yaml:8: adjective .* \(and 8 more errors: see `normalize gazetteers check`\)$"
    with pytest.raises(GazetteerError, match=more):
        load([CASES / "bad_value"])


def test_a_file_named_twice_is_one_file() -> None:
    # a directory and a file in it: the loader once counted its ids twice («duplicate entity id»)
    both = [CASES / "clean", CASES / "clean" / "places.yaml"]
    assert gazetteer_files(both) == gazetteer_files([CASES / "clean"])
    assert load(both).digest == load([CASES / "clean"]).digest
    assert check(both) == []


# --- the JSON Schema and the field tables ------------------------------------------------


def test_the_schema_file_is_generated_from_the_field_tables() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == json_schema_text(), (
        "schemas/gazetteer.schema.json is out of step with normalize/gazetteer_model.py; rewrite it with\n"
        "python -c \"from normalize.gazetteer_model import json_schema_text as t; "
        "open('schemas/gazetteer.schema.json', 'w', encoding='utf-8').write(t())\""
    )


ENTITY = {"id": "country/kg", "type": "country", "name": "Киргизия"}
RULE = {"id": "typo/knd", "find": "КНД", "replace": "КНР", "examples": [{"in": "опыт КНД", "out": "опыт КНР"}]}
GONE = object()  # the field left out

# (record, field, value, valid): every kind of field, once fine and once not
VALUES = [
    ("entity", "id", GONE, False),
    ("entity", "id", "", False),
    ("entity", "id", 7, False),
    ("entity", "type", "town", False),
    ("entity", "type", GONE, True),  # valid as an update of an earlier layer's country/kg (see below)
    ("entity", "type", None, False),
    ("entity", "name", "  Киргизия ", True),
    ("entity", "name", "   ", False),
    ("entity", "name", GONE, True),
    ("entity", "drop", True, True),
    ("entity", "drop", "yes", False),
    ("entity", "aliases", ["Кыргызстан", "КР"], True),
    ("entity", "aliases", [], True),
    ("entity", "aliases", None, True),
    ("entity", "aliases", "Кыргызстан", False),
    ("entity", "aliases", ["Кыргызстан", ""], False),
    ("entity", "aliases", [42], False),
    ("entity", "wikidata", "Q813", True),
    ("entity", "wikidata", None, True),
    ("entity", "wikidata", 813, False),
    ("entity", "wikidata", "Q813a", False),
    ("entity", "wikidata", "Q٨١٣", False),
    ("entity", "parent", "country/kz", True),
    ("entity", "parent", None, True),
    ("entity", "parent", "", False),
    ("entity", "gender", "f", True),
    ("entity", "gender", None, True),
    ("entity", "gender", "male", False),
    ("entity", "description", 5, False),
    ("entity", "adjectives", ["киргизский", "кыргыз-ский"], True),
    ("entity", "adjectives", None, True),
    ("entity", "adjectives", ["Киргизский"], False),
    ("entity", "adjectives", ["kyrgyz"], False),
    ("entity", "adjectives", "киргизский", False),
    ("entity", "nickname", "Кыргызстан", False),
    ("rule", "find", None, False),
    ("rule", "replace", None, True),
    ("rule", "replace", 1.5, True),
    ("rule", "replace", GONE, False),
    ("rule", "replace", ["где"], False),
    ("rule", "replace", True, False),
    ("rule", "regex", None, True),
    ("rule", "regex", False, True),
    ("rule", "regex", "no", False),
    ("rule", "ignore_case", "yes", False),
    ("rule", "examples", None, True),
    ("rule", "examples", [{"in": 1, "out": 2}], True),
    ("rule", "examples", [{"in": ["опыт КНД"], "out": "опыт КНР"}], False),
    ("rule", "examples", [{"in": "опыт КНД", "out": None}], False),
    ("rule", "examples", [{"in": "опыт КНД"}], False),
    ("rule", "examples", [{"in": "a", "out": "a", "note": "b"}], False),
    ("rule", "examples", "опыт КНД → опыт КНР", False),
    ("rule", "note", "seen on kabar.kg", False),
]


@pytest.mark.parametrize(("record", "key", "value", "valid"), VALUES)
def test_schema_and_validator_agree_field_by_field(
    record: str, key: str, value: object, valid: bool, tmp_path: Path
) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (optional)")
    item = dict(ENTITY if record == "entity" else RULE)
    if value is GONE:
        del item[key]
    else:
        item[key] = value
    doc = {"entities" if record == "entity" else "rules": [item]}
    schema_errors = list(jsonschema.Draft202012Validator(json_schema()).iter_errors(doc))
    f = tmp_path / "one.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    found = Findings()
    # over a layer with country/kg, which the entity then updates: the schema cannot see layers
    read_file(f, "one.yaml", found, {"country/kg": Entity("country/kg", "country", "Киргизия")})
    assert (not schema_errors, not found.problems) == (valid, valid), (
        [e.message for e in schema_errors],
        [str(p) for p in found.problems],
    )


def test_a_set_on_its_own_needs_type_and_name(tmp_path: Path) -> None:
    f = tmp_path / "one.yaml"
    f.write_text("entities:\n  - id: country/kg\n    aliases: [КР]\n", encoding="utf-8")
    found = Findings()
    read_file(f, "one.yaml", found)
    assert [(p.code, p.message) for p in found.problems] == [
        ("missing-field", "entity 'country/kg' is missing required field 'type'"),
        ("missing-field", "entity 'country/kg' is missing required field 'name'"),
    ]


def test_the_schema_file_is_valid_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (optional)")
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA.read_text(encoding="utf-8")))


# libyaml composes the files when PyYAML has it (the pure-Python parser was most of a large set's
# compile); both parsers must give the same line-tagged nodes and the same problem lines
YAML_TEXTS = [
    "- id: Q1\n  name: Россия\n  aliases: [РФ, Российская Федерация]\n  since: 2020-01-01\n"
    "  n: 1.5\n  on: yes\n  z: ~\n",
    "entities:\n  - id: Q2\n    name: 'Кыргызстан'\n    aliases:\n      - Киргизия\n      - КР\n",
    "a: 1\na: 2\n",
    "a: [1, 2\nb: 3\n",
    "- id: x\n  name: 'unterminated\n",
    "a: 1\n\tb: 2\n",
    "key: value: other\n",
    "a: !!python/object:os.system x\n",
    "",
    "# only a comment\n",
]


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", YAML_TEXTS)
def test_libyaml_and_pure_python_yaml_give_the_same_nodes(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import normalize.gazetteer_validator as validator

    seen = []
    for loader in (yaml.SafeLoader, yaml.CSafeLoader):
        monkeypatch.setattr(validator, "_COMPOSER", loader)
        found = Findings()
        node = validator.parse_yaml(text, "f.yaml", found)
        seen.append((node, [(p.line, p.code) for p in found.problems]))
    assert seen[0] == seen[1]


# name → the form under which two names count as the same (the slow paths: quotes, runs of
# whitespace other than one space; \x1c is not whitespace to the regex, though str.split takes it)
NORMALIZED = [
    ("Кыргызстан", "кыргызстан"),
    ("  «ШОС».  ", "шос"),
    ('Союз  "Беларусь"', "союз беларусь"),
    ("Ёлкин\u00a0Пётр", "елкин петр"),
    ("a\tb", "a b"),
    ("a\x1cb", "a\x1cb"),
    (" МВД КР..", "мвд кр"),
    ("Д'Артаньян", "дартаньян"),
    ("\u2028x\u3000y\u2009", "x y"),
    ("ИГИЛ . ", "игил"),
    ("„Нафтогаз“", "нафтогаз"),
    ("СТРАНА  ЁЁ", "страна ее"),
]


@pytest.mark.parametrize(("name", "expected"), NORMALIZED)
def test_normalize_name(name: str, expected: str) -> None:
    assert normalize_name(name) == expected
