"""Pilot at 80x24 against the real lab: the Reference screen, and predict-then-run in the reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot import SIZE, settle, tutor_app
from textual.pilot import Pilot
from textual.widgets import Tabs

import tutor.ui
from tutor.experiments import clients
from tutor.lab.server import LabServer
from tutor.session.factory import make_session
from tutor.ui.app import TutorApp
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.reader import ReaderScreen
from tutor.ui.screens.reference import ReferenceScreen
from tutor.ui.widgets.experiment.verdict import VerdictLine
from tutor.ui.widgets.reader.prediction import PredictionGraded
from tutor.ui.widgets.reference.card_view import CardView

PACK = Path(__file__).parent / "fixtures" / "content" / "valid"


class Recording(TutorApp):
    """The tutor, keeping every graded prediction it hears of (as the learner's record would)."""

    CSS_PATH = str(Path(tutor.ui.__file__).parent / "tutor.tcss")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.graded: list[PredictionGraded] = []

    def on_prediction_graded(self, message: PredictionGraded) -> None:
        self.graded.append(message)


def markdown_of(screen: ReferenceScreen) -> str:
    return screen.query_one(CardView).source


async def test_reference_screen_reads_a_card_and_runs_its_experiment(lab: LabServer) -> None:
    app = tutor_app([PACK], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Cards" in titles
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReferenceScreen)
        assert screen.card is not None and screen.card.code == 305
        text = markdown_of(screen)
        assert text.startswith("# 305 Use Proxy\n")
        assert "<https://www.rfc-editor.org/rfc/rfc9110#section-15.4.6>" in text
        assert app.focused is screen.query_one(CardView)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ExperimentScreen)
        # The card's claim holds: the claim grades (✓), the verdict only describes (no red ✗).
        assert app.screen.query_one(VerdictLine).text.startswith("→ Stopped at the 305")
        assert "✓ Confirmed live." in str(app.screen.query_one("#claim").visual)
        await pilot.press("escape", "escape")
        assert app.screen is app.lessons_screen


async def test_reference_screen_moves_between_the_built_in_codes(lab: LabServer) -> None:
    app = tutor_app([PACK], lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReferenceScreen)
        codes = [card.code for card in screen.cards]
        assert codes == sorted(codes) and {305, 307} <= set(codes)
        assert screen.card is not None and screen.card.code == codes[0]
        await pilot.press("n")
        await pilot.pause()
        assert screen.card.code == codes[1]
        assert screen.query_one(Tabs).active == f"code-{codes[1]}"
        await pilot.press("p", "p")  # wraps around to the last code
        await pilot.pause()
        assert screen.card.code == codes[-1]
        assert markdown_of(screen).startswith(f"# {codes[-1]} ")


async def open_prediction(pilot: Pilot[None]) -> ReaderScreen:
    await settle(pilot)
    await pilot.press("enter", "n")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    assert screen.step.id == "guess"
    assert not screen.check_action("run", ())  # predict first
    return screen


def key_of(screen: ReaderScreen, choice_id: str) -> str:
    """The digit that picks `choice_id` in the order the choices are shown (shuffled)."""
    state = screen._prediction_state
    assert state is not None
    return str([choice.id for choice in state.order].index(choice_id) + 1)


async def test_a_predictions_choices_are_shown_shuffled_and_numbered_as_shown(
    lab: LabServer,
) -> None:
    orders = set()
    for _ in range(12):
        app = Recording(make_session([PACK], builtin=False, lab=lab))
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_prediction(pilot)
            state = screen._prediction_state
            assert state is not None and state.chosen is None
            shown = [str(option.prompt) for option in screen.query_one("#predict-choices").options]
            assert shown == [f"  {n}. {c.text}" for n, c in enumerate(state.order, 1)]
            orders.add(tuple(choice.id for choice in state.order))
    assert len(orders) > 1  # one order in 12 starts: (1/6)^11 for three choices


async def test_a_right_prediction_picked_with_arrows_and_enter(lab: LabServer) -> None:
    app = Recording(make_session([PACK], builtin=False, lab=lab))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prediction(pilot)
        for _ in range(int(key_of(screen, "get")) - 1):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        [graded] = app.graded
        assert (graded.lesson_id, graded.step_id, graded.choice_id) == (
            "fixture-predict",
            "guess",
            "get",
        )
        assert (graded.correct, graded.hints_used) == (True, 0)
        result = str(screen.query_one("#predict-result").visual)
        assert result.startswith("✓ You predicted it. A 303 is answered with a GET")
        # One signal: the grade; what the lab saw is a plain fact under it, never a red ✗.
        assert "The lab saw: POST became GET, body dropped." in result
        assert not screen.query_one("#predict-verdict", VerdictLine).display
        assert screen.check_action("run", ())
        assert not screen.check_action("pick", (0,))  # graded: the choice is made


async def test_a_wrong_prediction_after_a_hint_explains_both_and_shows_the_ladder(
    lab: LabServer,
) -> None:
    app = Recording(make_session([PACK], builtin=False, lab=lab))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prediction(pilot)
        await pilot.press("h")
        hints = str(screen.query_one("#predict-hints").visual)
        assert (
            hints == "Hint 1/3: 303 points to a different resource that gives an indirect answer."
        )
        await pilot.press(key_of(screen, "post-kept"))
        await settle(pilot)
        [graded] = app.graded
        assert (graded.choice_id, graded.correct, graded.hints_used) == ("post-kept", False, 1)
        result = str(screen.query_one("#predict-result").visual)
        assert "✗ Not this time. That is what 307 and 308 do" in result
        assert "The belief behind it: Every redirect re-sends the request as it was." in result
        assert "The answer: A GET, without the body." in result
        assert "The lab saw: POST became GET, body dropped." in result
        assert not screen.check_action("hint", ())
        await pilot.press(key_of(screen, "get"))  # too late to change one's mind
        await settle(pilot)
        assert len(app.graded) == 1
        hops_before = len(lab.journal)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ExperimentScreen)  # the ladder of the run that graded it
        assert app.screen.query_one(VerdictLine).text == "! POST became GET, body dropped"
        assert len(lab.journal) == hops_before  # shown, not run again


async def test_a_missing_client_says_which_and_how_to_install_it(
    lab: LabServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpx = clients.get("httpx")
    monkeypatch.setattr(httpx, "version", lambda: None)
    app = Recording(make_session([PACK], builtin=False, lab=lab))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prediction(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert app.graded == []  # not graded: nothing was sent
        verdict = screen.query_one("#predict-verdict", VerdictLine)
        assert verdict.text == f"✗ {httpx.label} is not installed (install: {httpx.install_hint})"
        result = str(screen.query_one("#predict-result").visual)
        assert result.startswith("The lab is running, but the client this prediction runs")
        assert f"Install it with {httpx.install_hint}, then press 1-9" in result
        assert "once the lab runs" not in result
        assert screen.check_action("pick", (0,))  # once installed, pick again
