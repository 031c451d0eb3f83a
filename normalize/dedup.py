"""Near-duplicate documents: MinHash signatures of word shingles, LSH banding, clusters.

Two steps, shaped like the pipeline:

- `signatures(texts, options)` runs per batch of documents (in the workers) on the cleaned texts. A
  text is lowercased, ё read as е, and cut into words at whitespace, ASCII punctuation and
  typographic quotes, dashes and ellipsis; a *shingle* is `options.shingle` consecutive words. Each
  word gets a 64-bit polynomial hash of its code points, each shingle a 64-bit hash of its words'
  hashes, and the signature is a one-permutation MinHash: the 64-bit range is cut into
  `options.permutations` equal bins, each bin keeps the smallest hash that falls into it, and an empty
  bin borrows from the first non-empty bin of a fixed pseudo-random probe sequence ("optimal
  densification", Shrivastava 2017). So position i of two signatures agrees with probability equal
  to the Jaccard similarity of the two shingle sets, as with k independent permutations, at the cost
  of one hash per shingle instead of k. Values are the top 32 bits of the chosen hash (which bin it
  came from is in them, so a borrowed value never equals a value of another bin). The arithmetic
  (normalize.minhash, exact formulas there) is vectorised with numpy over the whole batch, 30–40
  µs CPU a NEREL article. Nothing depends on Python's per-process `hash()` or on a library's
  version: the same text gives the same signature in every process, run and engine. A text with
  fewer than `options.min_shingles` distinct shingles gets no signature (None): it is never a
  duplicate and never a cluster head, so a short text (a caption, a line left by a page that was
  mostly boilerplate) cannot match everything.
- `clusters(frame, options)` takes every document's (doc_id, published, signature) and finds the
  clusters in polars, in one pass over the signatures: each signature is cut into `options.bands`
  bands, every (band, band hash) bucket links its members to its earliest member, each such link is
  kept when the two signatures' estimated Jaccard is at least `options.threshold`, and the kept links
  are joined into connected components (single linkage: A~B and B~C put A, B and C in one cluster
  even when A and C are not alike). Rows and links are linear in the documents; no pair is compared
  unless the two documents share a band.

The *estimated Jaccard* of two signatures is the share of their positions where they agree.
A cluster's head is its earliest document by `published` (nulls last), then by doc_id; every other
member gets `duplicate_of` = the head's doc_id and `similarity` = its estimated Jaccard to the head
(in a chain this may be below the threshold: it says how far the copy has drifted from the head).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import polars as pl

SIGNATURE_DTYPE = pl.List(pl.UInt32)
# the signature algorithm's version, in the checkpoints' configuration digest (resume.signature_config):
# signatures of another version are never mixed with these (1: a CRC-32 per shingle, made in Python;
# 2: polynomial word hashes and the MinHash bins vectorised with numpy, normalize.minhash; 3: each
# character lowercased on its own, by a table: İ and a final Σ read as i and σ, NUL a separator)
SIGNATURE_VERSION = 3
_SEED = 0x5DEECE66D  # seed of the band hashes (any fixed value: band keys are never stored)
_BANDS_AT_ONCE = 8  # LSH bands bucketed by one polars query


@dataclass(frozen=True)
class DedupOptions:
    """Near-duplicate detection settings (defaults chosen on the NEREL repost benchmark).

    threshold: estimated Jaccard of the shingle sets at or above which two documents are linked.
    shingle: words per shingle.
    permutations: signature length (MinHash bins); a power of two.
    bands: LSH bands; `permutations / bands` positions per band. A pair whose Jaccard is J becomes a
      candidate with probability 1 - (1 - J**rows)**bands.
    min_shingles: a text with fewer distinct shingles gets no signature and is left out.
    """

    threshold: float = 0.5
    shingle: int = 3
    permutations: int = 128
    bands: int = 32
    min_shingles: int = 10

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"dedup threshold must be in (0, 1], not {self.threshold}")
        if self.shingle < 1:
            raise ValueError(f"dedup shingle size must be at least 1 word, not {self.shingle}")
        p = self.permutations
        if p < 2 or p & (p - 1) or p > 1024:
            raise ValueError(f"dedup permutations must be a power of two from 2 to 1024, not {p}")
        if self.bands < 1 or p % self.bands:
            raise ValueError(f"dedup bands must divide permutations ({p}), not {self.bands}")
        if self.min_shingles < 1:
            raise ValueError(f"dedup min_shingles must be at least 1, not {self.min_shingles}")

    @property
    def rows(self) -> int:
        """Signature positions per band."""
        return self.permutations // self.bands


DEFAULT = DedupOptions()


# --- signatures (per document) -------------------------------------------------------------
# the arithmetic is in normalize.minhash, imported here only when signatures are made: it needs numpy


def words(text: str) -> list[str]:
    """The words shingles are made of: the text split at whitespace, ASCII punctuation and
    typographic quotes, dashes and ellipsis (« » „ “ ” — – …), each character lowercased on its own
    (İ is i, Σ is σ) and ё read as е."""
    from normalize import minhash

    low = minhash.folded(text)
    _, starts, ends, _ = minhash.word_spans([text])
    return [low[s - 1 : e - 1] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def signature(text: str, options: DedupOptions = DEFAULT) -> list[int] | None:
    """The text's MinHash signature (`options.permutations` unsigned 32-bit ints; see the module
    docstring), or None when it has fewer than `options.min_shingles` distinct shingles.

    One text at a time is slow: a batch goes through `signatures`."""
    return signatures([text], options).to_list()[0]


def signatures(texts: Sequence[str | None], options: DedupOptions = DEFAULT) -> pl.Series:
    """`signature` of each text (None for a null text), as a `SIGNATURE_DTYPE` series, made for all
    texts at once (normalize.minhash)."""
    from normalize import minhash

    given = ["" if t is None else t for t in texts]
    values, signed = minhash.signatures(given, options.shingle, options.permutations, options.min_shingles)
    column = pl.Series("signature", values).cast(SIGNATURE_DTYPE)
    if signed.all():
        return column
    return column.zip_with(pl.Series(signed), pl.Series("signature", [None] * len(given), dtype=SIGNATURE_DTYPE))


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard of two signatures: the share of positions where they agree."""
    if len(a) != len(b) or not a:
        raise ValueError(f"signatures of different lengths ({len(a)} and {len(b)})")
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


