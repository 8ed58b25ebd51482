"""Asks where to write the class table (a name with the time in it is offered), then writes it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from textual.widget import Widget
from textual.widgets import Input, Static

from tutor.classroom.export import FORMATS, default_name
from tutor.ui.literal import literal
from tutor.ui.screens.class_dialog import ClassDialog

__all__ = ["ExportForm"]


class ExportForm(ClassDialog[Path]):
    """Dismissed with the file written (absolute), or None."""

    HELP = (
        "Write the class table to a file: .csv for a spreadsheet, .json for a script. Enter "
        "writes it; Escape writes nothing."
    )

    def __init__(self, write: Callable[[Path], None]) -> None:
        super().__init__("Export the class table", "Write")
        self.write = write
        """Writes the table to a path; OSError when it cannot."""

    def fields(self) -> Iterable[Widget]:
        yield Static(
            literal(
                f"A .csv for a spreadsheet or a .json for a script; a name alone goes in "
                f"{Path.cwd()}."
            )
        )
        yield Input(default_name(), id="export-path", compact=True)

    async def confirm(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        path = Path(text).expanduser().absolute()
        if not text or path.suffix.lower() not in FORMATS:
            self.say("The file's name ends in .csv or .json.")
            return
        try:
            self.write(path)
        except OSError as error:
            self.say(f"It could not be written: {error.strerror or error}.")
            return
        self.dismiss(path)
