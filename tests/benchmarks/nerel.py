"""NEREL linking benchmark: read the brat files, build a gazetteer from the linked entities, score mentions.

NEREL (../shared/nerel, never copied into the project) annotates Russian news with nested entities
(`T` lines) and links many of them to Wikidata (`N` lines). The benchmark:

- builds a gazetteer from the *linked* entities of train+dev (DESIGN.md): gold mentions are grouped by
  Wikidata id; the canonical name is the commonest `N` label (`Last, First` → `First Last`), else the
  commonest label of reference/wikidata_labels_ru.tsv, else the commonest surface form that may be a
  nominative; aliases are the other labels seen at least twice (in the `N` lines or the reference file).
  Entities whose canonical name starts with a lowercase letter are concepts («президент», «полиция»),
  not entities, and are left out. A name claimed by two entities of one type stays with the commoner; a
  name taken from a surface form yields to a labelled entity of any type («Москва» the city, not a
  once-linked organization). Other names shared across types (Барселона: city and club) stay ambiguous.
- keeps NEREL types that name the kinds of thing the project links (TYPE_MAP); AWARD, WORK_OF_ART,
  PRODUCT and LAW have no counterpart among the gazetteer types and are left out, as are NATIONALITY,
  RELIGION, LANGUAGE, IDEOLOGY, PROFESSION … (common nouns and adjectives in Russian). EVENT maps to
  `event`; most NEREL events are lowercase («выборы») and drop out as concepts, the named ones stay.
- scores the pipeline's mentions against the gold ones on the raw text (`src_start`/`src_end`): a
  predicted mention is correct when it overlaps a gold mention with the same Wikidata id; each gold
  mention is matched at most once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# NEREL type → gazetteer type; other types are not built into the gazetteer
TYPE_MAP = {
    "PERSON": "person",
    "COUNTRY": "country",
    "CITY": "city",
    "STATE_OR_PROVINCE": "region",
    "DISTRICT": "place",
    "LOCATION": "place",
    "FACILITY": "place",
    "ORGANIZATION": "organization",
    "EVENT": "event",
}
ALIAS_MIN_COUNT = 2  # "aliases = other labels seen twice"
_QID = re.compile(r"^Q\d+$")


@dataclass(frozen=True)
class Gold:
    """A gold entity mention: [start, end) in the raw text (a discontinuous one spans its pieces)."""

    doc_id: str
    start: int
    end: int
    type: str  # the NEREL type
    qid: str | None  # None when not linked (no N line, or Wikidata:NULL)
    surface: str
    label: str = ""  # the N line's label, as written


@dataclass
class Doc:
    doc_id: str
    text: str
    mentions: list[Gold] = field(default_factory=list)


@dataclass(frozen=True)
class Pred:
    """A predicted mention, on the raw text."""

    doc_id: str
    start: int
    end: int
    qid: str | None
    surface: str
    canonical: str = ""
    method: str = ""
    entity_type: str = ""


@dataclass
class GazEntity:
    qid: str
    type: str  # gazetteer type
    nerel_type: str
    name: str
    aliases: list[str]
    mentions: int  # gold mentions in the documents it was built from
    source: str = "label"  # where the canonical name came from: label / reference / surface
    adjectives: list[str] = field(default_factory=list)


@dataclass
class BuildStats:
    linked_ids: int = 0
    kept: int = 0
    skipped_type: Counter = field(default_factory=Counter)  # NEREL type → ids
    skipped_concept: int = 0  # canonical name starts lowercase
    skipped_collision: int = 0  # canonical name already taken by a commoner entity of the type
    aliases_dropped: int = 0  # alias taken by a commoner entity of the type
    canonical_from: Counter = field(default_factory=Counter)  # label / reference / surface


# --- reading -----------------------------------------------------------------------------


def read_doc(txt: Path) -> Doc:
    """One brat document: the .txt and its .ann beside it."""
    doc_id = txt.stem
    text = txt.read_text(encoding="utf-8")
    ann = txt.with_suffix(".ann")
    spans: dict[str, tuple[int, int, str, str]] = {}
    links: dict[str, tuple[str | None, str]] = {}
    if ann.exists():
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                parts = line.split("\t")
                if len(parts) < 2:
                    continue
                etype, _, offsets = parts[1].partition(" ")
                pieces = [p.split() for p in offsets.split(";") if p.strip()]
                starts = [int(p[0]) for p in pieces]
                ends = [int(p[1]) for p in pieces]
                surface = parts[2] if len(parts) > 2 else text[min(starts) : max(ends)]
                spans[parts[0]] = (min(starts), max(ends), etype, surface)
            elif line.startswith("N"):
                parts = line.split("\t")
                if len(parts) < 2:
                    continue
                fields = parts[1].split()
                if len(fields) < 3 or not fields[2].startswith("Wikidata:"):
                    continue
                qid = fields[2].split(":", 1)[1]
                label = parts[2].strip() if len(parts) > 2 else ""
                target = fields[1]
                if _QID.match(qid):
                    links[target] = (qid, label)
                else:  # Wikidata:NULL — annotated as having no entry
                    links.setdefault(target, (None, ""))
    doc = Doc(doc_id, text)
    for tid, (start, end, etype, surface) in spans.items():
        qid, label = links.get(tid, (None, ""))
        doc.mentions.append(Gold(doc_id, start, end, etype, qid, surface, label))
    doc.mentions.sort(key=lambda g: (g.start, g.end))
    return doc


def read_split(directory: Path | str) -> list[Doc]:
    """Every document of a split (a folder of brat .txt/.ann pairs), sorted by id."""
    return [read_doc(p) for p in sorted(Path(directory).glob("*.txt"))]


def read_reference(path: Path | str | None) -> dict[str, Counter]:
    """qid → its labels with their mention counts, from reference/wikidata_labels_ru.tsv (empty when absent).

    The file has a row per (qid, label, NEREL type) seen in NEREL, so a qid may have several labels
    (a few of them annotation slips, seen once).
    """
    out: dict[str, Counter] = defaultdict(Counter)
    if path is None or not Path(path).exists():
        return out
    for line in Path(path).read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 4 and _QID.match(parts[0]) and parts[1].strip():
            n = int(parts[3]) if parts[3].strip().isdigit() else 1
            out[parts[0]][fix_label(parts[1])] += n
    return out


# --- building the gazetteer ----------------------------------------------------------------

_LAST_FIRST = re.compile(r"^([^,]+),\s*((?:[A-ZА-ЯЁ][\w.'-]*\s*)+)$")


def fix_label(label: str) -> str:
    """«Тиллерсон, Рекс» → «Рекс Тиллерсон»; «Даунинг-стрит, 10» stays as it is."""
    label = " ".join(label.split())
    m = _LAST_FIRST.match(label)
    return f"{m.group(2).strip()} {m.group(1).strip()}" if m else label


def is_concept(name: str) -> bool:
    """A name whose first letter is lowercase is a concept («президент»), not a named entity."""
    first = next((c for c in name if c.isalpha()), "")
    return not first or first.islower()


def _nominative_like(surface: str) -> bool:
    """Every Cyrillic word of the surface form may be a nominative («Америка», not «Америке»)."""
    from normalize import morph

    for word in re.findall(r"[А-Яа-яЁё]+", surface):
        parses = morph.parses(word.lower())
        if parses and not any(p.tag.case == "nomn" for p in parses):
            return False
    return True


def _surface_name(surfaces: Counter) -> str:
    """The commonest surface form that may be a nominative (else the commonest one)."""
    ranked = [s for s, _ in surfaces.most_common()]
    return next((s for s in ranked if _nominative_like(s)), ranked[0])


def name_key(name: str) -> str:
    """The form under which two names collide (as `gazetteers check` sees them)."""
    from normalize.check import normalize_name

    return normalize_name(name)


def collect_entities(
    docs: Iterable[Doc], reference: Path | str | None = None
) -> tuple[list[GazEntity], BuildStats, dict[str, str]]:
    """Gazetteer entities from the linked gold mentions; also every linked qid's display label."""
    ref = read_reference(reference)
    labels: dict[str, Counter] = defaultdict(Counter)
    surfaces: dict[str, Counter] = defaultdict(Counter)
    types: dict[str, Counter] = defaultdict(Counter)
    counts: Counter = Counter()
    for doc in docs:
        for g in doc.mentions:
            if g.qid is None:
                continue
            counts[g.qid] += 1
            types[g.qid][g.type] += 1
            surfaces[g.qid][" ".join(g.surface.split())] += 1
            if g.label:
                labels[g.qid][fix_label(g.label)] += 1
    stats = BuildStats(linked_ids=len(counts))
    display: dict[str, str] = {}
    candidates: list[GazEntity] = []
    for qid, n in counts.items():
        ref_label = ref[qid].most_common(1)[0][0] if ref.get(qid) else None
        if labels[qid]:
            best = max(labels[qid].values())
            tied = sorted(lab for lab, c in labels[qid].items() if c == best)
            name = ref_label if ref_label in tied else tied[0]
            source = "label"
        elif ref_label:
            name, source = ref_label, "reference"
        else:
            name, source = _surface_name(surfaces[qid]), "surface"
        display[qid] = name
        nerel_type = types[qid].most_common(1)[0][0]
        if nerel_type not in TYPE_MAP:
            stats.skipped_type[nerel_type] += 1
            continue
        if is_concept(name):
            stats.skipped_concept += 1
            continue
        seen_labels = labels[qid] | ref.get(qid, Counter())  # the larger count of each label
        aliases = [lab for lab, c in seen_labels.most_common() if c >= ALIAS_MIN_COUNT and lab != name]
        seen = {name_key(name)}
        kept: list[str] = []
        for a in aliases:
            k = name_key(a)
            if k not in seen and not is_concept(a):
                seen.add(k)
                kept.append(a)
        candidates.append(GazEntity(qid, TYPE_MAP[nerel_type], nerel_type, name, kept, n, source))
    # a name claimed by two entities of one type stays with the commoner one; a name taken from a
    # surface form (no label: the weakest evidence) yields to a labelled entity of any type
    candidates.sort(key=lambda e: (e.source == "surface", -e.mentions, e.qid))
    claimed: dict[tuple[str, str], str] = {}
    names: set[str] = set()
    entities: list[GazEntity] = []
    for e in candidates:
        key = name_key(e.name)
        if (e.type, key) in claimed or (e.source == "surface" and key in names):
            stats.skipped_collision += 1
            continue
        claimed[(e.type, key)] = e.qid
        names.add(key)
        entities.append(e)
    for e in entities:
        kept = []
        for a in e.aliases:
            key = (e.type, name_key(a))
            if claimed.setdefault(key, e.qid) == e.qid:
                kept.append(a)
            else:
                stats.aliases_dropped += 1
        e.aliases = kept
    stats.kept = len(entities)
    stats.canonical_from = Counter(e.source for e in entities)
    entities.sort(key=lambda e: int(e.qid[1:]))
    return entities, stats, display


