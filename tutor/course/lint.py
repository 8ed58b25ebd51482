"""Check lesson files exactly as the tutor loads them, so a teacher sees every problem first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tutor.course.loader import Problem, builtin_lessons_dir, load_paths

__all__ = ["lint"]


def lint(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in `paths` (course files, or directories of them; none: the built-in course).

    A path that does not exist is a problem too. An empty list means all of it loads. Questions
    may name the built-in course's lessons, as they may when the tutor loads a pack beside it.
    """
    if not paths:
        return load_paths([builtin_lessons_dir()]).problems
    builtin = {lesson.id for lesson in load_paths([builtin_lessons_dir()]).lessons}
    return load_paths([Path(path) for path in paths], lessons_beyond=builtin).problems
