"""The lesson list at 80x24 with the learner's progress: each lesson numbered as its file and the
lessons' own text number it, the count done in the list's title (as rustlings shows it), and a
lesson read to the end whose prediction was skipped shown apart from a done one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pilot import SIZE, settle, tutor_app
from textual.pilot import Pilot

from tutor.course.loader import load_course
from tutor.lab.server import LabError, LabServer
from tutor.progress.record import open_record
from tutor.progress.standing import asked
from tutor.ui.screens.lessons import LessonsScreen

HOST, PORT = "127.0.0.86", 8336
"""The snapshot's lab: a fixed address, because the header shows it."""


@pytest.fixture(scope="module")
def fixed_lab() -> Iterator[LabServer]:
    server = LabServer(HOST, PORT)
    try:
        server.start()
    except LabError as error:
        pytest.fail(f"The snapshot needs the lab on {HOST}:{PORT}: {error}", pytrace=False)
    yield server
    server.stop()


def _learner() -> None:
    """Lesson 1 done (read to the end, its prediction answered); lesson 2 read to the end with
    its prediction skipped, and last (a lesson read to the end is not reopened at the start);
    lesson 3 at its second step."""
    first, second, third = load_course().lessons[:3]
    record = open_record()
    record.show_step(third.id, third.steps[1].id)
    record.show_step(first.id, first.steps[-1].id, last=True)
    for step_id, part in asked(first):
        record.meet(first.id, step_id, part)
    record.show_step(second.id, second.steps[-1].id, last=True)
    record.close()


def test_lessons_numbered_with_progress(
    snap_compare: Callable[..., bool], fixed_lab: LabServer
) -> None:
    _learner()
    app = tutor_app(lab=fixed_lab)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, LessonsScreen)
        assert str(screen.query_one("#lessons").border_title) == "Lessons · 1/17 done"

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
