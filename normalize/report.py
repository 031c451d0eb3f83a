"""`normalize IN OUT --report`: OUT/report.html, one self-contained page.

No network and no external files: inline CSS, a few lines of inline JS (filters;
the page reads fine without them), CSS bar charts. Per document: the cleaned text
with every mention highlighted and linked to its canonical entity (the entity
index at the bottom), the removed boilerplate, and every edit as a before/after
diff. On top: corpus charts (mentions per entity type, top entities, rejects by
reason) and the largest clusters of near-duplicate documents.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from normalize import write
from normalize.overview import ranked_counts
from normalize.progress import counted, plural

TYPE_COLOURS = {
    "country": "#cdeccd",
    "region": "#cfe8f3",
    "city": "#d6f0f0",
    "place": "#e3f1d4",
    "agency": "#d9dcf7",
    "organization": "#ecd9f5",
    "person": "#fbe7b5",
    "media": "#e4e4e4",
    "event": "#f8d2d2",
}

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#1f2937;color:#fff;padding:16px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#cbd5e1}main{padding:16px 28px;max-width:1200px}
h2{font-size:18px;margin:28px 0 10px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px 16px}
.card h3{margin:0 0 8px;font-size:15px}.bar{display:grid;grid-template-columns:14em 1fr 3em;gap:6px;align-items:center;
font-size:13px;margin:3px 0}.bar .l{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar .t{display:block;background:#eef2f7;border-radius:3px;height:14px}
.bar .f{display:block;height:14px;border-radius:3px;background:#6366f1}
.bar .n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#6b7280}
details.doc{background:#fff;border:1px solid #e5e7eb;border-radius:8px;margin:10px 0;padding:8px 14px}
details.doc>summary{cursor:pointer;font-weight:600}.meta{font-size:13px;color:#4b5563;margin:6px 0}
.text{white-space:pre-wrap;font-family:Georgia,"Times New Roman",serif;font-size:16px;line-height:1.65;
border-left:3px solid #e5e7eb;padding:4px 12px;margin:8px 0}
mark.m{border-radius:3px;padding:0 1px;color:inherit}mark.m a{color:inherit;text-decoration:none}
mark.m mark.m{outline:1px dashed #64748b}mark.m:hover{outline:2px solid #111}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #eee;padding:3px 6px;
vertical-align:top;text-align:left}th{color:#374151}del{background:#fde2e2;color:#8b1c1c;text-decoration:line-through}
ins{background:#d8f5dc;color:#14532d;text-decoration:none}code{font-size:12px;color:#374151}
.pre{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.legend span{display:inline-block;margin:2px 6px 2px 0;padding:0 6px;border-radius:3px;font-size:13px}
.legend label{cursor:pointer}#q{padding:4px 8px;font-size:14px;width:20em}.hide-m mark.m{background:none!important}
"""

JS = """
document.getElementById('q').addEventListener('input',function(e){var q=e.target.value.toLowerCase();
document.querySelectorAll('details.doc').forEach(function(d){d.style.display=!q||d.textContent.toLowerCase()
.indexOf(q)>=0?'':'none';});});
document.querySelectorAll('.legend input').forEach(function(c){c.addEventListener('change',function(){
document.querySelectorAll('mark.t-'+c.value).forEach(function(m){m.style.background=c.checked?'':'none';});});});
"""


def esc(s: object) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def anchor(entity_id: str) -> str:
    return "e-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in entity_id)


def highlight(text: str, mentions: Iterable[dict]) -> str:
    """The text as HTML with <mark> around each mention; nested mentions nest, crossing ones are skipped.

    Marks nest («МВД [Белоруссии]» inside «[МВД Белоруссии]»), links never do: a link inside a
    link is invalid HTML, which a browser's parser splits into pieces. Each run of text is linked
    to the entity of the innermost mark that holds it, so the outer mark's link holds «МВД » and
    the inner's «Белоруссии»; the outer mark's title still names the whole mention."""
    ms = sorted(mentions, key=lambda m: (m["start"], -m["end"]))
    out: list[str] = []
    pos = 0
    stack: list[tuple[int, str]] = []  # the open marks: (end, link target)

    def text_to(limit: int) -> None:
        nonlocal pos
        if limit > pos:
            run = esc(text[pos:limit])
            out.append(f'<a href="#{stack[-1][1]}">{run}</a>' if stack else run)
            pos = limit

    def close_until(limit: int) -> None:
        while stack and stack[-1][0] <= limit:
            text_to(stack[-1][0])
            stack.pop()
            out.append("</mark>")

    for m in ms:
        start, end = m["start"], m["end"]
        if start < pos and not stack:
            continue
        close_until(start)
        if stack and end > stack[-1][0]:
            continue  # crosses an open mention: cannot nest
        text_to(start)
        title = f"{m['canonical']} · {m['entity_type']} · {m['method']} {m['score']}"
        out.append(
            f'<mark class="m t-{esc(m["entity_type"])}" data-entity="{esc(m["entity_id"])}" '
            f'data-method="{esc(m["method"])}" title="{esc(title)}">'
        )
        stack.append((end, anchor(m["entity_id"])))
    close_until(len(text))
    text_to(len(text))
    return "".join(out)


