"""Throughput and memory: `python tests/benchmarks/throughput.py [--copies 10] [--memory-copies 30] [--workers N]`.

Builds a corpus in a temporary folder from NEREL train's raw texts (NORMALIZE_SHARED/nerel/train,
never copied into the project), `--copies` times over (×10 ≈ 12 million characters), and in one run
measures:

- startup: `normalize explain x` with an empty gazetteer cache (cold) and again (warm);
- `normalize IN OUT --workers N` end to end, as a user runs it, as a subprocess: wall time (start
  to exit, so imports, compile and writing count), characters per second, peak RSS;
- natasha (segmenter, morphology, NER and span normalization) on a ~200k-character sample, in a
  child process pinned to one core with one BLAS thread (its best figure here), after a warm-up
  document (model loading not counted);
- `--rounds` (3) rounds of the two side by side, normalize then natasha: each round gives a ratio,
  and the round with the median ratio is the one reported (this VM's speed drifts within minutes);
- the polars floor: a polars pass that only reads the same files, lowercases and tokenizes them;
- memory: the same command on `--memory-copies` copies (×30), peak RSS against ×10.

Peak RSS is reported twice: the largest single process (`/usr/bin/time -v`, or getrusage of the
children where it is missing) and the sum over the process tree (parent and workers), sampled from
/proc every 50 ms. Prints a report; `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
SHARED = Path(os.environ.get("NORMALIZE_SHARED", ROOT.parent / "shared"))
TRAIN = SHARED / "nerel" / "train"
GNU_TIME = Path("/usr/bin/time")


# --- corpus ---------------------------------------------------------------------------


def build_corpus(dest: Path, copies: int) -> tuple[int, int]:
    """`copies` copies of NEREL train's .txt files under dest/copyNN/; (documents, characters)."""
    files = sorted(TRAIN.glob("*.txt"))
    if not files:
        raise SystemExit(f"no NEREL texts in {TRAIN} (set NORMALIZE_SHARED)")
    chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    for i in range(copies):
        sub = dest / f"copy{i:02d}"
        sub.mkdir(parents=True)
        for f in files:
            shutil.copyfile(f, sub / f.name)
    return len(files) * copies, chars * copies


# --- running normalize ----------------------------------------------------------------


def tree_pids(pid: int) -> list[int]:
    """A process and all its descendants (workers, their helpers), read from /proc; gone ones drop out."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return out


# a sampler reads PSS (`memory_kb`) at every PSS_EVERY-th sample, RSS (`rss_kb`) at each: smaps_rollup walks
# a process's page tables (30 ms for the three processes of a 100k-entity compile), so read every 50 ms it
# took a third of a core from the run it measured on a two-core machine
PSS_EVERY = 10
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def rss_kb(pid: int) -> int:
    """RSS of one process in KiB, from /proc/PID/statm (no walk of its pages); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB, from /proc; (0, 0) once it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


