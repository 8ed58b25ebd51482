"""Asks before a student's name is freed for the student who joins with the code it gives."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Static

from tutor.ui.literal import literal
from tutor.ui.screens.class_dialog import ClassDialog

__all__ = ["FreeName"]


class FreeName(ClassDialog[str]):
    """Dismissed with the name to free, or None."""

    HELP = (
        "Free a student's name, for a student who moved to another computer: the name goes to "
        "whoever joins with the code shown next, and the student's work stays in the table. "
        "Enter frees it; Escape leaves it as it is."
    )

    AUTO_FOCUS = "#dialog-ok"

    def __init__(self, name: str) -> None:
        super().__init__(f"Free the name {name}?", "Free it")
        self.student = name

    def fields(self) -> Iterable[Widget]:
        yield Static(
            literal(
                f"The computer that first used {self.student} holds it, so nobody else can work "
                "under it. Freed, it goes to the student who joins with the code you will be "
                f"shown, from any computer: do it for a student who moved to another one. "
                f"{self.student}'s work stays in the table."
            )
        )

    async def confirm(self) -> None:
        self.dismiss(self.student)
