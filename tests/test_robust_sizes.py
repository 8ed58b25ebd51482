"""The app at 60x20, 80x24, 200x60 and with NO_COLOR: lessons, a lesson, the experiment panel."""

from __future__ import annotations

import html

import pytest
from pilot import settle, tutor_app
from textual.app import App

from tutor.lab.server import LabServer
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.lessons import LessonsScreen
from tutor.ui.screens.reader import ReaderScreen


def on_screen(app: App[None]) -> str:
    """The screen's text as drawn (from Textual's screenshot, without the SVG)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


@pytest.mark.parametrize(
    ("size", "no_color"),
    [((60, 20), False), ((80, 24), False), ((200, 60), False), ((80, 24), True)],
)
async def test_every_first_screen_opens(
    lab: LabServer, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = tutor_app(lab=lab)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LessonsScreen)
        assert "What a redirect is" in on_screen(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "Step 1/" in on_screen(app)
        await pilot.press("escape")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExperimentScreen)
        assert "Run" in on_screen(app)
