"""The matrix legend: what each cell colour means."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tutor.ui.widgets.matrix.grid import CELL_STYLES

__all__ = ["Legend"]


class Legend(Static):
    """One sample per kind of cell, with its meaning; wraps to the screen's width. Across a
    change of scheme, what the credentials marks mean too, on a line of their own (wrapped
    after the colours, "A, C:" would end one line and its meaning start the next)."""

    def show(self, scheme: str) -> None:
        from tutor.experiments.matrix import CARRIED_LEGEND, LEGEND

        parts: list[Text | str] = []
        for kind, meaning in LEGEND.items():
            parts += [Text(" ■ ", CELL_STYLES[kind.value]), meaning, "  "]
        if scheme != "same":
            parts += ["\n ", CARRIED_LEGEND]
        self.update(Text.assemble(*parts))
