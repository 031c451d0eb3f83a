"""`normalize explain`, the progress bar and the closing summary: terminal output for people and tools."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from normalize import progress
from normalize.cli import main

TEXT = "Делегация во главе с Ваном Сяохуном прибыла в Минск. Опыт КНД.\nПоделиться"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_explain_plain_when_piped(capsys, mini_gazetteer):
    assert main(["explain", TEXT, "-g", str(mini_gazetteer), "--no-bundled"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0] == "Делегация во главе с Ваном Сяохуном прибыла в Минск. Опыт КНД."
    assert "edit  clean/boilerplate/share-buttons: '\\nПоделиться' → ''" in out
    assert "   21-35    'Ваном Сяохуном' → Ван Сяохун [person, inflected, 0.95]" in lines
    assert "   46-51    'Минск' → Минск [city, exact, 1.0]" in lines


def test_explain_colour_and_bundled_rules(capsys, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["explain", TEXT, "--color", "always"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[4;33mВаном Сяохуном\x1b[0m" in out  # the person highlighted in the text
    assert "\x1b[31m'КНД'\x1b[0m → \x1b[32m'КНР'\x1b[0m" in out  # the bundled typo rule, red → green
    monkeypatch.setenv("NO_COLOR", "1")
    assert not progress.use_colour(_Tty())
    assert main(["explain", TEXT, "--color", "never"]) == 0
    assert "\x1b[" not in capsys.readouterr().out


def test_explain_json_from_stdin(capsys, monkeypatch, mini_gazetteer):
    monkeypatch.setattr(sys, "stdin", io.StringIO("МВД Белоруссии: Ван Сяохун в Минске."))
    assert main(["explain", "-", "--json", "-g", str(mini_gazetteer), "--no-bundled"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"][0]["text"] == "МВД Белоруссии: Ван Сяохун в Минске."
    got = [(m["text"], m["entity_id"], m["method"]) for m in data["mentions"]]
    assert ("Ван Сяохун", "person/wang", "exact") in got and ("Минске", "city/minsk", "inflected") in got
    assert {"canonical", "entity_type", "score", "start", "end"} <= set(data["mentions"][0])


def test_progress_only_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert progress.interactive(_Tty()) and not progress.interactive(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not progress.interactive(_Tty())
    stream = _Tty()
    with progress.Progress(4, enabled=True, stream=stream) as bar:
        assert list(bar.track(range(4))) == [0, 1, 2, 3]
        assert bar.line().startswith("normalize ██████████████████████████████ 4/4 documents")
        bar._draw()
    assert "4/4 documents" in stream.getvalue() and stream.getvalue().endswith("\r\x1b[K")  # cleared at the end
    quiet = io.StringIO()
    with progress.Progress(4, stream=quiet) as bar:  # not a terminal: nothing drawn
        list(bar.track(range(4)))
    assert quiet.getvalue() == ""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("Ван Сяохун прибыл в Минск. Марат Жумабеков встретил Марата Жумабекова.", "utf-8")
    (d / "b.txt").write_bytes(b"")
    return d


def test_run_summary_on_stderr(corpus, tmp_path, capsys, mini_gazetteer):
    assert main([str(corpus), str(tmp_path / "out"), "-g", str(mini_gazetteer), "--no-bundled", "-j", "1"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("normalize: 1 document, 1 reject, ")
    assert "chars/s" in err and "docs/s" in err
    assert "  mentions by type: city 1, person 1" in err
    assert "  top entities: " in err and "Ван Сяохун 1" in err
    assert "  unlinked candidates: Марат Жумабеков 2" in err
    assert "  rejected 1: empty document" in err
    assert "█" not in err  # captured stderr is no terminal: no bar
    argv = [str(corpus), str(tmp_path / "out2"), "-g", str(mini_gazetteer), "--no-bundled", "--quiet", "-j", "1"]
    assert main(argv) == 0
    assert capsys.readouterr().err == ""