# --- clusters (over all documents of a run) ----------------------------------------------------

RESULT_SCHEMA = {"doc_id": pl.String, "duplicate_of": pl.String, "similarity": pl.Float64}


def _agreements(a: pl.Series, b: pl.Series, k: int) -> pl.Series:
    """Positions where signatures agree, pair by pair (two `SIGNATURE_DTYPE` series of one length, no
    nulls): the values side by side, compared, and counted k at a time."""
    same = (a.explode() == b.explode()).cast(pl.UInt32)
    return same.reshape((-1, k)).arr.sum() if a.len() else pl.Series(dtype=pl.UInt32)


def _components(u: pl.Series, v: pl.Series, n: int) -> pl.Series:
    """Connected components of an undirected graph on the nodes 0…n-1 with edges (u, v): each node's
    label, the smallest node of its component. Min-label propagation with pointer jumping, on the
    labels as one series indexed by node: each round hooks both ends of every edge to the smaller of
    their labels (the least per node), then points every node at its label's label; labels only
    decrease, and a round that changes nothing ends it."""
    labels = pl.int_range(n, dtype=pl.UInt32, eager=True)
    ends = pl.concat([u, v])
    while True:
        m = _least(labels.gather(u), labels.gather(v))
        hook = pl.DataFrame({"node": ends, "m": pl.concat([m, m])}).group_by("node").agg(pl.col("m").min())
        hooked = labels.scatter(hook["node"], _least(labels.gather(hook["node"]), hook["m"]))
        jumped = _least(hooked, hooked.gather(hooked))
        if jumped.equals(labels):
            return labels
        labels = jumped


def _least(a: pl.Series, b: pl.Series) -> pl.Series:
    """The smaller of a and b, element by element."""
    return a.zip_with(a <= b, b)


def clusters(frame: pl.DataFrame | pl.LazyFrame, options: DedupOptions = DEFAULT) -> pl.DataFrame:
    """Near-duplicate clusters of documents: (doc_id, duplicate_of, similarity), a row per input row,
    in input order.

    `frame` has `doc_id` (unique), `signature` (`SIGNATURE_DTYPE`, null for a document without one)
    and, optionally, `published` (date or datetime, nullable; without it, heads go by doc_id).
    `duplicate_of` is the doc_id of the cluster's head (its earliest document by published, nulls
    last, then doc_id), null for the head and for a document in no cluster; `similarity` is the
    estimated Jaccard to the head, null likewise.

    The documents are numbered in that order (their *rank*), and every step works on series indexed
    by rank: the band keys, the links, the labels of the components. Signatures are gathered by rank,
    never joined.
    """
    k = options.permutations
    lazy = frame.lazy()
    has_published = "published" in lazy.collect_schema().names()
    published = pl.col("published") if has_published else pl.lit(None, pl.Date).alias("published")
    docs = lazy.select("doc_id", published, pl.col("signature").cast(SIGNATURE_DTYPE)).collect()
    if docs["doc_id"].n_unique() != docs.height:
        dup = docs.filter(pl.col("doc_id").is_duplicated())["doc_id"][0]
        raise ValueError(f"doc_id {dup!r} is not unique")
    bad = docs.filter(pl.col("signature").list.len() != k)
    if bad.height:
        got = bad["signature"][0].len()
        raise ValueError(f"document {bad['doc_id'][0]!r}: signature of {got} values, expected {k}")
    ranked = docs.with_row_index("_i").sort(["published", "doc_id"], nulls_last=True)  # doc_ids are unique: no ties
    sig = ranked["signature"]
    signed = sig.is_not_null().arg_true()  # the ranks of the documents with a signature
    links = _links(sig.gather(signed), signed, options)
    alike = _agreements(sig.gather(links["u"]), sig.gather(links["v"]), k).cast(pl.Float64) / k >= options.threshold
    edges = links.filter(alike)
    label = _components(edges["u"], edges["v"], ranked.height)
    members = (label != pl.int_range(ranked.height, dtype=pl.UInt32, eager=True)).arg_true()
    heads = label.gather(members)
    found = pl.DataFrame(
        {
            "_i": ranked["_i"].gather(members),
            "duplicate_of": ranked["doc_id"].gather(heads),
            "similarity": _agreements(sig.gather(members), sig.gather(heads), k).cast(pl.Float64) / k,
        }
    )
    return (
        docs.select(pl.col("doc_id").cast(pl.String))
        .with_row_index("_i")
        .join(found, on="_i", how="left", maintain_order="left")
        .select("doc_id", pl.col("duplicate_of").cast(pl.String), pl.col("similarity").cast(pl.Float64))
    )


