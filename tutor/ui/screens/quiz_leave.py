"""The question Escape asks during an exam: ending it is for good (the answers so far stay, and
an exam with a result file hands it in), so one stray key must not do it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.ui.screens.help import HELP_BINDING
from tutor.ui.widgets.footer import TutorFooter

__all__ = ["LeaveExam"]


class LeaveExam(ModalScreen[bool]):
    """Dismissed with True to end the exam, False to keep going (n, or Escape again)."""

    HELP = (
        "Escape was pressed during an exam. Ending it is for good: the answers given so far "
        "are kept and graded. y ends it; n or Escape goes back to the question."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        HELP_BINDING,  # a modal screen hides the app's own keys
        Binding("y", "answer(True)", "End the exam", id="quiz.leave.yes", tooltip="End it now"),
        Binding("n", "answer(False)", "Keep going", id="quiz.leave.no", tooltip="Back to it"),
        Binding(
            "escape",
            "answer(False)",
            "Keep going",
            id="quiz.leave.cancel",
            show=False,
            tooltip="Back to the exam",
        ),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="quiz-leave"):
            yield Static("End the exam?", id="quiz-leave-title")
            yield Static("Answers given so far are kept.")
            yield Static("y  end it    n  keep going", id="quiz-leave-keys")
        yield TutorFooter()

    def action_answer(self, end: bool) -> None:
        self.dismiss(end)
