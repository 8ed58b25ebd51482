"""Check lesson files exactly as the tutor loads them, so a teacher sees every problem first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tutor.course.loader import Problem, builtin_lessons_dir, load_paths

__all__ = ["lint"]


def lint(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in `paths` (lesson files, or directories of them; none: the built-in course).

    A path that does not exist is a problem too. An empty list means all of it loads.
    """
    return load_paths([Path(path) for path in paths] or [builtin_lessons_dir()]).problems