def write_gazetteer(entities: Sequence[GazEntity], out_dir: Path | str) -> Path:
    """Write the entities as one gazetteer YAML file in out_dir; returns the file."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = []
    for e in entities:
        rec: dict = {"id": f"nerel/{e.qid}", "type": e.type, "name": e.name}
        if e.aliases:
            rec["aliases"] = list(e.aliases)
        if e.adjectives:
            rec["adjectives"] = list(e.adjectives)
        rec["wikidata"] = e.qid
        records.append(rec)
    path = out / "nerel.yaml"
    path.write_text(yaml.safe_dump({"entities": records}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def enrich(entities: Sequence[GazEntity], bundled: Iterable, train: Iterable[Doc], min_count: int = 2) -> dict:
    """Add what the toolkit itself knows to the recipe's entities, matched by Wikidata id.

    - the bundled gazetteer's names of the same Wikidata id (РФ, Китай, Британия …), where no other
      entity of the type already has that name;
    - relational adjectives learned from TRAIN only: lowercase one-word gold mentions that pymorphy3
      reads as adjectives (британской → британский), seen at least `min_count` times.
    Returns counts of what was added.
    """
    from normalize import morph

    by_qid = {e.qid: e for e in entities}
    taken: dict[tuple[str, str], str] = {}
    for e in entities:
        for n in (e.name, *e.aliases):
            taken.setdefault((e.type, name_key(n)), e.qid)
    added = Counter()
    for b in bundled:
        e = by_qid.get(b.wikidata or "")
        if e is None:
            continue
        for n in b.names:
            key = (e.type, name_key(n))
            if taken.get(key, e.qid) == e.qid and n != e.name and n not in e.aliases:
                e.aliases.append(n)
                taken[key] = e.qid
                added["bundled aliases"] += 1
        for a in b.adjectives:
            if a not in e.adjectives:
                e.adjectives.append(a)
                added["bundled adjectives"] += 1
    # an adjective goes to the entity it most often denotes (российский: Россия, not a once-linked
    # «Российская» id), and not at all when the bundled gazetteers already give it to an entity
    owned = {a for e in entities for a in e.adjectives}
    seen: dict[str, Counter] = defaultdict(Counter)
    for d in train:
        for g in d.mentions:
            if g.surface[:1].islower() and " " not in g.surface and g.qid in by_qid:
                p = next((p for p in morph.parses(g.surface.lower()) if p.tag.POS == "ADJF"), None)
                if p is not None and by_qid[g.qid].type != "person":
                    seen[p.normal_form][g.qid] += 1
    for lemma, counts in seen.items():
        (qid, n), *_ = counts.most_common(1)
        if n >= min_count and lemma not in owned:
            by_qid[qid].adjectives.append(lemma)
            added["train adjectives"] += 1
    return dict(added)


def build_gazetteer(docs: Iterable[Doc], out_dir: Path | str, reference: Path | str | None = None) -> Path:
    """Build the NEREL gazetteer (see the module docstring) into out_dir; returns the YAML file."""
    entities, _stats, _display = collect_entities(docs, reference)
    return write_gazetteer(entities, out_dir)


# --- predictions ---------------------------------------------------------------------------


def preds_from_mentions(mentions) -> list[Pred]:
    """The pipeline's `mentions` table (a polars frame) as predictions on the raw text."""
    return [
        Pred(
            r["doc_id"],
            r["src_start"],
            r["src_end"],
            r["wikidata"],
            r["text"],
            r["canonical"],
            r["method"],
            r["entity_type"],
        )
        for r in mentions.iter_rows(named=True)
    ]


