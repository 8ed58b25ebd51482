"""The problems of lesson files that could not be loaded, one "file:line:col: message" each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.course.problem_count import count_line
from tutor.ui.literal import literal

if TYPE_CHECKING:
    from tutor.course.files import Problem

__all__ = ["Problems"]


class Problems(VerticalScroll):
    """A small warning box listing the problems of broken lesson files; hidden while there are
    none, or once the learner has hidden these very problems (new ones show it again).

    It scrolls, and takes the focus (Tab) so that a long list can be read with the keyboard;
    the stylesheet keeps it a few lines high, so the lessons keep the screen.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[Problem, ...] = ()
        self._hidden: tuple[Problem, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static()

    def on_mount(self) -> None:
        self.display = False

    def show(self, problems: Sequence[Problem]) -> None:
        self._shown = tuple(problems)
        self.display = bool(problems) and self._shown != self._hidden
        self.border_title = f"{count_line(problems)}: skipped, the rest loaded"
        lines = [str(problem) for problem in problems]
        self.query_one(Static).update(literal("\n".join(lines)))  # file names, as they are

    def hide(self) -> None:
        """The learner has read them: out of the way until the problems change."""
        self._hidden = self._shown
        self.display = False

    @property
    def text(self) -> str:
        """The problems as shown, without styles."""
        return str(self.query_one(Static).visual)
