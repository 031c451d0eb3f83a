"""Gazetteer YAML as line-tagged values, and a line reader for the plain block layout.

Nearly every gazetteer file, and every large generated one, is written one way: top-level keys,
each a block list of records, one `key: value` a line, lists as `[a, b]` or as `- item` lines.
Composing such a file with libyaml makes a node with two marks for every scalar (most of the time
a 100k-entity set took to read); `scan` reads that layout with a few regexes and gives the same
values on the same lines. Anything else (a multi-line, escaped or nested value, anchors, tags,
tabs, a repeated key, a value YAML reads as a number or a date, ...) makes it return None: the
caller composes the file with libyaml, which also words every error. A test holds `scan` to
libyaml's nodes, value for value and line for line.
"""

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
# trailing spaces are not its own (greedy, with no backtracking but over those)
_PLAIN = r"[^-?:,\[\]{}#&*!|>'\"%@` ](?:[^:#\[\]{}]*[^ :#\[\]{}])?"
_FLOW_PLAIN = r"[^-?:,\[\]{}#&*!|>'\"%@` ](?:[^:#\[\]{},]*[^ :#\[\]{},])?"
_SINGLE = r"'((?:[^']|'')*)'"
_DOUBLE = r"\"([^\"\\]*)\""
_SCALAR = rf"(?:({_PLAIN})|{_SINGLE}|{_DOUBLE})"  # one line, each kind in a group of its own
_FLOW_ITEM = rf"(?:({_FLOW_PLAIN})|{_SINGLE}|{_DOUBLE})"
_FLOW = r"\[( *(?:{item} *(?:, *{item} *)*)?)\]".format(item=re.sub(r"\((?!\?)", "(?:", _FLOW_ITEM))
_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
# a one-line flow mapping of such scalars and lists: `{id: a, aliases: [b, c]}`, `{in: "…", out: "…"}`
_PAIR = rf"({_KEY}): +(?:{_FLOW_ITEM}|{_FLOW})"
_MAP = r"\{{ *(?:{pair} *(?:, *{pair} *)*)?\}}".format(pair=re.sub(r"\((?!\?)", "(?:", _PAIR))
_TAIL = r" *(?: #.*)?"  # trailing spaces, a comment
# One line of the layout: `key: value` (indented, or opening a list entry with "- "), `- item`,
# `- {key: value, …}`, a plain scalar's next line, or blank (a comment at most). Groups: indent,
# "- ", key, plain, single, double, flow list; item indent, plain, single, double; the flow
# mapping's indent and text; next line's indent, text.
_LINE = re.compile(
    rf"( *)(- )?({_KEY}):(?: +(?:{_SCALAR}|{_FLOW}))?{_TAIL}"
    rf"|( *)- {_SCALAR}{_TAIL}"
    rf"|( *)- ({_MAP}){_TAIL}"
    rf"|( +)({_PLAIN}){_TAIL}"  # the next line of a plain scalar (yaml.dump wraps long ones)
    r"| *(?:#.*)?"
)
_FLOW_ITEMS = re.compile(rf" *{_FLOW_ITEM} *(?:,|$)")
_PAIRS = re.compile(rf" *{_PAIR} *(?:,|\}}$)")

_RESOLVER = yaml.resolver.Resolver()
_RESOLVED = frozenset(_RESOLVER.yaml_implicit_resolvers)  # first letters of a plain bool, null, number ...
_STR, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "bool", "null"))
_NOT_PLAIN = object()  # a plain scalar that YAML reads as a number, a date, a merge key ...


# the keys of the field tables, plain strings to YAML
_KEYS = frozenset(TOP_LEVEL) | {f.name for _what, _about, spec in TOP_LEVEL.values() for f in spec}


def _scalar(plain: str | None, single: str | None, double: str | None) -> Any:
    """A one-line scalar's value as the safe loader constructs it (a string, a bool or None), or _NOT_PLAIN."""
    if plain is None:
        return single.replace("''", "'") if single is not None else double
    if plain[0] not in _RESOLVED:
        return plain
    tag = _RESOLVER.resolve(yaml.ScalarNode, plain, (True, False))
    if tag == _STR:
        return plain
    if tag == _BOOL:
        return yaml.constructor.SafeConstructor.bool_values[plain.lower()]
    return None if tag == _NULL else _NOT_PLAIN


