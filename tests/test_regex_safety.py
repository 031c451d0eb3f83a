"""The regex safety analysis of gazetteer rules: nested quantifiers and matches inside a word."""

from __future__ import annotations

import pytest
import regex

from normalize.regex_safety import inside_word, nested_quantifier


@pytest.mark.parametrize(
    ("pattern", "group"),
    [
        (r"(a+)+", "(a+)+"),
        (r"(?:\w+\s?)+КНД", r"(?:\w+\s?)+"),
        (r"(a|a?b+)*c", "(a|a?b+)*"),
        (r"(\d+[.,]?)+", r"(\d+[.,]?)+"),
        (r"(a\w+)+", r"(a\w+)+"),
        (r"(a{1,3})+", "(a{1,3})+"),
        (r"(?<name>x+)*y", "(?<name>x+)*"),
        # safe: each iteration starts with a character nothing inside can take
        (r"\p{L}+(?:\s\p{L}+)*", None),
        (r"\d+(?:[.,]\d+)*", None),
        (r"(?:\w+\s)+", None),
        (r"(?:х[аa]+)+", None),
        # safe: atomic, possessive, bounded, or one level only
        (r"(?>a+)+", None),
        (r"(a++)+", None),
        (r"(a{2})+", None),
        (r"\(a+\)+", None),
        (r"[(a+)]+", None),
        (r"\bКНД\b", None),
    ],
)
def test_nested_quantifier(pattern: str, group: str | None) -> None:
    assert nested_quantifier(pattern) == group


@pytest.mark.parametrize(
    ("pattern", "examples", "hit"),
    [
        # found in the sample of ordinary words
        ("КНД", [], "'КНД' in the word 'КНДР'"),
        ("аб", [], "'аб' in the word 'контрабанда'"),
        # found by gluing a letter onto an example's match
        (r"(?<![\w-])Киргизии", ["граждан Киргизии"], "'Киргизии' in 'Киргизиио' (an example with a letter glued on)"),
        (r"Kyrgyz(?!\w)", ["the Kyrgyz side"], "'Kyrgyz' in 'oKyrgyz' (an example with a letter glued on)"),
        # guarded on both sides
        (r"(?<!\w)КНД(?!\w)", ["опыт КНД"], None),
        (r"\bКиргизии\b", ["граждан Киргизии"], None),
        # a stem rule: its own example fires inside a word, so that side is meant to be open
        (r"(?<!\w)Киргизск", ["Киргизской делегации"], None),
    ],
)
def test_inside_word(pattern: str, examples: list[str], hit: str | None) -> None:
    assert inside_word(regex.compile(pattern, regex.V1), examples, timeout=1.0) == hit


def test_inside_word_gives_up_on_a_runaway_pattern() -> None:
    with pytest.raises(TimeoutError):
        inside_word(regex.compile(r"(?:а|аа)+б", regex.V1), ["а" * 40 + "в"], timeout=0.05)
