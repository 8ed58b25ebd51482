"""What the Pilot tests share: the app on a session, a fixture lesson, and waiting until the
app's background work has landed."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from textual.pilot import Pilot
from textual.screen import Screen

from tutor.classroom.student import Join
from tutor.lab.server import LabServer
from tutor.quiz.plan import Plan
from tutor.session.factory import make_session
from tutor.ui.app import TutorApp, build_app

__all__ = ["FIXTURE_LESSON", "SIZE", "fixture_dir", "settle", "tutor_app"]

SIZE = (80, 24)
"""The terminal every Pilot test runs in: the tutor must read well at 80x24."""


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker finish and every message it posted be handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


FIXTURE_LESSON = textwrap.dedent(
    """\
    format: 1
    id: ui-fixture
    title: A fixture lesson
    summary: Two steps; the second runs a 307 live.
    minutes: 3
    citations:
      - id: rfc9110-15.4.8
        title: RFC 9110 §15.4.8 307 Temporary Redirect
        url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8
    steps:
      - id: read
        title: Read first
        cite: [rfc9110-15.4.8]
        text: Nothing to run on this step.
      - id: run
        title: Watch a 307
        cite: [rfc9110-15.4.8]
        text: A **307** keeps the method and the body.
        experiments:
          - id: post-307
            label: POST answered with 307, sent by httpx
            code: 307
            method: POST
            body: "name=ada"
            client: httpx
            expect: {method: POST, body: intact}
    """
)


S = TypeVar("S", bound=Screen[None])


async def opened(pilot: Pilot[None], key: str, kind: type[S]) -> S:
    """The screen of `kind` that `key` opens from the lessons, once it has settled (a matrix
    once its first run is over)."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen


def fixture_dir(tmp_path: Path) -> Path:
    """A lesson pack of one lesson, FIXTURE_LESSON."""
    (tmp_path / "fixture.yaml").write_text(FIXTURE_LESSON, encoding="utf-8")
    return tmp_path


def tutor_app(
    lesson_dirs: Sequence[Path] = (),
    *,
    builtin: bool = True,
    lab: LabServer | None = None,
    quiz: Plan | None = None,
    join: Join | None = None,
) -> TutorApp:
    """The tutor as `redirect-tutor` builds it: the app on a session from the one factory."""
    session = make_session(lesson_dirs, builtin=builtin, lab=lab, join=join)
    return build_app(session, quiz=quiz)
