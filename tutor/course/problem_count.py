"""How much of a course is broken, in a few words: the tutor's box and the plain commands both
start with it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.course.files import Problem

__all__ = ["count_line"]


def count_line(problems: Sequence[Problem]) -> str:
    """'3 problems in 2 files'."""
    files = len({problem.path for problem in problems})
    return (
        f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
        f"in {files} file{'s' if files != 1 else ''}"
    )
