"""Gazetteers at scale: `python tests/benchmarks/gazetteer_scale.py [--sizes 0,10000,100000] [--copies 2]`.

The bundled set plus N generated entities (three persons in four: a first name and a surname from
the pymorphy3 dictionary's Name and Surn lexemes, of one gender; the fourth an organization: an
adjective agreeing with an inanimate noun, «Ледяная корпорация»), written as YAML files of 10,000
entities each in a temporary folder. For each size, side by side in one run, over NEREL train ×`--copies`
(read from NORMALIZE_SHARED/nerel/train at run time, never copied into the project) with `--workers`
(2) workers, `normalize IN OUT --gazetteers GENERATED --quiet` (stacked on the bundled set):

- first run: an empty gazetteer cache (wall seconds, start to exit);
- next run: the cache filled; its characters per second (the median of `--next-runs`, 3);
- peak RSS of the largest process and of the whole process tree (RSS summed, and PSS summed: pages
  shared between the workers count once in PSS), sampled from /proc over both runs: RSS every 50 ms,
  PSS every 0.5 s (reading it walks the pages: every 50 ms it took a third of a core from the run);
- the cache on disk after the first run;
- one file changed: the next run after one entity of one generated file is renamed (the compiled
  set misses, the other files' keys come from the per-file key cache, `link.keystore`);
- warm startup: `normalize explain x` with the same gazetteers and the cache filled (best of three).

`--sizes 0,10000,100000,1000000` adds the million (about 10 minutes more and several GiB of memory);
`--sizes 100000 --write DIR` only writes the generated set, for `compile_phases.py DIR`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: tests/ on the path, like the other benchmarks
    _tests = str(Path(__file__).resolve().parents[1])
    if _tests not in sys.path:
        sys.path.insert(0, _tests)

from benchmarks.throughput import PSS_EVERY, build_corpus, communicate_sampling, memory_kb, rss_kb, tree_pids

PER_FILE = 10_000
ORG_EVERY = 4  # one generated entity in four is an organization


# --- generated entities ------------------------------------------------------------------


def dictionary_words() -> dict[str, list]:
    """First names and surnames by gender, adjectives by gender and inanimate nouns with their
    gender, all nominative singular, from the pymorphy3 dictionary."""
    import pymorphy3

    words: dict[str, set] = {k: set() for k in ("first", "surname", "adjective", "noun")}
    adjectives: dict[int, dict[str, str]] = {}
    for word, tag, _normal, para, _idx in pymorphy3.MorphAnalyzer().dictionary.iter_known_words():
        if "nomn" not in tag or "sing" not in tag or tag.gender is None or "-" in word or len(word) < 3:
            continue
        if "Name" in tag:
            words["first"].add((word, tag.gender))
        elif "Surn" in tag:
            words["surname"].add((word, tag.gender))
        elif tag.POS == "ADJF" and "Qual" in tag and "Apro" not in tag:
            adjectives.setdefault(para, {})[tag.gender] = word
        elif tag.POS == "NOUN" and "inan" in tag and not ({"Geox", "Orgn", "Trad", "Abbr", "Fixd"} & tag.grammemes):
            words["noun"].add((word, tag.gender))
    return {
        "first": sorted(words["first"]),
        "surname": sorted(words["surname"]),
        "adjective": sorted(tuple(sorted(forms.items())) for forms in adjectives.values() if len(forms) == 3),
        "noun": sorted(words["noun"]),
    }


def generated(n: int, words: dict[str, list], seed: int = 15) -> list[tuple[str, str, str, str]]:
    """n distinct (id, type, name, gender) entities; the first n of a larger set are the same entities."""
    rng = random.Random(seed)
    firsts = {g: [w for w, wg in words["first"] if wg == g] for g in ("masc", "femn")}
    surnames = {g: [w for w, wg in words["surname"] if wg == g] for g in ("masc", "femn")}
    out: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    while len(out) < n:
        if len(out) % ORG_EVERY == ORG_EVERY - 1:
            noun, gender = rng.choice(words["noun"])
            adjective = dict(rng.choice(words["adjective"]))[gender]
            name, kind = f"{adjective.capitalize()} {noun}", "organization"
            gender = ""
        else:
            gender = rng.choice(("masc", "femn"))
            name = f"{rng.choice(firsts[gender]).capitalize()} {rng.choice(surnames[gender]).capitalize()}"
            kind = "person"
        folded = name.lower().replace("ё", "е")  # as linking reads names: «сосёнка» is «сосенка»
        if folded not in seen:
            seen.add(folded)
            out.append((f"gen/{kind[:3]}-{len(out)}", kind, name, gender[:1]))
    return out


def write_gazetteer(dest: Path, entities: list[tuple[str, str, str, str]]) -> None:
    """YAML files of PER_FILE entities each (a person's gender given, as the bundled set gives it)."""
    dest.mkdir(parents=True)
    for start in range(0, len(entities), PER_FILE):
        lines = ["entities:"]
        for eid, kind, name, gender in entities[start : start + PER_FILE]:
            lines += [f"  - id: {eid}", f"    type: {kind}", f"    name: {name}"]
            if gender:
                lines.append(f"    gender: {gender}")
        (dest / f"generated-{start // PER_FILE:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- measuring ---------------------------------------------------------------------------


def run(argv: list[str], env: dict[str, str]) -> dict:
    """Wall seconds; peak RSS of the largest process, of the tree summed, and the tree's PSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    peak = {"one": 0, "tree": 0, "pss": 0}

    ticks = [0]

    def sample(pid: int) -> None:
        pids = tree_pids(pid)
        rss = [rss_kb(p) for p in pids]
        peak["one"] = max(peak["one"], *rss, 0)
        peak["tree"] = max(peak["tree"], sum(rss))
        if ticks[0] % PSS_EVERY == 0:  # PSS less often: reading it walks each process's pages
            peak["pss"] = max(peak["pss"], sum(memory_kb(p)[1] for p in pids))
        ticks[0] += 1

    _out, err, seconds = communicate_sampling(proc, started, sample)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"seconds": seconds, **{k: v / 1024 for k, v in peak.items()}}


def du(where: Path) -> int:
    return sum(p.stat().st_size for p in where.rglob("*") if p.is_file())


def measure(
    size: int, sets: list[Path], corpus: Path, chars: int, workers: int, tmp: Path, next_runs: int = 3
) -> dict:
    exe = shutil.which("normalize") or ""
    base = [exe] if exe else [sys.executable, "-m", "normalize"]
    gaz = [a for s in sets for a in ("--gazetteers", str(s))]
    cache = tmp / f"cache-{size}"
    env = {**os.environ, "NORMALIZE_CACHE": str(cache)}
    argv = [*base, str(corpus), str(tmp / "out"), "--workers", str(workers), "--quiet", *gaz]
    first = run(argv, env)
    shutil.rmtree(tmp / "out")
    cache_mb = du(cache) / 1e6
    nexts = []
    for _ in range(next_runs):
        nexts.append(run(argv, env))
        shutil.rmtree(tmp / "out")
    # the median: one next run at 100k moved by a tenth of a second from run to run, its ratio to the
    # bundled set's chars/s by as much as 0.1
    nxt = {**sorted(nexts, key=lambda r: r["seconds"])[len(nexts) // 2]}
    for peak in ("one", "tree", "pss"):
        nxt[peak] = max(r[peak] for r in nexts)
    warm = min(run([*base, "explain", "x", *gaz], env)["seconds"] for _ in range(3))
    changed = None
    if sets:
        edited = sorted(sets[-1].glob("*.yaml"))[-1]
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace("    name: ", "    name: Ю", 1), encoding="utf-8")
        changed = run(argv, env)["seconds"]
        shutil.rmtree(tmp / "out")
        edited.write_text(text, encoding="utf-8")
    shutil.rmtree(cache, ignore_errors=True)
    return {
        "size": size,
        "first_s": first["seconds"],
        "next_s": nxt["seconds"],
        "chars_per_s": chars / nxt["seconds"],
        "peak_one_mib": max(first["one"], nxt["one"]),
        "peak_tree_mib": max(first["tree"], nxt["tree"]),
        "peak_tree_pss_mib": max(first["pss"], nxt["pss"]),
        "next_peak_one_mib": nxt["one"],
        "cache_mb": cache_mb,
        "warm_startup_s": warm,
        "one_file_changed_s": changed,
    }


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def table(rows: list[dict], chars: int, workers: int) -> str:
    head = (
        f"bundled set + N generated entities; NEREL train, {chars:,} characters; {workers} workers\n\n"
        "| entities added | first run (empty cache) | next run | chars/s | peak RSS, one process "
        "| peak RSS, tree (PSS) | cache on disk | warm startup | one file changed |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    lines = [
        f"| {r['size']:,} | {r['first_s']:.1f} s | {r['next_s']:.1f} s | {r['chars_per_s'] / 1e6:.2f} M "
        f"| {r['peak_one_mib']:,.0f} MiB | {r['peak_tree_mib']:,.0f} MiB ({r['peak_tree_pss_mib']:,.0f}) "
        f"| {r['cache_mb']:.0f} MB | {r['warm_startup_s']:.2f} s "
        f"| {_seconds(r['one_file_changed_s'])} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="0,10000,100000", help="entities added, comma-separated")
    ap.add_argument("--copies", type=int, default=2, help="copies of NEREL train in the corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--next-runs", type=int, default=3, help="next runs, the median reported (default 3)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--write", type=Path, metavar="DIR", help="only write the largest generated set to DIR")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.write:  # e.g. for `compile_phases.py DIR`
        write_gazetteer(args.write, generated(max(sizes), dictionary_words()))
        print(f"{max(sizes):,} generated entities written to {args.write}")
        return
    words = dictionary_words() if max(sizes) else {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="gazetteer-scale-") as name:
        tmp = Path(name)
        _docs, chars = build_corpus(tmp / "corpus", args.copies)
        every = generated(max(sizes), words) if max(sizes) else []
        for size in sizes:
            sets = []  # the bundled set is the base layer; the generated one stacks on it
            if size:
                write_gazetteer(tmp / f"gen-{size}", every[:size])
                sets.append(tmp / f"gen-{size}")
            rows.append(measure(size, sets, tmp / "corpus", chars, args.workers, tmp, args.next_runs))
            figures = {k: v if v is None else round(v, 2) for k, v in rows[-1].items()}
            print(f"{size:>9,} added: {json.dumps(figures)}", flush=True)
            if size:
                shutil.rmtree(tmp / f"gen-{size}")
    print()
    print(table(rows, chars, args.workers))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
