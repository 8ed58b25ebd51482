"""The matrix legend: what each cell colour means."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

from tutor.ui.widgets.matrix.grid import CELL_STYLES

__all__ = ["Legend"]

GAP = "  "
"""Between two items on a line."""


class Legend(Static):
    """One sample per kind of cell, with its meaning, laid out by whole items: a line breaks
    between items, never inside one ("■ body dropped (∅)" stays together). Across a change of
    scheme, what the credentials marks mean too, on a line of their own."""

    _scheme = "same"

    def show(self, scheme: str) -> None:
        self._scheme = scheme
        self._lay_out()

    def on_resize(self, _event: events.Resize) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        from tutor.experiments.matrix import CARRIED_LEGEND, LEGEND

        width = self.content_size.width or self.app.size.width
        lines = [Text()]
        for kind, meaning in LEGEND.items():
            item = Text.assemble(("■", CELL_STYLES[kind.value]), " ", meaning)
            line = lines[-1]
            if line and line.cell_len + len(GAP) + item.cell_len > width:
                lines.append(line := Text())
            if line:
                line.append(GAP)
            line.append_text(item)
        if self._scheme != "same":
            lines.append(Text(CARRIED_LEGEND))
        self.update(Text("\n").join(lines))
