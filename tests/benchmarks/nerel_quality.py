"""Linking quality on NEREL: `python tests/benchmarks/nerel_quality.py [--split dev] [--stack] [--json FILE]`.

Builds a gazetteer from the linked entities of NEREL train+dev (see nerel.py) in a temporary folder,
runs `normalize.normalize_frame` on the split's raw texts with it, and scores the mentions against
the gold ones on the raw text. The gazetteer runs alone (bundled=False), or with `--stack` as a user's
layer on the bundled set: what the bundled knowledge adds by stacking alone (`--recipe design`
takes nothing from the bundled set into the gazetteer itself). NEREL is read from
NORMALIZE_SHARED/nerel (default ../shared/nerel).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
for _p in (TESTS.parent, TESTS):  # the checkout's package and the tests' helpers
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import polars as pl  # noqa: E402
from conftest import NEREL, REFERENCE  # noqa: E402

import normalize  # noqa: E402
from benchmarks import nerel  # noqa: E402
from normalize import pipeline  # noqa: E402


def run(
    split: str = "dev", limit: int | None = None, workers: int = 1, recipe: str = "enriched", stack: bool = False
) -> tuple[dict, str]:
    """Build, run, score; returns the figures and the printed report.

    recipe "design" is DESIGN.md's gazetteer recipe alone; "enriched" adds, by Wikidata id, the
    bundled gazetteers' names and adjectives and adjectives learned from the train split
    (`nerel.enrich`): what a user of the toolkit gets with its own data. `stack` runs the gazetteer
    as a layer on the bundled set instead of on its own.
    """
    if not (NEREL / split).is_dir():
        raise SystemExit(f"{NEREL / split} not found (set NORMALIZE_SHARED to the shared folder)")
    t0 = time.perf_counter()
    train, dev = nerel.read_split(NEREL / "train"), nerel.read_split(NEREL / "dev")
    docs = {"train": train, "dev": dev}[split][: limit or None]
    entities, stats, display = nerel.collect_entities([*train, *dev], REFERENCE)
    enriched = nerel.enrich(entities, normalize.load().entities, train) if recipe == "enriched" else {}
    with tempfile.TemporaryDirectory(prefix="nerel-gaz-") as tmp:
        path = nerel.write_gazetteer(entities, tmp)
        build_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        compiled = pipeline.compile_gazetteers([tmp], bundled=stack)
        compile_s = time.perf_counter() - t1
        frame = pl.DataFrame({"doc_id": [d.doc_id for d in docs], "text": [d.text for d in docs]})
        # warm-up on one document: first-call costs (validation setup, lazy imports) are not throughput
        t_w = time.perf_counter()
        normalize.normalize_frame(frame.head(1), gazetteers=[tmp], bundled=stack)
        warmup_s = time.perf_counter() - t_w
        t2 = time.perf_counter()
        tables = normalize.normalize_frame(frame, gazetteers=[tmp], workers=workers, bundled=stack)
        run_s = time.perf_counter() - t2
        gaz_bytes = path.stat().st_size
    chars = sum(len(d.text) for d in docs)
    golds = [g for d in docs for g in d.mentions]
    report = nerel.score(
        nerel.preds_from_mentions(tables.mentions),
        golds,
        {e.qid: e for e in entities},
        display,
        nerel.removed_spans(tables.edits),
    )
    kept_chars = sum(len(t) for t in tables.documents["text"].to_list())
    report["run"] = {
        "split": split,
        "documents": len(docs),
        "documents_out": tables.documents.height,
        "rejects": tables.rejects.height,
        "chars_raw": chars,
        "chars_cleaned": kept_chars,
        "mentions": tables.mentions.height,
        "gazetteer_build_s": round(build_s, 2),
        "compile_s": round(compile_s, 2),
        "warmup_s": round(warmup_s, 2),
        "run_s": round(run_s, 2),
        "chars_per_s": round(chars / run_s) if run_s else None,
        "workers": workers,
    }
    report["gazetteer"] = {
        "recipe": recipe,
        "stacked": stack,  # on the bundled set, or alone
        "enriched": enriched,
        "entities": stats.kept,
        "aliases": sum(len(e.aliases) for e in entities),
        "keys": compiled.index.n_keys,
        "bytes": gaz_bytes,
        "by_type": dict(sorted(_count(e.type for e in entities).items(), key=lambda kv: -kv[1])),
        "linked_ids": stats.linked_ids,
        "skipped_concepts": stats.skipped_concept,
        "skipped_types": dict(stats.skipped_type.most_common()),
        "skipped_name_collisions": stats.skipped_collision,
        "aliases_dropped_collisions": stats.aliases_dropped,
        "canonical_from": dict(stats.canonical_from),
    }
    return report, _header(report) + "\n\n" + nerel.format_report(report)


def _count(items) -> dict:
    out: dict = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out


def _header(report: dict) -> str:
    g, r = report["gazetteer"], report["run"]
    return "\n".join(
        [
            f"gazetteer (train+dev linked entities, recipe {g['recipe']}, added {g['enriched']}, "
            f"{'stacked on the bundled set' if g['stacked'] else 'alone'}): "
            f"{g['entities']} entities, {g['aliases']} aliases, "
            f"{g['keys']} index keys; by type: " + ", ".join(f"{k} {v}" for k, v in g["by_type"].items()),
            f"  of {g['linked_ids']} linked ids: concepts (lowercase) {g['skipped_concepts']}, "
            f"name collisions {g['skipped_name_collisions']}, aliases dropped {g['aliases_dropped_collisions']}; "
            "types left out: " + ", ".join(f"{k} {v}" for k, v in g["skipped_types"].items()),
            "  canonical name from: " + ", ".join(f"{k} {v}" for k, v in g["canonical_from"].items()),
            f"run ({r['split']}): {r['documents']} documents ({r['documents_out']} out, {r['rejects']} rejected), "
            f"{r['chars_raw']:,} raw chars ({r['chars_cleaned']:,} after cleaning), {r['mentions']} mentions",
            f"  gazetteer build {r['gazetteer_build_s']} s, compile {r['compile_s']} s, "
            f"warm-up (1 document) {r['warmup_s']} s, "
            f"pipeline {r['run_s']} s = {r['chars_per_s']:,} chars/s ({r['workers']} worker(s))",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", choices=["dev", "train"])
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents of the split")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    ap.add_argument("--recipe", choices=["design", "enriched"], default="enriched", help="gazetteer recipe")
    ap.add_argument("--stack", action="store_true", help="the gazetteer as a layer on the bundled set, not alone")
    args = ap.parse_args(argv)
    report, text = run(args.split, args.limit, args.workers, args.recipe, args.stack)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
