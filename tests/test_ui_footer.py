"""The lesson list's footer: F1 Help always shows; Review due and Journal show when there is room
(100 columns) and give way at 80, where every other key still fits beside the palette; at 60
Cards, Matrix and Quit give way too."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot import fixture_dir, settle, tutor_app
from textual.widgets._footer import FooterKey

from tutor.lab.server import LabServer
from tutor.ui.widgets.footer import TutorFooter

EVERY = {"Open", "Lab", "Quiz", "Progress", "Help", "palette"}
"""In the footer at any width."""


@pytest.mark.parametrize(
    ("width", "also", "spare"),
    [
        (60, set(), False),
        (80, {"Cards", "Matrix", "Quit"}, False),
        (100, {"Cards", "Matrix", "Quit"}, True),
        (120, {"Cards", "Matrix", "Quit"}, True),
    ],
)
async def test_the_footer_shows_what_fits(
    width: int, also: set[str], spare: bool, lab: LabServer, tmp_path: Path
) -> None:
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(TutorFooter)
        shown = {
            key.description: key.region
            for key in footer.query(FooterKey)
            if key.display and key.region.width
        }
        assert EVERY | also <= set(shown)
        assert not {"Cards", "Matrix", "Quit"} - also & set(shown)
        assert ({"Review due", "Journal"} <= set(shown)) is spare
        # Nothing hidden under the palette, nothing past the edge.
        palette = shown.pop("palette")
        assert all(region.right <= palette.x for region in shown.values()), shown
        assert palette.right <= width
