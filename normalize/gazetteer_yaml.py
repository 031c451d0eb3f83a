"""Gazetteer YAML as line-tagged values, and a line reader for the plain block layout.

Nearly every gazetteer file, and every large generated one, is written one way: top-level keys,
each a block list of records, one `key: value` a line (a long value wrapped onto deeper lines, as
yaml.dump wraps it), lists as `[a, b]` or as `- item` lines, a record or a rule's example maybe
as a one-line `{key: value, ...}`. Composing such a file with libyaml makes a node with two marks
for every scalar (most of the time a 100k-entity set took to read); `scan` reads that layout with
one regex and gives the same values on the same lines. Anything else (an escaped, quoted multi-line
or nested value, anchors, tags, tabs, a repeated key, a value YAML reads as a number or a date, ...)
makes it return None: the caller composes the file with libyaml, which also words every error.
Tests hold `scan` to libyaml's nodes, value for value and line for line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from normalize.gazetteer_model import TOP_LEVEL

# a record as the validator reads it: the line it starts on, each field's raw value (a scalar, or
# a list of Nodes) and each field's key line
Record = tuple[int, dict[str, Any], dict[str, int]]
# a top-level key, its line, and its records (None: the key has no value)
Top = tuple[str, int, list[Record] | None]


@dataclass(frozen=True)
class Node:
    """A YAML value with the line it starts on; a mapping also keeps the line of each key."""

    value: Any  # a scalar, list[Node] or dict[str, Node]
    line: int
    keys: dict[str, int] = field(default_factory=dict)

    def key_line(self, key: str) -> int:
        """The line of a mapping's key (for problems about the key rather than its value)."""
        return self.keys.get(key, self.line)


# any character but YAML's printable ones, and the tab, line breaks other than \n, the BOM and
# characters beyond the BMP: where libyaml's reading is not this reader's, or is an error
_UNREAD = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
# a plain scalar that YAML reads to the end of the line: no indicator first, no ':' or '#' at all
# (': ' ends it, ' #' starts a comment), no flow brackets (nor, in a flow list, commas); its
# trailing spaces are not its own (greedy, with no backtracking but over those). No class takes
# a line break: a match is one line at the most
_PLAIN = r"[^-?:,\[\]{}#&*!|>'\"%@` \n](?:[^:#\[\]{}\n]*[^ :#\[\]{}\n])?"
_FLOW_PLAIN = r"[^-?:,\[\]{}#&*!|>'\"%@` \n](?:[^:#\[\]{},\n]*[^ :#\[\]{},\n])?"
_SINGLE = r"('(?:[^'\n]|'')*')"  # with its quotes: an empty string is no absent group
_DOUBLE = r"(\"[^\"\\\n]*\")"
_SCALAR = rf"(?:({_PLAIN})|{_SINGLE}|{_DOUBLE})"  # each kind in a group of its own
_FLOW_ITEM = rf"(?:({_FLOW_PLAIN})|{_SINGLE}|{_DOUBLE})"
_FLOW = r"(\[ *(?:{item} *(?:, *{item} *)*)?\])".format(item=re.sub(r"\((?!\?)", "(?:", _FLOW_ITEM))
_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
# a one-line flow mapping of such scalars and lists: `{id: a, aliases: [b, c]}`, `{in: "…", out: "…"}`
_PAIR = rf"({_KEY}): +(?:{_FLOW_ITEM}|{_FLOW})"
_MAP = r"\{{ *(?:{pair} *(?:, *{pair} *)*)?\}}".format(pair=re.sub(r"\((?!\?)", "(?:", _PAIR))
_TAIL = r" *(?: (#.*))?"  # trailing spaces, a comment (its group: a comment ends a plain scalar)
# Every line of the layout, in one pass: `key: value` (indented, or opening a list entry with "- "),
# `- item`, `- {key: value, …}`, a plain scalar's next line, or blank (a comment at most). Groups:
# indent, "- ", key, plain, single, double, flow list, comment; item "- " and its indent, plain,
# single, double, comment; the flow mapping's "- " and indent, its text; next line's indent, text,
# comment. A group a line does not have is empty.
_LINES = re.compile(
    rf"^(?:( *)(- )?({_KEY}):(?: +(?:{_SCALAR}|{_FLOW}))?{_TAIL}"
    rf"|( *- ){_SCALAR}{_TAIL}"
    rf"|( *- )({_MAP}) *(?: #.*)?"
    rf"|( +)({_PLAIN}){_TAIL}"  # the next line of a plain scalar (yaml.dump wraps long ones)
    r"| *(?:#.*)?)$",
    re.MULTILINE,
)
_FLOW_ITEMS = re.compile(rf" *{_FLOW_ITEM} *(?:,|$)")
_PAIRS = re.compile(rf" *{_PAIR} *(?:,|\}}$)")

