"""The frame of the class view's small questions (free a name, set the exam, export): a title,
the question's own fields, a line for what went wrong, and OK or Cancel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from tutor.ui.literal import literal
from tutor.ui.screens.help import HELP_BINDING
from tutor.ui.widgets.footer import TutorFooter

__all__ = ["ClassDialog"]

ResultT = TypeVar("ResultT")


class ClassDialog(ModalScreen[ResultT | None], Generic[ResultT]):
    """Enter (or OK) calls `confirm`, which dismisses with a result or `say`s why not; Escape
    (or Cancel) dismisses with None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="class.dialog.cancel", tooltip="Do nothing"),
        HELP_BINDING,
    ]

    def __init__(self, title: str, ok: str) -> None:
        super().__init__()
        self._title = title
        self._ok_label = ok

    def compose(self) -> ComposeResult:
        with Vertical(classes="class-dialog"):
            yield Static(literal(self._title), classes="class-dialog-title")
            yield from self.fields()
            yield Static(classes="class-dialog-problem")
            with Horizontal(classes="class-dialog-buttons"):
                yield Button(self._ok_label, id="dialog-ok", variant="primary", compact=True)
                yield Button("Cancel", id="dialog-cancel", compact=True)
        yield TutorFooter()

    def fields(self) -> Iterable[Widget]:
        """The question's own widgets, between the title and the buttons."""
        return ()

    async def confirm(self) -> None:
        """Do what was asked: `dismiss` with the result, or `say` why it cannot be done."""
        raise NotImplementedError

    def say(self, problem: str) -> None:
        line = self.query_one(".class-dialog-problem", Static)
        line.update(literal(problem))
        line.display = True

    @on(Button.Pressed, "#dialog-ok")
    @on(Input.Submitted)
    async def _ok(self) -> None:
        await self.confirm()

    @on(Button.Pressed, "#dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
