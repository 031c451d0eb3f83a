"""Hostile input: every record ends in documents or rejects, with reason and stage; nothing crashes.

Each test builds a small input folder, runs the command in process and checks the
accounting (run.json and the stderr summary) as well as the case itself.
"""

from __future__ import annotations

import json
import os
import time

import polars as pl
import pytest
from runs import TEXT, run

from normalize import read
from normalize.progress import counted


def _accounted(r) -> dict:
    """The accounting invariant, from the report, the tables and the stderr summary."""
    assert r.code == 0, r.err
    rep = r.report
    docs, rejects = r.documents, r.rejects
    assert rep["documents"] == docs.height and rep["rejects"] == rejects.height
    assert rep["records"] == docs.height + rejects.height
    assert sum(rep["rejects_by_stage"].values()) == rejects.height
    assert docs["doc_id"].n_unique() == docs.height
    assert rejects["reason"].str.len_chars().min() or rejects.height == 0
    if r.err:
        counts = f"{counted(docs.height, 'document')} + {counted(rejects.height, 'reject')}"  # "1 document"
        assert f"records: {rep['records']} = {counts}" in r.err
    return rep


def test_empty_files(tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "empty.txt").write_bytes(b"")
    (inp / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    (inp / "empty.jsonl").write_bytes(b"")
    (inp / "empty.csv").write_bytes(b"")
    (inp / "ok.txt").write_text(TEXT, encoding="utf-8")
    r = run(inp, tmp_path / "out", capsys=capsys)
    rep = _accounted(r)
    assert rep["records"] == 5 and rep["documents"] == 1
    assert r.reason("empty") == ("empty document", "decode")
    assert r.reason("blank") == ("empty document", "decode")
    assert r.reason("empty.jsonl") == ("empty file (no records)", "read")
    assert r.reason("empty.csv") == ("empty file (no records)", "read")


def test_binary_files_and_nul_bytes(tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (inp / "nul.txt").write_bytes(TEXT.encode() + b"\x00" + TEXT.encode())
    (inp / "fake.parquet").write_bytes(b"PAR1 not really")
    (inp / "nul.jsonl").write_bytes(b'{"id": "a", "text": "x\\u0000y"}\n\x00\x00\x00\n')
    r = run(inp, tmp_path / "out", capsys=capsys)
    rep = _accounted(r)
    assert rep["documents"] == 0 and rep["records"] == 5
    for doc_id in ("image", "nul", "a"):
        reason, stage = r.reason(doc_id)
        assert stage == "decode" and "binary" in reason
    assert r.reason("fake")[0].startswith("unreadable")
    assert "invalid JSON" in r.reason("nul.jsonl:2")[0]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "cp1251", "koi8-r"])
def test_encodings_without_bom(tmp_path, capsys, encoding):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "doc.txt").write_bytes(TEXT.encode(encoding))
    r = run(inp, tmp_path / "out", capsys=capsys)
    _accounted(r)
    doc = r.documents.row(0, named=True)
    assert doc["text"] == TEXT
    assert doc["encoding"] == ("utf-16" if encoding.startswith("utf-16") else encoding)
    assert set(r.table("mentions")["entity_id"]) >= {"country/kg", "person/niyazbekov", "city/minsk"}


@pytest.mark.parametrize("wrong", ["cp1251", "latin-1"])
def test_mojibake_is_repaired_in_files_and_table_rows(tmp_path, capsys, wrong):
    inp = tmp_path / "in"
    inp.mkdir()
    text = "МВД Белоруссии сообщило о готовности перенимать опыт КНР в борьбе с экстремизмом"
    garbled = text.encode("utf-8").decode(wrong)
    (inp / "file.txt").write_text(garbled, encoding="utf-8")
    (inp / "rows.jsonl").write_text(json.dumps({"id": "row", "text": garbled}) + "\n", encoding="utf-8")
    r = run(inp, tmp_path / "out", capsys=capsys)
    _accounted(r)
    docs = r.documents.sort("doc_id")
    assert docs["text"].to_list() == [text, text]
    assert all(e.endswith("+mojibake-repaired") for e in docs["encoding"])