def _tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants, in KiB (0 once it is gone)."""
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError):
            continue
    return total


def communicate_sampling(
    proc: subprocess.Popen, started: float, sample: Callable[[int], None]
) -> tuple[str, str, float]:
    """Wait for `proc`, calling `sample(its pid)` every 50 ms meanwhile (memory read from /proc);
    its stdout, stderr and the wall seconds since `started`."""
    done = threading.Event()

    def loop() -> None:
        while not done.is_set():
            sample(proc.pid)
            done.wait(0.05)

    sampler = threading.Thread(target=loop, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    return out, err, wall


def run_command(argv: list[str], env: dict[str, str] | None = None) -> dict:
    """Run a command; wall seconds, peak RSS of the largest process and of the process tree."""
    use_gnu_time = GNU_TIME.exists()
    full = [str(GNU_TIME), "-v", *argv] if use_gnu_time else argv
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    peak_tree = 0

    def sample(pid: int) -> None:
        nonlocal peak_tree
        peak_tree = max(peak_tree, _tree_rss_kb(pid))

    out, err, wall = communicate_sampling(proc, started, sample)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err[-2000:]}")
    if use_gnu_time:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
        peak = int(m.group(1)) if m else 0
        how = "/usr/bin/time -v"
    else:
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak = after if after > before else before  # the largest child so far: an upper bound
        how = "getrusage(RUSAGE_CHILDREN)"
    return {
        "seconds": wall,
        "peak_rss_mb": peak / 1024,
        "peak_tree_rss_mb": peak_tree / 1024,
        "rss_by": how,
        "stdout": out,
        "stderr": err,
    }


def normalize_argv(corpus: Path, out: Path, workers: int, quiet: bool) -> list[str]:
    exe = shutil.which("normalize")
    base = [exe] if exe else [sys.executable, "-m", "normalize"]
    return [*base, str(corpus), str(out), "--workers", str(workers), *(["--quiet"] if quiet else [])]


def run_normalize(corpus: Path, out: Path, chars: int, workers: int, quiet: bool, env: dict[str, str]) -> dict:
    res = run_command(normalize_argv(corpus, out, workers, quiet), env)
    report = json.loads((out / "run.json").read_text(encoding="utf-8"))
    res.update(
        chars=chars,
        chars_per_s=chars / res["seconds"],
        inner_seconds=report["seconds"],
        documents=report["documents"],
        mentions=report["mentions"],
        workers=report["workers"],
    )
    shutil.rmtree(out, ignore_errors=True)
    return res


def startup(env: dict[str, str]) -> dict:
    """`normalize explain x` with an empty cache, then with the cache filled (best of three)."""
    exe = shutil.which("normalize")
    argv = [exe, "explain", "x"] if exe else [sys.executable, "-m", "normalize", "explain", "x"]
    cold = run_command(argv, env)["seconds"]
    warm = min(run_command(argv, env)["seconds"] for _ in range(3))
    return {"cold_s": cold, "warm_s": warm}


# --- natasha --------------------------------------------------------------------------


def sample_texts(corpus: Path, limit: int) -> list[str]:
    texts: list[str] = []
    n = 0
    for f in sorted(corpus.rglob("*.txt")):
        t = f.read_text(encoding="utf-8")
        texts.append(t)
        n += len(t)
        if n >= limit:
            break
    return texts


def load_natasha() -> tuple[Callable[[str], int], float] | None:
    """natasha's NER and normalization (segment, morphology — needed to normalize —, NER,
    span.normalize) as a function of one text; and the seconds its models took to load."""
    try:
        from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
    except ImportError:
        return None
    started = time.perf_counter()
    emb = NewsEmbedding()
    segmenter, vocab = Segmenter(), MorphVocab()
    morph_tagger, ner_tagger = NewsMorphTagger(emb), NewsNERTagger(emb)
    load = time.perf_counter() - started

    def one(text: str) -> int:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_morph(morph_tagger)
        doc.tag_ner(ner_tagger)
        for span in doc.spans:
            span.normalize(vocab)
        return len(doc.spans)

    one("Министр внутренних дел Белоруссии Иван Кубраков прибыл в Пекин.")  # warm-up
    return one, load


# one BLAS thread: natasha's matrix products are small, and on this VM the sample ran 9% faster on
# one core with one thread than free on both (35.3k against 32.4k chars/s, same hour)
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_natasha_one_core(corpus: Path, limit: int) -> dict:
    """natasha on the sample in a child process pinned to one core with one thread: its best figure
    here, and the one the issue quotes ("on one core"). Model loading is timed apart."""
    cpu = min(os.sched_getaffinity(0))
    proc = subprocess.run(
        [sys.executable, __file__, "--natasha-only", str(corpus), "--natasha-chars", str(limit)],
        env={**os.environ, **ONE_THREAD},
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        last = proc.stderr.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        return {"error": f"natasha failed: {last[0]}"}
    return json.loads(proc.stdout)


def run_natasha(one: Callable[[str], int], texts: list[str], load: float) -> dict:
    started = time.perf_counter()
    spans = sum(one(t) for t in texts)
    seconds = time.perf_counter() - started
    chars = sum(len(t) for t in texts)
    return {"chars": chars, "seconds": seconds, "chars_per_s": chars / seconds, "spans": spans, "load_s": load}


# --- the polars floor -----------------------------------------------------------------


def polars_floor(corpus: Path, chars: int, batch: int = 2048) -> dict:
    """Read every file, lowercase and tokenize in polars, in batches (the least any pipeline must do)."""
    import polars as pl

    files = sorted(corpus.rglob("*.txt"))
    started = time.perf_counter()
    tokens = 0
    for i in range(0, len(files), batch):
        texts = [f.read_bytes().decode("utf-8") for f in files[i : i + batch]]
        df = pl.LazyFrame({"text": texts}).select(pl.col("text").str.to_lowercase().str.extract_all(r"\w+").list.len())
        tokens += int(df.collect()["text"].sum())
    seconds = time.perf_counter() - started
    return {"chars": chars, "seconds": seconds, "chars_per_s": chars / seconds, "tokens": tokens}


# --- report ---------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, AttributeError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores, {cpu}{mem}; Python {platform.python_version()}, {platform.system()} {platform.release()}"


def _row(label: str, d: dict) -> str:
    return f"{label:34s} {d['chars']:>12,} {d['seconds']:>9.2f} {d['chars_per_s']:>12,.0f}"


def report(r: dict) -> str:
    n, nat, fl = r["normalize"], r.get("natasha", {}), r["polars_floor"]
    lines = [
        f"machine: {r['machine']}",
        f"load average before: {r['loadavg']}",
        f"corpus: NEREL train ×{r['copies']} = {n['documents']} documents, {n['chars']:,} characters",
        "",
        f"startup (normalize explain x): cold {r['startup']['cold_s']:.2f} s, warm {r['startup']['warm_s']:.2f} s",
        "",
        f"{'':34s} {'chars':>12s} {'seconds':>9s} {'chars/s':>12s}",
        _row(f"normalize ×{r['copies']} --workers {n['workers']}", n)
        + f"   (in-run {n['chars'] / n['inner_seconds']:,.0f}; {n['mentions']:,} mentions)",
    ]
    if "quiet" in r:
        q = r["quiet"]
        lines.append(
            f"{'  the same with --quiet':34s} {q['chars']:>12,} {q['seconds']:>9.2f} {q['chars_per_s']:>12,.0f}"
        )
    if "chars_per_s" in nat:
        lines.append(
            f"{'natasha NER+normalize (one core)':34s} {nat['chars']:>12,} {nat['seconds']:>9.2f} "
            f"{nat['chars_per_s']:>12,.0f}   (model load {nat['load_s']:.2f} s)"
        )
    elif nat:
        lines.append(f"natasha: {nat['error']}")
    lines.append(_row("polars floor (read, lower, tokens)", fl))
    lines.append("")
    if "chars_per_s" in nat:
        rounds = [x for x in r.get("rounds", []) if "ratio" in x]
        if len(rounds) > 1:
            lines.append(
                "rounds (normalize / natasha, side by side): "
                + ", ".join(
                    f"{x['normalize']['chars_per_s']:,.0f} / {x['natasha']['chars_per_s']:,.0f} = {x['ratio']:.1f}×"
                    for x in rounds
                )
            )
            lines.append("  the figures above and below are the round with the median ratio")
        lines.append(f"normalize / natasha:      {n['chars_per_s'] / nat['chars_per_s']:8.1f}×  (target ≥ 100×)")
        if "quiet" in r:
            lines.append(f"normalize --quiet / natasha: {r['quiet']['chars_per_s'] / nat['chars_per_s']:5.1f}×")
    lines.append(f"normalize / polars floor: {n['chars_per_s'] / fl['chars_per_s']:8.3f}×")
    lines.append("")
    lines.append(
        f"peak RSS ×{r['copies']}: {n['peak_rss_mb']:.0f} MiB largest process, {n['peak_tree_rss_mb']:.0f} MiB "
        f"process tree ({n['rss_by']})"
    )
    if "memory" in r:
        m = r["memory"]
        lines.append(
            f"peak RSS ×{r['memory_copies']}: {m['peak_rss_mb']:.0f} MiB largest process, "
            f"{m['peak_tree_rss_mb']:.0f} MiB process tree; "
            f"×{r['memory_copies']}/×{r['copies']} = {m['peak_rss_mb'] / n['peak_rss_mb']:.2f} (largest), "
            f"{m['peak_tree_rss_mb'] / n['peak_tree_rss_mb']:.2f} (tree)  (target ≤ 1.5, < 1024 MiB)"
        )
        lines.append(
            f"  ×{r['memory_copies']}: {m['chars']:,} characters in {m['seconds']:.1f} s = "
            f"{m['chars_per_s']:,.0f} chars/s"
        )
    lines.append("")
    lines.append(f"command: {r['command']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=10, help="copies of NEREL train for throughput (default 10)")
    ap.add_argument("--memory-copies", type=int, default=30, help="copies for the memory check (0: skip)")
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="default: all cores")
    ap.add_argument("--natasha-chars", type=int, default=200_000, help="natasha sample size (0: skip)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of normalize then natasha (default 3)")
    ap.add_argument("--also-quiet", action="store_true", help="also time `normalize --quiet` (no closing summary)")
    ap.add_argument("--quiet-runs", action="store_true", help="run normalize with --quiet everywhere")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--natasha-only", type=Path, help=argparse.SUPPRESS)  # the child of run_natasha_one_core
    args = ap.parse_args(argv)
    if args.natasha_only:
        loaded = load_natasha()
        if loaded is None:
            print("natasha not installed (pip install natasha)", file=sys.stderr)
            return 1
        print(json.dumps(run_natasha(loaded[0], sample_texts(args.natasha_only, args.natasha_chars), loaded[1])))
        return 0

    r: dict = {"machine": machine(), "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()), "copies": args.copies}
    r["command"] = "python tests/benchmarks/throughput.py " + " ".join(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="normalize-bench-") as tmp:
        tmp_path = Path(tmp)
        env = dict(os.environ, NORMALIZE_CACHE=str(tmp_path / "cache"))
        print("startup …", file=sys.stderr)
        r["startup"] = startup(env)
        corpus = tmp_path / f"x{args.copies}"
        docs, chars = build_corpus(corpus, args.copies)
        # rounds of normalize then natasha, side by side: the VM's speed drifts within minutes, and
        # a ratio of two figures taken together moves less than either figure
        r["rounds"] = []
        for i in range(max(1, args.rounds)):
            print(f"round {i + 1}: normalize ×{args.copies} ({docs} documents, {chars:,} chars) …", file=sys.stderr)
            n = run_normalize(corpus, tmp_path / "out", chars, args.workers, args.quiet_runs, env)
            one = {"normalize": n}
            if args.natasha_chars:
                print(f"round {i + 1}: natasha on one core …", file=sys.stderr)
                one["natasha"] = run_natasha_one_core(corpus, args.natasha_chars)
                if "chars_per_s" in one["natasha"]:
                    one["ratio"] = n["chars_per_s"] / one["natasha"]["chars_per_s"]
            r["rounds"].append(one)
        # the round with the median ratio (or the median normalize figure) stands for the run
        with_ratio = [x for x in r["rounds"] if "ratio" in x]
        ranked = sorted(with_ratio, key=lambda x: x["ratio"]) or sorted(
            r["rounds"], key=lambda x: x["normalize"]["chars_per_s"]
        )
        middle = ranked[(len(ranked) - 1) // 2]
        r["normalize"] = middle["normalize"]
        if "natasha" in middle:
            r["natasha"] = middle["natasha"]
        if args.also_quiet and not args.quiet_runs:
            r["quiet"] = run_normalize(corpus, tmp_path / "out", chars, args.workers, True, env)
        print("polars floor …", file=sys.stderr)
        r["polars_floor"] = polars_floor(corpus, chars)
        shutil.rmtree(corpus)
        if args.memory_copies:
            big = tmp_path / f"x{args.memory_copies}"
            _, big_chars = build_corpus(big, args.memory_copies)
            print(f"normalize ×{args.memory_copies} (memory) …", file=sys.stderr)
            r["memory_copies"] = args.memory_copies
            r["memory"] = run_normalize(big, tmp_path / "out", big_chars, args.workers, args.quiet_runs, env)
    for d in [r.get("quiet", {}), r.get("memory", {}), *(x["normalize"] for x in r.get("rounds", []))]:
        for k in ("stdout", "stderr"):
            d.pop(k, None)
    print(report(r))
    if args.json:
        args.json.write_text(json.dumps(r, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
