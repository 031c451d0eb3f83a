"""normalize.spark in local mode (local[2]): the same tables as the command and the library.

Run with `python -m pytest -m spark` (needs `pip install -e '.[spark]'` and Java); kept out of
the default run, run by .ci/run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import EXAMPLES, SEEDS, need
from polars.testing import assert_frame_equal
from test_dedup_run import REPOSTED, A, B, C, write

from normalize import schemas
from normalize.cli import main
from normalize.dedup import DedupOptions
from normalize.pipeline import normalize_frame

pytestmark = pytest.mark.spark

pyspark = pytest.importorskip("pyspark", reason="pip install -e '.[spark]'")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("normalize-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def collect(sdf, table: str) -> pl.DataFrame:
    """A Spark table as a polars frame with the contract's types, sorted for comparison."""
    cols = schemas.POLARS_TYPES[table]
    rows = [r.asDict() for r in sdf.collect()]
    df = pl.DataFrame(rows, schema=cols) if rows else pl.DataFrame(schema=cols)
    return sort(df, table)


def sort(df: pl.DataFrame, table: str) -> pl.DataFrame:
    df = df.select(list(schemas.POLARS_TYPES[table])).cast(schemas.POLARS_TYPES[table])
    return df.sort(df.columns, nulls_last=True)


def assert_same(spark_tables: dict, tables: dict[str, pl.DataFrame]) -> None:
    for name in schemas.TABLE_NAMES:
        assert_frame_equal(collect(spark_tables[name], name), sort(tables[name], name), check_exact=True)


def test_seeds_equal_the_command(spark, tmp_path: Path) -> None:
    from normalize.spark import normalize_spark, read_files

    seeds = need(SEEDS)
    out = tmp_path / "out"
    assert main([str(seeds), str(out), "--quiet", "--workers", "1"]) == 0
    cli = {name: pl.read_parquet(out / f"{name}.parquet") for name in schemas.TABLE_NAMES}
    assert cli["documents"].height == 5 and cli["mentions"].height > 0

    tables = normalize_spark(read_files(spark, seeds).repartition(2))
    assert_same(tables, cli)


def test_example_texts_equal_the_command(spark, tmp_path: Path) -> None:
    from normalize.spark import normalize_spark, read_files

    corpus = tmp_path / "corpus"
    for f in EXAMPLES.rglob("*.txt"):  # read_files reads .txt folders (nested ones too)
        target = corpus / f.relative_to(EXAMPLES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    out = tmp_path / "out"
    assert main([str(corpus), str(out), "--quiet", "--workers", "2"]) == 0
    cli = {name: pl.read_parquet(out / f"{name}.parquet") for name in schemas.TABLE_NAMES}
    assert cli["documents"].height >= 4
    assert_same(normalize_spark(read_files(spark, corpus)), cli)


def test_frame_equals_normalize_frame(spark, tmp_path: Path, mini_gazetteer: Path) -> None:
    from normalize.spark import normalize_spark

    rows = {
        "doc_id": ["a", "b", "a", "", "c", "c", "d"],
        "text": [
            "Министр внутренних дел Кыргызстана встретился с Ваном Сяохуном.",
            "Делегация прибыла в Бишкек.",
            "Повтор идентификатора.",
            "Без идентификатора.",
            None,
            "Текст после пустого.",
            "   ",
        ],
    }
    frame = pl.DataFrame(rows)
    for gazetteers, bundled in ((None, True), ([mini_gazetteer], False), ([mini_gazetteer], True)):
        expected = normalize_frame(frame, gazetteers=gazetteers, bundled=bundled)
        data = list(zip(*rows.values(), strict=True))
        sdf = spark.createDataFrame(spark.sparkContext.parallelize(data, 3), schema="doc_id string, text string")
        tables = normalize_spark(sdf, gazetteers=gazetteers, bundled=bundled)  # two partitions, in order
        assert_same(tables, dict(expected.items()))
    assert set(expected.rejects["reason"]) >= {"duplicate doc_id", "missing doc_id", "missing text"}


def test_near_duplicates_equal_the_command(spark, tmp_path: Path) -> None:
    """Signatures made per partition, clustered across partitions with Spark's operations: the
    same duplicate_of and similarity as the command, and as normalize_frame with other options."""
    from normalize.spark import normalize_spark, read_files

    docs = {**REPOSTED, "chain/a": A, "chain/b": B, "chain/c": C}
    corpus = write(tmp_path / "corpus", docs)
    out = tmp_path / "out"
    assert main([str(corpus), str(out), "--quiet", "--workers", "1"]) == 0
    cli = {name: pl.read_parquet(out / f"{name}.parquet") for name in schemas.TABLE_NAMES}
    found = dict(cli["documents"].select("doc_id", "duplicate_of").iter_rows())
    assert {d: found[d] for d in ("site/b", "site/c", "chain/b", "chain/c")} == {
        "site/b": "kabar/a",
        "site/c": "kabar/a",
        "chain/b": "chain/a",
        "chain/c": "chain/a",  # through chain/b
    }
    assert_same(normalize_spark(read_files(spark, corpus).repartition(3)), cli)

    frame = pl.DataFrame({"doc_id": list(docs), "text": list(docs.values())})
    rows = spark.sparkContext.parallelize(list(frame.iter_rows()), 3)
    sdf = spark.createDataFrame(rows, schema="doc_id string, text string")
    for options in (DedupOptions(threshold=0.9), None):
        assert_same(normalize_spark(sdf, dedup=options), dict(normalize_frame(frame, dedup=options).items()))
