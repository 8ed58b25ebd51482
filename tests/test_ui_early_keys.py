"""A key pressed before the course has loaded is kept and acted on once it has, never refused:
the lesson list shows the cached index at once, and the learner may choose from it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual import events

from tests.pilot import SIZE, fixture_dir, settle, tutor_app
from tutor.course import Course
from tutor.session.study import StudySession
from tutor.ui.screens.lessons import LessonsScreen
from tutor.ui.screens.reader import ReaderScreen
from tutor.ui.widgets.course.lesson_list import LessonList


def _hold(monkeypatch: pytest.MonkeyPatch, *, builtin_too: bool = True) -> threading.Event:
    """The course (without `builtin_too`, the whole course but not the built-in lessons alone)
    loads only while the event returned is set; it is, until a test clears it."""
    opened = threading.Event()
    opened.set()
    load = StudySession.load_course

    def held(self: StudySession, *, builtin_only: bool = False) -> Course:
        if builtin_too or not builtin_only:
            opened.wait(10)
        return load(self, builtin_only=builtin_only)

    monkeypatch.setattr(StudySession, "load_course", held)
    return opened


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The course loads only while this is set; a first run leaves the cached index for the
    next, as any start does."""
    return _hold(monkeypatch)


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


async def test_a_built_in_lesson_opens_while_a_pack_still_loads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "pack").mkdir()
    pack = fixture_dir(tmp_path / "pack")
    async with tutor_app([pack]).run_test(size=SIZE) as pilot:  # the index, the kept courses
        await settle(pilot)
    whole = _hold(monkeypatch, builtin_too=False)
    whole.clear()
    app = tutor_app([pack])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.lessons_screen
        listed = [lesson.id for lesson in screen.query_one(LessonList).lessons]
        assert listed[-1] == "ui-fixture"  # the index lists the pack's lesson too
        await pilot.press("enter")
        for _ in range(100):  # the built-in lessons are here; the whole course is not
            await pilot.pause(0.02)
            if isinstance(app.screen, ReaderScreen):
                break
        assert isinstance(app.screen, ReaderScreen) and app.screen.lesson.id == listed[0]
        assert screen.course is None
        await pilot.press("escape", "end", "enter")  # the pack's lesson waits for the pack
        await pilot.pause()
        assert app.screen is screen
        assert [lesson.id for lesson in screen.query_one(LessonList).lessons] == listed
        whole.set()
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.lesson.id == "ui-fixture"
        assert len(app.screen_stack) == 2


async def test_arrows_and_enter_typed_at_once_open_the_lesson_the_arrows_reached() -> None:
    """A terminal hands over keys typed together at once; Enter (a priority binding, so that
    the footer shows it) must not overtake the arrows still queued for the list."""
    app = tutor_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listed = app.lessons_screen.query_one(LessonList).lessons
        for key, character in (("down", None), ("down", None), ("enter", "\r")):
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.lesson.id == listed[2].id


@pytest.mark.parametrize("pack_lesson", [False, True])
async def test_a_returning_learner_s_lesson_reopens_as_soon_as_it_is_here(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pack_lesson: bool
) -> None:
    """A built-in lesson left unfinished reopens before a pack has loaded; a pack's, after."""
    (tmp_path / "pack").mkdir()
    pack = fixture_dir(tmp_path / "pack")
    async with tutor_app([pack]).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("end" if pack_lesson else "down", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)
        left = pilot.app.screen.lesson.id
    whole = _hold(monkeypatch, builtin_too=False)
    whole.clear()
    app = tutor_app([pack])
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.02)
        assert isinstance(app.screen, ReaderScreen) != pack_lesson
        whole.set()
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.lesson.id == left
        assert len(app.screen_stack) == 2