def _links(sigs: pl.Series, ranks: pl.Series, options: DedupOptions) -> pl.DataFrame:
    """Candidate pairs (u, v), u linked to v < u, of the signed documents `sigs` with these `ranks`:
    a few bands at a time (their keys in memory, not all bands'), each band's values hashed into its
    bucket key, and each member of a bucket linked to the bucket's earliest member, so a bucket of m
    documents gives m - 1 links, not m²/2."""
    rows, found = options.rows, []
    for first in range(0, options.bands, _BANDS_AT_ONCE):
        n = min(_BANDS_AT_ONCE, options.bands - first)
        # the n bands of every signature, rank after rank: (rank, band) in row order
        keys = sigs.list.slice(first * rows, n * rows).explode().reshape((-1, rows)).hash(_SEED)
        where = pl.int_range(keys.len(), dtype=pl.UInt32, eager=True)
        found.append(
            pl.DataFrame({"band": where % n, "key": keys, "u": ranks.gather(where // n)})
            .lazy()
            .with_columns(v=pl.col("u").min().over("band", "key"))
            .filter(pl.col("u") != pl.col("v"))
            .select("u", "v")
            .unique()
            .collect()
        )
    return pl.concat(found).unique() if found else pl.DataFrame(schema={"u": pl.UInt32, "v": pl.UInt32})


# --- what a run reports ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterSummary:
    """The clusters of a `clusters` result, for the run's summary, run.json and report."""

    documents: int  # rows of the result
    clusters: int  # heads with at least one duplicate
    duplicates: int  # documents with a duplicate_of
    largest_head: str | None  # the head of the largest cluster (ties: the earliest doc_id)
    largest_size: int  # its documents, the head included (0 when there is no cluster)
    example: tuple[str, ...]  # the largest cluster's doc_ids, head first, at most 5

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (run.json)."""
        return {
            "documents": self.documents,
            "clusters": self.clusters,
            "duplicates": self.duplicates,
            "largest": {"head": self.largest_head, "size": self.largest_size, "example": list(self.example)},
        }


def run_info(options: DedupOptions | None, summary: ClusterSummary | None) -> dict[str, object] | None:
    """run.json's `dedup`: the options and the clusters found; None when dedup was off."""
    if options is None:
        return None
    return {"options": asdict(options), **(summary or ClusterSummary(0, 0, 0, None, 0, ())).to_dict()}


def summarize(result: pl.DataFrame | pl.LazyFrame, example: int = 5) -> ClusterSummary:
    """Counts, the largest cluster and an example of it, from a `clusters` result."""
    dups = result.lazy().filter(pl.col("duplicate_of").is_not_null()).select("doc_id", "duplicate_of", "similarity")
    sizes = (
        dups.group_by("duplicate_of")
        .agg(pl.len().alias("n"))
        .sort(["n", "duplicate_of"], descending=[True, False])
        .collect()
    )
    n = result.lazy().select(pl.len()).collect().item()
    if sizes.height == 0:
        return ClusterSummary(n, 0, 0, None, 0, ())
    head = sizes["duplicate_of"][0]
    members = (
        dups.filter(pl.col("duplicate_of") == head)
        .sort(["similarity", "doc_id"], descending=[True, False])
        .head(max(example - 1, 0))
        .collect()["doc_id"]
        .to_list()
    )
    return ClusterSummary(
        documents=n,
        clusters=sizes.height,
        duplicates=int(sizes["n"].sum()),
        largest_head=head,
        largest_size=int(sizes["n"][0]) + 1,
        example=(head, *members),
    )
