"""Where a gazetteer compile's time and memory go: `python tests/benchmarks/compile_phases.py [DIR ...]
[--no-bundled] [--no-cache]`.

Compiles the stack (the bundled set, then each DIR) as a run's first would (`cache.compile_gazetteers`, into
an empty temporary cache, or with none), and prints a line as each phase ends (the `compile:` records
`normalize.cache` and `normalize.link.index` log at DEBUG): the phase's wall and CPU seconds (this process's,
and the forked processes' that generate the keys), this process's RSS then and its peak so far, and the
process tree's RSS summed, sampled every 50 ms over the phase, and its PSS, every 0.5 s ("–" in a shorter
phase). The figures in docs/performance.md ("Large gazetteers") come from it, e.g. with `/tmp/g100k` written
by `gazetteer_scale.generated`.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: tests/ on the path, like the other benchmarks
    _tests = str(Path(__file__).resolve().parents[1])
    if _tests not in sys.path:
        sys.path.insert(0, _tests)

from benchmarks.throughput import PSS_EVERY, memory_kb, rss_kb, tree_pids


class Phases(logging.Handler):
    """A line for each `compile:` record (in the compiling process): the phase since the one before."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.wall, self.cpu, self.children = time.perf_counter(), _cpu(), _children()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith("compile: "):
            return
        wall, cpu, children = time.perf_counter(), _cpu(), _children()
        own = rss_kb(os.getpid()) >> 10
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
        print(
            f"{message[9:]:36s} {wall - self.wall:6.2f}s {cpu - self.cpu:6.2f}s {children - self.children:6.2f}s "
            f"{own:6,d} MiB {peak:6,d} MiB",
            flush=True,
        )
        self.wall, self.cpu, self.children = time.perf_counter(), _cpu(), _children()


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def compile_here(dirs: list[str], bundled: bool) -> None:
    """The compile, in this process, a line a phase (no thread beside it: a compile that finds other threads
    running generates its keys in one process)."""
    from normalize import cache

    phases = Phases()  # one for all three loggers: a phase ends where the one before it ended, whichever logged it
    for name in ("normalize.cache", "normalize.link.keyfill", "normalize.link.index"):
        logging.getLogger(name).addHandler(phases)
        logging.getLogger(name).setLevel(logging.DEBUG)
    started, cpu = time.perf_counter(), _cpu()
    g, _index = cache.compile_gazetteers(dirs, bundled=bundled)
    wall = time.perf_counter() - started
    print(
        f"\n{len(g.entities):,} entities: {wall:.1f} s wall, {_cpu() - cpu:.1f} s CPU here and "
        f"{_children():.1f} s in forked processes; peak RSS here "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10:,} MiB",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="*", help="gazetteer folders stacked on the bundled set")
    ap.add_argument("--no-bundled", action="store_true", help="start from an empty stack")
    ap.add_argument("--no-cache", action="store_true", help="compile without a cache (no key store)")
    ap.add_argument("--here", action="store_true", help=argparse.SUPPRESS)  # the compiling process
    args = ap.parse_args(argv)
    if args.here:
        compile_here(args.dirs, not args.no_bundled)
        return
    # the compile runs in a child process; this one samples its tree and adds the peak to each phase's line
    peak = [0, 0]
    guard = threading.Lock()
    done = threading.Event()

    def sampling(pid: int) -> None:
        tick = 0
        while not done.wait(0.05):
            pids = tree_pids(pid)
            rss = sum(map(rss_kb, pids))
            # PSS less often: reading it walks each process's pages (`throughput.PSS_EVERY`)
            pss = sum(memory_kb(p)[1] for p in pids) if tick % PSS_EVERY == 0 else 0
            tick += 1
            with guard:
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    with tempfile.TemporaryDirectory(prefix="compile-phases-") as tmp:
        env = {**os.environ, "NORMALIZE_CACHE": "off" if args.no_cache else tmp}
        argv_child = [sys.executable, __file__, "--here", *args.dirs, *(["--no-bundled"] if args.no_bundled else [])]
        columns = ("wall", "CPU", "forked", "RSS", "peak", "tree RSS (PSS)")
        print(f"{'phase':36s}", *(f"{c:>{w}s}" for c, w in zip(columns, (7, 7, 7, 9, 9, 20), strict=True)), flush=True)
        proc = subprocess.Popen(argv_child, stdout=subprocess.PIPE, text=True, env=env)
        sampler = threading.Thread(target=sampling, args=(proc.pid,), daemon=True)
        sampler.start()
        assert proc.stdout is not None
        for line in proc.stdout:
            with guard:
                tree, peak[:] = tuple(peak), [0, 0]
            line = line.rstrip("\n")
            phase = line.endswith("MiB") and " entities: " not in line  # not the summary
            pss = f"{tree[1] >> 10:,d}" if tree[1] else "–"
            sampled = f"{tree[0] >> 10:8,d} ({pss}) MiB" if tree[0] else "       – (under 50 ms)"
            print(f"{line} {sampled}" if phase else line, flush=True)
        done.set()
        if proc.wait():
            raise SystemExit(f"the compile failed (exit {proc.returncode})")


if __name__ == "__main__":
    main()
