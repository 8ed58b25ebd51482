"""Check lesson files exactly as the tutor loads them, so a teacher sees every problem first."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from tutor.course.checked import each_checked
from tutor.course.files import Problem, builtin_lessons_dir
from tutor.course.loader import each_file

__all__ = ["each_problem", "lint"]


def lint(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in `paths`, as `each_problem` finds them; an empty list means all of it
    loads."""
    return list(each_problem(paths))


def each_problem(paths: Sequence[Path]) -> Iterator[Problem]:
    """Each problem in `paths` (course files, or directories of them; none: the built-in course)
    as it is found, so a course of any size is checked in bounded memory.

    The files are checked as the tutor loads them, beside the built-in course: a question may
    name a built-in lesson, and a card for a code the course already has is a clash. Only the
    problems of `paths` are reported. A path that does not exist is a problem too.
    """
    builtin = builtin_lessons_dir()
    given = [Path(path) for path in paths] or [builtin]
    for loaded in each_file([builtin, *given], each_checked):  # in a pool for a large course
        for problem in loaded.problems:
            if any(_within(problem.path, g) for g in given):
                yield problem


def _within(path: Path, given: Path) -> bool:
    """Whether `path` is `given` or inside it, as written or with links followed (a link in
    `given` may lead out of it, or loop: os.path.realpath never raises on one)."""
    return any(
        inner == outer or outer in inner.parents
        for inner, outer in (
            (Path(os.path.abspath(path)), Path(os.path.abspath(given))),
            (Path(os.path.realpath(path)), Path(os.path.realpath(given))),
        )
    )
