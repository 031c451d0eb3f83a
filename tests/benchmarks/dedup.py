"""Near-duplicate benchmark: `python tests/benchmarks/dedup.py [--articles N] [--copies 10] [--workers N]`.

Quality: builds a corpus in a temporary folder from NEREL train (NORMALIZE_SHARED/nerel/train, read at
run time, never copied into the project): every article once, and reposted 0–5 times (seeded), each
repost with a changed header (title edited, one to three lines of site chrome above it), a dropped or
an added paragraph (dropped: not the lead, at most a third of the words; added: sentences of another
NEREL article, real text on a close topic, up to a third of the words), one to three lines of other
boilerplate below it, and 1–5 typos. The distinct NEREL articles, on close topics, are the negatives. The corpus
goes through `normalize IN OUT` as a user runs it; signatures are made from the cleaned `documents.text`
and clustered. Prints precision and recall of duplicate pairs (two documents are a predicted pair
when they share a cluster, a true pair when they come from one article) at the options given
(default: `DedupOptions()`), and the reposts missed by kind of change.

The run's own `duplicate_of` and `similarity` are checked against `dedup.clusters` of its documents.

Cost: NEREL train ×`--copies` (as tests/benchmarks/throughput.py builds it), `normalize --quiet` on it
end to end as a user runs it (a subprocess: wall time, and CPU of the command and its workers), with
dedup and with `--no-dedup`, alternating, `--rounds` times (the order flips each round: this VM's speed
drifts within minutes, and the two runs of a round are side by side). Prints each round's ratio and
the median's. Then, in this process on the run's `documents`: the signatures (serially, CPU a
document) and the clustering, where the time goes; and numpy's import, which each worker pays once.

`--compare-datasketch` (needs `pip install datasketch`) runs the same quality and timing with
datasketch's MinHash and MinHashLSH on the same shingles, for the choice between the two.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: tests/ on the path, like the other benchmarks
    _tests = str(Path(__file__).resolve().parents[1])
    if _tests not in sys.path:
        sys.path.insert(0, _tests)

import polars as pl
from conftest import NEREL

from benchmarks.throughput import build_corpus, normalize_argv, run_command
from normalize import dedup

TRAIN = NEREL / "train"

# --- the repost corpus: its changes as data -------------------------------------------------

SITES = ("Вести Региона", "Новости Евразии", "Агентство «Восток-Информ»", "Портал Сегодня", "ИА Столица")
RUBRICS = ("Политика", "Общество", "Происшествия", "В мире", "Экономика", "Безопасность")
# a changed header: the title edited, and one to three lines of site chrome above it
TITLE_EDITS = ("{t}", "{t}", "Срочно: {t}", "{t} — СМИ", "{t} (фото)", "Новость дня. {t}", "")
HEADER_LINES = (
    "{site}",
    "Главная / Новости / {rubric}",
    "{rubric}",
    "{day:02d}.{month:02d}.{year} {hour:02d}:{minute:02d}",
    "Просмотров: {views}",
    "Автор: редакция «{site}»",
)
# other boilerplate: one to three lines below the text, some of which cleaning knows and removes
FOOTER_LINES = (
    "Поделиться:",
    "ВКонтакте Одноклассники Telegram",
    "Подписывайтесь на наш канал в Telegram",
    "© {year} {site}. Все права защищены.",
    "При полном или частичном использовании материалов ссылка на «{site}» обязательна.",
    "Читайте также: {other_title}",
    "Если вы нашли ошибку, выделите её и нажмите Ctrl+Enter.",
    "Оставить комментарий",
)
# an added paragraph: real text from another NEREL article, after an editor's lead-in
ADDED_LEADS = ("Ранее сообщалось, что {p}", "Напомним: {p}", "{p}")
LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
MAX_REPOSTS = 5
MAX_TYPOS = 5


@dataclass(frozen=True)
class Doc:
    """A document of the benchmark corpus: which article it comes from, and what was changed."""

    doc_id: str
    article: str  # the NEREL article it is (a copy of)
    text: str
    change: str  # "original", or the paragraph change of a repost: "dropped" / "added"
    typos: int = 0


def _typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard: two letters swapped, one dropped, doubled or replaced."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice(LETTERS) + word[i + 1 :]


def _with_typos(lines: list[str], n: int, rng: random.Random) -> list[str]:
    lines = list(lines)
    for _ in range(n):
        li = rng.randrange(len(lines))
        words = lines[li].split(" ")
        long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long:
            wi = rng.choice(long)
            words[wi] = _typo(words[wi], rng)
            lines[li] = " ".join(words)
    return lines


def repost(text: str, other: str, rng: random.Random) -> tuple[str, str, int]:
    """A repost of `text` (an article: title line, then paragraphs) as another site prints it;
    `other` is another article, for an added paragraph and a related headline. Returns the text, the
    paragraph change ("dropped" / "added") and the number of typos."""
    title, *body = [p.strip() for p in text.splitlines() if p.strip()]
    other_title, *other_body = [p.strip() for p in other.splitlines() if p.strip()]
    fill = {
        "site": rng.choice(SITES),
        "rubric": rng.choice(RUBRICS),
        "day": rng.randint(1, 28),
        "month": rng.randint(1, 12),
        "year": rng.randint(2008, 2024),
        "hour": rng.randint(0, 23),
        "minute": rng.randint(0, 59),
        "views": rng.randint(10, 99999),
        "other_title": other_title,
    }
    n_words = sum(len(p.split()) for p in body)
    # a paragraph dropped: not the lead, and at most a third of the text (a trimmed tail, a caption)
    droppable = [i for i, p in enumerate(body) if i > 0 and len(p.split()) * 3 <= n_words]
    if droppable and rng.random() < 0.5:
        del body[rng.choice(droppable)]
        change = "dropped"
    else:  # a paragraph added: another article's, cut to whole sentences within a third of the text
        sentences = rng.choice(other_body or [other_title]).split(". ")
        added = sentences[0]
        for more in sentences[1:]:
            if len(f"{added}. {more}".split()) * 3 > n_words:
                break
            added = f"{added}. {more}"
        body.insert(rng.randrange(1, len(body) + 1), rng.choice(ADDED_LEADS).format(p=added))
        change = "added"
    typos = rng.randint(1, MAX_TYPOS)
    body = _with_typos(body, typos, rng)
    head = [line.format(**fill) for line in rng.sample(HEADER_LINES, rng.randint(1, 3))]
    new_title = rng.choice(TITLE_EDITS).format(t=title)
    foot = [line.format(**fill) for line in rng.sample(FOOTER_LINES, rng.randint(1, 3))]
    lines = [*head, *([new_title] if new_title else []), *body, *foot]
    return "\n\n".join(lines) + "\n", change, typos


def repost_corpus(articles: Sequence[tuple[str, str]], seed: int = 18) -> list[Doc]:
    """Every article (id, text) once, plus 0–MAX_REPOSTS reposts of it (seeded, so reproducible)."""
    rng = random.Random(seed)
    docs: list[Doc] = []
    for i, (article, text) in enumerate(articles):
        docs.append(Doc(article, article, text, "original"))
        for r in range(rng.randint(0, MAX_REPOSTS)):
            other = articles[(i + rng.randrange(1, len(articles))) % len(articles)][1] if len(articles) > 1 else text
            new, change, typos = repost(text, other, rng)
            docs.append(Doc(f"{article}~r{r + 1}", article, new, change, typos))
    return docs


def nerel_articles(limit: int | None = None) -> list[tuple[str, str]]:
    """NEREL train's articles (id, text), sorted by id; the first `limit`."""
    files = sorted(TRAIN.glob("*.txt"))
    if not files:
        raise SystemExit(f"no NEREL texts in {TRAIN} (set NORMALIZE_SHARED)")
    return [(f.stem, f.read_text(encoding="utf-8")) for f in files[:limit]]


