"""The Quiz and Progress screens driven by Pilot at 80x24, and the app resuming a lesson.

The quiz shuffles each question's choices: the tests read the number a choice is shown under,
as a learner would, and press it."""

from __future__ import annotations

from pathlib import Path

from pilot import SIZE, settle, tutor_app
from textual.pilot import Pilot
from textual.widgets import Markdown, Static

from tutor.lab.server import LabServer
from tutor.progress.record import open_record
from tutor.quiz.plan import Plan
from tutor.ui.app import TutorApp
from tutor.ui.screens.progress import ProgressScreen
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.screens.reader import ReaderScreen
from tutor.ui.widgets.course.lesson_list import LessonList
from tutor.ui.widgets.quiz.choices import ChoiceList
from tutor.ui.widgets.quiz.feedback import Feedback

QUIZ_FIXTURES = Path(__file__).parent / "fixtures" / "quiz"


def app(lab: LabServer, quiz: Plan | None = None) -> TutorApp:
    return tutor_app([QUIZ_FIXTURES], builtin=False, lab=lab, quiz=quiz)


def text(pilot: Pilot[None], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


def key(pilot: Pilot[None], choice_id: str) -> str:
    """The digit key of a choice of the question asked: the number it is shown under."""
    screen = pilot.app.screen
    assert isinstance(screen, QuizScreen) and screen.quiz and screen.quiz.current
    ids = [choice.id for choice in screen.quiz.current.choices]
    return str(ids.index(choice_id) + 1)


def shown(pilot: Pilot[None]) -> list[str]:
    """The choices as the list shows them."""
    choices = pilot.app.screen.query_one(ChoiceList)
    return [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]


async def test_answering_a_question_shows_feedback_after_the_record_has_it(lab: LabServer):
    async with app(lab, Plan(lesson="quiz-lesson")).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, QuizScreen)
        assert text(pilot, "#quiz-status").startswith("Question 1/5")
        await pilot.press(key(pilot, "becomes-get"))  # a digit answers a one-answer question
        await settle(pilot)
        feedback = text(pilot, "#quiz-feedback")
        assert feedback.startswith("✗ Wrong. The answer: “It stays POST”")
        assert "The misconception: Every redirect turns a POST into a GET." in feedback
        assert pilot.app.screen.query_one(Feedback).has_class("-wrong")
        assert [(a.question, a.correct) for a in open_record().answers()] == [("single-307", False)]
        await pilot.press("n")
        await settle(pilot)
        assert text(pilot, "#quiz-status").startswith("Question 2/5 · Score 0/1")
        await pilot.press(key(pilot, "c307"), key(pilot, "c308"), "enter")  # digits tick
        await settle(pilot)
        assert text(pilot, "#quiz-feedback").startswith("✓ Right.")


async def test_a_prediction_runs_live_and_shows_the_hops(lab: LabServer):
    async with app(lab, Plan(tag="live", count=1)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key(pilot, "post-intact"))
        await settle(pilot)
        feedback = text(pilot, "#quiz-feedback")
        assert feedback.startswith("✓ Right.")
        assert "2. POST /echo (8 B) → 200 OK" in feedback
        await pilot.press("n")
        await settle(pilot)
        assert "Quiz over: 1 right of 1 graded (1/1 asked)." in text(pilot, "#quiz-feedback")


async def test_the_app_reopens_the_unfinished_lesson_at_its_step(lab: LabServer):
    record = open_record()
    record.show_step("quiz-lesson", "second")
    record.close()
    async with app(lab).run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = pilot.app.screen
        assert isinstance(reader, ReaderScreen) and reader.step.id == "second"
        await pilot.press("n")
        await settle(pilot)
        assert open_record().lessons()["quiz-lesson"].ended
        await pilot.press("escape")
        await settle(pilot)
        lessons = pilot.app.screen.query_one(LessonList)
        assert "✓ done" in str(lessons.get_option_at_index(0).prompt)


async def test_the_progress_screen_shows_lessons_boxes_and_due(lab: LabServer):
    async with app(lab, Plan(lesson="quiz-lesson", count=2)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key(pilot, "stays-post"))
        await settle(pilot)
        await pilot.press("n")
        await pilot.press(key(pilot, "c303"), "enter")
        await settle(pilot)
        await pilot.press("escape", "g")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProgressScreen)
        summary = "0/1 lessons, 1/5 questions known, 1 due for review"
        assert text(pilot, "#progress-summary") == summary
        assert text(pilot, "#progress-boxes").startswith("Leitner  box 1: 1  box 2: 1")
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QuizScreen)
        prompt = pilot.app.screen.query_one("#quiz-prompt", Markdown).source
        assert "Which codes keep the method and the body?" in prompt


async def test_the_numbers_are_the_shuffled_order_and_t_f_answer(lab: LabServer):
    """An exam shows each question's choices in its seed's order, numbered as shown; t and f
    answer a true/false question, which always reads True, False."""
    from tutor.quiz.order import shown as order

    async with app(lab, Plan(seed=4, tag="method")).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QuizScreen) and screen.quiz and screen.quiz.current
        question = screen.quiz.current.question
        expected = [f"{n}. {c.text}" for n, c in enumerate(order(question, 4), 1)]
        assert [line.removeprefix("  ").removeprefix("[ ] ") for line in shown(pilot)] == expected
    async with app(lab, Plan(tag="303", count=1)).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown(pilot) == ["  1. True", "  2. False"]  # a column kept for the mark
        keys = {b.binding.id for b in pilot.app.screen.active_bindings.values()}
        assert {"quiz.pick", "quiz.true", "quiz.false"} <= keys and "quiz.tick" not in keys
        await pilot.press("9")  # no ninth choice: nothing happens
        await settle(pilot)
        assert open_record().answers() == []
        await pilot.press("t")
        await settle(pilot)
        assert text(pilot, "#quiz-feedback").startswith("✓ Right.")
        assert [(a.question, a.chosen) for a in open_record().answers()] == [
            ("truefalse-303", ("true",))
        ]
