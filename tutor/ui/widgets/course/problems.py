"""The problems of lesson files that could not be loaded, one "file:line:col: message" each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.ui.literal import literal

if TYPE_CHECKING:
    from tutor.course.files import Problem

__all__ = ["Problems"]


class Problems(VerticalScroll):
    """A warning box listing the problems of broken lesson files; hidden while there are none.

    It scrolls, and takes the focus (Tab) so that a long list can be read with the keyboard.
    """

    def compose(self) -> ComposeResult:
        yield Static()

    def on_mount(self) -> None:
        self.display = False

    def show(self, problems: Sequence[Problem]) -> None:
        self.display = bool(problems)
        lines = ["These lesson files could not be loaded (the other lessons are listed below):"]
        lines += [str(problem) for problem in problems]
        self.query_one(Static).update(literal("\n".join(lines)))  # file names, as they are

    @property
    def text(self) -> str:
        """The problems as shown, without styles."""
        return str(self.query_one(Static).visual)
