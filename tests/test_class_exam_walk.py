"""The class exam's words, as a teacher's walk found them: a student whose input ends may go on,
an exam the teacher ended shows no clock, and the end offers nothing next."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot import SIZE, settle
from test_class_exam import QUIZ_FIXTURES, RIGHT, shown, take, teacher

from tutor.classroom.student import Join
from tutor.progress.location import HOME_VARIABLE
from tutor.quiz.plan import Plan
from tutor.session.factory import make_session
from tutor.ui.app import build_app
from tutor.ui.screens.quiz import QuizScreen


async def test_a_stopped_student_may_go_on_and_an_ended_exam_shows_no_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with teacher({"seed": 42, "count": 5, "time": 600}) as lab:
        two = "".join(lab.numbers(RIGHT).splitlines(keepends=True)[:2])
        done = take(tmp_path / "ada", lab.url, "ada", two)
        assert done.returncode == 0, done.stderr
        said = "Stopped: 2 of 5 answered; run it again to go on while the exam lasts."
        assert said in done.stdout and "Exam over for you" not in done.stdout

        assert lab.end().status_code == 200
        monkeypatch.setenv(HOME_VARIABLE, str(tmp_path / "ada"))  # her tutor, her seat key
        session = make_session([QUIZ_FIXTURES], builtin=False, join=Join(lab.url, "ada"))
        async with build_app(session, quiz=Plan()).run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = pilot.app.screen
            assert isinstance(screen, QuizScreen)
            status = shown(screen, "#quiz-status")
            assert status.endswith("· ended by the teacher") and "left" not in status, status
            assert screen.check_action("next", ()) is False, "nothing is next at the end"
            keys = {binding.id for _, binding, *_ in pilot.app.active_bindings.values()}
            assert "quiz.next" not in keys
        session.close()
