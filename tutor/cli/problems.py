"""What the plain commands say about lesson files that did not load: a broken pack is skipped,
never silently."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from tutor.course import Course

__all__ = ["warn_problems"]


def warn_problems(course: Course) -> None:
    """On stderr: how many problems, then each (file:line:col: message); the command goes on
    with the lessons that loaded. Nothing when there are none."""
    from tutor.course.problem_count import count_line

    if not course.problems:
        return
    click.secho(
        f"Warning: {count_line(course.problems)}; these lesson files were skipped "
        "(the other lessons loaded):",
        fg="yellow",
        err=True,
    )
    for problem in course.problems:
        click.echo(str(problem), err=True)