def _flow(inner: str, line: int) -> list[Node] | None:
    """The items of a one-line flow list (None if one is not a string, a bool or null)."""
    items = [_scalar(*m.groups()) for m in _FLOW_ITEMS.finditer(inner)]
    return None if _NOT_PLAIN in items else [Node(v, line) for v in items]


def _pairs(text: str, line: int) -> dict[str, Any] | None:
    """The keys and values of a one-line flow mapping (None: a repeated key, or a value not a
    string, a bool, null or a list of those)."""
    out: dict[str, Any] = {}
    for m in _PAIRS.finditer(text, 1):
        key, plain, single, double, flow = m.groups()
        value = _flow(flow, line) if flow is not None else _scalar(plain, single, double)
        if key in out or value is _NOT_PLAIN or (flow is not None and value is None) or _scalar(key, None, None) != key:
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
    matches = list(map(_LINE.fullmatch, text.split("\n")))
    if None in matches:
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
    for n, m in enumerate(matches, 1):
        col, dash, key, plain, single, double, flow, icol, iplain, isingle, idouble, mcol, mapping, ncol, more = (
            m.groups()
        )
        if ncol is not None:  # YAML joins the lines with a space, and reads the whole anew
            if wrapped is None or wrapped[0] != n - 1 or len(ncol) <= wrapped[1]:
                return None
            text = f"{wrapped[2]} {more}"
            value = _scalar(text, None, None)
            if value is _NOT_PLAIN:
                return None
            if wrapped[3] is None:
                items[-1] = Node(value, items[-1].line)
            else:
                values[wrapped[3]] = value  # type: ignore[index]
            wrapped = (n, wrapped[1], text, wrapped[3]) if "#" not in m.string else None  # a comment ends it
            continue
        if m.lastindex is not None:  # a key or a list item: what it holds may be wrapped in turn
            wrapped = None
        if mapping is not None:
            pairs = _pairs(mapping, n)
            if pairs is None:
                return None
            if open_key is not None and len(mcol) >= entry + 2:  # an item of the list under `open_key`
                if items and len(mcol) != item_col:
                    return None
                item_col = len(mcol)
                items.append(Node({k: Node(v, n) for k, v in pairs.items()}, n, dict.fromkeys(pairs, n)))
                continue
            if items:  # a record, written on one line
                values[open_key] = items  # type: ignore[index]
                items = []
            open_key = None
            if not tops or (entry >= 0 and len(mcol) != entry):
                return None
            if entry < 0:
                entry = len(mcol)
                tops[-1][2] = []
            tops[-1][2].append((n, pairs, dict.fromkeys(pairs, n)))
            values = None  # nothing more goes in it
            continue
        if key is not None:
            if items:
                values[open_key] = items  # type: ignore[index]
                items = []
            open_key = None
            if key not in checked:  # «on:», «null:»: a key that YAML reads as a bool, null ...
                if _scalar(key, None, None) != key:
                    return None
                checked.add(key)
            indent = len(col)
            if indent == 0 and dash is None:  # a top-level key, with its records (if any) below
                if any(t[0] == key for t in tops) or m.lastindex != 3:
                    return None
                tops.append([key, n, None])
                entry, values = -1, None
                continue
            if dash is not None:  # a record's first key
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
            if flow is not None:
                value = _flow(flow, n)
                if value is None:
                    return None
            elif m.lastindex == 3:
                value, open_key, item_col = None, key, -1
            elif plain is None or plain[0] not in _RESOLVED:
                value = plain if plain is not None else _scalar(None, single, double)
            else:  # a word YAML may read as a bool or null: resolved once a file («f», «organization» recur)
                value = resolved[plain] if plain in resolved else resolved.setdefault(plain, _scalar(plain, None, None))
                if value is _NOT_PLAIN:
                    return None
            values[key] = value
            if plain is not None and "#" not in m.string:  # (a plain scalar has no "#": a comment ends it)
                wrapped = (n, entry + 2, plain, key)
        elif icol is not None:  # an item of the list under `open_key`
            if open_key is None or len(icol) < entry + 2 or (items and len(icol) != item_col):
                return None
            value = _scalar(iplain, isingle, idouble)
            if value is _NOT_PLAIN:
                return None
            item_col = len(icol)
            items.append(Node(value, n))
            if iplain is not None and "#" not in m.string:
                wrapped = (n, item_col, iplain, None)
    if items:
        values[open_key] = items  # type: ignore[index]
    return [(key, line, records) for key, line, records in tops]

