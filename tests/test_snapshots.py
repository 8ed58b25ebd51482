"""Snapshots of the real screens at 80x24, on fixture lessons and a real lab at a fixed address.

Regenerate with `pytest tests/test_snapshots.py --snapshot-update`, then look at the SVGs.
What would differ from run to run is kept off these screens: the lab listens on a fixed
address, its chain tokens come from a counter (each test starts at its own block, so a test
run alone shows the same tokens), the header has no clock, and the experiments use httpx, a
library whose version is the one pinned in the virtualenv.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from pilot import SIZE, fixture_dir, settle, tutor_app
from textual.pilot import Pilot

from tutor.lab.journal import Journal
from tutor.lab.server import LabError, LabServer
from tutor.quiz.plan import Plan
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.matrix import MatrixScreen
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.screens.reader import ReaderScreen
from tutor.ui.screens.reference import ReferenceScreen

FIXTURES = Path(__file__).parent / "fixtures"
QUIZ_PACK = FIXTURES / "quiz"
CARD_PACK = FIXTURES / "content" / "valid"

HOST, PORT = "127.0.0.83", 8307
"""The lab's fixed address: the header and the ladder show it."""

Compare = Callable[..., bool]


class Tokens:
    """Chain tokens token0000000000000001, ...: each test starts at its own block of 1000."""

    def __init__(self) -> None:
        self.next = 1

    def start_at(self, block: int) -> None:
        self.next = block * 1000 + 1

    def __call__(self) -> str:
        token = f"token{self.next:017d}"
        self.next += 1
        return token


@pytest.fixture(scope="module")
def tokens() -> Tokens:
    return Tokens()


@pytest.fixture(scope="module")
def fixed_lab(tokens: Tokens) -> Iterator[LabServer]:
    """The real lab on HOST:PORT, its tokens from `tokens`; stopped after the module."""
    server = LabServer(HOST, PORT, journal=Journal(tokens=tokens))
    try:
        server.start()
    except LabError as error:
        pytest.fail(
            f"The snapshot tests need the lab on {HOST}:{PORT}, a fixed address, because "
            f"the screens show it: {error}",
            pytrace=False,
        )
    yield server
    server.stop()


def steps(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """A run_before: wait for the course, the record and the lab, then press `keys` one at a
    time, waiting for the background work each one starts."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.fixture(autouse=True)
def fixed_choice_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Choices are shuffled from a new seed per quiz or lesson: a snapshot needs one order."""
    monkeypatch.setattr("tutor.quiz.order.new_seed", lambda: 0)


def test_lesson_list(snap_compare: Compare, fixed_lab: LabServer, tokens: Tokens, tmp_path: Path):
    tokens.start_at(1)
    app = tutor_app([fixture_dir(tmp_path), QUIZ_PACK], builtin=False, lab=fixed_lab)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps())


def test_lesson_step(snap_compare: Compare, fixed_lab: LabServer, tokens: Tokens, tmp_path: Path):
    tokens.start_at(2)
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=fixed_lab)

    async def run_before(pilot: Pilot[None]) -> None:
        await steps("enter", "n")(pilot)
        assert isinstance(pilot.app.screen, ReaderScreen)
        assert pilot.app.screen.step.id == "run"

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_experiment_ladder_after_a_live_run(
    snap_compare: Compare, fixed_lab: LabServer, tokens: Tokens, tmp_path: Path
):
    tokens.start_at(3)
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=fixed_lab)

    async def run_before(pilot: Pilot[None]) -> None:
        await steps("enter", "n", "r")(pilot)
        assert isinstance(pilot.app.screen, ExperimentScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_matrix(snap_compare: Compare, fixed_lab: LabServer, tokens: Tokens, tmp_path: Path):
    # The screen runs every client it finds (no subset): the cells are judged by the lab, and the
    # cursor's trace (the first cell) is httpx's.
    tokens.start_at(4)
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=fixed_lab)

    async def run_before(pilot: Pilot[None]) -> None:
        await steps("m")(pilot)
        assert isinstance(pilot.app.screen, MatrixScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_quiz_feedback(snap_compare: Compare, fixed_lab: LabServer, tokens: Tokens):
    tokens.start_at(5)
    app = tutor_app([QUIZ_PACK], builtin=False, lab=fixed_lab, quiz=Plan(lesson="quiz-lesson"))

    async def run_before(pilot: Pilot[None]) -> None:
        await steps("1")(pilot)  # a wrong answer: the feedback names the misconception
        assert isinstance(pilot.app.screen, QuizScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_reference_card(snap_compare: Compare, fixed_lab: LabServer, tokens: Tokens):
    tokens.start_at(6)
    app = tutor_app([CARD_PACK], builtin=False, lab=fixed_lab)

    async def run_before(pilot: Pilot[None]) -> None:
        await steps("c")(pilot)
        assert isinstance(pilot.app.screen, ReferenceScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
