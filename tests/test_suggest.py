"""`normalize suggest`: unlinked names, clustered across case forms and spellings, as YAML stubs."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml
from conftest import SEEDS, need

from normalize import gazetteer as gz
from normalize import pipeline, read, suggest
from normalize.cli import main

DOCS = {
    "a": "Глава ведомства Марат Жумабеков встретился с делегацией из Минска. По словам Марата Жумабекова, "
    "сотрудничество с ГКНБ укрепляется.",
    "b": "В Минске Марату Жумабекову вручили награду. Представители ГКНБ отметили вклад Жумабекова. "
    "Город Таразстан принял гостей.",
    "c": "Делегация прибыла в Таразстан. Представители ГКНБ и Марат Жумабеков обсудили вопросы. "
    "В Таразстане прошла встреча. Затем в Торазстане. Кроме того, Президента поблагодарили.",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for name, text in DOCS.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    return d


def _candidates(corpus: Path, gazetteers: list[Path], **kw) -> list[suggest.Candidate]:
    compiled = pipeline.compile_gazetteers(gazetteers, bundled=False)
    tables = pipeline.process(read.read(corpus), gazetteers, bundled=False)
    return suggest.candidates(tables.documents, tables.mentions, compiled, **kw)


def test_clusters_case_forms_spellings_and_surnames(corpus, mini_gazetteer):
    found = {c.name: c for c in _candidates(corpus, [mini_gazetteer])}
    assert list(found)[:3] == ["Марат Жумабеков", "Таразстан", "ГКНБ"]  # ranked by frequency
    person = found["Марат Жумабеков"]
    assert person.type == "person" and person.count == 5 and len(person.docs) == 3
    assert set(person.forms) == {"Марат Жумабеков", "Марата Жумабекова", "Марату Жумабекову", "Жумабекова"}
    town = found["Таразстан"]
    assert town.count == 4 and town.aliases == ["Торазстан"]  # a spelling, merged by rapidfuzz
    assert found["ГКНБ"].type == "organization" and found["ГКНБ"].count == 3
    # linked names (Минск), sentence-initial words and capitalised common words are not suggested
    assert not {"Минск", "Минске", "Кроме", "Глава", "Президент", "Город"} & set(found)


def test_yaml_is_a_valid_gazetteer_that_links_the_names(corpus, mini_gazetteer, tmp_path):
    stubs = suggest.to_yaml(_candidates(corpus, [mini_gazetteer]))
    assert "# 5 mentions in 3 documents: Марат Жумабеков ×2" in stubs
    data = yaml.safe_load(stubs)
    assert data["entities"][0] == {"id": "person/marat-zhumabekov", "type": "person", "name": "Марат Жумабеков"}
    new = tmp_path / "new.yaml"
    new.write_text(stubs, encoding="utf-8")
    g = gz.load([mini_gazetteer, new])
    assert {"person/marat-zhumabekov", "place/tarazstan", "org/gknb"} <= {e.id for e in g.entities}
    tables = pipeline.process(read.read(corpus), [mini_gazetteer, new], bundled=False)
    linked = tables.mentions.filter(pl.col("entity_id") == "person/marat-zhumabekov")["text"].to_list()
    assert "Марату Жумабекову" in linked
    assert _candidates(corpus, [mini_gazetteer, new]) == []  # nothing left to suggest


def test_cli_min_count_top_and_output(corpus, mini_gazetteer, tmp_path, capsys):
    assert main(["suggest", str(corpus), "-g", str(mini_gazetteer), "--no-bundled", "--top", "1", "-j", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("- id:") == 1 and "person/marat-zhumabekov" in out
    target = tmp_path / "stubs.yaml"
    mini = ["-g", str(mini_gazetteer), "--no-bundled"]
    assert main(["suggest", str(corpus), *mini, "--min-count", "4", "-o", str(target), "-j", "1"]) == 0
    assert [e["id"] for e in yaml.safe_load(target.read_text())["entities"]] == [
        "person/marat-zhumabekov",
        "place/tarazstan",
    ]
    assert main(["suggest", str(tmp_path / "missing")]) == 2


def test_slug_and_lemma():
    assert suggest.slug("Центральная Азия") == "tsentralnaya-aziya"
    assert suggest.slug("Жамбылская область") == "zhambylskaya-oblast"
    assert suggest.lemma("Оразалиевым") == suggest.lemma("Оразалиев") == "оразалиев"
    assert suggest.lemma("ГКНБ") == "ГКНБ"


def test_seeds(capsys):
    need(SEEDS)
    assert main(["suggest", str(SEEDS), "--min-count", "1", "-j", "1"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    names = [e["name"] for e in data["entities"]]
    assert names[0] == "Координационный совет"  # twice in 004, in no gazetteer
    assert "Центральная Азия" in names  # «органами внутренних дел Центральной Азии»
    assert not {"Ван Сяохун", "Бишкек", "Корр", "Telegram-канале"} & set(names)


# a corpus where the names come in oblique cases → (name, type, id) of each suggestion, most frequent first
NAMES_DOCS = {
    "a": "Вчера президент США Барак Обама прибыл в Минск. Визит Обамы длился два дня. По словам Обамы, всё прошло.",
    "b": "Император Акихито выступил с речью. Затем император Акихито поблагодарил граждан.",
    "c": "Встреча на Эльбе стала символом. Памятник на Эльбе открыли ветераны.",
    "d": "Делегация ГКНБ прибыла в Минск. Представители ГКНБ обсудили сотрудничество.",
    "e": "Вышла книга Александра Солженицына. Солженицына читали все. Солженицын писал много. "
    "Солженицыну вручили премию. О Солженицыне снят фильм.",
}
NAMES = [
    ("Барак Обама", "person", "person/barak-obama"),  # the full name, not a lone surname merged into it («Обамы»)
    ("Александр Солженицын", "person", "person/aleksandr-solzhenitsyn"),  # not the woman's «Александра Солженицына»
    ("Акихито", "organization", "org/akikhito"),  # indeclinable: not re-inflected («Акихитое»)
    ("Эльба", "place", "place/elba"),
    ("ГКНБ", "organization", "org/gknb"),  # organizations are org/…, as in gazetteers/organizations.yaml
]


@pytest.fixture(scope="module")
def named(tmp_path_factory, mini_gazetteer):
    d = tmp_path_factory.mktemp("names")
    for name, text in NAMES_DOCS.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    compiled = pipeline.compile_gazetteers([mini_gazetteer], bundled=False)
    tables = pipeline.process(read.read(d), [mini_gazetteer], bundled=False)
    return tables, compiled


def test_names_are_nominative_with_bundled_id_prefixes(named):
    tables, compiled = named
    found = suggest.candidates(tables.documents, tables.mentions, compiled)
    assert sorted((c.name, c.type, c.id) for c in found) == sorted(NAMES)


def test_the_run_summary_shows_the_names_suggest_shows(named):
    tables, compiled = named
    quick = suggest.quick(tables.documents, tables.mentions, compiled)
    stubs = yaml.safe_load(suggest.to_yaml(suggest.candidates(tables.documents, tables.mentions, compiled)))
    assert [name for name, _ in quick] == [e["name"] for e in stubs["entities"]]
    assert dict(quick)["Барак Обама"] == 3 and dict(quick)["Александр Солженицын"] == 5


def test_the_context_marks_the_name_with_brackets_not_quotes(named):
    tables, compiled = named
    stubs = suggest.to_yaml(suggest.candidates(tables.documents, tables.mentions, compiled))
    assert "#   a: …Вчера президент США [Барак Обама] прибыл в Минск. Визит Обамы длился два …" in stubs
    assert "«Барак Обама»" not in stubs


def test_id_prefixes_are_those_of_the_bundled_gazetteers():
    bundled = gz.load(None)
    prefixes = {(e.type, e.id.split("/")[0]) for e in bundled.entities}
    assert prefixes and all(suggest.id_prefix(t) == p for t, p in prefixes), prefixes