def test_twenty_megabyte_document_on_one_line(tmp_path, capsys, monkeypatch):
    """A 20 MB one-line document over the size limit is rejected at once, with the limit named."""
    monkeypatch.setattr(read, "MAX_DOC_BYTES", 10_000_000)
    inp = tmp_path / "in"
    inp.mkdir()
    line = (TEXT + " ") * (20_000_000 // len((TEXT + " ").encode()) + 1)
    (inp / "huge.txt").write_text(line, encoding="utf-8")
    with (inp / "huge.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "huge-row", "text": line}, ensure_ascii=False) + "\n")
        fh.write(json.dumps({"id": "small", "text": TEXT}, ensure_ascii=False) + "\n")
    started = time.perf_counter()
    r = run(inp, tmp_path / "out", capsys=capsys)
    assert time.perf_counter() - started < 20
    rep = _accounted(r)
    assert rep["documents"] == 1 and rep["records"] == 3
    reason, stage = r.reason("huge")
    assert reason.startswith("document too large") and "10000000" in reason and stage == "read"
    assert r.reason("huge.jsonl:1")[0].startswith("line 1: document too large")


def test_twenty_megabyte_document_goes_through(tmp_path, capsys):
    """Under the default limit a 20 MB one-line document is processed, in bounded time."""
    from conftest import EXAMPLES

    from normalize.decode import decode

    # real articles (the example corpus) on one line: about one mention per 200 characters.
    # (A text that is all names, one every 10 characters, still takes hours: link.py's overlap
    # checks are quadratic in the number of hits.)
    prose = " ".join(decode(p.read_bytes()).text for p in sorted(EXAMPLES.glob("*.txt"))).replace("\n", " ")
    line = (prose + " ") * (20_000_000 // len((prose + " ").encode()))
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "huge.txt").write_text(line, encoding="utf-8")
    started = time.perf_counter()
    r = run(inp, tmp_path / "out", capsys=capsys)
    assert time.perf_counter() - started < 180
    rep = _accounted(r)
    assert rep["documents"] == 1


def test_a_document_over_the_limit_in_the_library(monkeypatch):
    import normalize

    monkeypatch.setattr(read, "MAX_DOC_BYTES", 1000)
    t = normalize.normalize_frame(pl.DataFrame({"doc_id": ["big", "ok"], "text": ["Минск " * 500, TEXT]}))
    assert t.documents["doc_id"].to_list() == ["ok"]
    assert t.rejects.row(0, named=True)["reason"] == "document too large (5500 bytes > 1000)"


def test_odd_file_names(tmp_path, capsys):
    inp = tmp_path / "in"
    names = [
        "name with  spaces.txt",
        "Кириллица — новость №1.txt",
        "odd #$%&'()[]{}!@;=,~`+ «».txt",
        "-leading-dash.txt",
        "new\nline.txt",
        "sub dir/тоже/x.y.z.TXT",
    ]
    for name in names:
        (inp / name).parent.mkdir(parents=True, exist_ok=True)
        (inp / name).write_text(TEXT, encoding="utf-8")
    bad = os.path.join(os.fsencode(inp), b"latin1-\xe9t\xe9.txt")  # not UTF-8
    with open(bad, "wb") as fh:
        fh.write(TEXT.encode())
    r = run(inp, tmp_path / "out", capsys=capsys)
    rep = _accounted(r)
    assert rep["documents"] == len(names) + 1
    ids = set(r.documents["doc_id"])
    assert {"name with  spaces", "Кириллица — новость №1", "odd #$%&'()[]{}!@;=,~`+ «»", "new\nline"} <= ids
    assert "sub dir/тоже/x.y.z" in ids
    assert "latin1-\\xe9t\\xe9" in ids


def test_jsonl_broken_line_missing_text_duplicate_ids(tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    lines = [
        json.dumps({"id": "a", "text": TEXT}),
        '{"id": "b", "text": "unterminated',
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "text": None}),
        json.dumps({"id": "a", "text": "Второй документ с тем же id."}),
        "",
        "[1, 2, 3]",
        json.dumps({"text": "без id"}),
        json.dumps({"id": {"nested": 1}, "text": "x"}),
        json.dumps({"doc_id": 7, "text": TEXT}),
        json.dumps({"id": "s", "text": "bad \ud800 surrogate"}),
    ]
    (inp / "rows.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (inp / "a.txt").write_text("Файл с id, занятым строкой JSONL: " + TEXT, encoding="utf-8")
    r = run(inp, tmp_path / "out", capsys=capsys)
    rep = _accounted(r)
    assert rep["records"] == 11  # ten non-blank lines and one file
    assert sorted(r.documents["doc_id"]) == ["7", "a"]
    assert r.documents.filter(pl.col("doc_id") == "a")["source_path"][0].endswith("a.txt")  # a.txt comes first
    assert "invalid JSON" in r.reason("rows.jsonl:2")[0]
    assert r.reason("c") == ("line 3: missing or non-string 'text'", "read")
    assert r.reason("d") == ("line 4: missing or non-string 'text'", "read")
    dup = r.rejects.filter(pl.col("doc_id") == "a")
    assert dup.height == 2 and set(dup["stage"]) == {"read"}
    assert all(x.startswith("duplicate doc_id (first in ") for x in dup["reason"])
    assert r.reason("rows.jsonl:7") == ("line 7: not a JSON object", "read")
    assert r.reason("rows.jsonl:8") == ("line 8: missing id/doc_id", "read")
    assert "not a string or number" in r.reason("rows.jsonl:9")[0]
    assert r.reason("s") == ("invalid Unicode (lone surrogate U+D800 at offset 4)", "decode")


def test_doc_ids_cannot_climb_out_of_out(tmp_path, capsys):
    inp = tmp_path / "deep" / "in"
    inp.mkdir(parents=True)
    hostile = ["../../x", "/etc/passwd", "..", "a/../../../y", "C:\\windows\\z", "~/.bashrc"]
    (inp / "rows.jsonl").write_text(
        "\n".join(json.dumps({"id": i, "text": TEXT}) for i in hostile) + "\n", encoding="utf-8"
    )
    out = tmp_path / "deep" / "out"
    before = sorted(p for p in tmp_path.rglob("*"))
    r = run(inp, out, capsys=capsys)
    _accounted(r)
    assert sorted(r.documents["doc_id"]) == sorted(hostile)  # ids are data, never paths
    after = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(out))
    assert after == [p for p in before if not p.is_relative_to(out)]
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_symlinks_outside_in_are_not_followed_unless_asked(tmp_path, capsys):
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "secret.txt").write_text("Секрет: " + TEXT, encoding="utf-8")
    (outside / "sub" / "deep.txt").write_text("Глубоко: " + TEXT, encoding="utf-8")
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "own.txt").write_text(TEXT, encoding="utf-8")
    (inp / "link.txt").symlink_to(outside / "secret.txt")
    (inp / "linkdir").symlink_to(outside / "sub")
    (inp / "inside.txt").symlink_to(inp / "own.txt")
    (inp / "loop").symlink_to(inp)
    (inp / "dangling.txt").symlink_to(inp / "nowhere.txt")
    r = run(inp, tmp_path / "out", capsys=capsys)
    rep = _accounted(r)
    assert sorted(r.documents["doc_id"]) == ["inside", "own"]
    assert r.reason("link")[0] == "symlink pointing outside the input folder (not followed)"
    assert r.reason("linkdir")[0] == "symlink pointing outside the input folder (not followed)"
    assert "unreadable" in r.reason("dangling")[0]
    assert rep["records"] == 5
    followed = run(inp, tmp_path / "out2", "--follow-symlinks", capsys=capsys)
    _accounted(followed)
    assert sorted(followed.documents["doc_id"]) == ["inside", "link", "linkdir/deep", "own"]  # loop cut


