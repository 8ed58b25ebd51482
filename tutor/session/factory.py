"""The one factory: a learner's session, for the TUI, the plain commands, web, benchmarks, tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.session.lab import LabSession
from tutor.session.study import StudySession

if TYPE_CHECKING:
    from tutor.classroom.student import Join
    from tutor.lab.journal import Journal
    from tutor.lab.server import LabServer

__all__ = ["make_session"]


def make_session(
    lesson_dirs: Sequence[Path] = (),
    *,
    builtin: bool = True,
    lab: LabServer | None = None,
    journal: Journal | None = None,
    join: Join | None = None,
) -> StudySession:
    """A learner's session: the built-in course (unless `builtin` is false) and `lesson_dirs`,
    the learner's record (tutor.progress's; REDIRECT_TUTOR_HOME moves it), and a lab.

    Without `lab` the session starts its own on 127.0.0.1 (a free port) when asked and stops it
    on close, keeping its hops in `journal` (a fresh one by default); a given `lab` is used as
    it is and left running. With `join`, the lab is the teacher's, joined under the student's
    name (or, when it cannot be, one of the session's own: `lab.notice` says why). Nothing is
    loaded or started here: that is for the caller's threads.
    """
    return StudySession(LabSession(lab, journal=journal, join=join), lesson_dirs, builtin=builtin)
