"""`normalize gazetteers check`: the CI gate for gazetteer files.

The problems are the validator's (`gazetteer_validator`, `gazetteer_sets`), the same
walk that `gazetteer.load` runs: the run refuses exactly what this reports as an
error. Here they are all reported, each with file:line, a severity and a stable code
(see `CODES`), as text or as GitHub Actions annotations. Errors fail the gate;
warnings are advice.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from normalize.gazetteer import GazetteerError, Location, bundled_dir
from normalize.gazetteer_model import EXAMPLE_FIELDS, TOP_LEVEL_KEYS
from normalize.gazetteer_sets import OTHER_GUARD, PERSON_GUARD, common_word, normalize_name, validate
from normalize.gazetteer_validator import CODES, Problem, Severity
from normalize.layers import Layer, command_layers, merge

__all__ = [
    "CODES",
    "EXAMPLE_FIELDS",
    "OTHER_GUARD",
    "PERSON_GUARD",
    "TOP_LEVEL_KEYS",
    "Problem",
    "Severity",
    "check",
    "check_layers",
    "common_word",
    "format_problems",
    "label",
    "main",
    "normalize_name",
    "summary",
]

Format = Literal["text", "github"]


def label(path: Path) -> str:
    """A file's name for messages: relative to the working directory when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _run(paths: Sequence[Path]) -> tuple[list[Problem], int]:
    checked = validate(paths, label=label)
    return list(checked.problems), len(checked.files)


def _run_layers(layers: Sequence[Layer], advice_from: int = 0) -> tuple[list[Problem], int]:
    merged = merge(layers, label=label, advice_from=advice_from)
    return list(merged.problems), len(merged.files)


def check_layers(layers: Sequence[Layer], advice_from: int = 0) -> list[Problem]:
    """Every problem in a stack of layers (the first is the base), each layer checked over the ones
    below it, and every cross-layer decision as a warning; layers before `advice_from` are checked
    for errors only. Bad data never raises."""
    return _run_layers(layers, advice_from)[0]


def check(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in the gazetteer files under `paths` (directories or files), taken as one set.

    Problems come sorted by file (in walk order) and line. Bad data never raises.
    """
    return _run(paths)[0]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(problems: Sequence[Problem], n_files: int | None = None) -> str:
    """`N errors, M warnings in K files` (K: files with problems unless n_files is given)."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = n_files if n_files is not None else len({p.path for p in problems})
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(files, 'file')}"


def format_problems(problems: Sequence[Problem], fmt: Format = "text", n_files: int | None = None) -> str:
    """Problems as text lines (`path:line: severity [code] message`) or GitHub Actions annotations.

    Ends with the summary line; `n_files` is the number of files checked, for that line.
    """
    if fmt not in ("text", "github"):
        raise ValueError(f"unknown format {fmt!r} (expected text or github)")
    lines: list[str] = []
    for p in problems:
        if fmt == "github":
            title = _escape_property(f"gazetteers check [{p.code}]")
            lines.append(
                f"::{p.severity} file={_escape_property(p.path)},line={p.line},title={title}::{_escape_data(p.message)}"
            )
        else:
            lines.append(str(p))
    lines.append(summary(problems, n_files))
    return "\n".join(lines)


def main(
    paths: Sequence[str] = (),
    fmt: str = "text",
    *,
    layers: Sequence[str] | None = None,
    bundled: bool = True,
    errors_only: bool = False,
) -> int:
    """Check gazetteer directories/files (default: the bundled set), print the report to stdout.

    `paths` are checked as one set. `layers` (the command's repeatable `--gazetteers DIR`) and
    `bundled=False` (`--no-bundled`) check the stack a run would use instead: the bundled set
    unless `bundled` is false, then each layer in order, each over the ones below, with what one
    layer does to another (updates, merges, names taken) as warnings at both places; the
    bundled set's own advice is left out. `errors_only` leaves out every warning.
    Returns the exit code: 1 if any error, else 0 (2 for a usage error).
    """
    if fmt not in ("text", "github"):
        print(f"normalize gazetteers check: unknown format {fmt!r} (expected text or github)", file=sys.stderr)
        return 2
    stacked = bool(layers) or not bundled
    if stacked and paths:
        print("normalize gazetteers check: give DIRs, or --gazetteers/--no-bundled, not both", file=sys.stderr)
        return 2
    try:
        if stacked:
            problems, n_files = _run_layers(command_layers(layers or (), bundled=bundled), 1 if bundled else 0)
        else:
            problems, n_files = _run([Path(p) for p in paths] or [bundled_dir()])
    except GazetteerError as exc:  # the bundled set is not where it should be
        where = exc.where.path if isinstance(exc.where, Location) else str(exc.where)
        problems, n_files = [Problem(where, 1, "error", "unreadable", exc.message)], 0
    if errors_only:
        problems = [p for p in problems if p.severity == "error"]
    print(format_problems(problems, fmt, n_files))  # type: ignore[arg-type]
    return 1 if any(p.severity == "error" for p in problems) else 0
