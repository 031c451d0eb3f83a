"""The per-document path (normalize/stages.py): a record through STAGES, and the stage a reject names."""

from __future__ import annotations

import dataclasses
import gc
from pathlib import Path

import pytest

import normalize.fix as fixmod
from normalize import link, pipeline, stages
from normalize import read as read_mod
from normalize.gazetteer import Entity, Gazetteer, Rule
from normalize.read import RawDoc
from normalize.tables import REJECT_STAGES

MINSK = Entity("city/minsk", "city", "Минск", wikidata="Q2280")


def _compiled(*rules: Rule) -> stages.Compiled:
    g = Gazetteer(entities=(MINSK,), rules=rules)
    return stages.Compiled.of(g, link.compile_index(g))


def _one(rec: RawDoc, compiled: stages.Compiled) -> tuple[str, str]:
    rows = stages.process_one(rec, compiled)
    assert not rows.documents and len(rows.rejects) == 1
    return rows.rejects[0]["stage"], rows.rejects[0]["reason"]


@pytest.mark.parametrize(
    "rec, stage, reason",
    [
        (RawDoc("a", "p", data=b"x" * 101), "read", "document too large (101 bytes > 100)"),
        (RawDoc("a", "p", text="я" * 60), "read", "document too large (120 bytes > 100)"),
        (RawDoc("a", "p", data=b"ab\x00cd"), "decode", "binary content (NUL byte at offset 2)"),
        (RawDoc("a", "p", text=" \n\t"), "decode", "empty document"),
        (RawDoc("a", "p", text="Поделиться"), "clean", "nothing left after cleaning (all boilerplate)"),
    ],
)
def test_a_rejected_record_names_its_stage(rec, stage, reason, monkeypatch):
    monkeypatch.setattr(read_mod, "MAX_DOC_BYTES", 100)
    assert _one(rec, _compiled()) == (stage, reason)


def test_a_rule_that_times_out_is_a_fix_reject(monkeypatch):
    monkeypatch.setattr(fixmod, "RULE_TIMEOUT_S", 0.05)
    bad = Rule(id="bad", find=r"(a|aa)+b", replace="", regex=True)
    stage, reason = _one(RawDoc("a", "p", text="a" * 60), _compiled(bad))
    assert stage == "fix" and "'bad'" in reason and "timed out" in reason


@pytest.mark.parametrize(
    "failing, reported",
    [
        ("read", "read"),
        ("decode", "decode"),
        ("clean", "clean"),
        ("meta", "clean"),  # metadata is pulled out in the contract's clean stage
        ("fix", "fix"),
        ("link", "link"),
        ("rows", "link"),  # building the rows ends linking
    ],
)
def test_an_internal_error_is_a_reject_of_the_stage_it_happened_in(failing, reported, monkeypatch):
    def boom(record, compiled):
        raise KeyError("lost")

    broken = tuple(dataclasses.replace(s, run=boom) if s.name == failing else s for s in stages.STAGES)
    monkeypatch.setattr(stages, "STAGES", broken)
    assert _one(RawDoc("a", "p", text="Текст новости."), _compiled()) == (reported, "internal error: KeyError: 'lost'")


def test_every_stage_reports_a_contract_stage():
    assert [s.name for s in stages.STAGES] == ["read", "decode", "clean", "meta", "fix", "link", "rows"]
    assert {s.reports for s in stages.STAGES} <= set(REJECT_STAGES)


def test_a_document_goes_through_every_stage():
    text = "Опыт КНД в Минске.\nПоделиться"
    rows = stages.process_one(RawDoc("a", "p", text=text), _compiled(Rule("knd", "КНД", "КНР")))
    (doc,) = rows.documents
    assert (doc["text"], doc["encoding"], doc["n_chars_raw"]) == ("Опыт КНР в Минске.", "text", len(text))
    assert [(e["rule_id"], e["before"], e["after"]) for e in rows.edits if e["rule_id"] == "rule/knd"] == [
        ("rule/knd", "КНД", "КНР")
    ]
    (m,) = rows.mentions
    found = (m["text"], m["entity_id"], m["method"], m["src_start"], m["src_end"])
    assert found == ("Минске", "city/minsk", "inflected", 11, 17)
    assert not rows.rejects and pipeline.process_one is stages.process_one


@pytest.mark.parametrize(
    "find, replace, text, expected",
    [
        ("КНД", "КНР", "Опыт КНД и КР.", "Опыт КНР и КР."),
        ("КР", "Киргизия", "Опыт КНД и КР.", "Опыт КНД и Киргизия."),
    ],
)
def test_each_compiled_gazetteer_applies_its_own_rules(find, replace, text, expected):
    """The compiled rules live in each Compiled: two sets used in turn never see each other's."""
    ours = _compiled(Rule("ours", find, replace))
    other = _compiled(Rule("other", "Опыт", "Навык"))
    for compiled, want in ((ours, expected), (other, text.replace("Опыт", "Навык")), (ours, expected)):
        assert stages.process_one(RawDoc("a", "p", text=text), compiled).documents[0]["text"] == want
    assert [cr.rule.id for cr in ours.rules.rules] == ["ours"]


def frozen_objects(_frames: dict) -> int:
    """A sink run in the worker that made the frames: how many objects its collector leaves alone."""
    return gc.get_freeze_count()


def test_workers_freeze_their_heap_once_the_gazetteer_is_loaded(
    tmp_path: Path, mini_gazetteer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NORMALIZE_CACHE", str(tmp_path / "cache"))
    layers = pipeline.gazetteer_stack([mini_gazetteer], bundled=False)
    batch = [("k", RawDoc("d", "<test>", text="Встреча в Бишкеке."))]
    counts = list(pipeline.run_batches([batch, batch], layers, workers=2, sink=frozen_objects))
    # the modules and the index, frozen in the worker (tens of thousands of objects); none in this process
    assert len(counts) == 2 and all(n > 10_000 for n in counts)
    assert gc.get_freeze_count() == 0
