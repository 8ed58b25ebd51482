"""lint of a large course in a pool of processes: the same problems, in the same order, as the
loader finds them in one process; a small course starts no process."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

from tutor.course import checked
from tutor.course.files import builtin_lessons_dir
from tutor.course.lint import each_problem, lint
from tutor.course.loader import each_file

FIXTURES = Path(__file__).parent / "fixtures"


def _loader_problems(paths: list[Path]) -> list[str]:
    """What the loader finds in `paths` beside the built-in course, as lint prints it."""
    return [
        str(problem)
        for loaded in each_file([builtin_lessons_dir(), *paths])
        for problem in loaded.problems
        if builtin_lessons_dir() not in problem.path.parents
    ]


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checked, "POOL_FROM", 0)


@pytest.mark.usefixtures("pooled")
def test_a_pool_finds_what_the_loader_finds_in_its_order():
    paths = [
        FIXTURES / "lessons" / "broken",
        FIXTURES / "lessons" / "mixed",
        FIXTURES / "lessons" / "duplicate-ids",
        FIXTURES / "quiz",
        FIXTURES / "nowhere",
    ]
    found = [str(problem) for problem in lint(paths)]
    assert found == _loader_problems(paths)
    assert any("is already used by" in line for line in found)
    assert any(line.endswith("no such file or directory") for line in found)


@pytest.mark.usefixtures("pooled")
def test_a_bank_whose_lesson_never_loads_is_withdrawn_after_every_file(tmp_path):
    quiz = FIXTURES / "quiz"
    shutil.copy(quiz / "02-bank.yaml", tmp_path / "a-bank.yaml")
    (tmp_path / "b-broken.yaml").write_text("format: 1\nid: [\n", encoding="utf-8")
    found = [str(problem) for problem in lint([tmp_path])]
    assert found == _loader_problems([tmp_path])
    assert "b-broken.yaml" in found[0] and found[-1].endswith(": file skipped")


@pytest.mark.usefixtures("pooled")
def test_a_pool_runs_in_processes_of_its_own_and_ends_with_the_check(tmp_path):
    for number in range(3):
        (tmp_path / f"{number}.yaml").write_text("format: 1\nid: [\n", encoding="utf-8")
    problems = each_problem([tmp_path])
    next(problems)
    assert multiprocessing.active_children()
    assert len([*problems]) == 2
    assert not multiprocessing.active_children()


def test_a_small_course_is_checked_without_a_pool(tmp_path):
    for number in range(3):
        (tmp_path / f"{number}.yaml").write_text("format: 1\nid: [\n", encoding="utf-8")
    problems = each_problem([tmp_path])
    next(problems)
    assert not multiprocessing.active_children()
    assert len([*problems]) == 2
