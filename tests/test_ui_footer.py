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


PREDICT = Path(__file__).parent / "fixtures" / "content" / "valid"
QUIZ = Path(__file__).parent / "fixtures" / "quiz"


def shown_keys(app: object, width: int) -> dict[str, object]:
    """The footer's keys on screen by name, after checking that F1 Help is whole and nothing
    runs under the palette or past the edge."""
    footer = app.screen.query_one(TutorFooter)  # type: ignore[attr-defined]
    shown = {
        key.description: key.region
        for key in footer.query(FooterKey)
        if key.display and key.region.width
    }
    assert "Help" in shown, shown
    palette = shown.pop("palette")
    assert all(region.right <= palette.x for region in shown.values()), shown
    assert palette.right <= width
    return shown


@pytest.mark.parametrize("width", [60, 80])
async def test_the_reader_with_a_prediction_keeps_help_whole(
    width: int, lab: LabServer, tmp_path: Path
) -> None:
    """The prediction on the lesson's last step, with a next lesson: the longest reader footer."""
    lesson = (PREDICT / "01-predict.yaml").read_text(encoding="utf-8")
    (tmp_path / "01-predict.yaml").write_text(lesson, encoding="utf-8")
    following = lesson.replace("id: fixture-predict", "id: fixture-after")
    (tmp_path / "02-after.yaml").write_text(following, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "n")
        await settle(pilot)
        shown = shown_keys(app, width)
        assert {"Next lesson", "Predict"} <= set(shown)
        await pilot.press("1")  # graded: Run joins, Predict and Hint stay, dimmed
        await settle(pilot)
        assert {"Next lesson", "Run"} <= set(shown_keys(app, width))


@pytest.mark.parametrize("width", [60, 80])
async def test_the_lab_keeps_help_whole(width: int, lab: LabServer) -> None:
    app = tutor_app([PREDICT], builtin=False, lab=lab)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert "Run" in shown_keys(app, width)


@pytest.mark.parametrize("width", [60, 80])
async def test_the_quiz_keeps_help_whole(width: int, lab: LabServer) -> None:
    from tutor.quiz.plan import Plan

    app = tutor_app([QUIZ], builtin=False, lab=lab, quiz=Plan(lesson="quiz-lesson"))
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        assert "Answer" in shown_keys(app, width)
