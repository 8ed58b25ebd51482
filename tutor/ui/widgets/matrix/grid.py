"""The matrix grid: one row per method and client, one column per code, each cell coloured by
what arrived at the lab."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from tutor.lab.printable import one_line

if TYPE_CHECKING:
    from tutor.experiments.outcome import Outcome

__all__ = ["CELL_STYLES", "MatrixGrid"]

CELL_STYLES = {
    "kept": "bold green",
    "became-get": "bold black on yellow",
    "body-dropped": "bold magenta",
    "changed": "bold dark_orange",
    "refused": "bold red",
    "not-followed": "red",
    "cannot": "dim",
    "absent": "dim italic",
}
"""The style of each legend entry (tutor.experiments.matrix.Cell values)."""


CELL_WIDTH = 7
"""A cell's columns: the longest a cell says is "DELETE∅" or "refused"."""


class MatrixGrid(DataTable[str | Text]):
    """Rows `METHOD client`, columns the codes; a cell fills in when its outcome arrives."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self._outcomes: dict[tuple[str, str, int | None], Outcome] = {}

    def prepare(
        self, client_names: Sequence[str], codes: Sequence[int], methods: Sequence[str]
    ) -> None:
        """Empty rows and columns for a run that is about to start."""
        self.clear(columns=True)
        self._outcomes.clear()
        self.add_column("request", key="request")
        for code in codes:
            self.add_column(str(code), key=str(code), width=CELL_WIDTH)
        for method in methods:
            for name in client_names:
                label = Text.assemble((f"{method:<6} ", "bold"), name)
                cells = [Text("…", "dim")] * len(codes)
                self.add_row(label, *cells, key=f"{method} {name}")
        self.move_cursor(row=0, column=1)

    def show(self, outcome: Outcome) -> None:
        """Fill in one cell."""
        from tutor.experiments.matrix import cell, cell_text

        self._outcomes[(outcome.method, outcome.client, outcome.code)] = outcome
        # Padded to the column: its colour fills the cell however the table last drew it.
        said = one_line(cell_text(outcome)).ljust(CELL_WIDTH)
        text = Text(said, CELL_STYLES[cell(outcome).value])
        self.update_cell(f"{outcome.method} {outcome.client}", str(outcome.code), text)

    @property
    def highlighted_outcome(self) -> Outcome | None:
        """The outcome under the cursor, once it has arrived."""
        if not self.row_count or self.cursor_column == 0:
            return None
        row, column = self.coordinate_to_cell_key(self.cursor_coordinate)
        method, _, client = str(row.value).partition(" ")
        return self._outcomes.get((method, client, int(str(column.value))))
