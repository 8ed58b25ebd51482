"""The quiz by keys at 80x24: digits, t/f and Enter answer; the marks keep one column; a
course text's Markdown is styled on screen and plain words in `--plain`; the question stays in
view above the feedback; Escape asks before it ends an exam. And its snapshot with feedback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pilot import SIZE, settle, tutor_app
from textual.content import Content
from textual.pilot import Pilot

from tutor.lab.server import LabServer
from tutor.quiz.feedback import plain_text, spans
from tutor.quiz.plan import Plan
from tutor.ui.app import TutorApp
from tutor.ui.screens.help import HelpScreen
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.screens.quiz_leave import LeaveExam
from tutor.ui.widgets.quiz.choices import ChoiceList

FIXTURES = Path(__file__).parent / "fixtures"
MARKED = FIXTURES / "quiz-marked"
QUIZ = FIXTURES / "quiz"


@pytest.fixture(autouse=True)
def fixed_choice_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Choices are shuffled from a new seed per quiz: a snapshot needs one order."""
    monkeypatch.setattr("tutor.quiz.order.new_seed", lambda: 0)


def marked_app(lab: LabServer) -> TutorApp:
    return tutor_app([MARKED], builtin=False, lab=lab, quiz=Plan(lesson="marked-lesson"))


def key(pilot: Pilot[None], choice_id: str) -> str:
    """The digit a choice is shown under."""
    screen = pilot.app.screen
    assert isinstance(screen, QuizScreen) and screen.quiz and screen.quiz.current
    return str([c.id for c in screen.quiz.current.choices].index(choice_id) + 1)


def shown(pilot: Pilot[None]) -> list[str]:
    choices = pilot.app.screen.query_one(ChoiceList)
    return [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("httpx sends `PUT` to a **307**\n", "httpx sends PUT to a 307"),
        ("303 See Other, Location `/thanks`", "303 See Other, Location /thanks"),
        ("stored **and** *then* read", "stored and then read"),
        ("**see `/x`**", "see /x"),
        ("`a**b**`", "a**b**"),  # code is literal
        ("a * b, 2*3*4, snake_case, __init__", "a * b, 2*3*4, snake_case, __init__"),
        ("a lone ` tick and ** stars", "a lone ` tick and ** stars"),
    ],
)
def test_plain_text_drops_only_paired_marks(markdown: str, plain: str) -> None:
    assert plain_text(markdown) == plain


def test_spans_say_how_each_piece_is_marked() -> None:
    assert spans("Location `/thanks` **and *so* on**.") == [
        ("Location ", ""),
        ("/thanks", "code"),
        (" ", ""),
        ("and ", "bold"),
        ("so", "bold em"),
        (" on", "bold"),
        (".", ""),
    ]


async def test_marks_keep_one_column_and_markdown_is_styled(lab: LabServer) -> None:
    async with marked_app(lab).run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = shown(pilot)
        assert all(line.startswith("  ") and "`" not in line for line in before)
        choices = pilot.app.screen.query_one(ChoiceList)
        option = choices.get_option_at_index(int(key(pilot, "c303")) - 1).prompt
        assert isinstance(option, Content) and str(option).endswith("Location /thanks")
        assert any(str(option)[span.start : span.end] == "/thanks" for span in option.spans)
        await pilot.press(key(pilot, "c307"))
        await settle(pilot)
        after = shown(pilot)
        # Every line keeps the number in the same column, marked or not.
        assert [line.index(".") for line in after] == [line.index(".") for line in before]
        assert sorted(line[:2] for line in after) == ["  ", "  ", "✓ ", "✗ "]


async def test_the_question_stays_in_view_above_the_feedback(lab: LabServer) -> None:
    async with marked_app(lab).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key(pilot, "c307"))
        await settle(pilot)
        screen = pilot.app.screen
        height = SIZE[1]
        for selector in ("#quiz-prompt", "#quiz-choices", "#quiz-feedback"):
            region = screen.query_one(selector).region
            assert 0 < region.y < height and region.height > 0, selector
        choices = screen.query_one("#quiz-choices").region
        assert choices.bottom <= height - 1  # above the footer
        body = screen.query_one("#quiz-body")
        assert body.has_focus and body.max_scroll_y > 0  # the long feedback scrolls on its own


async def test_enter_hands_in_the_highlighted_choice(lab: LabServer) -> None:
    async with marked_app(lab).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the first choice is highlighted
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QuizScreen) and screen.answered


async def test_t_answers_a_true_false_question(lab: LabServer) -> None:
    app = tutor_app([QUIZ], builtin=False, lab=lab, quiz=Plan(tag="303"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert str(pilot.app.screen.query_one("#quiz-feedback").render()).startswith("✓ Right.")


async def test_escape_asks_before_it_ends_an_exam(lab: LabServer) -> None:
    app = tutor_app([QUIZ], builtin=False, lab=lab, quiz=Plan(seed=4, tag="method"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quiz_screen = pilot.app.screen
        assert isinstance(quiz_screen, QuizScreen) and quiz_screen.quiz is not None
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LeaveExam)
        await pilot.press("f1")  # its own help, over the question it asks
        await settle(pilot)
        assert isinstance(pilot.app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LeaveExam)
        await pilot.press("n")
        await settle(pilot)
        assert pilot.app.screen is quiz_screen and not quiz_screen.quiz.finished
        await pilot.press("escape", "y")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, (QuizScreen, LeaveExam))
        assert quiz_screen.quiz.finished


async def test_escape_leaves_a_practice_quiz_at_once(lab: LabServer) -> None:
    async with marked_app(lab).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, (QuizScreen, LeaveExam))


def test_snapshot_quiz_with_feedback_at_80x24(
    snap_compare: Callable[..., bool], lab: LabServer
) -> None:
    """A wrong answer to a question in Markdown: the question, the marked choices and the top
    of the feedback all on one 80x24 screen."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(key(pilot, "c307"))
        await settle(pilot)

    assert snap_compare(marked_app(lab), terminal_size=SIZE, run_before=run_before)