def write_corpus(docs: Sequence[Doc], dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for d in docs:
        (dest / f"{d.doc_id}.txt").write_text(d.text, encoding="utf-8")
    return dest


@dataclass(frozen=True)
class Seconds:
    """Wall time, and CPU time (every thread and process of the step: this VM is shared, and CPU time
    is what a step costs whatever else runs beside it)."""

    wall: float
    cpu: float


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


DOCUMENT_COLUMNS = ["doc_id", "text", "published", "duplicate_of", "similarity"]


def normalize_documents(
    corpus: Path, out: Path, workers: int, args: Sequence[str] = ()
) -> tuple[pl.DataFrame, Seconds]:
    """`normalize corpus out --quiet [args]` as a user runs it (a subprocess): its documents table,
    and its seconds (CPU: the command and its workers)."""
    cpu = _children_cpu()
    res = run_command([*normalize_argv(corpus, out, workers, quiet=True), *args])
    cpu = _children_cpu() - cpu
    docs = pl.read_parquet(out / "documents.parquet", columns=DOCUMENT_COLUMNS)
    shutil.rmtree(out, ignore_errors=True)
    return docs, Seconds(res["seconds"], cpu)


def command_args(options: dedup.DedupOptions) -> list[str] | None:
    """The command-line options for these DedupOptions; None when the command has none for them."""
    default = dedup.DEFAULT
    if (options.permutations, options.bands, options.min_shingles) != (
        default.permutations,
        default.bands,
        default.min_shingles,
    ):
        return None
    return ["--dedup-threshold", str(options.threshold), "--dedup-shingle", str(options.shingle)]


def alternating(corpus: Path, out: Path, workers: int, rounds: int, args: list[str]) -> list[tuple[Seconds, Seconds]]:
    """(with dedup, with --no-dedup) seconds of each round; the first of a round flips every round."""
    found = []
    for i in range(rounds):
        modes = [("dedup", args), ("off", ["--no-dedup"])]
        seconds = {}
        for mode, extra in modes if i % 2 == 0 else modes[::-1]:
            print(f"  round {i + 1}: normalize {' '.join(extra)} …", file=sys.stderr)
            seconds[mode] = normalize_documents(corpus, out, workers, extra)[1]
        found.append((seconds["dedup"], seconds["off"]))
    return found


# --- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairScore:
    """Duplicate pairs: true (same article), predicted (same cluster) and both."""

    true: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true if self.true else 1.0


def _pairs(df: pl.DataFrame, by: list[str]) -> int:
    return int(df.group_by(by).len().select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).item())


