"""The per-document path: one record through STAGES (read limit, decode, clean, meta, fix,
link, rows), to one document row with its mentions and edits, or to one reject.

Each stage is a named function over a `Record`; the one that turns a record away, or
fails on it, names the stage in the reject. `pipeline` runs this path over batches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from normalize import gazetteer as gz
from normalize import link, meta
from normalize import read as read_mod
from normalize.clean import PREPARE, STRIP, clean
from normalize.decode import DecodeError, decode_input
from normalize.fix import RuleSet, RuleTimeout, compile_rules, fix
from normalize.read import RawDoc
from normalize.tables import DOCUMENTS, EDITS, MENTIONS, REJECTS
from normalize.trace import TracedText


@dataclass(frozen=True)
class Compiled:
    """A gazetteer ready for use: the loaded set, its linking index, its compiled rules, and the
    process's Linker over the index."""

    gazetteer: gz.Gazetteer
    index: link.Index
    rules: RuleSet  # the gazetteer's rules, compiled once per gazetteer rather than per document
    # one per process and gazetteer set (pipeline's cache): its memos serve every document of the run
    linker: link.Linker = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "linker", link.Linker(self.index))  # frozen: set once, here

    @classmethod
    def of(cls, gazetteer: gz.Gazetteer, index: link.Index) -> Compiled:
        return cls(gazetteer, index, compile_rules(gazetteer.rules))


@dataclass(frozen=True)
class Rows:
    """Rows of the four tables (`tables.Table.row`), for one record or a batch of them."""

    documents: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    edits: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)

    def extend(self, other: Rows) -> None:
        self.documents.extend(other.documents)
        self.mentions.extend(other.mentions)
        self.edits.extend(other.edits)
        self.rejects.extend(other.rejects)


@dataclass(slots=True)
class Record:
    """One document on its way through STAGES, each stage filling in its fields (a record is
    made per document and lives for one pass: a mutable one saves a copy per stage).

    `doc` is the text being cleaned and fixed: a TracedText, changed in place by the stages
    that edit it (clean, fix), which keeps every edit and maps offsets back to `raw_text`.
    """

    raw: RawDoc
    raw_bytes: bytes = b""  # what documents.sha256 hashes
    raw_text: str = ""  # the decoded text: edits' and mentions' src offsets point into it
    encoding: str = ""
    page: meta.Meta | None = None  # an HTML page's own date and site name
    doc: TracedText | None = None
    prepared: str = ""  # the text after Unicode cleaning, before boilerplate goes: what meta reads
    info: meta.Meta | None = None
    found: list[link.Found] = field(default_factory=list)
    rows: Rows | None = None


@dataclass(frozen=True)
class Stage:
    """A step of the per-document path: `run` fills in the record, and returns why the record
    is rejected, or None. Its rejects, and its internal errors, carry `reports` in rejects.stage
    (`tables.REJECT_STAGES`).
    """

    name: str
    run: Callable[[Record, Compiled], str | None]
    reports: str


def _too_large(rec: RawDoc) -> int | None:
    """The record's size in bytes when it is over MAX_DOC_BYTES."""
    if rec.data is not None:
        return len(rec.data) if len(rec.data) > read_mod.MAX_DOC_BYTES else None
    text = rec.text or ""
    if len(text) * 4 <= read_mod.MAX_DOC_BYTES:
        return None
    n = len(text.encode("utf-8", errors="surrogatepass"))
    return n if n > read_mod.MAX_DOC_BYTES else None


def within_limit(r: Record, compiled: Compiled) -> str | None:
    """The reader's size limit, for records that came from a frame or a table row too."""
    size = _too_large(r.raw)
    return None if size is None else f"document too large ({size} bytes > {read_mod.MAX_DOC_BYTES})"


def decoded(r: Record, compiled: Compiled) -> str | None:
    """Bytes (or a table's text) to text: the encoding found, mojibake repaired, a page's article taken."""
    rec = r.raw
    r.raw_bytes = rec.data if rec.data is not None else (rec.text or "").encode("utf-8", errors="surrogatepass")
    try:
        out = decode_input(rec.data, rec.text, rec.kind)
    except DecodeError as exc:
        return str(exc)
    if not out.text.strip():
        return "empty document"
    r.raw_text = out.text
    r.encoding = out.encoding + ("+mojibake-repaired" if out.repaired else "")
    r.page = out.page
    return None


