"""A quiz's review at 80 columns: a line that wraps goes on under its text, not under its
number ("1. A long question" wraps under "A"; "   Answer: …" under "Answer")."""

from __future__ import annotations

from pilot import SIZE
from textual.app import App, ComposeResult

from tutor.ui.widgets.quiz.feedback import Feedback

QUESTION = "1. " + "A client follows a 302 after a POST; which request does it send next " * 2
ANSWER = "   Answer: “GET”. " + "Browsers and most clients turn the POST into a GET here. " * 2


class _Review(App[None]):
    def compose(self) -> ComposeResult:
        yield Feedback(id="quiz-feedback")


async def test_wrapped_review_lines_hang_under_their_text() -> None:
    app = _Review()
    async with app.run_test(size=SIZE) as pilot:
        feedback = app.query_one(Feedback)
        feedback.show(["Quiz over: 0 right of 1 graded (1/1 asked).", QUESTION, ANSWER], "over")
        await pilot.pause()
        width = feedback.content_size.width
        rows = [strip.text.rstrip() for strip in feedback.render_lines(feedback.content_region)]
        rows = [row for row in rows if row]
        assert rows[1].startswith("1. A client")
        question = rows[1 : rows.index(next(r for r in rows if "Answer:" in r))]
        answer = rows[len(question) + 1 :]
        assert len(question) > 1 and len(answer) > 1, "both wrap at 80 columns"
        assert all(row.startswith("   ") and row[3] != " " for row in question[1:])
        assert all(row.startswith("   ") and row[3] != " " for row in answer[1:])
        assert all(len(row) <= width for row in rows)
        assert str(feedback.visual).splitlines() == [
            "Quiz over: 0 right of 1 graded (1/1 asked).",
            QUESTION,
            ANSWER,
        ]
