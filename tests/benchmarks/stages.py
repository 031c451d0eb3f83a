"""Where the time goes: `python tests/benchmarks/stages.py [--copies 1] [--gazetteers DIR]...`.

Runs every document of NEREL train (NORMALIZE_SHARED/nerel/train, read at run time) through the
pipeline's stages one at a time, in this process, on one core, and prints the seconds spent in
each stage and its share: decode, each cleaning step, metadata, rules, linking, mapping offsets
back to the raw text, building the rows, and the per-batch work (frames, validation, the part
written to disk). The run's other costs (startup, reading files, the final tables) are shown by
tests/benchmarks/throughput.py. `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("NORMALIZE_SHARED", ROOT.parent / "shared"))
TRAIN = SHARED / "nerel" / "train"


def measure(raws: list[bytes], gazetteers: list[str] | None, bundled: bool = True) -> tuple[Counter, int]:
    """Seconds per stage over all documents; and the number of characters."""
    from normalize import clean, fix, meta, pipeline, resume
    from normalize.decode import decode
    from normalize.read import RawDoc
    from normalize.trace import TracedText

    # a freshly loaded index and Linker: linking memoises per distinct word, and a second pass over
    # the same texts would find every word already seen
    pipeline._compile_cached.cache_clear()
    compiled = pipeline.compile_gazetteers(gazetteers, bundled)
    seconds: Counter = Counter()

    def timed(step):
        def run(text: str):
            t = time.perf_counter()
            out = step(text)
            seconds[f"clean/{step.__name__}"] += time.perf_counter() - t
            return out

        run.__name__ = step.__name__
        return run

    wrapped = {step: timed(step) for step in clean.STEPS}
    settling, clean.SETTLING = clean.SETTLING, frozenset(wrapped[s] for s in clean.SETTLING)
    prepare = tuple(wrapped[s] for s in clean.PREPARE)
    strip = tuple(wrapped[s] for s in clean.STRIP)
    chars = 0
    try:
        for data in raws:
            t = time.perf_counter()
            decoded = decode(data)
            seconds["decode"] += time.perf_counter() - t
            chars += len(decoded.text)
            doc = TracedText(decoded.text)
            clean.clean(doc, prepare)
            t = time.perf_counter()
            meta.extract(doc.text)
            seconds["meta"] += time.perf_counter() - t
            clean.clean(doc, strip)
            t = time.perf_counter()
            fix.fix(doc, compiled.rules)
            seconds["fix"] += time.perf_counter() - t
            t = time.perf_counter()
            found = list(compiled.linker.find(doc.text))
            seconds["link"] += time.perf_counter() - t
            t = time.perf_counter()
            for m in found:
                doc.to_raw(m.start, "start"), doc.to_raw(m.end, "end")
            seconds["offsets to raw"] += time.perf_counter() - t
    finally:
        clean.SETTLING = settling
    # the whole record path once more, to price what the stages above leave out
    batch = [(str(i), RawDoc(str(i), "<bench>", data=data)) for i, data in enumerate(raws)]
    layers = pipeline.gazetteer_stack(gazetteers, bundled)
    pipeline._compile_cached.cache_clear()
    pipeline._compile_cached(layers)
    t = time.perf_counter()
    rows = pipeline._process_rows(batch, layers)
    seconds["(all per-document work)"] = time.perf_counter() - t
    t = time.perf_counter()
    frames = pipeline._frames(rows)
    seconds["batch: frames"] += time.perf_counter() - t
    t = time.perf_counter()
    frames = pipeline._validated(frames)
    seconds["batch: validation"] += time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        resume.write_part(Path(tmp), frames)
        seconds["batch: part written"] += time.perf_counter() - t
    return seconds, chars


def report(seconds: Counter, chars: int, docs: int) -> str:
    total = seconds["(all per-document work)"]
    staged = {k: v for k, v in seconds.items() if not k.startswith("(")}
    whole = sum(staged.values())
    lines = [f"NEREL train: {docs:,} documents, {chars:,} characters; one core", ""]
    lines.append(f"{'stage':28s} {'seconds':>8s} {'share':>7s} {'chars/s':>12s}")
    for name, s in sorted(staged.items(), key=lambda kv: -kv[1]):
        lines.append(f"{name:28s} {s:8.3f} {s / whole:7.1%} {chars / s if s else 0:12,.0f}")
    lines.append(f"{'sum of the stages':28s} {whole:8.3f} {'':7s} {chars / whole:12,.0f}")
    lines.append(f"{'one pass, as a worker runs':28s} {total:8.3f} {'':7s} {chars / total:12,.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=1, help="the train split this many times over")
    ap.add_argument("--gazetteers", "-g", action="append", default=None, help="gazetteer dir, on the bundled set")
    ap.add_argument("--no-bundled", action="store_true", help="no bundled set under the gazetteers")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    files = sorted(TRAIN.glob("*.txt"))
    if not files:
        raise SystemExit(f"no NEREL texts in {TRAIN} (set NORMALIZE_SHARED)")
    raws = [f.read_bytes() for f in files] * args.copies
    measure(raws[:20], args.gazetteers, not args.no_bundled)  # warm-up: lazy imports, caches
    seconds, chars = measure(raws, args.gazetteers, not args.no_bundled)
    print(report(seconds, chars, len(raws)))
    if args.json:
        args.json.write_text(json.dumps({"chars": chars, "seconds": dict(seconds)}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