_RESOLVER = yaml.resolver.Resolver()
_RESOLVED = frozenset(_RESOLVER.yaml_implicit_resolvers)  # first letters of a plain bool, null, number ...
_STR, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "bool", "null"))
_NOT_PLAIN = object()  # a plain scalar that YAML reads as a number, a date, a merge key ...


# the keys of the field tables, plain strings to YAML
_KEYS = frozenset(TOP_LEVEL) | {f.name for _what, _about, spec in TOP_LEVEL.values() for f in spec}


def _scalar(plain: str | None, single: str | None = None, double: str | None = None) -> Any:
    """A one-line scalar's value as the safe loader constructs it (a string, a bool or None), or
    _NOT_PLAIN; the quoted kinds with their quotes (an absent kind: None or empty)."""
    if not plain:
        return single[1:-1].replace("''", "'") if single else double[1:-1]  # type: ignore[index]
    if plain[0] not in _RESOLVED:
        return plain
    tag = _RESOLVER.resolve(yaml.ScalarNode, plain, (True, False))
    if tag == _STR:
        return plain
    if tag == _BOOL:
        return yaml.constructor.SafeConstructor.bool_values[plain.lower()]
    return None if tag == _NULL else _NOT_PLAIN


def _flow(text: str, line: int) -> list[Node] | None:
    """The items of a one-line flow list, brackets and all (None if one is not a string, a bool or null)."""
    items = [_scalar(*m.groups()) for m in _FLOW_ITEMS.finditer(text, 1, len(text) - 1)]
    return None if _NOT_PLAIN in items else [Node(v, line) for v in items]


def _pairs(text: str, line: int) -> dict[str, Any] | None:
    """The keys and values of a one-line flow mapping (None: a repeated key, or a value not a
    string, a bool, null or a list of those)."""
    out: dict[str, Any] = {}
    for m in _PAIRS.finditer(text, 1):
        key, plain, single, double, flow = m.groups()
        value = _flow(flow, line) if flow is not None else _scalar(plain, single, double)
        if key in out or value is _NOT_PLAIN or (flow is not None and value is None) or _scalar(key) != key:
            return None
        out[key] = value
    return out


