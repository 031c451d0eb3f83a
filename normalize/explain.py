"""`normalize explain`: one text's rows (`stages.Rows`) as a person reads them: the cleaned text with its
mentions underlined in their type's colour, the document's fields, the edits, then each mention and
what it links to."""

from __future__ import annotations

import json

from normalize.progress import TYPE_COLOURS, paint
from normalize.stages import Rows

HIDDEN_EDITS = frozenset({"clean/whitespace"})  # one per collapsed space: noise beside the others


def as_json(rows: Rows) -> str:
    """The rows as the tables would hold them (`--json`)."""
    tables = {"documents": rows.documents, "edits": rows.edits, "mentions": rows.mentions, "rejects": rows.rejects}
    return json.dumps(tables, ensure_ascii=False, default=str, indent=2)


def describe(rows: Rows, colour: bool) -> str:
    """The rows for a person (`colour`: ANSI colours on), or why the text was rejected."""
    if rows.rejects:
        return f"rejected: {rows.rejects[0]['reason']}"
    doc = rows.documents[0]
    lines = [_marked(doc["text"], rows.mentions, colour), ""]
    lines += [f"{paint(key, '2', colour)}: {doc[key]}" for key in ("published", "source", "place") if doc[key]]
    lines += [
        f"edit  {paint(e['rule_id'], '2', colour)}: {paint(repr(e['before']), '31', colour)} → "
        f"{paint(repr(e['after']), '32', colour)}"
        for e in rows.edits
        if e["rule_id"] not in HIDDEN_EDITS
    ]
    for m in rows.mentions:
        surface = paint(repr(m["text"]), TYPE_COLOURS.get(m["entity_type"], ""), colour)
        lines.append(
            f"{m['start']:>5}-{m['end']:<5} {surface} → {paint(m['canonical'], '1', colour)} "
            f"[{m['entity_type']}, {m['method']}, {m['score']}]"
        )
    return "\n".join(lines)


def _marked(text: str, mentions: list[dict], colour: bool) -> str:
    """The text with each outermost mention underlined in its type's colour (as it is, without colour)."""
    if not colour:
        return text
    pos, parts = 0, []
    for m in sorted(mentions, key=lambda m: (m["start"], -m["end"])):
        if m["start"] >= pos:
            code = "4;" + TYPE_COLOURS.get(m["entity_type"], "1")
            parts += [text[pos : m["start"]], paint(text[m["start"] : m["end"]], code, colour)]
            pos = m["end"]
    return "".join(parts) + text[pos:]
