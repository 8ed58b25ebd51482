"""The Journal at 80x24 and 60x20: the verdict column ends at the screen's edge, and a path or
verdict too long for its column ends in "…" (the cell keeps the whole text)."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
from pilot import settle, tutor_app
from textual.widgets import DataTable

from tutor.lab.server import LabServer
from tutor.ui.screens.journal import JournalScreen

LONG_PATH = "/s/ada/redirect/307/" + "long/" * 12


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (120, 40)])
async def test_long_cells_end_in_an_ellipsis(size: tuple[int, int], lab: LabServer) -> None:
    app = tutor_app(builtin=False, lab=lab)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        connection = http.client.HTTPConnection("127.0.0.1", urlsplit(lab.url).port, timeout=5)
        connection.request("POST", LONG_PATH, body="x=1")
        connection.getresponse().read()
        connection.close()
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        columns = list(table.columns.values())
        verdict_right = sum(column.get_render_width(table) for column in columns[:6])
        assert verdict_right <= table.scrollable_content_region.width
        row = table.row_count - 1
        assert str(table.get_row_at(row)[2]) == LONG_PATH  # the cell keeps it all
        table.move_cursor(row=row, animate=False)
        await pilot.pause()
        y = table.cursor_row - int(table.scroll_y) + 1  # below the header row
        line = table.render_line(y).text
        path, verdict = (
            line[sum(c.get_render_width(table) for c in columns[:i]) :] for i in (2, 5)
        )
        assert path.split()[0].endswith("…")
        shown = verdict[: columns[5].get_render_width(table)].strip()
        whole = str(table.get_row_at(row)[5])
        assert shown == whole or (shown.endswith("…") and whole.startswith(shown[:-1])), line
