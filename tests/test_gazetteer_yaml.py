"""The line reader of the plain block layout (`gazetteer_yaml.scan`) against libyaml: the same
values on the same lines, or no answer at all (and libyaml reads the file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize.gazetteer import bundled_dir
from normalize.gazetteer_validator import Findings, parse_yaml
from normalize.gazetteer_yaml import Node, scan

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def composed(text: str) -> object:
    """What libyaml makes of a text, in `scan`'s form; "error" if it reports a problem."""
    found = Findings()
    root = parse_yaml(text, "f", found)
    if found.problems:
        return "error"
    if root is None:
        return []
    if not isinstance(root.value, dict):
        return "not a mapping"

    def record(n: Node) -> object:
        return (n.line, {k: v.value for k, v in n.value.items()}, n.keys) if isinstance(n.value, dict) else n

    return [
        (k, root.key_line(k), [record(n) for n in node.value] if isinstance(node.value, list) else node.value)
        for k, node in root.value.items()
    ]


AB = {"id": 2, "name": 3}
ONE_LINE = (2, {"id": "a", "aliases": [Node("b", 2), Node("c", 2)]}, {"id": 2, "aliases": 2})
EXAMPLE = Node({"in": Node("x", 7), "out": Node("y", 7)}, 7, {"in": 7, "out": 7})
# text → what `scan` reads (None: not the plain block layout, libyaml's to read)
CASES = [
    ("", []),
    ("# only a comment\n\n", []),
    ("entities:\n", [("entities", 1, None)]),
    ("entities:  # none yet\nrules:", [("entities", 1, None), ("rules", 2, None)]),
    (
        "entities:\n  - id: a  # the first\n    name: Б\n",
        [("entities", 1, [(2, {"id": "a", "name": "Б"}, {"id": 2, "name": 3})])],
    ),
    (  # a record at the top key's own indent; quoted, bool and null values
        "entities:\n- id: 'it''s'\n  name: \"x y\"\n  drop: yes\n  wikidata: ~\n  parent:\n",
        [("entities", 1, [(2, {"id": "it's", "name": "x y", "drop": True, "wikidata": None, "parent": None},
                           {"id": 2, "name": 3, "drop": 4, "wikidata": 5, "parent": 6})])],
    ),
    (  # lists: flow, and block (indented or not, with comments between items)
        "entities:\n  - id: a\n    aliases: [Б, 'В, Г', \"Д\"]\n    adjectives:\n    # note\n    - е\n    - ж\n",
        [("entities", 1, [(2, {"id": "a", "aliases": [Node("Б", 3), Node("В, Г", 3), Node("Д", 3)],
                               "adjectives": [Node("е", 6), Node("ж", 7)]},
                           {"id": 2, "aliases": 3, "adjectives": 4})])],
    ),
    (
        "entities:\n  - id: a\n    aliases: []\n",
        [("entities", 1, [(2, {"id": "a", "aliases": []}, {"id": 2, "aliases": 3})])],
    ),
    (  # a long value, wrapped as yaml.dump wraps it: the lines joined by a space
        "entities:\n- id: a\n  name: Комитет уголовно-\n    исполнительной системы\n  aliases:\n  - b\n    c\n",
        [("entities", 1, [(2, {"id": "a", "name": "Комитет уголовно- исполнительной системы",
                               "aliases": [Node("b c", 6)]}, {"id": 2, "name": 3, "aliases": 5})])],
    ),
    ("entities:\n  - id: a\n    name: b\n\n     c\n", None),  # a blank line in a value: a line break
    ("entities:\n  - id: a\n    name: 'b'\n     c\n", None),  # a quoted value over lines
    ("entities:\n  - id: a\n    name: b  # c\n     d\n", None),  # a comment ends a value
    ("entities:\n  - id: a\n    id: b\n", None),  # a repeated key: libyaml's reading reports it
    ("entities:\n  - id: a\nentities:\n", None),
    ("entities:\n  - id: a\n    name: Б\n    В\n", None),  # a value's next line no deeper than its key
    ("entities:\n  - id: a\n    name: 12\n", None),  # a number
    ("entities:\n  - id: a\n    name: 2020-01-01\n", None),  # a date
    ("entities:\n  - id: a\n    name: a: b\n", None),
    ("entities:\n  - id: a\n    name: a#b\n", None),
    ("entities:\n  - id: a\n    name: &x b\n", None),  # an anchor
    ("entities:\n  - id: a\n    name: !!str b\n", None),  # a tag
    ("entities:\n  - id: a\n    name: \"a\\tb\"\n", None),  # an escape
    ("entities:\n  - id: a\n    aliases: [a, [b]]\n", None),
    (  # records on one line each, and examples as rules give them
        "entities:\n  - {id: a, aliases: [b, 'c']}\n  - {}\nrules:\n  - id: r\n    examples:\n"
        "      - {in: x, out: \"y\"}\n",
        [
            ("entities", 1, [ONE_LINE, (3, {}, {})]),
            ("rules", 4, [(5, {"id": "r", "examples": [EXAMPLE]}, {"id": 5, "examples": 6})]),
        ],
    ),
    ("entities:\n  - {id: a, id: b}\n", None),
    ("entities:\n  - {id: a,}\n", None),
    ("entities:\n  - {id: a\n    , name: b}\n", None),  # a flow mapping over lines
    ("entities:\n  - {id: a}\n    name: b\n", None),
    ("entities:\n  - {id: {a: b}}\n", None),
    ("entities:\n  - id: a\n\tname: b\n", None),
    ("entities:\r\n  - id: a\r\n    name: b\r\n     c\n", [("entities", 1, [(2, {"id": "a", "name": "b c"}, AB)])]),
    ("entities:\r  - id: a\r", None),  # a line break of old Macs
    ("\ufeffentities:\n", [("entities", 1, None)]),
    ("entities:\n  - id: \ufeffa\n", None),
    ("entities:\n  - id: a\n   name: b\n", None),  # a key out of line
    ("entities:\n  - id: a\n    aliases:\n  - b\n", None),  # an item out of line
    ("entities:\n  - a\n", None),  # a record that is not a mapping
    ("on:\n", None),  # a key that YAML reads as true
    ("---\nentities:\n", None),
    ("- id: a\n", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_scan_reads_the_plain_layout_only(text: str, expected: object) -> None:
    assert scan(text) == expected
    if expected is not None:
        assert composed(text) == expected


def test_the_bundled_set_is_read_without_libyaml() -> None:
    files = sorted(bundled_dir().glob("*.yaml"))
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert scan(text) == composed(text), f


def test_scan_agrees_with_libyaml_on_every_fixture() -> None:
    for f in sorted(FIXTURES.rglob("*.yaml")):
        text = f.read_text(encoding="utf-8")
        assert scan(text) in (None, composed(text)), f


# pieces of lines, ordinary and not: what YAML reads as another type, or as more than a string
VALUES = [
    "Ирайда Карданова", "gen/per-1", "Q813", "m", "f", "yes", "No", "on", "null", "~", "", "1", "1.5", "-1", ".5",
    "2020-01-01", "'quoted'", "'it''s'", '"dq"', '"d\\"q"', "a: b", "a:b", "a #b", "a#b", "[x, y]", "[x, [y]]", "[]",
    "[ ]", "[a,]", "[a b, 'c, d', \"e\"]", "- x", "&a x", "*a", "!!str 1", "<<", "=", "x  ", "{a: 1}", "|", ">",
    "%x", "@x", "`x", "Союз «Беларусь»", "a, b", "a [b]", "true", "0x1F", "1_000", "x # c", "'a' b", "'a", "a'b",
    "?x", "? x", ",x", "Тест\u00a0x", "a\tb", "x:", "a -b", "-x", "Null", "1e3", "12:30", "a\u2028b", "\U0001f600",
    "a | b", "a & b", "0:30", "~a", "=a", "a=b", "\u00a0a", "a\u00a0", "+", "...", "a\\b", "Q1 2", "yes.",
]
KEYS = ["id", "type", "name", "aliases", "wikidata", "on", "null", "Name", "x_1", "drop", "yes"]
TAILS = ["", "", " # c", "  ", "#c"]


@st.composite
def mappings(draw: st.DrawFn) -> str:
    """A flow mapping of a few keys and values (a record, or a rule's example, on one line)."""
    pairs = [f"{draw(st.sampled_from(KEYS))}: {draw(st.sampled_from(VALUES))}" for _ in range(draw(st.integers(0, 3)))]
    return "{" + draw(st.sampled_from([", ", ",", " , "])).join(pairs) + draw(st.sampled_from(["}", " }", ",}"]))


@st.composite
def wrapped(draw: st.DrawFn, col: int) -> list[str]:
    """Now and then, the lines a long value goes on over (yaml.dump wraps at 80 columns), about `col`."""
    if draw(st.integers(0, 3)):
        return []
    more = st.sampled_from(["Казахстан", "x y", "1", "- c", "# c", "a: b", "on", "'q'", ""])
    lines = [" " * (col + draw(st.integers(-1, 3))) + draw(more) for _ in range(draw(st.integers(1, 2)))]
    return ["", *lines] if draw(st.integers(0, 5)) == 0 else lines


@st.composite
def layouts(draw: st.DrawFn) -> str:
    """Texts mostly in the plain block layout, with a slip here and there."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        top = draw(st.sampled_from(["entities", "rules", "other", "on"]))
        lines.append(top + ":" + draw(st.sampled_from(["", " # c", " x", " []"])))
        col = draw(st.sampled_from([0, 2, 4]))
        for _ in range(draw(st.integers(0, 3))):
            for i in range(draw(st.integers(1, 4))):
                if draw(st.integers(0, 9)) == 0:
                    lines.append(draw(st.sampled_from(["", "  # c", "#", "   "])))
                lead = " " * col + ("- " if i == 0 else "  ")
                if draw(st.integers(0, 19)) == 0:  # out of line
                    lead = " " * draw(st.integers(0, 6)) + draw(st.sampled_from(["", "- "]))
                key = draw(st.sampled_from(KEYS))
                if i == 0 and draw(st.integers(0, 9)) == 0:  # a record on one line
                    lines.append(" " * col + "- " + draw(mappings()))
                    break
                if draw(st.integers(0, 3)) == 0:  # a block list
                    lines.append(lead + key + ":" + draw(st.sampled_from(["", " # c"])))
                    at = col + 2 + draw(st.sampled_from([0, 1, 2]))
                    for _ in range(draw(st.integers(0, 3))):
                        item = draw(mappings()) if draw(st.integers(0, 9)) == 0 else draw(st.sampled_from(VALUES))
                        lines.append(" " * at + "- " + item + draw(st.sampled_from(TAILS)))
                        lines += draw(wrapped(at))
                else:
                    value = draw(st.sampled_from([" ", " ", "  ", ""])) + draw(st.sampled_from(VALUES))
                    lines.append(lead + key + ":" + value + draw(st.sampled_from(TAILS)))
                    lines += draw(wrapped(col + 2))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(layouts())
def test_scan_reads_what_libyaml_reads(text: str) -> None:
    read = scan(text)
    assert read is None or read == composed(text)
