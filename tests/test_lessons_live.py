"""Every built-in lesson loads cleanly and has the shape of a lesson (its claims run live in
test_content_live)."""

from __future__ import annotations

import pytest

from tutor.course.files import builtin_lessons_dir
from tutor.course.loader import load_course, load_file
from tutor.course.models import Experiment, Lesson

LESSON_FILES = sorted(builtin_lessons_dir().glob("*.y*ml"))
COURSE = load_course()
EXPERIMENTS = [
    pytest.param(experiment, id=f"{lesson.id}/{experiment.id}")
    for lesson in COURSE.lessons
    for experiment in lesson.experiments
]
LESSONS = [pytest.param(lesson, id=lesson.id) for lesson in COURSE.lessons]


def test_the_course_has_the_three_lessons():
    assert COURSE.problems == []
    assert len(COURSE.lessons) == len(LESSON_FILES) >= 3


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: path.name)
def test_each_lesson_file_loads_without_problems(path):
    lesson, problems = load_file(path)
    assert [str(problem) for problem in problems] == []
    assert lesson is not None


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_lesson_is_short_steps_with_sources_and_experiments(lesson: Lesson):
    assert 4 <= len(lesson.steps) <= 7
    assert lesson.experiments, "a lesson needs at least one live experiment"
    cited = {cite for step in lesson.steps for cite in step.cite}
    assert cited == {citation.id for citation in lesson.citations}, "cite every source, once used"
    for step in lesson.steps:
        assert step.cite, f"step {step.id} cites no source"


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_each_experiment_has_a_short_label_and_a_claim(experiment: Experiment):
    assert len(experiment.label) <= 50
    assert experiment.expect is not None, "every experiment says what it shows"
