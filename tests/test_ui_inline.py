"""Course texts keep their `code` spans as code on screen, not as backticks."""

from __future__ import annotations

from tutor.ui.widgets.inline import CODE_STYLE, inline, labelled


def test_code_spans_are_styled_and_lose_their_backticks():
    content = inline("Try `curl -L --post302` on the 302. ")
    assert content.plain == "Try curl -L --post302 on the 302."
    styled = [(content.plain[span.start : span.end], span.style) for span in content.spans]
    assert styled == [("curl -L --post302", CODE_STYLE)]


def test_unbalanced_backticks_stay_as_written():
    assert inline("a ` b").plain == "a ` b"
    assert inline("a ` b").spans == []


def test_a_label_then_the_text():
    content = labelled("[b]Hint $n/$total:[/b] ", "use `-L`", n=1, total=2)
    assert content.plain == "Hint 1/2: use -L"
