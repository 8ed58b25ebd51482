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
        self._hops: tuple[Hop, ...] = ()
        self._room = 0
        """The width the rows were last fitted to."""

    def on_mount(self) -> None:
        self._columns(schemes=False)

    def on_resize(self) -> None:
        """Fit the rows again to the new width: a cut cell may now show whole, or must be cut."""
        if self._hops and self._width() != self._room:
            self.show(self._hops)

    def _width(self) -> int:
        """The table's width, or before its first layout, the screen's less the panel's edges."""
        return self.size.width or self.app.size.width - 4

    def _columns(self, *, schemes: bool) -> None:
        self.clear(columns=True)
        self.add_column("#", key="number")
        if schemes:
            self.add_column("scheme", key="scheme")
        self.add_column("method", key="method")
        self.add_column("path", key="path")
        self.add_column("bytes", key="body")
        self.add_column("status", key="status")
        self.add_column("location", key="location")
        self.add_column(CHANGES, key="headers")

    def show(self, hops: Sequence[Hop]) -> None:
        self._hops = tuple(hops)
        self._room = self._width()
        schemes = shows_schemes(hops)
        self._columns(schemes=schemes)
        pairs = list(zip(hops, compared(hops), strict=True))
        paths = [one_line(hop.path) for hop in hops]
        locations = [one_line(without_tokens(hop.location or "")) for hop in hops]
        changes = [summary(header_lines(hop, before)) for hop, before in pairs]
        fixed = [
            _widest("#", [str(len(hops))]),
            *([_widest("scheme", [])] if schemes else []),
            _widest("method", [one_line(hop.method) for hop in hops]),
            _widest("bytes", [str(hop.body_size) for hop in hops]),
            _widest("status", [hop.status_text for hop in hops]),
        ]
        flexible = ["path", "location", CHANGES]
        natural = [
            _widest(name, cells)
            for name, cells in zip(flexible, [paths, locations, changes], strict=True)
        ]
        room = self._room - sum(fixed) - 2 * self.cell_padding * (len(fixed) + 3)
        floors = [len(name) for name in flexible]
        kept = [min(natural[0], PATH_KEPT), *floors[1:]]  # the path gives way last
        path_cap, location_cap, changes_cap = _fit(
            natural, room=room, floors=kept if sum(kept) <= room else floors
        )
        previous: Hop | None = None
        for number, (hop, before) in enumerate(pairs, 1):
            preflight = is_preflight(hop.method, hop.headers)
            changed = before is not None and hop.method != before.method
            style = "italic" if preflight else METHOD_CHANGED if changed else ""
            self.add_row(
                str(number),
                *([Text(hop.scheme, scheme_style(hop, previous))] if schemes else []),
                Text(one_line(hop.method), style),
                _cut(paths[number - 1], path_cap),
                Text(
                    str(hop.body_size),
                    BODY_CHANGED if body_change(hop, before) else "",
                    justify="right",
                ),
                hop.status_text,
                _cut(locations[number - 1], location_cap),
                _cut(changes[number - 1], changes_cap),
                key=str(number),
            )
            previous = hop


CHANGES = "headers ±"
"""The header fields added (+), dropped (-) or changed (~) since the request before."""
PATH_KEPT = 16
"""The path's width kept while the Location and header columns give way."""


def _widest(label: str, cells: Sequence[str]) -> int:
    return max(len(label), *(len(cell) for cell in cells), 0)


def _fit(natural: list[int], *, room: int, floors: list[int]) -> list[int]:
    """The widest the path, Location and header columns may be so that the table fits `room`:
    the widest gives way first, none below its floor (its label); a cut cell ends in "…"."""
    caps = list(natural)
    while sum(caps) > room:
        give = [cap - floor for cap, floor in zip(caps, floors, strict=True)]
        widest = give.index(max(give))
        if give[widest] <= 0:
            break
        caps[widest] -= 1
    return caps


def _cut(text: str, width: int) -> Text:
    cell = Text(one_line(text))
    cell.truncate(width, overflow="ellipsis")
    return cell
