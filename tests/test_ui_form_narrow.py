"""The Lab's form at 60x20: the folded part's title fits (or ends in "…"), and unfolded, each
setting sits on a line of its own beside its label, wide enough to read, nothing past the edge."""

from __future__ import annotations

from pilot import settle, tutor_app
from textual.widgets import Checkbox, Collapsible, Input, Label, Select

from tutor.lab.server import LabServer
from tutor.ui.screens.experiment import ExperimentScreen


async def test_the_labs_form_reads_at_60_columns(lab: LabServer) -> None:
    app = tutor_app(builtin=False, lab=lab)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExperimentScreen)
        more = screen.query_one("#more", Collapsible)
        title = more.query_one("CollapsibleTitle")
        assert title.region.right <= 60
        assert len(str(title.render())) <= title.region.width or str(title.render()).endswith("…")
        more.collapsed = False
        await pilot.pause()
        await pilot.pause()
        width = screen.query_one("#form").region.right
        settings = [*more.query(Select), *more.query(Input), *more.query(Checkbox)]
        assert settings
        for setting in settings:
            assert setting.region.right <= width, setting
            assert setting.region.width >= 8, setting
        for label in more.query(Label):
            assert label.region.right <= width and label.region.width >= len(str(label.render()))
        repeat = more.query_one("#repeat", Select)
        origin = more.query_one("#origin", Select)
        assert repeat.region.y != origin.region.y  # one setting a line: rows wrap below 80
