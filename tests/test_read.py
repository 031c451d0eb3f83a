"""Read: records and rejects per input file, bounded memory, symlinks, odd files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from normalize import read
from normalize.cli import main
from normalize.read import RawDoc, Reject


def _records(root):
    return list(read.read(root))


def test_every_record_is_a_document_or_a_reject(tmp_path):
    (tmp_path / "a.txt").write_text("Текст", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": 1, "text": "x"}\n\n{"id": 2}\nnot json\n', encoding="utf-8")
    recs = _records(tmp_path)
    assert [type(r).__name__ for r in recs] == ["RawDoc", "RawDoc", "Reject", "Reject"]
    assert [r.doc_id for r in recs] == ["a", "1", "2", "b.jsonl:4"]  # the blank line is not a record


def test_duplicates_are_left_to_the_pipeline(tmp_path):
    """read no longer drops duplicates: the first *document* in input order keeps the id (pipeline)."""
    (tmp_path / "x.jsonl").write_text('{"id": "a", "text": "1"}\n{"id": "a", "text": "2"}\n', encoding="utf-8")
    assert [r.doc_id for r in _records(tmp_path)] == ["a", "a"]


def test_an_over_long_jsonl_line_is_skipped_without_being_held(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_DOC_BYTES", 1000)
    with (tmp_path / "x.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "big", "text": "я" * 2_000_000}) + "\n")
        fh.write(json.dumps({"id": "ok", "text": "fine"}) + "\n")
        fh.write(json.dumps({"id": "mid", "text": "я" * 600}) + "\n")  # 1200 bytes: under the line limit
    recs = _records(tmp_path)
    assert isinstance(recs[0], Reject) and "document too large" in recs[0].reason
    assert isinstance(recs[1], RawDoc) and recs[1].doc_id == "ok"
    assert isinstance(recs[2], Reject) and recs[2].reason == "line 3: document too large (> 1000 bytes)"


def test_a_big_txt_file_is_rejected_by_its_size_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_DOC_BYTES", 10)
    (tmp_path / "big.txt").write_bytes(b"x" * 11)
    (rec,) = _records(tmp_path)
    assert rec.reason == "document too large (11 bytes > 10)"


def test_csv_encodings(tmp_path):
    text = "Министерство внутренних дел Кыргызской Республики сообщило"
    for enc in ("utf-8", "utf-8-sig", "cp1251", "koi8-r", "utf-16"):  # each file's own encoding
        (tmp_path / f"{enc}.csv").write_bytes(f"id,text\n{enc},{text}\n".encode(enc))
    recs = _records(tmp_path)
    assert {r.doc_id: r.text for r in recs} == {
        enc: text for enc in ("utf-8", "utf-8-sig", "cp1251", "koi8-r", "utf-16")
    }


def test_csv_extra_fields_and_nul(tmp_path):
    (tmp_path / "t.csv").write_text('id,text\n1,"a",extra\n2,"b\x00c"\n', encoding="utf-8")
    recs = _records(tmp_path)
    assert [(r.doc_id, r.text) for r in recs] == [("1", "a"), ("2", "b\x00c")]  # the NUL is the decoder's to reject


def test_a_table_file_broken_half_way_keeps_what_it_gave(tmp_path):
    good = pl.DataFrame({"id": ["a"], "text": ["x"]})
    good.write_parquet(tmp_path / "ok.parquet")
    (tmp_path / "trunc.parquet").write_bytes((tmp_path / "ok.parquet").read_bytes()[:40])
    recs = _records(tmp_path)
    assert recs[0].doc_id == "a"
    assert isinstance(recs[1], Reject) and recs[1].reason.startswith("unreadable")


def test_ids_from_file_names_are_storable(tmp_path):
    import os

    with open(os.path.join(os.fsencode(tmp_path), b"\xff\xfe.txt"), "wb") as fh:
        fh.write("Текст".encode())
    (rec,) = _records(tmp_path)
    assert rec.doc_id == "\\xff\\xfe"
    rec.doc_id.encode("utf-8")
    rec.source_path.encode("utf-8")


def test_output_folder_inside_input_is_skipped(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "documents.parquet").write_bytes(b"")
    assert [p.name for p in read.input_files(tmp_path, exclude=tmp_path / "out")] == ["a.txt"]


def test_symlink_loops_are_cut_when_following(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "d" / "up").symlink_to(tmp_path)
    files = read.input_files(tmp_path, follow_symlinks=True)
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["d/a.txt"]


def test_other_columns_of_a_row_are_kept_as_json_metadata(tmp_path):
    from normalize import pipeline
    from normalize.read import read

    (tmp_path / "rows.jsonl").write_text(
        '{"id": "a", "text": "Минск.", "url": "https://x.by/1", "lang": "ru", "n": 3}\n', encoding="utf-8"
    )
    (tmp_path / "plain.txt").write_text("Минск.", encoding="utf-8")
    docs = pipeline.process(read(tmp_path)).documents
    meta = dict(zip(docs["doc_id"], docs["meta"], strict=True))
    assert json.loads(meta["a"]) == {"url": "https://x.by/1", "lang": "ru", "n": 3}
    assert meta["plain"] is None
    frame = pl.DataFrame({"doc_id": ["b"], "text": ["Минск."], "rubric": ["Общество"]})
    assert json.loads(pipeline.normalize_frame(frame).documents["meta"][0]) == {"rubric": "Общество"}


# a folder's files → (entries read, files skipped by extension: most first, then by name)
SCANS = [
    ({"a.txt": "x", "b.html": "x", "c.HTM": "x", "d.jsonl": "", "e.csv": "", "f.parquet": ""}, 6, ()),
    (
        {"a.txt": "x", "notes.md": "", "scan.pdf": "", "b.pdf": "", "LICENSE": "", "sub/x.PDF": ""},
        1,
        ((".pdf", 3), ("(none)", 1), (".md", 1)),
    ),
    ({"archive.tar.gz": "", ".DS_Store": ""}, 0, (("(none)", 1), (".gz", 1))),
    ({}, 0, ()),
]


@pytest.mark.parametrize(("files", "n_read", "skipped"), SCANS)
def test_files_of_other_types_are_counted_by_extension(tmp_path, files, n_read, skipped):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    inputs = read.scan(tmp_path)
    assert (len(inputs.files), inputs.skipped) == (n_read, skipped)
    assert inputs.files == read.input_files(tmp_path)


# Inputs → the summary's line for skipped files, and the line for a folder with nothing to read
LINES = [
    (read.Inputs([Path("a.txt")]), None, None),
    (read.Inputs([Path("a.txt")], ((".md", 1),)), "skipped 1 file of other types: .md 1", None),
    (
        read.Inputs([], ((".pdf", 2), (".md", 1))),
        "skipped 3 files of other types: .pdf 2, .md 1",
        "IN: no input files (supported: .txt, .html, .htm, .jsonl, .csv, .parquet); "
        "skipped 3 files of other types: .pdf 2, .md 1",
    ),
    (read.Inputs([]), None, "IN: no input files (supported: .txt, .html, .htm, .jsonl, .csv, .parquet)"),
]


@pytest.mark.parametrize(("inputs", "skipped_line", "empty_line"), LINES)
def test_lines_for_the_summary(inputs, skipped_line, empty_line):
    assert inputs.skipped_line() == skipped_line
    assert inputs.empty_line(Path("IN")) == empty_line


@pytest.mark.parametrize("name", ["README.md", "notes", "page.pdf"])
def test_a_single_file_of_an_unsupported_type_is_a_usage_error(tmp_path, capsys, name):
    (tmp_path / name).write_text("# notes\n", encoding="utf-8")
    assert main([str(tmp_path / name), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    what = "without an extension" if "." not in name else f"'{Path(name).suffix}'"
    assert err == (
        f"normalize: error: {tmp_path / name}: unsupported file type {what}"
        " (supported: .txt, .html, .htm, .jsonl, .csv, .parquet)\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [{}, {"notes.md": "# notes"}])
def test_an_empty_folder_says_so_in_one_line(tmp_path, capsys, content, mini_gazetteer):
    corpus = tmp_path / "in"
    corpus.mkdir()
    for name, text in content.items():
        (corpus / name).write_text(text, encoding="utf-8")
    assert main([str(corpus), str(tmp_path / "out"), "-g", str(mini_gazetteer), "--no-bundled", "-j", "1"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"normalize: {corpus}: no input files (supported: .txt")
    assert ("skipped 1 file of other types: .md 1" in err) == bool(content)
