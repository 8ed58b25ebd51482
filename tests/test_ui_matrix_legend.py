"""The matrix legend wraps between items, never inside one, at 80x24 and 60x20."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from tutor.experiments.matrix import CARRIED_LEGEND, LEGEND
from tutor.ui.widgets.matrix.legend import Legend


class LegendApp(App[None]):
    CSS = "Legend { padding: 0 1; height: auto; }"

    def compose(self) -> ComposeResult:
        yield Legend()


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
@pytest.mark.parametrize("scheme", ["same", "upgrade"])
async def test_each_item_stays_on_one_line(size: tuple[int, int], scheme: str) -> None:
    app = LegendApp()
    async with app.run_test(size=size) as pilot:
        legend = app.query_one(Legend)
        legend.show(scheme)
        await pilot.pause()
        lines = str(legend.visual).splitlines()
        assert all(len(line) <= size[0] - 2 for line in lines), lines
        for meaning in LEGEND.values():
            assert any(f"■ {meaning}" in line for line in lines), (meaning, lines)
        assert (CARRIED_LEGEND in lines) == (scheme != "same")
        assert legend.outer_size.height == len(lines)  # nothing wrapped again inside a line


async def test_it_lays_out_again_when_the_terminal_narrows() -> None:
    app = LegendApp()
    async with app.run_test(size=(120, 24)) as pilot:
        legend = app.query_one(Legend)
        legend.show("same")
        await pilot.pause()
        wide = len(str(legend.visual).splitlines())
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert len(str(legend.visual).splitlines()) > wide
