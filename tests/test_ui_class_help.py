"""The teacher's class view has the tutor's help screen: F1 or ? on every one of its screens says
what the screen is for and lists its keys; Escape closes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pilot import SIZE
from test_class_export import KEY, class_lab
from test_class_view import send, until
from textual.pilot import Pilot
from textual.screen import Screen

from tutor.classroom.exam import Exam
from tutor.classroom.routes import Classroom
from tutor.classroom.teacher import Access
from tutor.course.loader import load_course
from tutor.lab.server import LabServer
from tutor.ui.class_app import ClassApp
from tutor.ui.screens.class_chains import ChainsScreen
from tutor.ui.screens.class_exam import ExamForm
from tutor.ui.screens.class_export import ExportForm
from tutor.ui.screens.class_free import FreeName
from tutor.ui.screens.class_view import ClassScreen, EndExam
from tutor.ui.screens.help import HelpScreen


@pytest.fixture
def classroom() -> Iterator[tuple[LabServer, Classroom]]:
    with class_lab(load_course()) as (lab, room):
        yield lab, room


async def help_on(pilot: Pilot[None], key: str, under: type[Screen[object]]) -> list[str]:
    """`key` opens the help on `under`, which it explains; Escape closes it. The names of the
    screen's own keys, as the help lists them."""
    app = pilot.app
    assert isinstance(app.screen, under)
    await pilot.press(key)
    await pilot.pause()
    shown = app.screen
    assert isinstance(shown, HelpScreen)
    assert under.HELP and str(shown.query_one("#help-purpose").visual) == under.HELP
    names = [item.binding.description for item in shown.local + shown.everywhere]
    assert "Help" in names  # the app's, or a modal dialog's own (it hides the app's keys)
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, under)
    return names


async def test_every_class_screen_has_help(classroom: tuple[LabServer, Classroom]) -> None:
    lab, _ = classroom
    app = ClassApp(Access(lab.url, KEY))
    async with app.run_test(size=SIZE) as pilot:
        await send(lab, "ada", 307)
        await until(pilot, lambda: "ada" in app.screen.query_one("#class-grid").rows)
        assert {"Free name", "Set exam", "Export"} <= set(await help_on(pilot, "f1", ClassScreen))
        await help_on(pilot, "question_mark", ClassScreen)
        for key, dialog in (("e", ExamForm), ("x", ExportForm), ("f", FreeName)):
            await pilot.press(key)
            await until(pilot, lambda d=dialog: isinstance(app.screen, d))
            assert "Cancel" in await help_on(pilot, "f1", dialog)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ClassScreen))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChainsScreen))
        assert {"Back", "Trace"} <= set(await help_on(pilot, "f1", ChainsScreen))
        await pilot.press("escape")

        # The dialog that ends the exam says what Enter does there: Cancel has the focus.
        _, room = classroom
        room.exam = Exam.set(room.course, room.journal, {"seed": 42, "count": 3})
        room.beacon.bump()
        await until(pilot, lambda: app.state is not None and app.state.exam is not None)
        await pilot.press("E")
        await until(pilot, lambda: isinstance(app.screen, EndExam))
        assert "Cancel" in await help_on(pilot, "f1", EndExam)
        assert "Enter keeps the exam going" in (EndExam.HELP or "")
