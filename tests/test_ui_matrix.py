"""The matrix screen driven by Pilot at 80x24 against the real lab and the real clients."""

from __future__ import annotations

from pilot import SIZE, opened, settle, tutor_app

from tutor.experiments.clients import CLIENT_NAMES
from tutor.lab.server import LabServer
from tutor.ui.screens.lessons import LessonsScreen
from tutor.ui.screens.matrix import MatrixScreen
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import Ladder
from tutor.ui.widgets.experiment.verdict import VerdictLine
from tutor.ui.widgets.matrix.grid import MatrixGrid


async def test_matrix_runs_and_shows_a_cells_trace(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, "m", MatrixScreen)
        grid = screen.query_one(MatrixGrid)
        # Every client is installed here (CI installs the programs): 6 methods x 11 clients.
        assert grid.row_count == 6 * len(CLIENT_NAMES)
        requests = 6 * 5 * len(CLIENT_NAMES)
        assert f"{requests} requests" in str(screen.query_one("#matrix-status").visual)
        # The cursor starts on POST httpx 301; three rows down and three right: urllib, 307.
        await pilot.press("down", "down", "down", "right", "right", "right")
        outcome = grid.highlighted_outcome
        assert (outcome.client, outcome.method, outcome.code) == ("urllib", "POST", 307)
        assert str(grid.get_cell_at(grid.cursor_coordinate)).rstrip() == "refused"
        verdict = screen.query_one(VerdictLine)
        assert verdict.text == "✗ Refused at the 307: nothing reached the target"
        assert screen.query_one(HopTable).row_count == 1

        await pilot.press("left", "left")  # urllib, 302: POST became GET
        assert screen.query_one(VerdictLine).text == "! POST became GET, body dropped"
        assert screen.query_one(HopTable).row_count == 2
        ladder = screen.query_one(Ladder)
        await pilot.press("h")  # the header fields under each request, the changes marked
        assert "- dropped  content-length: 8" in str(ladder.render())
        await pilot.press("h")
        assert "- dropped" not in str(ladder.render())

        await pilot.press("t")
        assert app.focused is screen.query_one("#matrix-trace")
        await pilot.press("t")
        assert app.focused is grid
        await pilot.press("escape")
        assert isinstance(app.screen, LessonsScreen)


async def test_the_palette_offers_the_matrix(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Matrix" in titles


async def test_s_runs_the_matrix_across_an_upgrade_and_a_downgrade(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, "m", MatrixScreen)
        await pilot.press("s")
        await settle(pilot)
        assert screen.sub_title == "http → https, with Authorization and Cookie"
        assert "Authorization, Cookie reached the target" in str(
            screen.query_one("#matrix-legend").visual
        )
        grid = screen.query_one(MatrixGrid)
        await pilot.press("down", "down", "down")  # POST urllib 301: it carries both
        assert str(grid.get_cell_at(grid.cursor_coordinate)).rstrip() == "GET AC"
        hops = grid.highlighted_outcome.hops
        assert [(hop.scheme, hop.method) for hop in hops] == [("http", "POST"), ("https", "GET")]
        await pilot.press("s")
        await settle(pilot)
        assert screen.sub_title == "https → http, with Authorization and Cookie"
        await pilot.press("s")
        await settle(pilot)
        assert screen.sub_title == ""
        assert "reached the target" not in str(screen.query_one("#matrix-legend").visual)
