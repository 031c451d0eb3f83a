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