def score(result: pl.DataFrame, truth: pl.DataFrame) -> PairScore:
    """Pair precision and recall of a `dedup.clusters` result against truth (doc_id, article)."""
    j = result.select("doc_id", cluster=pl.coalesce("duplicate_of", "doc_id")).join(truth, on="doc_id")
    return PairScore(_pairs(j, ["article"]), _pairs(j, ["cluster"]), _pairs(j, ["cluster", "article"]))


def missed(result: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """Reposts not in their original's cluster, counted by paragraph change and typos."""
    j = result.select("doc_id", cluster=pl.coalesce("duplicate_of", "doc_id")).join(truth, on="doc_id")
    original = j.filter(pl.col("change") == "original").select("article", original_cluster="cluster")
    return (
        j.filter(pl.col("change") != "original")
        .join(original, on="article")
        .with_columns(found=pl.col("cluster") == pl.col("original_cluster"))
        .group_by("change", "typos")
        .agg(reposts=pl.len(), missed=(~pl.col("found")).sum())
        .sort("change", "typos")
    )


def truth_frame(docs: Sequence[Doc]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": [d.doc_id for d in docs],
            "article": [d.article for d in docs],
            "change": [d.change for d in docs],
            "typos": [d.typos for d in docs],
        },
        schema={"doc_id": pl.String, "article": pl.String, "change": pl.String, "typos": pl.Int64},  # --articles 0
    )


def exact_jaccard(documents: pl.DataFrame, docs: Sequence[Doc], shingle: int) -> pl.Series:
    """The true Jaccard of each repost's shingle set to its original's, after normalize (how hard the
    corpus is)."""
    text = dict(documents.select("doc_id", "text").iter_rows())

    def shingles(doc_id: str) -> set[tuple[str, ...]]:
        tokens = dedup.words(text.get(doc_id, ""))
        return set(zip(*(tokens[i:] for i in range(shingle)), strict=False))

    values = []
    for d in docs:
        if d.change != "original" and d.doc_id in text and d.article in text:
            a, b = shingles(d.article), shingles(d.doc_id)
            values.append(len(a & b) / max(len(a | b), 1))
    return pl.Series("jaccard", values, dtype=pl.Float64)