def diff_html(before: str, after: str) -> str:
    """A character diff of one edit: <del> what went, <ins> what came."""
    if not after:
        return f"<del>{esc(before)}</del>"
    if not before:
        return f"<ins>{esc(after)}</ins>"
    out = []
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, a1, a2, b1, b2 in sm.get_opcodes():
        if op == "equal":
            out.append(esc(before[a1:a2]))
        else:
            if a2 > a1:
                out.append(f"<del>{esc(before[a1:a2])}</del>")
            if b2 > b1:
                out.append(f"<ins>{esc(after[b1:b2])}</ins>")
    return "".join(out)


def _visible(s: str) -> str:
    """Make invisible edits visible: spaces, newlines, zero-width and non-breaking characters."""
    names = {"\n": "↵\n", "\u00a0": "⍽", "\u200b": "[ZWSP]", "\u00ad": "[SHY]", "\ufeff": "[BOM]", "\t": "⇥"}
    return "".join(names.get(c, c) for c in s)


def bars(rows: list[tuple[str, int]], colours: dict[str, str] | None = None, empty: str = "none") -> str:
    if not rows:
        return f'<p class="muted">{esc(empty)}</p>'
    top = max(n for _, n in rows) or 1
    out = []
    for label, n in rows:
        colour = (colours or {}).get(label)
        style = f"width:{100 * n / top:.1f}%" + (f";background:{colour};outline:1px solid #94a3b8" if colour else "")
        out.append(
            f'<div class="bar"><span class="l" title="{esc(label)}">{esc(label)}</span>'
            f'<span class="t"><span class="f" style="{style}"></span></span><span class="n">{n}</span></div>'
        )
    return "".join(out)


def _pairs(df: pl.DataFrame, limit: int | None = None) -> list[tuple[str, int]]:
    return [(str(k), int(n)) for k, n in df.rows()[:limit]]


def _folded_table(title: str, header: tuple[str, ...], rows: list[str]) -> str:
    """A collapsed table titled with its row count; nothing when there are no rows."""
    if not rows:
        return ""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return f"<details><summary>{title} ({len(rows)})</summary><table><tr>{head}</tr>{body}</table></details>"


def clusters_html(docs: pl.LazyFrame, top: int = 10, copies: int = 4) -> str:
    """The largest near-duplicate clusters (documents.duplicate_of) as a table: each head, its
    documents, the least similarity to it, and its closest copies; nothing without clusters."""
    dups = docs.filter(pl.col("duplicate_of").is_not_null())
    totals, largest = pl.collect_all(
        [
            dups.select(n=pl.len(), clusters=pl.col("duplicate_of").n_unique()),
            dups.group_by("duplicate_of")
            .agg(
                size=pl.len() + 1,
                least=pl.col("similarity").min(),
                closest=pl.col("doc_id").sort_by(["similarity", "doc_id"], descending=[True, False]).head(copies),
            )
            .sort(["size", "duplicate_of"], descending=[True, False])
            .head(top),
        ],
        engine="streaming",
    )
    n, n_clusters = totals.row(0)
    if not n:
        return ""
    rows = []
    for head, size, least, closest in largest.rows():
        more = ", …" if size - 1 > len(closest) else ""
        rows.append(
            f"<tr><td>{esc(head)}</td><td>{size}</td><td>{least:.2f}</td>"
            f"<td>{esc(', '.join(closest))}{more}</td></tr>"
        )
    return (
        f'<h2>Near-duplicates</h2><p class="muted">{counted(n, "document")} marked as copies '
        f"(<code>duplicate_of</code>) in {counted(n_clusters, 'cluster')}; the largest:</p>"
        '<table id="duplicates"><tr><th>first published (head)</th><th>documents</th>'
        f"<th>least similarity</th><th>closest copies</th></tr>{''.join(rows)}</table>"
    )


