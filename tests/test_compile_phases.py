"""`tests/benchmarks/compile_phases.py` reads the phases the compile logs: a line each, in order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent / "benchmarks" / "compile_phases.py"


def test_a_line_a_phase_in_order() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--no-cache"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    lines = out.splitlines()
    phases = [line.split()[0] for line in lines[1 : lines.index("")]]
    # the bundled set compiles to an automaton; no cache: no entry written
    # the near keys are chosen and built beside the automaton, and logged after it
    assert phases == ["stacked", "derived", "generated", "arranged", "built", "chose", "built", "counted"]
    assert "built the automaton" in out and "entities:" in out.splitlines()[-1]