def test_special_files_do_not_block(tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    os.mkfifo(inp / "pipe.txt")
    (inp / "ok.txt").write_text(TEXT, encoding="utf-8")
    r = run(inp, tmp_path / "out", capsys=capsys)
    _accounted(r)
    assert r.reason("pipe") == ("not a regular file", "read")


def test_output_inside_input_is_not_read_back(tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "ok.txt").write_text(TEXT, encoding="utf-8")
    for _ in range(2):
        r = run(inp, inp / "out", capsys=capsys)
        rep = _accounted(r)
        assert rep["records"] == 1 and rep["files"] == 1


def test_csv_in_cp1251_with_a_large_field(tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    big = "Длинное поле таблицы. " * 15_000  # 330 000 chars: over the csv module's default field limit
    rows = f'id,text,extra\n1,"{TEXT}",x\n2,"{big}",y\n3,,z\n'
    (inp / "table.csv").write_bytes(rows.encode("cp1251"))
    r = run(inp, tmp_path / "out", capsys=capsys)
    _accounted(r)
    assert r.documents["doc_id"].to_list() == ["1", "2"]
    assert r.documents["text"][0] == TEXT
    assert r.reason("3") == ("empty document", "decode")


def test_parquet_rows_are_records(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(read, "_PARQUET_SLICE", 2)
    inp = tmp_path / "in"
    inp.mkdir()
    pl.DataFrame({"id": ["a", "b", None, "d", "e"], "text": [TEXT, "", TEXT, None, TEXT]}).write_parquet(
        inp / "t.parquet"
    )
    r = run(inp, tmp_path / "out", capsys=capsys)
    rep = _accounted(r)
    assert rep["records"] == 5
    assert r.documents["doc_id"].to_list() == ["a", "e"]
    assert r.reason("b") == ("empty document", "decode")
    assert r.reason("t.parquet:3") == ("line 3: missing id/doc_id", "read")  # numbered across slices
    assert r.reason("d") == ("line 4: missing or non-string 'text'", "read")
