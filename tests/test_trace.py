from normalize.trace import Change, TracedText

RAW = "ab КНД cd  ef\r\ngh"


def test_offsets_map_back_through_passes():
    t = TracedText(RAW)
    t.apply([Change(3, 6, "КНР", "fix"), Change(9, 11, " ", "space")])
    t.apply([Change(0, 3, "", "del")])
    t.apply([Change(t.text.index("\r\n"), t.text.index("\r\n") + 2, "\n", "nl")])
    assert t.text == "КНР cd ef\ngh"
    for word, raw_word in [("КНР", "КНД"), ("cd", "cd"), ("ef", "ef"), ("gh", "gh")]:
        s = t.text.index(word)
        assert RAW[t.to_raw(s, "start") : t.to_raw(s + len(word), "end")] == raw_word


def test_edits_record_raw_offsets():
    t = TracedText("x  y КНД")
    t.apply([Change(1, 3, " ", "space")])
    t.apply([Change(4, 7, "КНР", "fix")])
    fix = t.edits[-1]
    assert (fix.before, fix.after) == ("КНД", "КНР")
    assert "x  y КНД"[fix.start : fix.end] == "КНД"


def test_no_op_changes_are_not_edits():
    t = TracedText("abc")
    t.apply([Change(0, 1, "a", "same")])
    assert t.edits == [] and t.passes == []


def test_an_edit_holds_an_earlier_same_length_edit_whole():
    """A later edit that ends inside an earlier same-length replacement widens to hold all of it
    (found by hypothesis: « \\t–», where the tab and dash became « —» and the spaces were then cut)."""
    t = TracedText(" \t–")
    t.apply([Change(1, 3, " —", "unicode")])
    t.apply([Change(0, 2, "", "spaces")])
    first, second = t.edits
    assert (first.start, first.end) == (1, 3)
    assert (second.start, second.end) == (0, 3)
    # a mention's offsets still map char by char inside the replacement
    assert t.to_raw(0, "start") == 2