def render(tables, title: str = "normalize report", run: dict | None = None, max_documents: int = 500) -> str:
    """The whole report as one HTML string.

    `tables`: documents, mentions and edits as frames or lazy frames (a run's, streaming from its
    checkpoint parts) and rejects as a frame. What is read of them is bounded: counts, the first
    `max_documents` documents with their mentions and edits, and the entity index."""
    docs, mentions, edits = tables.documents.lazy(), tables.mentions.lazy(), tables.edits.lazy()
    rejects = tables.rejects
    shown = docs.head(max_documents).collect(engine="streaming")
    # the ids as a frame: a semi join on a lazy head() lost rows in the streaming engine (polars 2.1)
    shown_ids = shown.select("doc_id").lazy()
    (
        n_docs,
        n_mentions,
        n_edits,
        by_type,
        top,
        edit_steps,
        shown_mentions,
        shown_edits,
        ents,
    ) = pl.collect_all(
        [
            docs.select(pl.len()),
            mentions.select(pl.len()),
            edits.select(pl.len()),
            ranked_counts(mentions, "entity_type"),
            ranked_counts(mentions, "entity_id", "canonical"),
            ranked_counts(edits.select(pl.col("rule_id").str.extract(r"^((?:[^/]+/){0,2}[^/]+)", 1)), "rule_id"),
            mentions.join(shown_ids, on="doc_id", how="semi", maintain_order="left"),
            edits.join(shown_ids, on="doc_id", how="semi", maintain_order="left"),
            mentions.group_by("entity_id", "canonical", "entity_type", "wikidata")
            .agg(pl.len().alias("n"), pl.col("text").unique().sort().alias("forms"))
            .sort(["entity_type", "canonical"]),
        ],
        engine="streaming",
    )
    n_docs, n_mentions, n_edits = (int(x.item()) for x in (n_docs, n_mentions, n_edits))
    m_by_doc = shown_mentions.partition_by("doc_id", as_dict=True) if shown_mentions.height else {}
    e_by_doc = shown_edits.partition_by("doc_id", as_dict=True) if shown_edits.height else {}
    types = [t for t, _ in _pairs(by_type)]
    parts = [
        "<!doctype html><html lang=ru><head><meta charset=utf-8>",
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{esc(title)}</title><style>{CSS}</style>",
        "".join(f"mark.t-{t}{{background:{c}}}" for t, c in TYPE_COLOURS.items()).join(("<style>", "</style>")),
        "</head><body>",
        f"<header><h1>{esc(title)}</h1><p>{counted(n_docs, 'document')} · {counted(rejects.height, 'reject')} · "
        f"{counted(n_mentions, 'mention')} · {counted(n_edits, 'edit')}",
    ]
    if run:
        bits = []
        if run.get("seconds") is not None:
            bits.append(f"{run['seconds']:.2f} s")
        if run.get("chars_per_second"):
            bits.append(f"{run['chars_per_second']:,} chars/s")
        if run.get("gazetteer_digest"):
            bits.append(f"gazetteers {str(run['gazetteer_digest'])[:12]}")
        parts.append(" · " + " · ".join(esc(b) for b in bits))
    parts.append("</p></header><main>")
    # charts
    parts.append('<h2>Corpus</h2><div class="charts">')
    parts.append(
        f'<div class="card" id="chart-types"><h3>Mentions per entity type</h3>'
        f"{bars(_pairs(by_type), TYPE_COLOURS, 'no mentions')}</div>"
    )
    top_rows = [(f"{name}", int(n)) for _eid, name, n in top.head(15).rows()]
    parts.append(f'<div class="card" id="chart-entities"><h3>Top entities</h3>{bars(top_rows, None, "none")}</div>')
    parts.append(
        f'<div class="card" id="chart-rejects"><h3>Rejects by reason</h3>'
        f"{bars(_pairs(ranked_counts(rejects, 'reason').collect()), None, 'no rejected documents')}</div>"
    )
    parts.append(
        f'<div class="card" id="chart-edits"><h3>Edits by rule</h3>{bars(_pairs(edit_steps, 15), None, "none")}</div>'
    )
    parts.append("</div>")
    if "duplicate_of" in docs.collect_schema().names():
        parts.append(clusters_html(docs))
    # documents
    parts.append('<h2>Documents</h2><p><input id="q" type="search" placeholder="filter documents…"> ')
    parts.append('<span class="legend">')
    for t in types:
        parts.append(
            f'<label><input type="checkbox" value="{esc(t)}" checked>'
            f'<span style="background:{TYPE_COLOURS.get(t, "#eee")}">{esc(t)}</span></label>'
        )
    parts.append("</span></p>")
    for i, d in enumerate(shown.iter_rows(named=True)):
        doc_id = d["doc_id"]
        ms = m_by_doc.get((doc_id,), pl.DataFrame()).to_dicts() if m_by_doc else []
        es = e_by_doc.get((doc_id,), pl.DataFrame()).to_dicts() if e_by_doc else []
        meta = " · ".join(f"{k}: {esc(d.get(k))}" for k in ("published", "source", "place", "encoding") if d.get(k))
        if d.get("duplicate_of"):
            meta += f" · duplicate of: {esc(d['duplicate_of'])} (similarity {d['similarity']:.2f})"
        parts.append(
            f'<details class="doc" id="doc-{i}"{" open" if i < 20 else ""}><summary>{esc(doc_id)} '
            f'<span class="muted">— {counted(len(ms), "mention")}, {counted(len(es), "edit")}</span></summary>'
            f'<div class="meta">{meta} · <code>{esc(d.get("source_path"))}</code></div>'
            f'<div class="text">{highlight(d["text"], ms)}</div>'
        )
        removed = [e for e in es if e["after"] == "" and e["rule_id"].startswith("clean/boilerplate")]
        parts.append(
            _folded_table(
                "Removed boilerplate",
                ("pattern", "removed text"),
                [
                    f"<td><code>{esc(e['rule_id'].removeprefix('clean/boilerplate/'))}</code></td>"
                    f'<td class="pre"><del>{esc(_visible(e["before"]))}</del></td>'
                    for e in removed
                ],
            )
        )
        parts.append(
            _folded_table(
                "All edits",
                ("rule", "raw offsets", "before → after"),
                [
                    f"<td><code>{esc(e['rule_id'])}</code></td><td>{e['start']}–{e['end']}</td>"
                    f'<td class="pre edit">{diff_html(_visible(e["before"]), _visible(e["after"]))}</td>'
                    for e in es
                ],
            )
        )
        parts.append("</details>")
    if n_docs > shown.height:
        more = n_docs - shown.height
        parts.append(f'<p class="muted">… {more} more {plural(more, "document")} not shown.</p>')
    # rejects
    if rejects.height:
        parts.append("<h2>Rejects</h2><table><tr><th>document</th><th>stage</th><th>reason</th></tr>")
        for r in rejects.head(1000).iter_rows(named=True):
            parts.append(f"<tr><td>{esc(r['doc_id'])}</td><td>{esc(r['stage'])}</td><td>{esc(r['reason'])}</td></tr>")
        parts.append("</table>")
        if rejects.height > 1000:
            more = rejects.height - 1000
            parts.append(f'<p class="muted">… {more} more {plural(more, "reject")} in rejects.parquet.</p>')
    # entity index: the targets of the highlights' links
    if ents.height:
        parts.append(
            '<h2>Entities</h2><table id="entities"><tr><th>entity</th><th>type</th><th>mentions</th>'
            "<th>wikidata</th><th>forms seen</th></tr>"
        )
        for eid, name, etype, wd, n, forms in ents.rows():
            wd_cell = f'<a href="https://www.wikidata.org/wiki/{esc(wd)}" rel="noreferrer">{esc(wd)}</a>' if wd else ""
            parts.append(
                f'<tr id="{anchor(eid)}"><td><b>{esc(name)}</b><br><code>{esc(eid)}</code></td>'
                f'<td><span style="background:{TYPE_COLOURS.get(etype, "#eee")};padding:0 4px">{esc(etype)}</span></td>'
                f"<td>{n}</td><td>{wd_cell}</td><td>{esc(', '.join(forms))}</td></tr>"
            )
        parts.append("</table>")
    parts.append(f"</main><script>{JS}</script></body></html>")
    return "".join(parts)


def write_report(tables, out: str | Path, run: dict | None = None, title: str | None = None) -> Path:
    """Write OUT/report.html atomically (as the tables are: `write.write_text`) and return its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = title or f"normalize report — {run.get('input', out) if run else out}"
    return write.write_text(render(tables, name, run), out, "report.html")