def removed_spans(edits) -> dict[str, list[tuple[int, int, str]]]:
    """Raw spans that cleaning deleted (an edit that replaced text by nothing but blanks), per document."""
    out: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for r in edits.iter_rows(named=True):
        if r["before"].strip() and not r["after"].strip():
            out[r["doc_id"]].append((r["start"], r["end"], r["rule_id"]))
    return dict(out)


def _inside(g: Gold, spans: Sequence[tuple[int, int, str]]) -> str | None:
    for s, e, rule in spans:
        if s <= g.start and g.end <= e:
            return rule
    return None


# --- scoring -------------------------------------------------------------------------------


def _prf(correct_p: int, n_pred: int, correct_r: int, n_gold: int) -> dict:
    p = correct_p / n_pred if n_pred else 0.0
    r = correct_r / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "predicted": n_pred,
        "correct": correct_p,
        "gold": n_gold,
        "found": correct_r,
    }


def score(
    pred_mentions: Iterable[Pred],
    gold_mentions: Iterable[Gold],
    entities: Mapping[str, GazEntity] | None = None,
    display: Mapping[str, str] | None = None,
    removed: Mapping[str, Sequence[tuple[int, int, str]]] | None = None,
    top: int = 30,
) -> dict:
    """Score predictions against gold mentions (both on the raw text).

    A prediction (with a Wikidata id) is correct when it overlaps a gold mention with the same id
    that no other prediction has matched (the largest overlap first). Recall is reported over the
    gold mentions whose entity is in the gazetteer (`entities`; all linked ones when None) and
    over all linked gold mentions.
    """
    entities = entities or {}
    display = display or {}
    removed = removed or {}
    preds = sorted((p for p in pred_mentions if p.qid), key=lambda p: (p.doc_id, p.start, p.end))
    golds = list(gold_mentions)
    by_doc: dict[str, list[Gold]] = defaultdict(list)
    for g in golds:
        by_doc[g.doc_id].append(g)
    linked = [g for g in golds if g.qid]
    in_gaz = [g for g in linked if not entities or g.qid in entities]
    matched: dict[Gold, Pred] = {}
    outcome: list[tuple[Pred, str]] = []  # correct / duplicate / wrong-entity / unlinked-gold / no-gold
    for p in preds:
        overlapping = [g for g in by_doc.get(p.doc_id, ()) if g.start < p.end and p.start < g.end]
        same = [g for g in overlapping if g.qid == p.qid]
        free = [g for g in same if g not in matched]
        if free:
            g = max(free, key=lambda g: (min(g.end, p.end) - max(g.start, p.start), -g.start))
            matched[g] = p
            outcome.append((p, "correct"))
        elif same:
            outcome.append((p, "duplicate"))
        elif any(g.qid for g in overlapping):
            outcome.append((p, "wrong-entity"))
        elif overlapping:
            outcome.append((p, "unlinked-gold"))
        else:
            outcome.append((p, "no-gold"))
    n_correct = sum(1 for _, o in outcome if o == "correct")
    report: dict = {
        "documents": len({g.doc_id for g in golds}),
        "gold_linked": len(linked),
        "gold_in_gazetteer": len(in_gaz),
        "overall": _prf(n_correct, len(preds), sum(1 for g in in_gaz if g in matched), len(in_gaz)),
        "overall_all_linked": _prf(n_correct, len(preds), sum(1 for g in linked if g in matched), len(linked)),
        "false_positive_kinds": dict(Counter(o for _, o in outcome if o != "correct").most_common()),
    }
    # per method: precision and its share of the correct mentions
    methods: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p, o in outcome:
        methods[p.method][0] += 1
        methods[p.method][1] += o == "correct"
    report["methods"] = {
        m: {
            "predicted": n,
            "correct": c,
            "precision": round(c / n, 4) if n else 0.0,
            "share_of_correct": round(c / n_correct, 4) if n_correct else 0.0,
        }
        for m, (n, c) in sorted(methods.items(), key=lambda kv: -kv[1][0])
    }

    # per type: precision by the predicted entity's type, recall by the gold entity's gazetteer type
    def gold_type(g: Gold) -> str:
        return entities[g.qid].type if g.qid in entities else g.type

    types: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for p, o in outcome:
        # [correct predicted, predicted, found gold, gold], as _prf takes them
        types[p.entity_type][0] += o == "correct"
        types[p.entity_type][1] += 1
    for g in in_gaz:
        types[gold_type(g)][3] += 1
        types[gold_type(g)][2] += g in matched
    report["types"] = {t: _prf(*v) for t, v in sorted(types.items(), key=lambda kv: -kv[1][2])}
    # recall over all linked gold, by NEREL type: what the gazetteer leaves out shows here
    nerel: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for g in linked:
        nerel[g.type][0] += 1
        nerel[g.type][1] += g.qid in entities if entities else 1
        nerel[g.type][2] += g in matched
    report["nerel_types"] = {
        t: {"gold": n, "in_gazetteer": k, "found": f, "recall": round(f / n, 4) if n else 0.0}
        for t, (n, k, f) in sorted(nerel.items(), key=lambda kv: -kv[1][0])
    }
    # gold mentions in text that cleaning removed
    gone: Counter = Counter()
    gone_gaz = 0
    for g in linked:
        rule = _inside(g, removed.get(g.doc_id, ()))
        if rule:
            gone[rule] += 1
            gone_gaz += not entities or g.qid in entities
    report["removed_by_cleaning"] = {
        "gold_linked": sum(gone.values()),
        "gold_in_gazetteer": gone_gaz,
        "by_step": dict(gone.most_common()),
    }
    misses: Counter = Counter()
    for g in in_gaz:
        if g not in matched:
            name = entities[g.qid].name if g.qid in entities else display.get(g.qid, g.label)
            misses[(" ".join(g.surface.split()), g.qid, name, g.type)] += 1
    report["misses"] = [
        {"surface": s, "qid": q, "entity": n, "type": t, "count": c} for (s, q, n, t), c in misses.most_common(top)
    ]
    fps: Counter = Counter()
    for p, o in outcome:
        if o != "correct":
            fps[(" ".join(p.surface.split()), p.canonical, p.method, o)] += 1
    report["false_positives"] = [
        {"surface": s, "canonical": n, "method": m, "kind": k, "count": c} for (s, n, m, k), c in fps.most_common(top)
    ]
    return report


