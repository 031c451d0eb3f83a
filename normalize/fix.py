"""Fix: apply the gazetteers' rules (typos, variant spellings) as traced edits.

A plain `find` matches a whole word only (never inside a longer word). Regex rules
run on the `regex` engine with a time limit, so no rule can hang a run. A run compiles
its rules once, with its gazetteer (`pipeline.Compiled.rules`), and passes the `RuleSet`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import regex

from normalize.gazetteer_model import Rule
from normalize.trace import Change, TracedText

RULE_TIMEOUT_S = 1.0


class RuleTimeout(RuntimeError):
    """A rule's regex ran past its time limit on one document."""


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its pattern, compiled when first used: a plain word's pattern runs only on a
    document that holds one of the listed words (`RuleSet.any_word`), which most never do, and
    compiling fifty patterns on the `regex` engine took 30 ms in every worker."""

    rule: Rule

    @cached_property
    def pattern(self) -> regex.Pattern[str]:
        """The rule's pattern; a plain word gets word boundaries on both sides."""
        rule = self.rule
        flags = regex.V1 | (regex.IGNORECASE if rule.ignore_case else 0)
        if rule.regex:
            return regex.compile(rule.find, flags)
        return regex.compile(r"(?<![\w-])" + regex.escape(rule.find) + r"(?![\w-])", flags)


def compile_rule(rule: Rule) -> CompiledRule:
    """A rule ready to run (its pattern is compiled when first used: `CompiledRule.pattern`)."""
    return CompiledRule(rule)


@dataclass(frozen=True)
class RuleSet:
    """Compiled rules, with one pattern for all plain-word rules that says whether any can fire."""

    rules: tuple[CompiledRule, ...]
    any_word: regex.Pattern[str] | None = None
    regex_rules: tuple[CompiledRule, ...] = ()  # what runs when no listed word is in the text


def compile_rules(rules: Sequence[Rule]) -> RuleSet:
    """Compile a gazetteer's rules, in their order (where two rules hit one place, the first wins)."""
    compiled = tuple(compile_rule(r) for r in rules)
    words = [r for r in rules if not r.regex]
    any_word = None
    if words:
        alts = "|".join(
            ("(?i:" if r.ignore_case else "(?:") + regex.escape(r.find) + ")"
            for r in sorted(words, key=lambda r: -len(r.find))
        )
        any_word = regex.compile(r"(?<![\w-])(?:" + alts + r")(?![\w-])", regex.V1)
    return RuleSet(compiled, any_word, tuple(cr for cr in compiled if cr.rule.regex))


def rule_changes(text: str, rules: RuleSet | Sequence[CompiledRule]) -> list[Change]:
    """Changes from all rules; where two rules hit the same place, the first rule wins."""
    if isinstance(rules, RuleSet):
        # most documents hold none of the listed words: one scan instead of one per rule
        skip_words = rules.any_word is not None and rules.any_word.search(text) is None
        rules = rules.regex_rules if skip_words else rules.rules
    changes: list[Change] = []
    taken: list[tuple[int, int]] = []
    for cr in rules:
        try:
            matches = list(cr.pattern.finditer(text, timeout=RULE_TIMEOUT_S))
        except TimeoutError:
            raise RuleTimeout(f"rule {cr.rule.id!r} ({cr.rule.where}) timed out") from None
        for m in matches:
            if m.end() == m.start() or any(s < m.end() and m.start() < e for s, e in taken):
                continue
            new = m.expand(cr.rule.replace) if cr.rule.regex else cr.rule.replace
            changes.append(Change(m.start(), m.end(), new, f"rule/{cr.rule.id}"))
            taken.append((m.start(), m.end()))
    return changes


def fix(doc: TracedText, rules: RuleSet | Sequence[Rule]) -> TracedText:
    """Apply rules (compiled, or compiled here) to a traced document in one pass, in place; returns it."""
    doc.apply(rule_changes(doc.text, rules if isinstance(rules, RuleSet) else compile_rules(rules)))
    return doc


def fix_text(text: str, rules: RuleSet | Sequence[Rule]) -> str:
    """Apply rules to a plain string."""
    return fix(TracedText(text), rules).text
