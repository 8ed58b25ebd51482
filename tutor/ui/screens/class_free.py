"""Asks before a student's name is freed, frees it, and shows the claim code once: in the dialog,
until the teacher closes it, never in a notice that stays on a screen the class may see."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Button, Static

from tutor.classroom.teacher import TeacherError, TeacherLink
from tutor.ui.literal import literal
from tutor.ui.screens.class_dialog import ClassDialog

__all__ = ["FreeName"]


class FreeName(ClassDialog[str]):
    """Dismissed with the name once freed (after the teacher has read its code), or None."""

    HELP = (
        "Free a student's name, for a student who moved to another computer: the name goes to "
        "whoever joins with the code this dialog then shows, once; the student's work stays in "
        "the table. Enter frees it; Escape leaves it as it is. Once freed, read the code to the "
        "student, then Enter or Escape closes the dialog and the code is not shown again."
    )

    AUTO_FOCUS = "#dialog-ok"

    def __init__(self, link: TeacherLink, name: str, join_url: str) -> None:
        super().__init__(f"Free the name {name}?", "Free it")
        self.link = link
        self.student = name
        self.join_url = join_url
        self.freed = False

    def fields(self) -> Iterable[Widget]:
        yield Static(
            literal(
                f"The computer that first used {self.student} holds it, so nobody else can work "
                "under it. Freed, it goes to the student who joins with the code you will be "
                f"shown, from any computer: do it for a student who moved to another one. "
                f"{self.student}'s work stays in the table."
            ),
            id="free-about",
        )

    async def confirm(self) -> None:
        if self.freed:  # the code has been read: Enter closes
            self.dismiss(self.student)
            return
        try:
            code = await self.link.free(self.student)
        except TeacherError as error:
            self.say(str(error))
            return
        self.freed = True
        name = self.student
        if code is None:
            title, said = f"{name} is free", f"No computer held {name}: it is free."
        else:
            title = f"{name} is free for code {code}"
            said = (
                f"Give {name} this code: {code}\n\nOn the new computer they join with:\n"
                f"redirect-tutor --join {self.join_url} --name {name} --code {code}\n\n"
                "The code is shown only here: Enter or Escape closes this."
            )
        self.query_one(".class-dialog-title", Static).update(literal(title))
        self.query_one("#free-about", Static).update(literal(said))
        self.query_one("#dialog-ok", Button).label = "Close"
        self.query_one("#dialog-cancel", Button).display = False
        self.query_one("#dialog-ok", Button).focus()

    def action_cancel(self) -> None:
        self.dismiss(self.student if self.freed else None)
