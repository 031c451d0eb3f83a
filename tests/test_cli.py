"""The command's contract: exit codes, one-line errors without tracebacks, summary = run.json."""

from __future__ import annotations

import os
import re
import time

import polars as pl
import pytest
from conftest import ROOT
from runs import MINI, TEXT, Run, corpus, run, run_subprocess

from normalize import cli, fix, gazetteer, pipeline, read, resume, schemas, write


def _one_line_error(r, *needles: str) -> None:
    assert r.code == 2, r.err
    lines = [x for x in r.err.splitlines() if x.strip() and "Warning" not in x and "require_minimum" not in x]
    assert len(lines) == 1, r.err
    assert lines[0].startswith("normalize: ")
    assert "Traceback" not in r.err
    for n in needles:
        assert n in lines[0], lines[0]


def test_summary_on_stderr_matches_run_json(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 3)
    (inp / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    r = run(inp, tmp_path / "out", capsys=capsys)
    assert r.code == 0
    rep = r.report
    assert (rep["records"], rep["documents"], rep["rejects"]) == (4, 3, 1)
    assert rep["rejects_by_stage"] == {"decode": 1}
    assert f"normalize: {rep['documents']} documents, {rep['rejects']} reject," in r.err  # one reject, singular
    assert "records: 4 = 3 documents + 1 reject (4 processed, 0 reused from an earlier run)" in r.err
    assert "rejected 1: binary content" in r.err


def test_the_tables_hold_the_contract_columns_and_nothing_private(tmp_path, capsys):
    # the checkpoint's record key names a version of the code: in a table it would make two runs of
    # the same input differ, and other pipelines read every column they are given
    r = run(corpus(tmp_path / "in", 2), tmp_path / "out", capsys=capsys)
    assert r.code == 0
    for name, types in schemas.POLARS_TYPES.items():
        columns = pl.read_parquet(tmp_path / "out" / f"{name}.parquet").columns
        assert columns == list(types), name


def test_output_path_that_is_a_file(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 1)
    out = tmp_path / "out"
    out.write_text("I am a file", encoding="utf-8")
    _one_line_error(run(inp, out, capsys=capsys), str(out), "not a directory")
    assert out.read_text(encoding="utf-8") == "I am a file"


def test_output_under_a_file(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 1)
    (tmp_path / "f").write_text("x", encoding="utf-8")
    _one_line_error(run(inp, tmp_path / "f" / "out", capsys=capsys), "cannot create output directory")


def test_output_folder_equal_to_input(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 1)
    _one_line_error(run(inp, inp, capsys=capsys), "must not be the input folder")


def test_missing_input(tmp_path, capsys):
    _one_line_error(run(tmp_path / "nope", tmp_path / "out", capsys=capsys), "nope", "no such file or directory")
    assert not (tmp_path / "out").exists()  # nothing created for a run that cannot start


def test_unreadable_input(tmp_path, capsys, monkeypatch):
    inp = corpus(tmp_path / "in", 1)
    if os.geteuid() != 0:
        inp.chmod(0)
        try:
            _one_line_error(run(inp, tmp_path / "out", capsys=capsys), "permission denied")
        finally:
            inp.chmod(0o755)
    # as root nothing is unreadable; the check itself is what is tested
    monkeypatch.setattr(read.os, "access", lambda *a, **k: False)
    _one_line_error(run(inp, tmp_path / "out2", capsys=capsys), str(inp), "permission denied")


def test_broken_symlink_as_input(tmp_path, capsys):
    (tmp_path / "in").symlink_to(tmp_path / "gone")
    _one_line_error(run(tmp_path / "in", tmp_path / "out", capsys=capsys), "broken symlink")


def test_invalid_gazetteer_names_file_and_line(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 1)
    bad = tmp_path / "gz" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("entities:\n  - id: country/kg\n    type: country\n    name: [unclosed\n", encoding="utf-8")
    r = cli.main([str(inp), str(tmp_path / "out"), "-g", str(bad.parent), "-j1"])
    err = capsys.readouterr().err
    from runs import Run

    _one_line_error(Run(r, err, tmp_path / "out"), f"{bad}:")
    assert err.split(f"{bad}:")[1].split(":")[0].isdigit()  # the line number


def test_invalid_gazetteer_in_a_subprocess_has_no_traceback(tmp_path):
    inp = corpus(tmp_path / "in", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - {id: x/y, type: nonsense, name: Икс}\n", encoding="utf-8")
    r = run_subprocess(inp, tmp_path / "out", "-g", str(bad))
    _one_line_error(r, f"{bad}:2")


def test_gazetteer_yaml_is_loaded_safely(tmp_path, capsys):
    """A YAML tag that would run code under an unsafe loader is only an error."""
    inp = corpus(tmp_path / "in", 1)
    marker = tmp_path / "PWNED"
    evil = tmp_path / "evil.yaml"
    tag = f'!!python/object/apply:os.system ["touch {marker}"]'
    evil.write_text(f"entities:\n  - id: country/kg\n    type: country\n    name: {tag}\n", encoding="utf-8")
    r = cli.main([str(inp), str(tmp_path / "out"), "-g", str(evil), "-j1"])
    err = capsys.readouterr().err
    assert r == 2 and str(evil) in err and "Traceback" not in err
    assert not marker.exists()


def test_a_catastrophic_rule_cannot_hang_a_run(tmp_path, capsys, monkeypatch):
    """A rule that backtracks exponentially is stopped by the regex time limit: one reject, run goes on."""
    monkeypatch.setattr(fix, "RULE_TIMEOUT_S", 0.3)
    gz = tmp_path / "rules.yaml"
    # guarded at a word start, so the gazetteer check (which the run shares) passes it: only a warning
    gz.write_text(
        MINI.read_text(encoding="utf-8")
        + "rules:\n  - id: bad/backtrack\n    find: '(?<!\\w)(а|аа)+б'\n    regex: true\n    replace: x\n",
        encoding="utf-8",
    )
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "attack.txt").write_text("Минск " + "а" * 60 + "в", encoding="utf-8")
    (inp / "fine.txt").write_text(TEXT, encoding="utf-8")
    started = time.perf_counter()
    code = cli.main([str(inp), str(tmp_path / "out"), "-g", str(gz), "--no-bundled", "-j1", "-q"])
    assert code == 0 and time.perf_counter() - started < 15
    from runs import Run

    r = Run(code, "", tmp_path / "out")
    reason, stage = r.reason("attack")
    assert stage == "fix" and "bad/backtrack" in reason and "timed out" in reason
    assert r.documents["doc_id"].to_list() == ["fine"]


@pytest.mark.parametrize("args", [["-j0"], ["--format", "xml"], ["--nonsense"], []])
def test_usage_errors_are_one_line(tmp_path, capsys, args):
    inp = corpus(tmp_path / "in", 1)
    argv = [str(inp), str(tmp_path / "out"), *args] if args else [str(inp)]
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse exits (with its one line) rather than returning
        code = exc.code
    from runs import Run

    _one_line_error(Run(code, capsys.readouterr().err, tmp_path))


def test_formats_write_the_same_accounting(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 2)
    for fmt in ("csv", "jsonl"):
        out = tmp_path / fmt
        code = cli.main([str(inp), str(out), "-g", str(MINI), "--no-bundled", "-j1", "-q", "--format", fmt])
        assert code == 0
        assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {
            "run.json",
            *(f"{t}.{fmt}" for t in ("documents", "mentions", "edits", "rejects")),
        }


def test_the_overview_read_from_the_parts_agrees_with_the_written_tables(tmp_path, capsys):
    # the bundled gazetteers, for mentions of several types; batches of two records, so that the
    # sample spans several checkpoint parts
    code = cli.main([str(ROOT / "examples" / "corpus"), str(tmp_path / "out"), "-j1", "--batch-size", "2"])
    r = Run(code, capsys.readouterr().err, tmp_path / "out")
    assert r.code == 0
    docs, mentions, edits = r.table("documents"), r.table("mentions"), r.table("edits")
    view = pipeline.Tables(docs, mentions, edits, r.rejects).overview(chars_with_text=2_000)
    # and as the run reads it: from the parts, through the streaming engine
    write.prepare_out(tmp_path / "again")
    state = resume.run(ROOT / "examples" / "corpus", tmp_path / "again", batch_size=2)
    streamed = state.tables.overview(chars_with_text=2_000)
    fields = ("documents", "n_chars", "mentions", "edits", "mentions_by_type", "entities", "edits_by_step")
    for field in (*fields, "rejects_by_reason", "rejects_by_stage"):
        assert getattr(streamed, field) == getattr(view, field), field
    for field in ("rejects", "sample_documents", "sample_mentions"):
        assert getattr(streamed, field).equals(getattr(view, field)), field
    rep = r.report
    assert (view.documents, view.mentions, view.edits) == (rep["documents"], rep["mentions"], rep["edits"])
    assert dict(view.mentions_by_type) == rep["mentions_by_type"]
    assert view.n_chars == docs["n_chars_raw"].sum()
    assert sum(n for *_, n in view.entities) == mentions.height
    assert view.entities[0][2] == mentions.group_by("canonical").len()["len"].max()
    assert sum(n for _, n in view.edits_by_step) == edits.height
    assert dict(view.rejects_by_reason) == rep["rejects_by_reason"]
    assert dict(view.rejects_by_stage) == rep["rejects_by_stage"]
    # the sample: the first documents up to the characters asked for, and only their mentions
    lengths = docs["text"].str.len_chars()
    k = int((lengths.cum_sum() - lengths < 2_000).sum())
    assert 0 < k < docs.height
    assert view.sample_documents["doc_id"].to_list() == docs["doc_id"].head(k).to_list()
    assert view.sample_mentions.equals(mentions.filter(pl.col("doc_id").is_in(docs["doc_id"].head(k).implode())))
    assert len(view.mentions_by_type) > 1
    assert "mentions by type: " + ", ".join(f"{t} {n}" for t, n in view.mentions_by_type) in r.err


# --- one argparse tree: every command's help, `normalize IN OUT` without the word `run` ------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--help"], ["IN", "OUT", "--gazetteers", "--no-bundled", "--workers", "--report", "commands"]),
        (["-h"], ["IN", "OUT", "commands"]),
        (["run", "--help"], ["IN", "OUT", "--resume", "commands"]),
        (["explain", "--help"], ["TEXT", "--json", "--color", "--gazetteers", "--no-bundled"]),
        (["suggest", "--help"], ["IN", "--min-count", "--top", "--gazetteers", "--no-bundled", "--workers"]),
        (["gazetteers", "--help"], ["check", "diff", "show", "path"]),
        (["gazetteers", "check", "--help"], ["DIR", "--format", "--gazetteers", "--no-bundled", "--errors-only"]),
        (
            ["gazetteers", "diff", "--help"],
            ["OLD", "NEW", "--old", "--new", "--no-bundled", "--corpus", "--limit", "--workers", "--format"],
        ),
        (["gazetteers", "show", "--help"], ["ID|NAME", "--gazetteers", "--no-bundled"]),
        (["gazetteers", "path", "--help"], ["installed"]),
    ],
)
def test_every_command_has_its_help(capsys, argv, expected):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 0
    page = capsys.readouterr().out
    assert page.startswith("usage: normalize")
    for word in expected:
        assert word in page, (argv, word)


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    page = capsys.readouterr().out
    listed = page.split("commands (normalize COMMAND --help for their options):\n")[1]
    gazetteers = ("gazetteers check", "gazetteers diff", "gazetteers show", "gazetteers path")
    for words in ("run IN OUT", "explain TEXT", "suggest IN", *gazetteers):
        assert f"  {words}" in listed, words
    assert all(f"  {' '.join(c.words)} {c.usage}" in listed for c in cli.COMMANDS)


