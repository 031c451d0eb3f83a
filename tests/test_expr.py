"""The polars namespace: pl.col("text").normalize.… and df.normalize.tables()."""

from __future__ import annotations

from pathlib import Path

import polars as pl

import normalize
from normalize.pipeline import normalize_frame

TEXTS = [
    "Министр внутренних дел Кыргызстана встретился с Ваном Сяохуном.\nПоделиться",
    None,
    "Поделиться",
    "перенимать опыт КНД в борьбе",
]


def test_clean_fix_mentions_entity_ids(mini_gazetteer):
    g = [mini_gazetteer]
    df = pl.DataFrame({"text": TEXTS}).with_columns(
        pl.col("text").normalize.clean().alias("clean"),
        pl.col("text").normalize.fix(g, bundled=False).alias("fixed"),
        pl.col("text").normalize.mentions(g, bundled=False).alias("mentions"),
        pl.col("text").normalize.entity_ids(g, bundled=False).alias("ids"),
    )
    assert df.schema["mentions"] == pl.List(normalize.expr.MENTION)
    first = df.row(0, named=True)
    assert first["clean"] == "Министр внутренних дел Кыргызстана встретился с Ваном Сяохуном."
    assert first["ids"] == ["country/kg", "person/wang"]
    wang = first["mentions"][1]
    assert (wang["text"], wang["canonical"], wang["method"]) == ("Ваном Сяохуном", "Ван Сяохун", "inflected")
    assert first["fixed"][wang["start"] : wang["end"]] == "Ваном Сяохуном"  # offsets point into fix()
    assert df["clean"][1] is None and df["fixed"][1] is None and df["mentions"][1] is None
    assert df["fixed"][2] is None  # all boilerplate: the pipeline rejects it
    assert df["fixed"][3] == "перенимать опыт КНД в борьбе"  # mini has no rules …
    assert df.row(3, named=True)["ids"] == []
    bundled = pl.select(pl.lit(TEXTS[3]).normalize.fix().alias("t"))["t"][0]
    assert bundled == "перенимать опыт КНР в борьбе"  # … the bundled set fixes the typo


def test_fix_equals_documents_text_and_mentions_match_tables():
    frame = pl.DataFrame({"doc_id": ["a", "b"], "text": [TEXTS[0], "МВД Белоруссии и КНД. Минск."]})
    tables = normalize_frame(frame)
    via_expr = frame.with_columns(
        pl.col("text").normalize.fix().alias("fixed"), pl.col("text").normalize.mentions().alias("m")
    )
    assert via_expr["fixed"].to_list() == tables.documents.sort("doc_id")["text"].to_list()
    flat = via_expr.select("doc_id", "m").explode("m").unnest("m").drop_nulls("entity_id")
    assert (
        flat.select("doc_id", "start", "end", "entity_id")
        .sort(["doc_id", "start", "end"])
        .equals(tables.mentions.select("doc_id", "start", "end", "entity_id").sort(["doc_id", "start", "end"]))
    )


def test_lazy_and_dataframe_namespace(mini_gazetteer):
    lf = pl.LazyFrame({"doc_id": ["a"], "text": ["Ван Сяохун прибыл в Минск."]})
    out = lf.with_columns(pl.col("text").normalize.entity_ids([mini_gazetteer]).alias("ids")).collect()
    assert out["ids"].to_list() == [["person/wang", "city/minsk"]]
    tables = out.normalize.tables([mini_gazetteer])
    assert tables.mentions["entity_id"].to_list() == ["person/wang", "city/minsk"]


def test_docs_example_runs(capsys):
    doc = (Path(__file__).resolve().parent.parent / "docs" / "library.md").read_text(encoding="utf-8")
    section = doc.split("## The polars namespace", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "docs/library.md", "exec"), {})
    out = capsys.readouterr().out
    assert "Ваном Сяохуном" in out and "Ван Сяохун" in out
