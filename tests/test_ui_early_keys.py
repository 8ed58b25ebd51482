"""A key pressed before the course has loaded is kept and acted on once it has, never refused:
the lesson list shows the cached index at once, and the learner may choose from it."""

from __future__ import annotations

import threading

import pytest

from tests.pilot import SIZE, settle, tutor_app
from tutor.course import Course
from tutor.session.study import StudySession
from tutor.ui.screens.lessons import LessonsScreen
from tutor.ui.screens.reader import ReaderScreen
from tutor.ui.widgets.course.lesson_list import LessonList


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The course loads only while this is set (it is, until a test clears it); a first run
    leaves the cached index for the next, as any start does."""
    opened = threading.Event()
    opened.set()
    load = StudySession.load_course

    def held(self: StudySession, *, builtin_only: bool = False) -> Course:
        opened.wait(10)
        return load(self, builtin_only=builtin_only)

    monkeypatch.setattr(StudySession, "load_course", held)
    return opened


async def test_enter_before_the_course_loaded_opens_that_lesson_once_it_has(
    gate: threading.Event,
) -> None:
    async with tutor_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
    gate.clear()
    app = tutor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.lessons_screen
        listed = screen.query_one(LessonList).lessons
        assert screen.course is None and len(listed) > 2  # the index, not the course
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)  # still loading: kept, not refused
        assert not any("loading" in note.message for note in app._notifications)
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.lesson.id == listed[1].id
        assert len(app.screen_stack) == 2  # opened once


async def test_a_lesson_chosen_early_wins_over_reopening_the_last_one(
    gate: threading.Event,
) -> None:
    async with tutor_app().run_test(size=SIZE) as pilot:  # lesson 3 left unfinished
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)
    gate.clear()
    app = tutor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.lessons_screen.query_one(LessonList).lessons[0]
        await pilot.press("enter")  # lesson 1, before anything loaded
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.lesson.id == first.id
        assert len(app.screen_stack) == 2
