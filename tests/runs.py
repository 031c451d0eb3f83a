"""Helpers for tests that run the `normalize` command: in process or as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from conftest import FIXTURES, ROOT

from normalize import cli

MINI = FIXTURES / "mini.yaml"
TABLES = ("documents", "mentions", "edits", "rejects")
TEXT = "Министр внутренних дел Кыргызстана Улан Ниязбеков встретился в Минске с Иваном Кубраковым."


@dataclass
class Run:
    code: int
    err: str
    out: Path

    @property
    def report(self) -> dict:
        return json.loads((self.out / "run.json").read_text(encoding="utf-8"))

    def table(self, name: str) -> pl.DataFrame:
        return pl.read_parquet(self.out / f"{name}.parquet")

    @property
    def rejects(self) -> pl.DataFrame:
        return self.table("rejects")

    @property
    def documents(self) -> pl.DataFrame:
        return self.table("documents")

    def reason(self, doc_id: str) -> tuple[str, str]:
        rows = self.rejects.filter(pl.col("doc_id") == doc_id)
        assert rows.height == 1, (doc_id, self.rejects.to_dicts())
        return rows["reason"][0], rows["stage"][0]


def run(inp: Path, out: Path, *args: str, capsys=None) -> Run:
    """Run the command with MINI alone, in this process (fast: the compiled gazetteer is cached)."""
    code = cli.main([str(inp), str(out), "-g", str(MINI), "--no-bundled", "-j1", *args])
    err = capsys.readouterr().err if capsys is not None else ""
    return Run(code, err, out)


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.pop("NORMALIZE_FAULT", None)
    e.pop("NORMALIZE_IO_FAULT", None)
    e.update(extra)
    return e


def command(inp: Path, out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "normalize", str(inp), str(out), "-g", str(MINI), "--no-bundled", "-q", *args]


def run_subprocess(
    inp: Path, out: Path, *args: str, fault: str | None = None, io_fault: str | None = None, timeout: float = 120
) -> Run:
    """Run the command in a new process; `fault` kills it (NORMALIZE_FAULT), `io_fault` fails a write
    or a read as the environment would (NORMALIZE_IO_FAULT, inherited by its workers)."""
    extra = {"NORMALIZE_FAULT": fault} if fault else {}
    if io_fault:
        extra["NORMALIZE_IO_FAULT"] = io_fault
    p = subprocess.run(
        command(inp, out, *args), env=env(**extra), capture_output=True, text=True, timeout=timeout, check=False
    )
    return Run(p.returncode, p.stderr, out)


def tables(out: Path) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(out / f"{name}.parquet") for name in TABLES}


def assert_same_tables(a: Path, b: Path) -> None:
    ta, tb = tables(a), tables(b)
    for name in TABLES:
        assert ta[name].equals(tb[name]), f"{name} differs:\n{ta[name]}\n{tb[name]}"


def assert_same_bytes(a: Path, b: Path, fmt: str = "parquet") -> None:
    """The four tables in a and b are the same files, byte for byte."""
    for name in TABLES:
        assert (a / f"{name}.{fmt}").read_bytes() == (b / f"{name}.{fmt}").read_bytes(), f"{name}.{fmt} differs"


def leftovers(out: Path) -> list[str]:
    """Temporary files or folders anywhere under OUT."""
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.name.startswith(".tmp-"))


def corpus(folder: Path, n: int, text: str = TEXT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"doc{i:04d}.txt").write_text(f"Новость {i}. {text}\n\nВторой абзац {i}: {text}", encoding="utf-8")
    return folder
