"""`normalize gazetteers diff OLD NEW --corpus DIR`: what a gazetteer change does to a corpus.

OLD and NEW are two sets, each on its own; `--old DIR... --new DIR...` are two stacks of
layers on the bundled set (`--no-bundled`: on nothing), so that `--new mine` alone shows
what stacking `mine` on the bundled set does.

The corpus is run through the pipeline twice, once with each gazetteer set, and the
mentions are compared by position (doc_id, start, end): a mention found only with
NEW is added, only with OLD removed, with both but another entity relinked. The
result prints as text or as GitHub-flavoured markdown for a pull-request comment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from normalize.progress import counted, plural

KEY = ["doc_id", "start", "end"]
_COLS = ["text", "entity_id", "entity_type", "canonical", "method"]


@dataclass
class GazetteerDiff:
    """Mentions added, removed and relinked by a gazetteer change, and the entities it touched."""

    added: pl.DataFrame
    removed: pl.DataFrame
    relinked: pl.DataFrame
    unchanged: int
    documents: int
    entities_added: list[str]
    entities_removed: list[str]
    entities_changed: list[str]

    @property
    def empty(self) -> bool:
        return not (self.added.height or self.removed.height or self.relinked.height)


def _with_context(mentions: pl.DataFrame, documents: pl.DataFrame, width: int = 40) -> pl.DataFrame:
    """Add a `context` column: the sentence around the mention with the mention in **bold** markers."""
    texts = dict(documents.select("doc_id", "text").iter_rows())
    ctx = []
    for doc_id, start, end in mentions.select(KEY).iter_rows():
        t = texts.get(doc_id, "")
        left = t[max(0, start - width) : start].split("\n")[-1]
        right = t[end : end + width].split("\n")[0]
        ctx.append(f"…{left}[{t[start:end]}]{right}…")
    return mentions.with_columns(pl.Series("context", ctx, dtype=pl.String))


def compare(old: pl.DataFrame, new: pl.DataFrame, documents: pl.DataFrame | None = None) -> tuple:
    """(added, removed, relinked, unchanged count) between two mentions tables."""
    o = old.select(*KEY, *_COLS)
    n = new.select(*KEY, *_COLS)
    added = n.join(o, on=KEY, how="anti").sort(KEY)
    removed = o.join(n, on=KEY, how="anti").sort(KEY)
    both = o.join(n, on=KEY, how="inner", suffix="_new")
    relinked = both.filter(pl.col("entity_id") != pl.col("entity_id_new")).sort(KEY)
    unchanged = both.height - relinked.height
    if documents is not None:
        added, removed, relinked = (_with_context(df, documents) for df in (added, removed, relinked))
    return added, removed, relinked, unchanged


def _entity_changes(
    old_dirs: Sequence[Path], new_dirs: Sequence[Path], bundled: bool
) -> tuple[list[str], list[str], list[str]]:
    from normalize.layers import command_layers, stack

    def table(dirs: Sequence[Path]) -> dict[str, tuple]:
        return {
            e.id: (e.type, e.name, e.aliases, e.wikidata, e.parent, e.surname, e.gender, e.adjectives)
            for e in stack(command_layers(dirs, bundled=bundled)).entities
        }

    a, b = table(old_dirs), table(new_dirs)
    return (
        sorted(b.keys() - a.keys()),
        sorted(a.keys() - b.keys()),
        sorted(k for k in a.keys() & b.keys() if a[k] != b[k]),
    )


def diff(
    old: Sequence[str | Path],
    new: Sequence[str | Path],
    corpus: str | Path,
    workers: int = 1,
    *,
    bundled: bool = True,
) -> GazetteerDiff:
    """Run the corpus with both gazetteer stacks and compare the mentions.

    `old` and `new` are each a stack of layers on the bundled set (on nothing if `bundled` is
    false), in order: `diff([], ["mine"], corpus)` is what stacking `mine` does."""
    from normalize import pipeline, read

    old_dirs, new_dirs = [Path(d) for d in old], [Path(d) for d in new]
    # mentions only: near-duplicates are not looked for
    before = pipeline.process(read.read(Path(corpus)), old_dirs, workers, bundled=bundled, dedup=None)
    after = pipeline.process(read.read(Path(corpus)), new_dirs, workers, bundled=bundled, dedup=None)
    added, removed, relinked, unchanged = compare(before.mentions, after.mentions, after.documents)
    ea, er, ec = _entity_changes(old_dirs, new_dirs, bundled)
    return GazetteerDiff(added, removed, relinked, unchanged, after.documents.height, ea, er, ec)


def _by_entity(df: pl.DataFrame, col: str = "canonical", id_col: str = "entity_id") -> list[tuple[str, str, int, str]]:
    """(entity id, canonical, count, first example) per entity, most mentions first."""
    if not df.height:
        return []
    return (
        df.group_by(id_col, col)
        .agg(pl.len().alias("n"), pl.col("context").first().alias("example"))
        .sort(["n", id_col], descending=[True, False])
        .rows()
    )


def _relinked_rows(relinked: pl.DataFrame) -> list[tuple[str, str, int, str]]:
    """(old entity id, new entity id, count, first example) per relinking, most mentions first."""
    return (
        relinked.group_by("entity_id", "entity_id_new")
        .agg(pl.len().alias("n"), pl.col("context").first())
        .sort(["n", "entity_id"], descending=[True, False])
        .rows()
    )


def format_text(d: GazetteerDiff, limit: int = 10) -> str:
    lines = [
        f"gazetteers diff: {d.added.height} added, {d.removed.height} removed, {d.relinked.height} relinked, "
        f"{d.unchanged} unchanged mentions in {counted(d.documents, 'document')}",
        f"entities: {len(d.entities_added)} added, {len(d.entities_removed)} removed, "
        f"{len(d.entities_changed)} changed",
    ]
    for title, df in (("added", d.added), ("removed", d.removed)):
        rows = _by_entity(df)
        if rows:
            lines.append(f"\n{title} ({df.height}):")
            for eid, name, n, ex in rows[:limit]:
                lines.append(f"  {'+' if title == 'added' else '-'}{n:<4} {name} ({eid})   e.g. {ex}")
            if len(rows) > limit:
                lines.append(f"  … and {len(rows) - limit} more {plural(len(rows) - limit, 'entity')}")
    if d.relinked.height:
        rows = _relinked_rows(d.relinked)
        lines.append(f"\nrelinked ({d.relinked.height}):")
        for a, b, n, ex in rows[:limit]:
            lines.append(f"  ~{n:<4} {a} → {b}   e.g. {ex}")
    if d.empty:
        lines.append("no mention changes")
    return "\n".join(lines) + "\n"


def _md(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ").replace("[", "**", 1).replace("]", "**", 1)


def format_markdown(d: GazetteerDiff, limit: int = 15) -> str:
    """GitHub-flavoured markdown for a pull-request comment or the job summary."""
    icon = "✅" if d.empty else "📝"
    lines = [
        f"### {icon} Gazetteer change on the corpus",
        "",
        f"**{d.added.height}** {plural(d.added.height, 'mention')} added · **{d.removed.height}** removed · "
        f"**{d.relinked.height}** relinked · {d.unchanged} unchanged · {counted(d.documents, 'document')}",
        "",
        f"Entities: {len(d.entities_added)} added, {len(d.entities_removed)} removed, "
        f"{len(d.entities_changed)} changed.",
    ]
    for title, df in (("Added", d.added), ("Removed", d.removed)):
        rows = _by_entity(df)
        if not rows:
            continue
        lines += [
            "",
            f"<details{' open' if title == 'Removed' else ''}><summary>{title} mentions ({df.height})</summary>",
            "",
            "| mentions | entity | example |",
            "|---:|---|---|",
        ]
        for eid, name, n, ex in rows[:limit]:
            lines.append(f"| {n} | {_md(name)} `{eid}` | {_md(ex)} |")
        if len(rows) > limit:
            lines.append(f"| … | {len(rows) - limit} more {plural(len(rows) - limit, 'entity')} | |")
        lines += ["", "</details>"]
    if d.relinked.height:
        rows = _relinked_rows(d.relinked)
        lines += [
            "",
            f"<details open><summary>Relinked mentions ({d.relinked.height})</summary>",
            "",
            "| mentions | before | after | example |",
            "|---:|---|---|---|",
        ]
        for a, b, n, ex in rows[:limit]:
            lines.append(f"| {n} | `{a}` | `{b}` | {_md(ex)} |")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