def cleaned(r: Record, compiled: Compiled) -> str | None:
    """Unicode and line ends (kept as `prepared` for meta), then boilerplate, repeats, broken lines."""
    r.doc = doc = TracedText(r.raw_text)
    clean(doc, PREPARE)
    r.prepared = doc.text
    clean(doc, STRIP)
    return None if doc.text else "nothing left after cleaning (all boilerplate)"


def with_meta(r: Record, compiled: Compiled) -> str | None:
    """Date, outlet and dateline place, read from the text before the page chrome was removed
    (an HTML page's own date and site name beat the text's)."""
    r.info = meta.extract(r.prepared, r.page)
    return None


def fixed(r: Record, compiled: Compiled) -> str | None:
    """The gazetteer's rules applied, each change an edit."""
    try:
        fix(r.doc, compiled.rules)
    except RuleTimeout as exc:
        return str(exc)
    return None


def linked(r: Record, compiled: Compiled) -> str | None:
    """Every mention of a gazetteer entity in the fixed text."""
    r.found = compiled.linker.find(r.doc.text)
    return None


def as_rows(r: Record, compiled: Compiled) -> str | None:
    """The record's rows: one document, its mentions (offsets mapped back to the raw text), its edits."""
    rec, doc, info = r.raw, r.doc, r.info
    text = doc.text
    entities = compiled.index.entities
    mention, edit = MENTIONS.row, EDITS.row
    mentions = []
    for m in r.found:
        ent = entities[m.entity]
        mentions.append(
            mention(
                doc_id=rec.doc_id,
                start=m.start,
                end=m.end,
                text=text[m.start : m.end],
                entity_id=ent.id,
                entity_type=ent.type,
                canonical=ent.name,
                wikidata=ent.wikidata,
                method=m.method,
                score=m.score,
                src_start=doc.to_raw(m.start, "start"),
                src_end=doc.to_raw(m.end, "end"),
            )
        )
    document = DOCUMENTS.row(
        doc_id=rec.doc_id,
        text=text,
        source_path=rec.source_path,
        published=info.published,
        source=info.source,
        place=info.place,
        n_chars_raw=len(r.raw_text),
        sha256=hashlib.sha256(r.raw_bytes).hexdigest(),
        encoding=r.encoding,
        meta=json.dumps(rec.meta, ensure_ascii=False, default=str) if rec.meta else None,
    )
    edits = [
        edit(doc_id=rec.doc_id, rule_id=e.step, before=e.before, after=e.after, start=e.start, end=e.end)
        for e in doc.edits
    ]
    r.rows = Rows(documents=[document], mentions=mentions, edits=edits)
    return None


# The per-document path, in order. meta reads the text as `cleaned` left it before stripping
# the page chrome; its failures are the clean stage's, as DESIGN.md has metadata pulled out in
# clean. Building the rows is the end of linking.
STAGES: tuple[Stage, ...] = (
    Stage("read", within_limit, "read"),
    Stage("decode", decoded, "decode"),
    Stage("clean", cleaned, "clean"),
    Stage("meta", with_meta, "clean"),
    Stage("fix", fixed, "fix"),
    Stage("link", linked, "link"),
    Stage("rows", as_rows, "link"),
)
# an unexpected error on one document is that document's reject, never the end of the run
_RECOVERABLE = (RecursionError, ValueError, TypeError, IndexError, KeyError, AttributeError, RuntimeError)


def _rejected(rec: RawDoc, reason: str, stage: str) -> Rows:
    return Rows(rejects=[REJECTS.row(doc_id=rec.doc_id, source_path=rec.source_path, reason=reason, stage=stage)])


def process_one(rec: RawDoc, compiled: Compiled) -> Rows:
    """Run one record through STAGES: one document row (with its mentions and edits) or one reject.

    An unexpected error on one document is that document's reject, naming the stage.
    """
    r = Record(rec)
    for stage in STAGES:
        try:
            reason = stage.run(r, compiled)
        except _RECOVERABLE as exc:
            return _rejected(rec, f"internal error: {exc.__class__.__name__}: {str(exc)[:200]}", stage.reports)
        if reason is not None:
            return _rejected(rec, reason, stage.reports)
    return r.rows
