"""A lesson pack loads after the built-in course is listed; the list keeps the learner's place."""

from __future__ import annotations

from pathlib import Path

from pilot import SIZE, fixture_dir, settle, tutor_app
from textual.app import App, ComposeResult

from tutor.course.loader import load_course
from tutor.lab.server import LabServer
from tutor.ui.widgets.course.lesson_list import LessonList


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LessonList()


async def test_relisting_keeps_the_highlighted_lesson() -> None:
    lessons = load_course().lessons
    app = ListApp()
    async with app.run_test() as pilot:
        listed = app.query_one(LessonList)
        listed.show(lessons[:5])
        listed.highlighted = 3
        listed.show(lessons)  # the same five first, then more: as when a pack has loaded
        await pilot.pause()
        assert listed.highlighted_lesson is lessons[3]
        listed.show(lessons[6:])  # the highlighted lesson is gone: back to the first
        assert listed.highlighted_lesson is lessons[6]


async def test_a_pack_is_listed_after_the_built_in_lessons(lab: LabServer, tmp_path: Path) -> None:
    built_in = [lesson.id for lesson in load_course().lessons]
    app = tutor_app([fixture_dir(tmp_path)], lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listed = [lesson.id for lesson in app.screen.query_one(LessonList).lessons]
        assert listed == [*built_in, "ui-fixture"]
