"""The hop table fits the screen's width (80 columns): a long path, Location or header change
is cut with "…", never by the screen's edge; it shows whole again when there is room."""

from __future__ import annotations

import dataclasses

from test_ui import hop
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from tutor.ui.widgets.experiment.hop_table import HopTable

LONG = "/echo?" + "&".join(f"field{n}=value{n}" for n in range(8))


class _Panel(App[None]):
    CSS = "VerticalScroll { padding: 0 1; } HopTable { height: auto; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield HopTable()


def _hops() -> list:
    first = hop(1, "POST", "/redirect/307/" + "long/" * 8, b"name=ada", 307, LONG)
    second = hop(2, "POST", "/echo", b"name=ada", 200, None)
    headers = tuple((f"X-Header-{n}", "v") for n in range(6))
    return [first, dataclasses.replace(second, headers=headers)]


async def test_the_hop_table_fits_80_columns_with_ellipses() -> None:
    app = _Panel()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(HopTable)
        table.show(_hops())
        await pilot.pause()
        assert table.virtual_size.width <= table.size.width
        first, second = table.get_row_at(0), table.get_row_at(1)
        assert str(first[2]).endswith("…") and str(first[5]).endswith("…")
        assert str(second[6]).endswith("…")
        labels = [str(column.label) for column in table.columns.values()]
        assert "headers ±" in labels and "location" in labels


async def test_the_hop_table_shows_whole_cells_when_wide() -> None:
    app = _Panel()
    async with app.run_test(size=(400, 24)) as pilot:
        table = app.query_one(HopTable)
        table.show(_hops())
        await pilot.pause()
        assert str(table.get_row_at(0)[5]) == LONG
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert str(table.get_row_at(0)[5]).endswith("…")
        assert table.virtual_size.width <= table.size.width