@pytest.mark.parametrize("argv", [["gazetteers"], ["gazetteers", "frobnicate"], ["gazetteers", "-q"]])
def test_a_group_without_its_command_is_a_one_line_usage_error(tmp_path, capsys, argv):
    code = cli.main(argv)
    _one_line_error(Run(code, capsys.readouterr().err, tmp_path), "gazetteers check", "gazetteers diff")


def test_the_word_run_is_optional(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 2)
    with_word = cli.main(["run", str(inp), str(tmp_path / "a"), "-g", str(MINI), "--no-bundled", "-j1", "-q"])
    without = cli.main([str(inp), str(tmp_path / "b"), "-g", str(MINI), "--no-bundled", "-j1", "-q"])
    assert with_word == without == 0
    for name in ("documents", "mentions", "edits", "rejects"):
        assert (tmp_path / "a" / f"{name}.parquet").read_bytes() == (tmp_path / "b" / f"{name}.parquet").read_bytes()


def test_only_the_entry_point_imports_the_command_line():
    # diff and suggest parsed their own arguments with the cli's private parser: an import cycle
    import ast

    importers = set()
    for path in (ROOT / "normalize").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if "normalize.cli" in names:
                importers.add(path.name)
    assert importers == {"__main__.py"}


# --- what the user reads ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "noun", "expected"),
    [
        (0, "document", "0 documents"),
        (1, "document", "1 document"),
        (2, "document", "2 documents"),
        (1, "reject", "1 reject"),
        (1, "entity", "1 entity"),
        (3, "entity", "3 entities"),
        (1, "stub", "1 stub"),
    ],
)
def test_count_nouns(n, noun, expected):
    from normalize.progress import counted

    assert counted(n, noun) == expected


