"""A broken lesson pack: the tutor's box stays a few lines high, counts the problems, and hides
with x; the plain commands name each problem on stderr, once, and go on with the rest."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fixed_lab import lab_at
from pilot import SIZE, fixture_dir, settle, tutor_app
from textual.pilot import Pilot

from tutor.lab.server import LabServer
from tutor.ui.widgets.course.lesson_list import LessonList
from tutor.ui.widgets.course.problems import Problems

BROKEN = {
    "zz-broken.yaml": "format: 1\nid: [unclosed\n",
    "zz-other.yaml": "format: 1\nid: x\n  nope: : :\n",
    "zz-third.yaml": "format: 1\nid: y\ntitle: [a\n",
}


def bad_pack(tmp_path: Path) -> Path:
    """The fixture lesson beside three broken files (three problems in three files)."""
    tmp_path.mkdir(exist_ok=True)
    fixture_dir(tmp_path)
    for name, text in BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


async def test_the_box_is_small_counted_and_hides_with_x(lab: LabServer, tmp_path: Path) -> None:
    app = tutor_app([bad_pack(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        problems = app.screen.query_one(Problems)
        assert problems.display
        assert problems.outer_size.height <= 5  # three lines and the border, of 24
        assert str(problems.border_title).startswith("3 problems in 3 files")
        assert app.screen.query_one(LessonList).outer_size.height >= 12
        assert app.screen.active_bindings["x"].binding.id == "lessons.hide_problems"
        await pilot.press("x")
        await pilot.pause()
        assert not problems.display
        assert "x" not in app.screen.active_bindings  # nothing left to hide


def test_the_box_at_80x24(
    snap_compare: Callable[..., bool], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_pack(tmp_path)
    monkeypatch.chdir(tmp_path)  # the box names the files as given: the same on every run

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)

    with lab_at("127.0.0.85", 8316) as lab:
        app = tutor_app([Path()], builtin=False, lab=lab)
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_plain_quiz_names_each_problem_on_stderr_once(tmp_path: Path) -> None:
    pack = bad_pack(tmp_path / "pack")
    done = subprocess.run(
        [sys.executable, "-m", "tutor", "--lessons", str(pack), "quiz", "--plain"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "3 problems in 3 files" in done.stderr
    for name in BROKEN:
        lines = [line for line in done.stderr.splitlines() if line.startswith(str(pack / name))]
        assert len(lines) == 1, done.stderr
        path_line_col = lines[0].split(": ", 1)[0]
        assert path_line_col.rsplit(":", 2)[1].isdigit()
    assert "Question 1/" in done.stdout  # and the quiz goes on with the lessons that loaded
