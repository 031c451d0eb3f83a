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
    assert phases == ["stacked", "surveyed", "generated", "arranged", "built", "chose", "built"]
    assert "built the automaton" in out and "entities:" in out.splitlines()[-1]


def test_rss_read_cheaply_is_the_rss_smaps_gives() -> None:
    """The samplers read RSS from statm at every sample, PSS from smaps_rollup less often: the same RSS."""
    import os

    from benchmarks.throughput import memory_kb, rss_kb
    held = bytearray(64 << 20)  # RSS well above what the test process may allocate between the two reads
    held[:: 4096] = b"\1" * len(held[:: 4096])
    rss, pss = memory_kb(os.getpid())
    assert abs(rss_kb(os.getpid()) - rss) < 8 << 10 and rss > 64 << 10 and pss > 0
    assert rss_kb(2**22 + 7) == 0  # no such process
