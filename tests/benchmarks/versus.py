"""This checkout against another commit, end to end: `python tests/benchmarks/versus.py REF [--copies 3] [--rounds 3]`.

Checks REF (a commit, branch or tag) out into a temporary git worktree and runs `normalize IN OUT`
from each checkout in turn on NEREL train `--copies` times over (read from NORMALIZE_SHARED at run
time): one untimed run of each, then alternating rounds (A B A B …) so that the VM's drift hits both
alike. Both use this interpreter and its installed dependencies; PYTHONPATH selects the package.
Prints each run's wall and CPU time and chars/s, the median of each side and the ratios (REF's time
/ this checkout's). `--gazetteers` is passed to both. The gazetteer cache is off (NORMALIZE_CACHE=off)
unless `--cache` (kept between runs: warm runs) or `--first-run` (a new empty one each run: a first run, the
compile into the cache and the run from it), so both compile. `--no-dedup` leaves near-duplicates out on
both sides (REF must know the flag).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:  # run as a script: the other benchmarks' helpers
    sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.throughput import build_corpus  # noqa: E402


def timed_run(checkout: Path, corpus_dir: Path, out: Path, extra: list[str], cache: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the command and its workers) of one run; `cache`: the
    gazetteer cache's folder, or "off"."""
    env = dict(os.environ, PYTHONPATH=str(checkout), NORMALIZE_CACHE=cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "normalize", str(corpus_dir), str(out), "--quiet", *extra],
        check=True,
        env=env,
        cwd=checkout,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ref", help="the commit to compare against")
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--gazetteers", "-g", action="append", default=[])
    ap.add_argument("--cache", action="store_true", help="keep the gazetteer cache on (warm runs)")
    ap.add_argument("--first-run", action="store_true", help="an empty gazetteer cache each run (first runs)")
    ap.add_argument("--no-dedup", action="store_true", help="both sides without near-duplicates (linking and the rest)")
    args = ap.parse_args(argv)
    extra = [a for g in args.gazetteers for a in ("--gazetteers", g)] + (["--no-dedup"] if args.no_dedup else [])
    with tempfile.TemporaryDirectory(prefix="versus-") as tmp:
        tmp_path = Path(tmp)
        base = tmp_path / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), args.ref], check=True)
        try:
            _docs, chars = build_corpus(tmp_path / "in", args.copies)
            sides = {"this": ROOT, args.ref: base}
            times: dict[str, list[float]] = {k: [] for k in sides}
            cpu: dict[str, list[float]] = {k: [] for k in sides}
            def cache(side: str, run: str) -> str:
                """Each side's own folder (warm runs), or a new one a run (first runs), or none."""
                if args.first_run:
                    return str(tmp_path / f"cache-{run}")
                return str(tmp_path / f"cache-{side}") if args.cache else "off"

            for name, checkout in sides.items():  # untimed: bytecode, page cache, the morphology dictionary
                side = name.replace("/", "_")
                timed_run(checkout, tmp_path / "in", tmp_path / f"warm-{side}", extra, cache(side, f"warm-{side}"))
            for r in range(args.rounds):
                for name, checkout in sides.items():
                    # a fresh OUT each run: never resume from (or sweep) the other side's checkpoints
                    side = name.replace("/", "_")
                    run = f"out-{r}-{side}"
                    s, c = timed_run(checkout, tmp_path / "in", tmp_path / run, extra, cache(side, run))
                    times[name].append(s)
                    cpu[name].append(c)
                    rate = chars / s
                    print(f"round {r + 1}  {name:>12}  {s:6.2f} s  {rate:>12,.0f} chars/s  CPU {c:.2f} s", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"\n{chars:,} characters ({args.copies} x NEREL train), {args.rounds} rounds, alternating")
    for k, v in med.items():
        print(f"  {k:>12}: median {v:.2f} s = {chars / v:,.0f} chars/s; CPU {med_cpu[k]:.2f} s")
    print(f"  wall ratio {args.ref}/this: {med[args.ref] / med['this']:.3f}x (>1: this checkout is faster)")
    # CPU time moves less than wall time when other processes share the machine
    print(f"  CPU ratio {args.ref}/this: {med_cpu[args.ref] / med_cpu['this']:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