def detect(documents: pl.DataFrame, options: dedup.DedupOptions) -> tuple[pl.DataFrame, Seconds, Seconds]:
    """Signatures of documents.text and their clusters; and the seconds of each step."""
    wall, cpu = time.perf_counter(), time.process_time()
    sigs = dedup.signatures(documents["text"].to_list(), options)
    signed = Seconds(time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    result = dedup.clusters(documents.select("doc_id", "published").with_columns(signature=sigs), options)
    return result, signed, Seconds(time.perf_counter() - wall, time.process_time() - cpu)


# --- datasketch, for comparison ----------------------------------------------------------------


def datasketch_run(documents: pl.DataFrame, options: dedup.DedupOptions) -> tuple[pl.DataFrame, float, float] | None:
    """The same shingles through datasketch's MinHash and MinHashLSH (threshold = options.threshold),
    candidates verified by estimated Jaccard and joined into connected components (as `clusters`)."""
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        return None
    w = options.shingle
    started = time.perf_counter()
    hashes: dict[str, MinHash] = {}
    for doc_id, text in documents.select("doc_id", "text").iter_rows():
        tokens = dedup.words(text)
        shingles = {" ".join(tokens[i : i + w]).encode("utf-8") for i in range(len(tokens) - w + 1)}
        if len(shingles) < options.min_shingles:
            continue
        m = MinHash(num_perm=options.permutations)
        m.update_batch(list(shingles))
        hashes[doc_id] = m
    signed = time.perf_counter()
    lsh = MinHashLSH(threshold=options.threshold, num_perm=options.permutations)
    for doc_id, m in hashes.items():
        lsh.insert(doc_id, m)
    order = documents.sort(["published", "doc_id"], nulls_last=True)["doc_id"].to_list()
    rank = {d: i for i, d in enumerate(order)}
    parent = {d: d for d in hashes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, m in hashes.items():
        for other in lsh.query(m):
            if other != doc_id and m.jaccard(hashes[other]) >= options.threshold:
                a, b = find(doc_id), find(other)
                if a != b:
                    lo, hi = sorted((a, b), key=rank.__getitem__)
                    parent[hi] = lo
    heads = {d: find(d) for d in hashes}
    result = pl.DataFrame(
        {
            "doc_id": order,
            "duplicate_of": [heads.get(d) if heads.get(d, d) != d else None for d in order],
        },
        schema={"doc_id": pl.String, "duplicate_of": pl.String},
    )
    return result, signed - started, time.perf_counter() - signed


# --- cost --------------------------------------------------------------------------------------


def cost(
    tmp_path: Path, copies: int, workers: int, rounds: int, options: dedup.DedupOptions, args: list[str] | None
) -> list[str]:
    """The run's time with dedup against without, on NEREL train ×copies; where dedup's time goes."""
    corpus = tmp_path / f"x{copies}"
    n_docs, chars = build_corpus(corpus, copies)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"normalize ×{copies} ({n_docs} documents, {chars:,} chars), {rounds} rounds …", file=sys.stderr)
    found = alternating(corpus, tmp_path / "out", workers, rounds, args or [])
    wall = sorted(on.wall / off.wall for on, off in found)
    cpu = sorted(on.cpu / off.cpu for on, off in found)
    lines = [
        f"cost on NEREL train ×{copies}: {n_docs} documents, {chars:,} characters, --workers {workers} "
        f"(load average before: {load}); options {args or 'the defaults'}",
        *(
            f"  round {i + 1}: with dedup {on.wall:.2f} s wall, {on.cpu:.2f} s CPU; --no-dedup {off.wall:.2f} s "
            f"wall, {off.cpu:.2f} s CPU; ratio {on.wall / off.wall:.3f} wall, {on.cpu / off.cpu:.3f} CPU"
            for i, (on, off) in enumerate(found)
        ),
        f"  median: with dedup / without = {wall[len(wall) // 2]:.3f} wall (dedup costs "
        f"{wall[len(wall) // 2] - 1:+.1%} of the run), {cpu[len(cpu) // 2]:.3f} CPU ({cpu[len(cpu) // 2] - 1:+.1%}); "
        "target ≤ +10%",
    ]
    documents, _ = normalize_documents(corpus, tmp_path / "out", workers, args or [])
    _, sig_s, clu_s = detect(documents, options)
    summary = dedup.summarize(documents.select("doc_id", "duplicate_of", "similarity"))
    n = documents.height
    lines += [
        f"  where it goes, in this process on the run's documents: signatures {sig_s.cpu:.2f} s CPU "
        f"({sig_s.cpu / n * 1e6:.0f} µs a document, made in the workers in the run); clusters "
        f"{clu_s.wall:.2f} s wall, {clu_s.cpu:.2f} s CPU ({summary.clusters} clusters, largest {summary.largest_size});"
        f" importing numpy (once in each worker that makes signatures) {numpy_import():.3f} s CPU",
    ]
    return lines


def numpy_import() -> float:
    """CPU seconds of `import numpy` in a fresh process that has polars already (as a worker has)."""
    code = "import time, polars; t = time.process_time(); import numpy; print(time.process_time() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


# --- report ----------------------------------------------------------------------------------


def options_from(args: argparse.Namespace) -> dedup.DedupOptions:
    given = {k: getattr(args, k) for k in ("threshold", "shingle", "permutations", "bands", "min_shingles")}
    return dedup.DedupOptions(**{k: v for k, v in given.items() if v is not None})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, help="NEREL train articles to repost (default: all)")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--copies", type=int, default=10, help="NEREL train ×N for the cost (0: skip it)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the cost: a run with dedup and one without")
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="default: all cores")
    ap.add_argument("--compare-datasketch", action="store_true")
    for name, kind in (("threshold", float), ("shingle", int), ("permutations", int), ("bands", int)):
        ap.add_argument(f"--{name}", type=kind, help=f"DedupOptions.{name} (default {getattr(dedup.DEFAULT, name)})")
    ap.add_argument("--min-shingles", dest="min_shingles", type=int)
    args = ap.parse_args(argv)
    options = options_from(args)
    lines = [f"options: {options}"]
    with tempfile.TemporaryDirectory(prefix="normalize-dedup-") as tmp:
        tmp_path = Path(tmp)
        docs = repost_corpus(nerel_articles(args.articles), args.seed)
        truth = truth_frame(docs)
        print(f"repost corpus: {len(docs)} documents …", file=sys.stderr)
        cli_args = command_args(options)
        documents, _ = normalize_documents(
            write_corpus(docs, tmp_path / "reposts"), tmp_path / "out", args.workers, cli_args or []
        )
        result, sig_s, clu_s = detect(documents, options)
        s = score(result, truth)
        n_articles = truth["article"].n_unique()
        if cli_args is not None:  # the run's own clusters: those of its documents' signatures
            same = documents.select(result.columns).equals(result)
            lines.append(f"the run's duplicate_of and similarity equal dedup.clusters of its documents: {same}")
        lines += [
            f"corpus: {n_articles} NEREL train articles + {len(docs) - n_articles} reposts = {len(docs)} documents "
            f"({documents.height} after normalize); seed {args.seed}",
            f"duplicate pairs: {s.true} true, {s.predicted} predicted, {s.correct} correct",
            f"precision {s.precision:.4f}  recall {s.recall:.4f}  (targets: P ≥ 0.98, R ≥ 0.95)",
        ]
        jac = exact_jaccard(documents, docs, options.shingle)
        lines += [] if jac.is_empty() else [
            f"exact Jaccard of {options.shingle}-word shingles, original vs repost: min {jac.min():.3f}, "
            f"5% {jac.quantile(0.05):.3f}, median {jac.median():.3f}"
        ]
        found = result.filter(pl.col("duplicate_of").is_not_null())["similarity"]
        if found.len():
            lines.append(
                f"similarity to the head: min {found.min():.3f}, median {found.median():.3f}; "
                f"{dedup.summarize(result).clusters} clusters"
            )
        lost = missed(result, truth).filter(pl.col("missed") > 0)
        kinds = [f"{r['missed']}/{r['reposts']} {r['change']} +{r['typos']} typos" for r in lost.to_dicts()]
        lines.append("reposts missed: " + (", ".join(kinds) or "none"))
        if args.compare_datasketch:
            other = datasketch_run(documents, options)
            if other is None:
                lines.append("datasketch: not installed (pip install datasketch)")
            else:
                ds, ds_sig, ds_lsh = other
                d = score(ds, truth)
                lines += [
                    f"datasketch: precision {d.precision:.4f}  recall {d.recall:.4f}; "
                    f"MinHash {ds_sig:.2f} s, LSH + verify + components {ds_lsh:.2f} s",
                    f"normalize.dedup: signatures {sig_s.wall:.2f} s, clusters {clu_s.wall:.2f} s "
                    f"(the same {documents.height} documents)",
                ]
        if args.copies:
            lines += ["", *cost(tmp_path, args.copies, args.workers, args.rounds, options, cli_args)]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
