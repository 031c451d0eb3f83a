"""`normalize gazetteers check`: one broken fixture per problem kind, each pinned to file and line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from normalize import check as check_mod
from normalize import morph
from normalize.check import CODES, Problem, check, format_problems, main, normalize_name
from normalize.gazetteer import ENTITY_FIELDS, ENTITY_TYPES, RULE_FIELDS, GazetteerError, bundled_dir, load
from normalize.gazetteer_model import ENTITY_SPEC

HERE = Path(__file__).resolve().parent
CASES = HERE / "fixtures" / "gazetteers"
SCHEMA = HERE.parent / "schemas" / "gazetteer.schema.json"


def found(case: str) -> list[tuple[str, int, str, str]]:
    """(file name relative to the case, line, code, message) of every problem in a fixture case."""
    base = CASES / case
    return [(Path(p.path).resolve().relative_to(base).as_posix(), p.line, p.code, p.message) for p in check([base])]


# case → every problem expected in it: (file, line, code, a fragment of the message)
EXPECTED: dict[str, list[tuple[str, int, str, str]]] = {
    "yaml_syntax": [
        ("broken.yaml", 6, "yaml-syntax", "expected ',' or ']'"),
        ("other.yaml", 4, "unknown-type", "'town'"),  # the next file is still checked
        ("tag.yaml", 5, "yaml-syntax", "could not determine a constructor for the tag"),
    ],
    "unknown_key": [("top.yaml", 5, "unknown-key", "unknown top-level key 'entity'")],
    "unknown_field": [
        ("fields.yaml", 5, "unknown-field", "unknown entity field 'alias'"),
        ("fields.yaml", 10, "unknown-field", "unknown rule field 'note'"),
        ("fields.yaml", 12, "unknown-field", "unknown example field 'comment'"),
    ],
    "unknown_type": [("types.yaml", 3, "unknown-type", "unknown entity type 'town'")],
    "missing_field": [
        ("missing.yaml", 2, "missing-field", "entity 'country/kg' is missing required field 'name'"),
        ("missing.yaml", 6, "missing-field", "rule 'typo/knd' is missing required field 'replace'"),
    ],
    "bad_wikidata": [
        ("wikidata.yaml", 5, "bad-wikidata", "not 813"),
        ("wikidata.yaml", 9, "bad-wikidata", "not 'Q23a'"),
        ("wikidata.yaml", 14, "bad-wikidata", "not 'Q١٥٩'"),
    ],
    "duplicate_id": [
        ("b.yaml", 5, "duplicate-id", "duplicate entity id 'country/kg' (first at "),
    ],
    "duplicate_rule_id": [("rules.yaml", 7, "duplicate-rule-id", "duplicate rule id 'typo/knd' (first at ")],
    "drop_unknown": [("drop.yaml", 4, "drop-unknown", "nothing to drop: no earlier layer has an entity 'country/kg'")],
    "alias_collision": [
        ("orgs.yaml", 9, "alias-collision", "alias '«шос».' of 'org/sco-rats' is also alias 'ШОС' of 'org/sco'"),
        ("orgs.yaml", 15, "alias-collision", "is also name 'Объединённый штаб ОДКБ' of 'org/csto-js'"),
    ],
    "duplicate_alias": [
        ("aliases.yaml", 8, "duplicate-alias", "repeats alias 'Кыргызстан' (line 6)"),
        ("aliases.yaml", 12, "duplicate-alias", "adjective 'российский' of 'country/ru' repeats adjective"),
    ],
    "dangling_parent": [("parents.yaml", 5, "dangling-parent", "parent 'country/kgz' of 'city/bishkek'")],
    "parent_cycle": [
        ("cycle.yaml", 5, "parent-cycle", "region/a → region/b → region/a"),
        ("cycle.yaml", 13, "parent-cycle", "country/kg → country/kg"),
    ],
    "parent_type": [
        ("types.yaml", 8, "parent-type", "is a person"),
        ("types.yaml", 15, "parent-type", "is a city, which cannot contain country entities"),
    ],
    "duplicate_key": [("keys.yaml", 7, "duplicate-key", "key 'aliases' repeated (first at line 5)")],
    "bad_value": [
        ("values.yaml", 5, "bad-value", "gender must be 'm' or 'f', not 'male'"),
        ("values.yaml", 8, "bad-value", "name must be a non-empty string"),
        ("values.yaml", 9, "bad-value", "alias must be a non-empty string, not ''"),
        ("values.yaml", 9, "bad-value", "alias must be a non-empty string, not 42"),
        ("values.yaml", 14, "bad-value", "regex must be true or false, not 'no'"),
        ("values.yaml", 20, "bad-value", "replace must be a string, not ['где']"),
        ("values.yaml", 22, "bad-value", "example 'in' must be a string"),
        ("values.yaml", 23, "bad-value", "example 'out' must be a string"),
        ("adjectives.yaml", 8, "bad-value", "adjective must be a lowercase Russian word, not 'Российский'"),
    ],
    "bad_structure": [
        ("shapes.yaml", 2, "bad-structure", "an entity must be a mapping"),
        ("shapes.yaml", 6, "bad-structure", "aliases must be a list"),
        ("shapes.yaml", 11, "bad-structure", "examples must be a list"),
        ("adjectives.yaml", 6, "bad-structure", "adjectives must be a list"),
    ],
    "surname_not_in_name": [("people.yaml", 5, "surname-not-in-name", "surname 'Вэн' is not a word of the name")],
    "rule_example_failed": [
        ("rules.yaml", 6, "rule-example-failed", "turns 'в Белоруссии' into 'в Белоруссии', expected 'в Беларуси'"),
        ("rules.yaml", 13, "rule-example-failed", "raised on 'Киргизская Республика'"),
    ],
    "rule_not_idempotent": [
        ("rules.yaml", 6, "rule-not-idempotent", "into 'власти КР (Кыргызстан) (Кыргызстан) заявили'"),
    ],
    "rule_no_examples": [("rules.yaml", 2, "rule-no-examples", "rule 'typo/knd' has no examples")],
    "rule_inside_word": [
        ("rules.yaml", 3, "rule-inside-word", "'КНД' in the word 'КНДР'"),  # found in the word sample
        ("rules.yaml", 9, "rule-inside-word", "'Киргизии' in 'Киргизиио'"),  # found by gluing a letter on
    ],
    "regex_invalid": [("rules.yaml", 3, "regex-invalid", "regex does not compile: missing )")],
    "regex_backtracking": [("rules.yaml", 4, "regex-backtracking", r"nested quantifiers in `(?:!+\s?)+`")],
    "common_word": [
        ("people.yaml", 4, "common-word", "'Бегун' of 'person/begun' is also a common word «бегун»"),
        ("people.yaml", 9, "common-word", "surname 'Ван' of 'person/wang-xiaohong' is also a common word «ван»"),
        ("people.yaml", 13, "common-word", "name 'Динамо' of 'org/dinamo'"),
    ],
    # three broken entities in one file give three errors, not one
    "collect_all": [
        ("entities.yaml", 4, "unknown-type", "'town'"),
        ("entities.yaml", 6, "missing-field", "'name'"),
        ("entities.yaml", 11, "bad-wikidata", "'Q-232'"),
    ],
}


def test_every_fixture_case_is_in_the_table() -> None:
    cases = {d.name for d in CASES.iterdir() if d.is_dir()}
    assert cases == {*EXPECTED, "clean"}


def test_every_code_has_a_fixture() -> None:
    covered = {code for problems in EXPECTED.values() for _, _, code, _ in problems}
    # unreadable and no-files need files that git cannot hold (bad bytes, an empty dir): see below;
    # what one layer does to another needs layers: tests/test_layers.py has a case for each
    across_layers = {"layer-update", "layer-merge", "layer-name", "parent-dropped"}
    assert covered | {"unreadable", "no-files", "regex-timeout"} | across_layers == set(CODES)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_problem_kind(case: str) -> None:
    problems = found(case)
    assert sorted((f, line, code) for f, line, code, _ in problems) == sorted(
        (f, line, code) for f, line, code, _ in EXPECTED[case]
    )
    for f, line, code, fragment in EXPECTED[case]:
        messages = [m for pf, pl, pc, m in problems if (pf, pl, pc) == (f, line, code)]
        assert any(fragment in m for m in messages), (fragment, messages)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_severity_follows_the_code(case: str) -> None:
    for p in check([CASES / case]):
        assert p.severity == CODES[p.code][0]


def test_clean_fixture_has_no_problems() -> None:
    assert check([CASES / "clean"]) == []
    load([CASES / "clean"])  # and the loader agrees


def test_common_word_message_says_how_the_linker_guards_it() -> None:
    (begun,) = [p for p in check([CASES / "common_word"]) if "Бегун" in p.message]
    assert begun.severity == "warning"
    assert "linked only when capitalised and with evidence in the document: a full-name mention or a title" in (
        begun.message
    )


def test_the_loader_refuses_a_repeated_key_at_its_line() -> None:
    # YAML would keep the last value only, so the first aliases would vanish from the run
    with pytest.raises(GazetteerError, match=r"keys\.yaml:7: key 'aliases' repeated \(first at line 5\)"):
        load([CASES / "duplicate_key"])


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_whatever_the_loader_rejects_check_rejects(case: str) -> None:
    """`load` stops at its first problem; `check` must report an error in that same file."""
    try:
        load([CASES / case])
    except GazetteerError as exc:
        path = Path(exc.where.path).resolve()  # type: ignore[union-attr]
        errors = [p for p in check([CASES / case]) if p.severity == "error"]
        assert any(Path(p.path).resolve() == path for p in errors), (str(exc), errors)


def test_several_directories_are_one_set() -> None:
    # ids are unique across every directory given, not per directory
    problems = check([CASES / "clean", CASES / "duplicate_id"])
    dups = [(Path(p.path).name, p.line, p.code) for p in problems if p.code == "duplicate-id"]
    assert dups == [("a.yaml", 2, "duplicate-id"), ("b.yaml", 2, "duplicate-id"), ("b.yaml", 5, "duplicate-id")]
    assert all("clean/places.yaml:" in p.message for p in problems if p.code == "duplicate-id")
    # files may be named one by one; a file named twice is checked once
    one_by_one = check([CASES / "duplicate_id" / "a.yaml", CASES / "duplicate_id" / "b.yaml"])
    assert [(Path(p.path).name, p.line, p.code) for p in one_by_one] == [("b.yaml", 5, "duplicate-id")]
    assert check([CASES / "duplicate_id", CASES / "duplicate_id" / "a.yaml"]) == one_by_one


def test_unreadable_paths(tmp_path: Path) -> None:
    (tmp_path / "cp1251.yaml").write_bytes(
        "entities:\n  - {id: country/kg, type: country, name: Киргизия}\n".encode("cp1251")
    )
    (tmp_path / "empty").mkdir()
    problems = check([tmp_path / "cp1251.yaml", tmp_path / "missing", tmp_path / "empty"])
    assert [(Path(p.path).name, p.line, p.severity, p.code) for p in problems] == [
        ("cp1251.yaml", 1, "error", "unreadable"),
        ("missing", 1, "error", "unreadable"),
        ("empty", 1, "warning", "no-files"),
    ]
    assert "not UTF-8" in problems[0].message


def test_empty_file_is_fine(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert check([tmp_path]) == []


def test_analyser_is_created_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import pymorphy3

    made = []
    real = pymorphy3.MorphAnalyzer

    def counting(*args: object, **kwargs: object) -> object:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pymorphy3, "MorphAnalyzer", counting)
    morph.analyzer.cache_clear()
    try:
        check([CASES / "common_word"])
        check([CASES / "common_word", CASES / "clean"])
    finally:
        morph.analyzer.cache_clear()
    assert len(made) == 1


# --- output -----------------------------------------------------------------------------


def test_text_format() -> None:
    problems = [
        Problem(
            "gazetteers/persons.yaml", 12, "error", "duplicate-id", "duplicate entity id 'person/x' (first at a:3)"
        ),
        Problem("gazetteers/rules.yaml", 2, "warning", "rule-no-examples", "rule 'typo/x' has no examples"),
    ]
    assert format_problems(problems, "text").splitlines() == [
        "gazetteers/persons.yaml:12: error [duplicate-id] duplicate entity id 'person/x' (first at a:3)",
        "gazetteers/rules.yaml:2: warning [rule-no-examples] rule 'typo/x' has no examples",
        "1 error, 1 warning in 2 files",
    ]
    assert format_problems([], "text", n_files=5) == "0 errors, 0 warnings in 5 files"


def test_github_format() -> None:
    problems = [
        Problem("g/a,b.yaml", 3, "error", "duplicate-id", "100% wrong\nsecond line"),
        Problem("g/c.yaml", 7, "warning", "common-word", "name 'Ван' …"),
    ]
    lines = format_problems(problems, "github", n_files=2).splitlines()
    assert lines == [
        "::error file=g/a%2Cb.yaml,line=3,title=gazetteers check [duplicate-id]::100%25 wrong%0Asecond line",
        "::warning file=g/c.yaml,line=7,title=gazetteers check [common-word]::name 'Ван' …",
        "1 error, 1 warning in 2 files",
    ]


def test_github_format_from_a_fixture() -> None:
    out = format_problems(check([CASES / "duplicate_id"]), "github")
    first = out.splitlines()[0]
    assert first.startswith("::error file=") and "duplicate_id/b.yaml,line=5,title=" in first
    assert "::duplicate entity id 'country/kg' (first at " in first


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        format_problems([], "xml")  # type: ignore[arg-type]


# --- main -------------------------------------------------------------------------------


def test_main_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(CASES / "clean")]) == 0
    assert capsys.readouterr().out.strip() == "0 errors, 0 warnings in 3 files"
    assert main([str(CASES / "rule_no_examples")]) == 0  # warnings do not fail
    assert "0 errors, 1 warning in 1 file" in capsys.readouterr().out
    assert main([str(CASES / "duplicate_id")]) == 1
    out = capsys.readouterr().out
    assert "b.yaml:5: error [duplicate-id]" in out and out.rstrip().endswith("1 error, 0 warnings in 2 files")
    assert main([str(CASES / "duplicate_id")], "github") == 1
    assert capsys.readouterr().out.startswith("::error file=")
    assert main([str(CASES / "clean")], "xml") == 2
    assert "unknown format" in capsys.readouterr().err


def test_main_defaults_to_the_bundled_set(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(check_mod, "bundled_dir", lambda: CASES / "unknown_type")
    assert main([]) == 1
    assert "types.yaml:3: error [unknown-type]" in capsys.readouterr().out


def test_main_without_a_bundled_set(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def missing() -> Path:
        raise GazetteerError(check_mod.Location("normalize/gazetteers", 1), "bundled gazetteers not found")

    monkeypatch.setattr(check_mod, "bundled_dir", missing)
    assert main([]) == 1
    assert "normalize/gazetteers:1: error [unreadable] bundled gazetteers not found" in capsys.readouterr().out


# --- helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Объединённый штаб", "объединенный  штаб"),
        ("«Динамо»", "Динамо."),
        ('"ШОС"', "шос"),
        ("Республика  Казахстан ", "республика казахстан"),
    ],
)
def test_normalize_name(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


# --- the JSON Schema --------------------------------------------------------------------


def test_schema_matches_the_loader() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    entity, rule = schema["$defs"]["entity"], schema["$defs"]["rule"]
    assert set(entity["properties"]) == ENTITY_FIELDS
    assert set(rule["properties"]) == RULE_FIELDS
    assert entity["properties"]["type"]["enum"] == list(ENTITY_TYPES)
    # type and name too, unless the entity updates one of an earlier layer: the schema cannot know
    assert set(entity["required"]) == {"id"}
    assert {f.name for f in ENTITY_SPEC if f.required} == {"id", "type", "name"}
    assert set(rule["required"]) == {"id", "find", "replace"}
    assert set(schema["properties"]) == set(check_mod.TOP_LEVEL_KEYS)
    assert set(schema["$defs"]["example"]["properties"]) == set(check_mod.EXAMPLE_FIELDS)
    assert entity["properties"]["wikidata"]["pattern"] == "^Q[0-9]+$"
    for part in (schema, entity, rule, schema["$defs"]["example"]):
        assert part["additionalProperties"] is False


# fixture cases whose files break the schema (the rest break only what the schema cannot see)
SCHEMA_REJECTS = {
    "unknown_key",
    "unknown_field",
    "unknown_type",
    "missing_field",
    "bad_wikidata",
    "bad_value",
    "bad_structure",
    "collect_all",
}


@pytest.mark.parametrize("case", sorted({*EXPECTED, "clean"} - {"yaml_syntax"}))
def test_schema_validates_the_fixtures(case: str) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (optional)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = [
        e
        for f in sorted((CASES / case).glob("*.yaml"))
        for e in validator.iter_errors(yaml.safe_load(f.read_text(encoding="utf-8")))
    ]
    assert bool(errors) == (case in SCHEMA_REJECTS), [e.message for e in errors]


# --- the bundled set --------------------------------------------------------------------


def _bundled_yaml() -> list[Path]:
    try:
        return sorted(bundled_dir().rglob("*.y*ml"))
    except GazetteerError:
        return []


@pytest.mark.skipif(not _bundled_yaml(), reason="the bundled gazetteers/ has no YAML files yet")
def test_bundled_set_has_no_errors() -> None:
    errors = [str(p) for p in check([bundled_dir()]) if p.severity == "error"]
    assert errors == []


@pytest.mark.skipif(not _bundled_yaml(), reason="the bundled gazetteers/ has no YAML files yet")
def test_bundled_set_matches_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (optional)")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    errors = [
        f"{f.name}: {e.message}"
        for f in _bundled_yaml()
        for e in validator.iter_errors(yaml.safe_load(f.read_text(encoding="utf-8")))
    ]
    assert errors == []


def test_pre_commit_hook_definition() -> None:
    (hook,) = yaml.safe_load((HERE.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "normalize-gazetteers"
    assert hook["entry"] == "normalize gazetteers check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "gazetteers/persons.yaml") and re.search(hook["files"], "a.yml")
    assert not re.search(hook["files"], "README.md")
    assert hook["args"] == ["gazetteers"]  # the working tree's set, not the one installed in the hook's venv
