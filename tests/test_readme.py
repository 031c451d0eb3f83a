"""README.md as a user reads it: short, set-up first, and every example in it runs as written.

Every console block's `$ normalize …` command is run on the material it names (from a folder
that holds the checkout's examples/, gazetteers/ and tests/, so that OUT lands in a temporary
folder) and its output compared with the block, numbers included; only the time and the rates
that come from it may differ. A line `…` alone in a block stands for any lines. Every Python
block is run too.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from conftest import ROOT

from normalize.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
MAX_CHARS = 12_500  # 12,000 before the near-duplicates section (issue 18), which needed about 600
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
# what depends on the machine's speed: «in 2.24s (4,783 chars/s, 3.1 docs/s)»
_TIMING = re.compile(r"\d[\d,.]*(?=s\b| chars/s| docs/s)")


def _blocks(kind: str) -> list[str]:
    return [body for lang, body in _BLOCK.findall(README) if lang == kind]


def _commands(block: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each `$ ` line of a console block."""
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        else:
            assert out, f"console block does not start with a command: {line!r}"
            out[-1][1].append(line)
    return out


CONSOLE = [cmd for block in _blocks("console") for cmd in _commands(block)]


def _pattern(expected: list[str]) -> re.Pattern:
    parts = []
    for line in expected:
        if line.strip() == "…":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(re.escape(_TIMING.sub("N", line.rstrip())) + r"\n")
    return re.compile("".join(parts))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder where README's relative paths name the checkout's material and OUT is temporary."""
    d = tmp_path_factory.mktemp("readme")
    for name in ("examples", "gazetteers", "tests"):
        (d / name).symlink_to(ROOT / name, target_is_directory=True)
    return d


def test_readme_is_short_and_starts_with_setup():
    assert len(README) <= MAX_CHARS, f"README.md is {len(README)} characters (at most {MAX_CHARS})"
    first = _blocks("bash")[0].splitlines()
    assert "python3 -m venv .venv && . .venv/bin/activate" in first[0]
    assert first[1].startswith("pip install -e . && normalize examples/corpus out/")
    assert first[2].startswith("pip install -e '.[test]' && python -m pytest")
    assert README.index("```bash") < 1000  # in the first lines


def test_readme_links_resolve():
    links = re.findall(r"\]\(((?:docs/)[^)#]+)\)", README)
    assert {"docs/linking.md", "docs/performance.md", "docs/reliability.md"} <= set(links)
    assert [link for link in links if not (ROOT / link).is_file()] == []
    for doc in (ROOT / "docs").glob("*.md"):
        for link in re.findall(r"\]\(([^)#:]+)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / link).exists(), f"{doc.name}: {link}"


def test_every_console_example_is_a_normalize_command():
    assert len(CONSOLE) >= 5
    assert [cmd for cmd, _ in CONSOLE if not cmd.startswith("normalize ")] == []


@pytest.mark.parametrize(("command", "expected"), CONSOLE, ids=[cmd[:60] for cmd, _ in CONSOLE])
def test_console_example_prints_what_readme_shows(command, expected, workdir, monkeypatch, capsys):
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("NO_COLOR", raising=False)
    main(shlex.split(command)[1:])
    captured = capsys.readouterr()
    got = "".join(_TIMING.sub("N", line.rstrip()) + "\n" for line in (captured.out + captured.err).splitlines())
    assert _pattern(expected).fullmatch(got), f"$ {command}\n--- README:\n" + "\n".join(expected) + "\n--- got:\n" + got


PYTHON = _blocks("python")


@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_example_runs(code, workdir, monkeypatch, capsys):
    monkeypatch.chdir(workdir)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip()  # each example prints what it shows
