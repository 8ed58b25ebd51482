"""The hop table: one row per request the lab saw, under the ladder."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from tutor.lab.cors import is_preflight
from tutor.lab.header_changes import compared, header_lines, summary
from tutor.lab.journal import Hop, shows_schemes, without_tokens
from tutor.lab.printable import one_line
from tutor.ui.widgets.experiment.ladder import (
    BODY_CHANGED,
    METHOD_CHANGED,
    body_change,
    scheme_style,
)

__all__ = ["HopTable"]


class HopTable(DataTable[str | Text]):
    """#, method, path, body bytes, status, Location and the header fields changed since
    the request before of each hop, changes marked; after the #, each hop's scheme (a change marked
    too) when one came over https. What came from the network is shown as it is: never read as
    markup, never acted on by the terminal; a long path or Location is cut with "…"."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self._columns(schemes=False)

    def _columns(self, *, schemes: bool) -> None:
        self.clear(columns=True)
        self.add_column("#", key="number")
        if schemes:
            self.add_column("scheme", key="scheme")
        self.add_column("method", key="method")
        self.add_column("path", key="path")
        self.add_column("body bytes", key="body")
        self.add_column("status", key="status")
        self.add_column("location", key="location")
        self.add_column("headers changed", key="headers")

    def show(self, hops: Sequence[Hop]) -> None:
        schemes = shows_schemes(hops)
        self._columns(schemes=schemes)
        previous: Hop | None = None
        for number, (hop, before) in enumerate(zip(hops, compared(hops), strict=True), 1):
            preflight = is_preflight(hop.method, hop.headers)
            changed = before is not None and hop.method != before.method
            style = "italic" if preflight else METHOD_CHANGED if changed else ""
            self.add_row(
                str(number),
                *([Text(hop.scheme, scheme_style(hop, previous))] if schemes else []),
                Text(one_line(hop.method), style),
                _cut(hop.path, _PATH),
                Text(
                    str(hop.body_size),
                    BODY_CHANGED if body_change(hop, before) else "",
                    justify="right",
                ),
                hop.status_text,
                _cut(without_tokens(hop.location or ""), _LOCATION),
                _cut(summary(header_lines(hop, before)), _CHANGES),
                key=str(number),
            )
            previous = hop


_PATH = 24
_CHANGES = 36
_LOCATION = 40
"""The widest a cell gets, so that the table's columns stay on an 80-column screen."""


def _cut(text: str, width: int) -> Text:
    cell = Text(one_line(text))
    cell.truncate(width, overflow="ellipsis")
    return cell
