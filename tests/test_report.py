"""`--report`: OUT/report.html, one self-contained page, checked in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from conftest import ROOT, SEEDS, need

from normalize import pipeline, report, resume, write
from normalize.cli import main

EXAMPLES = ROOT / "examples" / "corpus"

CORPUS = {
    "a": "МВД Белоруссии сообщило: делегация во главе с Иваном Кубраковым прибыла в Минск.\nПоделиться\n",
    "b": "Ван Сяохун <script>alert(1)</script> встретился с коллегами из КНР.\nЧитайте также: новости\n",
}
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _m(start: int, end: int, entity: str = "country/by", etype: str = "country") -> dict:
    return {
        "start": start,
        "end": end,
        "entity_id": entity,
        "entity_type": etype,
        "canonical": "X",
        "method": "exact",
        "score": 1.0,
    }


def test_highlight_nests_and_escapes():
    text = "МВД Белоруссии & <b>"
    html = report.highlight(text, [_m(4, 14), _m(0, 14, "agency/by-mvd", "agency")])
    assert html.count("<mark") == 2 and html.count("</mark>") == 2
    assert html.index('data-entity="agency/by-mvd"') < html.index('data-entity="country/by"')  # outer first
    assert html.endswith("</mark></mark> &amp; &lt;b&gt;")
    crossing = report.highlight("abcdef", [_m(0, 3), _m(2, 5)])  # cannot nest: the second is skipped
    assert crossing.count("<mark") == 1 and re.sub(r"<[^>]+>", "", crossing) == "abcdef"
    assert re.sub(r"<[^>]+>", "", html) == "МВД Белоруссии &amp; &lt;b&gt;"


# mentions (start, end, entity) → the marks and links around each run of text: marks nest, links never;
# a run is linked to the innermost mark that holds it
NESTING = [
    ([(0, 6, "o")], "[o:<o>abcdef</o>]"),
    ([(0, 6, "o"), (2, 4, "i")], "[o:<o>ab</o>[i:<i>cd</i>]<o>ef</o>]"),
    ([(2, 4, "i"), (0, 6, "o")], "[o:<o>ab</o>[i:<i>cd</i>]<o>ef</o>]"),  # any input order
    ([(0, 6, "o"), (0, 2, "i")], "[o:[i:<i>ab</i>]<o>cdef</o>]"),  # the same start: the longer is outer
    ([(0, 6, "o"), (1, 5, "m"), (2, 3, "i")], "[o:<o>a</o>[m:<m>b</m>[i:<i>c</i>]<m>de</m>]<o>f</o>]"),
    ([(0, 3, "a"), (3, 6, "b")], "[a:<a>abc</a>][b:<b>def</b>]"),  # adjacent
    ([(0, 3, "a"), (2, 5, "b")], "[a:<a>abc</a>]def"),  # crossing: the second is left out
    ([(1, 2, "a")], "a[a:<a>b</a>]cdef"),
]


def _shape(html: str) -> str:
    """The markup reduced to [entity: … ] for a mark and <entity>…</entity> for a link."""
    html = re.sub(r'<mark [^>]*data-entity="(\w+)"[^>]*>', r"[\1:", html).replace("</mark>", "]")
    return re.sub(r'<a href="#e-(\w+)">(.*?)</a>', r"<\1>\2</\1>", html)


@pytest.mark.parametrize(("mentions", "shape"), NESTING)
def test_marks_nest_and_links_do_not(mentions, shape):
    html = report.highlight("abcdef", [_m(s, e, ent) for s, e, ent in mentions])
    assert _shape(html) == shape
    assert _nesting_problems(html) == []


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Nesting(HTMLParser):
    """Every element closed in the order opened, and no link inside a link (invalid HTML: a
    browser's parser splits the outer link, which shows as a seam in the highlight)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in VOID:
            return
        if tag == "a" and "a" in self.stack:
            self.problems.append(f"line {self.getpos()[0]}: <a> inside <a>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"line {self.getpos()[0]}: </{tag}> closes <{self.stack[-1] if self.stack else ''}>")
            return
        self.stack.pop()


def _nesting_problems(html: str) -> list[str]:
    parser = _Nesting()
    parser.feed(html)
    parser.close()
    return parser.problems + [f"<{tag}> never closed" for tag in parser.stack]


def test_the_page_is_well_nested_with_no_link_inside_a_link(out):
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'data-entity="agency/by-mvd"' in page and 'data-entity="country/by"' in page  # nested mentions
    assert _nesting_problems(page) == []


def test_diff_html():
    assert report.diff_html("Поделиться", "") == "<del>Поделиться</del>"
    assert report.diff_html("КНД", "КНР") == "КН<del>Д</del><ins>Р</ins>"


@pytest.fixture
def out(tmp_path: Path, mini_gazetteer: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in CORPUS.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    argv = [str(corpus), str(out), "-g", str(mini_gazetteer), "--no-bundled", "--report", "--quiet", "-j", "1"]
    assert main(argv) == 0
    return out


def test_report_is_self_contained(out):
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert not re.search(r"""src=|url\(""", page)  # nothing is loaded: no images, scripts, fonts
    external = re.findall(r'href="(https?://[^"]*)"', page)  # only plain links out (Wikidata), never fetched
    assert all(u.startswith("https://www.wikidata.org/wiki/Q") for u in external)
    assert "<link" not in page and "@import" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    mentions = pl.read_parquet(out / "mentions.parquet")
    assert page.count('<mark class="m') == mentions.height
    for eid in mentions["entity_id"].unique():
        assert f'href="#{report.anchor(eid)}"' in page and f'id="{report.anchor(eid)}"' in page
    assert "<del>Поделиться↵\n</del>" in page  # removed boilerplate, shown (line ends made visible)
    for chart in ("chart-types", "chart-entities", "chart-rejects"):
        assert f'id="{chart}"' in page


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required on CI for the report test (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium); the report browser test needs it")
    return exe


def _browser(exe: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    cmd = [exe, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_report_in_headless_chromium(out, tmp_path):
    exe = _chromium()
    url = (out / "report.html").resolve().as_uri()
    dom = _browser(exe, tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    mentions = pl.read_parquet(out / "mentions.parquet")
    marks = re.findall(r'<mark class="m t-(\w+)" data-entity="([^"]+)"', dom.stdout)
    assert len(marks) == mentions.height > 0  # every highlight is in the rendered DOM
    # the browser's parse of the page is the page as written: no link split (as one inside another
    # would be), every element where the page put it
    page = (out / "report.html").read_text(encoding="utf-8")
    links = re.compile(r'<a href="#e-[^"]+">')
    assert len(links.findall(dom.stdout)) == len(links.findall(page)) > 0
    body = dom.stdout[dom.stdout.index("<body>") : dom.stdout.index("</body>") + len("</body>")]
    assert _nesting_problems(body) == []
    texts = re.findall(r'<div class="text">(.*?)</div>', body, re.S)
    assert texts == re.findall(r'<div class="text">(.*?)</div>', page, re.S)
    assert ("person", "person/kubrakov") in marks and ("agency", "agency/by-mvd") in marks
    assert 'id="chart-types"' in dom.stdout and "<del>" in dom.stdout
    shot = tmp_path / "report.png"
    run = _browser(exe, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_seeds_report(tmp_path):
    need(SEEDS)
    out = tmp_path / "out"
    assert main([str(SEEDS), str(out), "--report", "--quiet", "-j", "1"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('<mark class="m') == pl.read_parquet(out / "mentions.parquet").height
    assert "captcha" in page and len(page) < 500_000


def test_every_shown_document_has_its_own_mentions_and_edits(tmp_path: Path):
    # two records a batch, and fewer documents shown than there are: the report reads the documents
    # it shows, and their rows, from several parts as a run hands them over (lazy, streaming)
    out = tmp_path / "out"
    write.prepare_out(out)
    tables = resume.run(EXAMPLES, out, batch_size=2).tables
    page = report.render(tables, max_documents=3)
    shown = {
        doc: (int(m), int(e))
        for doc, m, e in re.findall(r'<summary>([^<]+?) <span class="muted">— (\d+) mentions?, (\d+) edits?', page)
    }
    docs, mentions, edits = (t.collect()["doc_id"] for t in (tables.documents, tables.mentions, tables.edits))
    expected = {d: (int((mentions == d).sum()), int((edits == d).sum())) for d in docs.head(3)}
    assert shown == expected and sum(m for m, _ in shown.values()) > 0
    assert f"… {docs.len() - 3} more documents not shown" in page


def test_counts_take_the_number_of_their_noun(mini_gazetteer: Path):
    frame = pl.DataFrame({"doc_id": ["a"], "text": ["Делегация прибыла в Минск.\nПоделиться\n"]})
    page = report.render(pipeline.normalize_frame(frame, [mini_gazetteer]))
    assert "<p>1 document · 0 rejects · 1 mention · " in page
    assert re.search(r'<span class="muted">— 1 mention, \d+ edits?</span>', page)