# --- printing ------------------------------------------------------------------------------


def _row(name: str, d: dict) -> str:
    return (
        f"  {name:<22} P {d['precision']:.3f}  R {d['recall']:.3f}  F1 {d['f1']:.3f}"
        f"   ({d['correct']}/{d['predicted']} predicted, {d['found']}/{d['gold']} gold)"
    )


def format_report(report: dict) -> str:
    lines = [
        f"documents: {report['documents']}; gold linked mentions: {report['gold_linked']}, "
        f"of entities in the gazetteer (non-concept, kept types): {report['gold_in_gazetteer']}",
        "",
        "overall (recall over gold mentions of gazetteer entities):",
        _row("gazetteer entities", report["overall"]),
        "overall (recall over all linked gold mentions, concepts and left-out types included):",
        _row("all linked", report["overall_all_linked"]),
        "",
        "false positives by kind: " + ", ".join(f"{k} {v}" for k, v in report["false_positive_kinds"].items()),
        "",
        "per method (precision; share of all correct mentions):",
    ]
    for m, d in report["methods"].items():
        lines.append(
            f"  {m:<14} {d['predicted']:>6} predicted  {d['correct']:>6} correct"
            f"  P {d['precision']:.3f}  share {d['share_of_correct']:.3f}"
        )
    lines += ["", "per type (P by predicted type, R by gold entity type):"]
    lines += [_row(t, d) for t, d in report["types"].items()]
    lines += ["", "recall by NEREL type, over all linked gold mentions:"]
    for t, d in report["nerel_types"].items():
        lines.append(
            f"  {t:<20} {d['gold']:>6} gold  {d['in_gazetteer']:>6} in gazetteer  {d['found']:>6} found"
            f"  R {d['recall']:.3f}"
        )
    rm = report["removed_by_cleaning"]
    lines += [
        "",
        f"gold linked mentions in text removed by cleaning: {rm['gold_linked']} "
        f"({rm['gold_in_gazetteer']} of gazetteer entities)"
        + (": " + ", ".join(f"{k} {v}" for k, v in rm["by_step"].items()) if rm["by_step"] else ""),
        "",
        f"top {len(report['misses'])} misses (gold surface → entity):",
    ]
    for m in report["misses"]:
        lines.append(f"  {m['count']:>4}  {m['surface']!r} → {m['entity']} ({m['qid']}, {m['type']})")
    lines += ["", f"top {len(report['false_positives'])} false positives (predicted surface → canonical, method):"]
    for f in report["false_positives"]:
        lines.append(f"  {f['count']:>4}  {f['surface']!r} → {f['canonical']} ({f['method']}; {f['kind']})")
    return "\n".join(lines)
