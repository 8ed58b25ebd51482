"""One lesson on the Progress screen: its title, a bar of the steps seen, the questions known."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label, ProgressBar

from tutor.ui.literal import literal

if TYPE_CHECKING:
    from tutor.progress.summary import LessonProgress

__all__ = ["BAR_WIDTHS", "NUMBERS_WIDTH", "LessonRow", "fit_bars"]

BAR_WIDTHS = range(4, 23)
"""How wide a bar may be: as wide as the longest title leaves room for, up to 22."""
NUMBERS_WIDTH = 24
"""The "3/5 steps  2/4 known" column (the stylesheet's .lesson-numbers width)."""


class LessonRow(Horizontal):
    def __init__(self, lesson: LessonProgress) -> None:
        super().__init__(classes="lesson-row -done" if lesson.done else "lesson-row")
        self.lesson = lesson
        self.title = literal(f"{'✓ ' if lesson.done else '  '}{lesson.title}")

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        yield Label(self.title, classes="lesson-title")
        bar = ProgressBar(total=lesson.steps, show_eta=False, show_percentage=False)
        bar.progress = lesson.steps if lesson.done else lesson.reached
        yield bar
        steps = "done" if lesson.done else f"{lesson.reached}/{lesson.steps} steps"
        known = f"{lesson.known}/{lesson.questions} known" if lesson.questions else "no quiz"
        yield Label(Content(f"{steps:>10}  {known}"), classes="lesson-numbers")


def fit_bars(rows: Sequence[LessonRow], width: int) -> None:
    """Give the bars of `rows`, `width` columns wide, what the titles leave: the bars shrink
    first, and a title is cut (with "…") only once they are at their narrowest."""
    longest = max((row.title.cell_length for row in rows), default=0)
    free = width - NUMBERS_WIDTH - 1 - longest  # 1: the title's margin
    bar_width = min(max(free, BAR_WIDTHS.start), BAR_WIDTHS.stop - 1)
    for row in rows:
        for bar in row.query("Bar"):  # the ProgressBar's own bar, sized by its width
            bar.styles.width = bar_width