def test_one_of_each_is_singular(tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text("Делегация прибыла в Минск.", encoding="utf-8")
    (inp / "b.txt").write_bytes(b"")
    r = run(inp, tmp_path / "out", capsys=capsys)
    assert r.code == 0
    assert r.err.startswith("normalize: 1 document, 1 reject, ")
    assert ", 1 mention in " in r.err.splitlines()[0]
    assert "  records: 2 = 1 document + 1 reject (2 processed, 0 reused from an earlier run)" in r.err


def test_report_says_where_it_wrote_the_page(tmp_path, capsys):
    r = run(corpus(tmp_path / "in", 1), tmp_path / "out", "--report", capsys=capsys)
    page = tmp_path / "out" / "report.html"
    assert r.code == 0 and page.is_file()
    assert f"  report: {page}" in r.err.splitlines()
    assert "report:" not in run(corpus(tmp_path / "in", 1), tmp_path / "out2", capsys=capsys).err


def test_a_run_that_reused_everything_says_so_without_a_throughput(tmp_path, capsys):
    inp = corpus(tmp_path / "in", 3)
    first = run(inp, tmp_path / "out", capsys=capsys)
    assert "chars/s" in first.err.splitlines()[0] and first.report["chars_per_second"] > 0
    again = run(inp, tmp_path / "out", capsys=capsys)
    head = again.err.splitlines()[0]
    assert "(nothing processed, 3 records reused from an earlier run)" in head
    assert "chars/s" not in head and "docs/s" not in head
    assert again.report["chars_per_second"] is None and again.report["reused"] == 3


@pytest.mark.parametrize("quiet", [False, True], ids=["said", "quiet"])
def test_a_large_compile_says_so_and_how_long(tmp_path, capsys, monkeypatch, quiet):
    """A set of `cache.NOTICE_MIN` entities or more compiles for a while before the first document (half a
    minute at 100k): the run says so on stderr, then how long it took (`test_cache`: only when it compiles)."""
    from normalize import cache

    monkeypatch.setenv("NORMALIZE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "NOTICE_MIN", 1)
    gaz = tmp_path / f"gaz-{quiet}"  # a stack of its own: the process's own compiled stacks keep none of it
    gaz.mkdir()
    (gaz / "mini.yaml").write_bytes(MINI.read_bytes())
    inp = corpus(tmp_path / "in", 1)

    def said(out: str) -> list[str]:
        args = [str(inp), str(tmp_path / out), "-g", str(gaz), "--no-bundled", "-j1"]
        assert cli.main(args + (["-q"] if quiet else [])) == 0
        return [line for line in capsys.readouterr().err.splitlines() if line.startswith("normalize: compil")]

    first = said("first")
    if quiet:
        assert first == []
        return
    n = len(gazetteer.load([gaz]).entities)
    noun = f"normalize: compiling {n:,} gazetteer entities"
    assert first[0] == f"{noun} (once: later runs with these files read the cache)"
    assert re.fullmatch(r"normalize: compiled in \d+\.\d s", first[1]) and len(first) == 2


@pytest.mark.parametrize("command", ["explain", "suggest", "diff"])
def test_the_other_commands_say_so_too(tmp_path, capsys, monkeypatch, command):
    """`explain`, `suggest` and `gazetteers diff` compile as a run does: a large set says so there too."""
    from normalize import cache

    monkeypatch.setenv("NORMALIZE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "NOTICE_MIN", 1)
    old, new = tmp_path / f"old-{command}", tmp_path / f"new-{command}"  # stacks of their own (see above)
    for gaz in (old, new):
        gaz.mkdir()
        (gaz / "mini.yaml").write_bytes(MINI.read_bytes())
    inp = corpus(tmp_path / "in", 1)
    argv = {
        "explain": ["explain", TEXT, "-g", str(new), "--no-bundled"],
        "suggest": ["suggest", str(inp), "-g", str(new), "--no-bundled", "-j1"],
        "diff": ["gazetteers", "diff", str(old), str(new), "--corpus", str(inp), "-j1"],
    }[command]
    assert cli.main(argv) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("normalize: compil")]
    assert said and said[0].startswith("normalize: compiling ") and said[-1].startswith("normalize: compiled in ")
