import pytest

from normalize.fix import RuleTimeout, fix, fix_text
from normalize.gazetteer import Rule
from normalize.trace import TracedText

KND = Rule(id="typo/knd", find="КНД", replace="КНР")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("перенимать опыт КНД в борьбе", "перенимать опыт КНР в борьбе"),
        ("КНД.", "КНР."),
        ("ПКНД и КНДР", "ПКНД и КНДР"),  # never inside a longer word
        ("кнд", "кнд"),  # case matters unless the rule says otherwise
    ],
)
def test_word_rule(text, expected):
    assert fix_text(text, [KND]) == expected


def test_regex_rule_with_groups():
    rule = Rule(id="variant/kg", find=r"Киргизстан(\w*)", replace=r"Кыргызстан\1", regex=True)
    assert fix_text("в Киргизстане и Киргизстан", [rule]) == "в Кыргызстане и Кыргызстан"


def test_edit_is_logged_with_rule_id():
    doc = fix(TracedText("опыт КНД"), [KND])
    assert [(e.step, e.before, e.after, e.start, e.end) for e in doc.edits] == [("rule/typo/knd", "КНД", "КНР", 5, 8)]


def test_catastrophic_regex_times_out():
    import normalize.fix as fixmod

    rule = Rule(id="bad", find=r"(a|aa)+b", replace="", regex=True)
    old = fixmod.RULE_TIMEOUT_S
    fixmod.RULE_TIMEOUT_S = 0.05
    try:
        with pytest.raises(RuleTimeout, match="bad"):
            fix_text("a" * 60, [rule])
    finally:
        fixmod.RULE_TIMEOUT_S = old
