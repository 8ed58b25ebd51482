"""The lesson list at 80x24 never shows the tail of a lesson's summary as its first row: after
moving down the list, and after coming back from a lesson, the top row is a lesson's title (or
the divider under one), and the highlighted lesson shows whole."""

from __future__ import annotations

from pilot import SIZE, settle, tutor_app

from tutor.lab.server import LabServer
from tutor.ui.widgets.course.lesson_list import LessonList


def _aligned(lessons: LessonList) -> bool:
    """The top row starts a lesson (at the list's very end the last lesson decides the top)."""
    if lessons.scroll_y == lessons.max_scroll_y > 0:
        return True
    index, offset = lessons._lines[round(lessons.scroll_y)]
    return offset in (0, lessons._heights[index] - 1)


def _whole(lessons: LessonList) -> bool:
    assert lessons.highlighted is not None
    start = lessons._index_to_line[lessons.highlighted]
    divider = lessons.options[lessons.highlighted]._divider
    end = start + lessons._heights[lessons.highlighted] - divider
    top = round(lessons.scroll_y)
    return top <= start and end <= top + lessons.scrollable_content_region.height


async def test_the_top_row_is_a_lessons_title(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lessons = app.screen.query_one(LessonList)
        for _ in range(len(lessons.lessons) - 1):
            await pilot.press("down")
            await pilot.pause()
            assert _aligned(lessons), lessons.highlighted
            assert _whole(lessons), lessons.highlighted
        for _ in range(6):
            await pilot.press("up")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one(LessonList) is lessons
        assert _aligned(lessons) and _whole(lessons)
