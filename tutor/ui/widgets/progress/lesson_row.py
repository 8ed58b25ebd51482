"""One lesson on the Progress screen: its title, a bar of the steps seen, the questions known."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label, ProgressBar

from tutor.ui.literal import literal

if TYPE_CHECKING:
    from tutor.progress.summary import LessonProgress

__all__ = ["LessonRow"]


class LessonRow(Horizontal):
    def __init__(self, lesson: LessonProgress) -> None:
        super().__init__(classes="lesson-row -done" if lesson.done else "lesson-row")
        self.lesson = lesson

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        mark = "✓ " if lesson.done else "  "
        yield Label(literal(f"{mark}{lesson.title}"), classes="lesson-title")
        bar = ProgressBar(total=lesson.steps, show_eta=False, show_percentage=False)
        bar.progress = lesson.steps if lesson.done else lesson.reached
        yield bar
        steps = "done" if lesson.done else f"{lesson.reached}/{lesson.steps} steps"
        known = f"{lesson.known}/{lesson.questions} known" if lesson.questions else "no quiz"
        yield Label(Content(f"{steps:>10}  {known}"), classes="lesson-numbers")
