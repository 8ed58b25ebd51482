"""The Journal at 80x24 opens at the newest request (at the bottom, the cursor on it), and End
goes to the last row, Home to the first, not to the last or first column."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from pilot import SIZE, settle, tutor_app
from textual.widgets import DataTable

from tutor.lab.server import LabServer
from tutor.ui.screens.journal import JournalScreen


def _send(lab: LabServer, count: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(lab.url).port, timeout=5)
    for n in range(count):
        connection.request("GET", f"/echo?n={n}")
        connection.getresponse().read()
    connection.close()


async def test_the_journal_opens_at_the_newest_and_end_goes_to_the_last_row(
    lab: LabServer,
) -> None:
    _send(lab, 40)
    app = tutor_app(builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, JournalScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count >= 40
        assert table.cursor_row == table.row_count - 1
        assert table.scroll_y == table.max_scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_y == 0
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == table.row_count - 1
        assert table.scroll_y == table.max_scroll_y
        assert table.scroll_x == 0
