"""The Progress screen at 60x20, 80x24 and 120x40: the bars shrink first, so that the titles
keep their room; a title is cut, with "…", only once the bars are at their narrowest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fixed_lab import lab_at
from pilot import opened, tutor_app
from textual.pilot import Pilot
from textual.widgets import Label

from tutor.lab.server import LabServer
from tutor.ui.screens.progress import ProgressScreen
from tutor.ui.widgets.progress.lesson_row import BAR_WIDTHS, LessonRow


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)])
async def test_bars_give_way_to_titles(size: tuple[int, int], lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=size) as pilot:
        screen = await opened(pilot, "g", ProgressScreen)
        await pilot.pause()
        rows = list(screen.query(LessonRow))
        assert rows
        bar_width = rows[0].query_one("Bar").outer_size.width
        assert bar_width in BAR_WIDTHS
        for row in rows:
            title = row.query_one(".lesson-title", Label)
            assert row.query_one("Bar").outer_size.width == bar_width
            cut = title.content_size.width < row.title.cell_length
            assert not cut or bar_width == BAR_WIDTHS.start, (size, str(row.title))
            assert row.region.right <= size[0]
        if size[0] >= 120:
            assert bar_width == BAR_WIDTHS.stop - 1  # room for all: the bars at full width


def test_progress_at_60x20(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await opened(pilot, "g", ProgressScreen)

    with lab_at("127.0.0.86", 8316) as lab:
        app = tutor_app(lab=lab)
        assert snap_compare(app, terminal_size=(60, 20), run_before=run_before)
