"""The reader at 80x24: the lesson text has the focus where a step opens (↓ PageDown End read
on, no Tab first), the last step offers the next lesson and `n` there opens it, while `n`
elsewhere still goes to the next step; the list then counts the lesson done."""

from __future__ import annotations

import textwrap
from pathlib import Path

from pilot import SIZE, settle, tutor_app
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.lab.server import LabServer
from tutor.ui.screens.lessons import LessonsScreen
from tutor.ui.screens.reader import ReaderScreen

LONG = "\n\n".join(f"Paragraph {n}: a line of the lesson to read on." for n in range(40))


def _lesson(lesson_id: str, title: str) -> str:
    head = textwrap.dedent(
        f"""\
        format: 1
        id: {lesson_id}
        title: {title}
        summary: Two steps to read.
        minutes: 2
        citations:
          - id: rfc9110-15.4
            title: RFC 9110 §15.4 Redirection 3xx
            url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4
        steps:
          - id: first
            title: The first step
            cite: [rfc9110-15.4]
            text: |
        """
    )
    tail = (
        f"  - id: last\n    title: The last step\n    cite: [rfc9110-15.4]\n"
        f"    text: The end of {title}.\n"
    )
    return head + textwrap.indent(LONG, " " * 6) + "\n" + tail


def _pack(tmp_path: Path) -> Path:
    (tmp_path / "01-first.yaml").write_text(_lesson("first", "First things"), encoding="utf-8")
    (tmp_path / "02-second.yaml").write_text(_lesson("second", "Second thoughts"), "utf-8")
    return tmp_path


async def test_the_text_has_the_focus_and_the_last_step_opens_the_next_lesson(
    lab: LabServer, tmp_path: Path
) -> None:
    app = tutor_app([_pack(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lessons = app.screen
        assert isinstance(lessons, LessonsScreen)
        assert lessons.query_one("#lessons").border_title == "Lessons · 0/2 done"
        await pilot.press("enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.lesson.id == "first"
        body = reader.query_one("#step-body", VerticalScroll)
        assert app.focused is body
        await pilot.press("down", "pagedown")
        await pilot.pause()
        assert body.scroll_y > 1
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y > 0
        next_line = reader.query_one("#next-lesson", Static)
        assert not next_line.display  # not on the first step
        await pilot.press("n")  # the next step, as always
        await settle(pilot)
        assert reader.step.id == "last"
        assert next_line.display
        assert str(next_line.visual) == "Next: 02 · Second thoughts — press n"
        assert reader.check_action("step", (1,)) is False  # hidden: `n` is the next lesson
        assert reader.check_action("next_lesson", ())
        await pilot.press("n")
        await settle(pilot)
        following = app.screen
        assert isinstance(following, ReaderScreen) and following.lesson.id == "second"
        assert following.step.id == "first"
        await pilot.press("n")
        await settle(pilot)
        assert not following.query_one("#next-lesson", Static).display  # the course's last
        assert following.check_action("step", (1,)) is None  # shown dimmed: nowhere to go
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is lessons
        assert lessons.query_one("#lessons").border_title == "Lessons · 2/2 done"