def scan(text: str) -> list[Top] | None:
    """The top-level keys and records of a file in the plain block layout; None if it is not
    written that way (then only libyaml can say what it holds)."""
    if text.startswith("\ufeff"):  # a byte order mark, which libyaml skips
        text = text[1:]
    if "\r" in text:  # Windows line ends: one line break each, to YAML as to this reader
        text = text.replace("\r\n", "\n")
    if _UNREAD.search(text):
        return None
    rows = _LINES.findall(text)
    if len(rows) != text.count("\n") + 1:  # a line outside the layout
        return None
    tops: list[list[Any]] = []  # [key, line, records]
    entry = -1  # the column of the "-" of the current top-level key's records
    values: dict[str, Any] | None = None  # the record being read, and its key lines
    keys: dict[str, int] = {}
    open_key: str | None = None  # a key with nothing after its colon: a list may follow
    items: list[Node] = []
    item_col = -1
    checked = set(_KEYS)
    resolved: dict[str, Any] = {}
    # the plain scalar on the line before, which a more indented line may go on: (its line, the column
    # the next line must pass, its text so far, the key it is the value of, or None for a list item)
    wrapped: tuple[int, int, str, str | None] | None = None
    for n, row in enumerate(rows, 1):
        col, dash, key, plain, single, double, flow, note, item, iplain, isingle, idouble, inote = row[:13]
        if key:
            if items:
                values[open_key] = items  # type: ignore[index]
                items = []
            open_key, wrapped = None, None
            if key not in checked:  # «on:», «null:»: a key that YAML reads as a bool, null ...
                if _scalar(key) != key:
                    return None
                checked.add(key)
            indent = len(col)
            if indent == 0 and not dash:  # a top-level key, with its records (if any) below
                if any(t[0] == key for t in tops) or plain or single or double or flow:
                    return None
                tops.append([key, n, None])
                entry, values = -1, None
                continue
            if dash:  # a record's first key
                if not tops or (entry >= 0 and indent != entry):
                    return None
                if entry < 0:
                    entry = indent
                    tops[-1][2] = []
                values, keys = {}, {}
                tops[-1][2].append((n, values, keys))
            elif values is None or indent != entry + 2 or key in values:
                return None
            keys[key] = n
            if plain and plain[0] not in _RESOLVED:
                value = plain
                if not note:  # (a comment ends a plain scalar)
                    wrapped = (n, entry + 2, plain, key)
            elif flow:
                value = _flow(flow, n)
                if value is None:
                    return None
            elif not (plain or single or double):
                value, open_key, item_col = None, key, -1
            elif plain:  # a word YAML may read as a bool or null: resolved once a file («f», «organization» recur)
                value = resolved[plain] if plain in resolved else resolved.setdefault(plain, _scalar(plain))
                if value is _NOT_PLAIN:
                    return None
                if not note:
                    wrapped = (n, entry + 2, plain, key)
            else:
                value = _scalar(None, single, double)
            values[key] = value
        elif item:  # an item of the list under `open_key`
            at = len(item) - 2
            if open_key is None or at < entry + 2 or (items and at != item_col):
                return None
            value = _scalar(iplain, isingle, idouble)
            if value is _NOT_PLAIN:
                return None
            item_col = at
            items.append(Node(value, n))
            wrapped = (n, at, iplain, None) if iplain and not inote else None
        elif row[13]:  # a flow mapping: a record on one line, or an item of the list under `open_key`
            at, pairs, wrapped = len(row[13]) - 2, _pairs(row[14], n), None
            if pairs is None:
                return None
            if open_key is not None and at >= entry + 2:
                if items and at != item_col:
                    return None
                item_col = at
                items.append(Node({k: Node(v, n) for k, v in pairs.items()}, n, dict.fromkeys(pairs, n)))
                continue
            if items:
                values[open_key] = items  # type: ignore[index]
                items = []
            open_key = None
            if not tops or (entry >= 0 and at != entry):
                return None
            if entry < 0:
                entry = at
                tops[-1][2] = []
            tops[-1][2].append((n, pairs, dict.fromkeys(pairs, n)))
            values = None  # nothing more goes in it
        elif row[15]:  # a plain scalar's next line: YAML joins the lines with a space, and reads the whole anew
            if wrapped is None or wrapped[0] != n - 1 or len(row[15]) <= wrapped[1]:
                return None
            joined = f"{wrapped[2]} {row[16]}"
            value = _scalar(joined)
            if value is _NOT_PLAIN:
                return None
            if wrapped[3] is None:
                items[-1] = Node(value, items[-1].line)
            else:
                values[wrapped[3]] = value  # type: ignore[index]
            wrapped = (n, wrapped[1], joined, wrapped[3]) if not row[17] else None  # a comment ends it
    if items:
        values[open_key] = items  # type: ignore[index]
    return [(key, line, records) for key, line, records in tops]
