"""The Quiz screen: one question at a time, feedback after each answer, the review at the end.

Answers are graded in a worker: a prediction's experiment runs live there, and the answer is in
the learner's record before the feedback appears. A class exam's answers are only recorded while
it runs: the screen says so, and at the end asks the class lab for the grades (in a worker too).
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Markdown, Static

from tutor.session.lab import LabUnavailable
from tutor.ui.literal import printable
from tutor.ui.screens.quiz_leave import LeaveExam
from tutor.ui.widgets.footer import TutorFooter
from tutor.ui.widgets.quiz.choices import ChoiceList
from tutor.ui.widgets.quiz.feedback import Feedback

if TYPE_CHECKING:
    from tutor.quiz.grading import Grade
    from tutor.quiz.plan import Plan
    from tutor.quiz.session import Quiz, Withheld
    from tutor.session.study import StudySession

__all__ = ["QuizScreen"]

_KINDS = {
    "single": "one answer: its number, or Enter",
    "multiple": "one or more: tick with their numbers or space, then Enter",
    "truefalse": "true or false: t or f",
    "predict": "predict by its number, then it runs live",
}


class QuizScreen(Screen[None]):
    """A quiz drawn by a Plan (a lesson's questions, a tag, those due, or an exam)."""

    HELP = (
        "A quiz: answer with a digit (t or f for true or false, Enter for the highlighted "
        "choice), read why it is right or wrong, then n for the next question; a prediction "
        "is graded by a live run on the lab."
    )

    AUTO_FOCUS = "#quiz-choices"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next", id="quiz.next", tooltip="The next question (or the review)"),
        Binding(
            "escape", "back", "Back", id="quiz.back", tooltip="Leave the quiz (an exam asks first)"
        ),
    ]

    class Graded(Message):
        def __init__(self, grade: Grade | Withheld) -> None:
            super().__init__()
            self.grade = grade

    class Settled(Message):
        """The quiz is over and the grader was asked for the grades it withheld; `head` leads
        the end."""

        def __init__(self, head: list[str]) -> None:
            super().__init__()
            self.head = head

    class Ready(Message):
        """The questions are drawn (`quiz`), or there are none to ask (`problem`)."""

        def __init__(self, quiz: Quiz | None, problem: str | None) -> None:
            super().__init__()
            self.quiz = quiz
            self.problem = problem

    class Failed(Message):
        """The answer could not be graded (no lab, time up); `text` says why, for the learner."""

        def __init__(self, text: str, *, over: bool = False) -> None:
            super().__init__()
            self.text = text
            self.over = over

    def __init__(self, session: StudySession, plan: Plan) -> None:
        super().__init__()
        self.session = session
        self.plan = plan
        self._left = threading.Event()
        """Set when the learner leaves the screen: a live run still going is cancelled."""
        self.quiz: Quiz | None = None
        self.answered = False
        """The feedback of the current question is showing."""
        self.over = False
        self.title = "Exam" if plan.exam else "Quiz"
        self.sub_title = printable(plan.describe())

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="quiz-status")
        # The question and its choices stay on screen above the feedback, which scrolls on its
        # own: a learner reads why next to what was asked.
        with VerticalScroll(id="quiz-question", can_focus=False):
            yield Markdown(id="quiz-prompt")
            yield ChoiceList(id="quiz-choices")
        with VerticalScroll(id="quiz-body"):
            yield Feedback(id="quiz-feedback")
        yield TutorFooter()

    def on_mount(self) -> None:
        course = self.session.course
        if course is not None:
            self.sub_title = printable(self.plan.describe(course.lesson_titles))
        self.query_one(Feedback).show(["Drawing the questions…"], "busy")
        self._draw()

    def on_unmount(self) -> None:
        self._left.set()

    @work(exclusive=True, thread=True, group="quiz", description="Drawing the questions")
    def _draw(self) -> None:
        """Draw the questions (the record says which are due) and start the lab if one predicts;
        on a class lab whose teacher set an exam, open that exam (tutor.session.study)."""
        with contextlib.suppress(LabUnavailable):  # the app starts it too: this waits for it
            self.session.lab.start()
        try:
            quiz, problem = self.session.quiz(self.plan, cancel=self._left)
        except LabUnavailable as error:
            quiz, problem = None, str(error)
        self.post_message(self.Ready(quiz, problem))

    def on_quiz_screen_ready(self, message: Ready) -> None:
        if message.quiz is None:
            self._end([message.problem or "Nothing to ask."])
            return
        quiz = self.quiz = message.quiz
        if quiz.graded_by:  # a class exam: the header says the lab grades it
            self.title, self.sub_title = "Exam", "graded by the class lab"
        if quiz.position:
            self.notify(
                f"Resumed: {quiz.position} of {len(quiz.items)} answered before.",
                title="Exam",
                markup=False,
            )
        if quiz.deadline is not None:
            self.set_interval(1, self._tick)
        if quiz.finished:
            self._end(["Time is up." if quiz.timed_out else ""])
        else:
            self._ask()

    def _status(self) -> None:
        quiz = self.quiz
        if quiz is None:
            return
        from tutor.quiz.feedback import score_line

        number = min(quiz.position + (0 if self.answered else 1), len(quiz.items))
        tally = score_line(quiz) if quiz.scored else f"{quiz.position} recorded"
        text = f"Question {number}/{len(quiz.items)} · {tally}"
        left = quiz.time_left()
        if quiz.closed is not None:  # no clock: the time left did not end it
            text += f" · {quiz.closed}"
        elif left is not None:
            text += f" · {int(left) // 60:02d}:{int(left) % 60:02d} left"
        self.query_one("#quiz-status", Static).update(Content(text))

    def _ask(self) -> None:
        assert self.quiz is not None and self.quiz.current is not None
        item = self.quiz.current
        question = item.question
        self.answered = False
        self.query_one("#quiz-prompt", Markdown).update(
            printable(f"{question.prompt.strip()}\n\n*{_KINDS[question.kind]}*")
        )
        choices = self.query_one(ChoiceList)
        choices.display = True
        choices.disabled = False
        choices.ask(item)
        choices.focus()
        self.query_one(Feedback).clear()
        self.remove_class("-answered")
        self.query_one("#quiz-question").scroll_home(animate=False)
        self._status()
        self.refresh_bindings()

    @on(ChoiceList.Answered)
    def _answered(self, message: ChoiceList.Answered) -> None:
        if self.quiz is None or self.answered or self.over:
            return
        self.query_one(ChoiceList).disabled = True
        assert self.quiz.current is not None
        live = self.quiz.current.question.kind == "predict"
        busy = "Running the experiment live on the lab…" if live else "Grading…"
        self.query_one(Feedback).show([busy], "busy")
        self._grade(message.chosen)

    @work(exclusive=True, thread=True, group="quiz", description="Grading the answer")
    def _grade(self, chosen: list[str]) -> None:
        from tutor.quiz.session import TimeUp

        assert self.quiz is not None
        try:
            grade = self.quiz.answer(chosen)
        except TimeUp as error:
            self.post_message(self.Failed(f"Time is up: {error}.", over=True))
        except LabUnavailable as error:
            self.post_message(self.Failed(str(error)))
        except Exception as error:  # a message for the learner, never a traceback
            self.post_message(self.Failed(f"The answer could not be graded: {error}"))
        else:
            self.post_message(self.Graded(grade))

    def on_quiz_screen_graded(self, message: Graded) -> None:
        from tutor.quiz.feedback import RECORDED, feedback
        from tutor.quiz.session import Withheld

        grade = message.grade
        self.answered = True
        choices = self.query_one(ChoiceList)
        if isinstance(grade, Withheld):  # a class exam that runs: nothing right or wrong yet
            lines, mood, end = [RECORDED], "over", "Press n to finish."
            choices.record([c.id for c in grade.chosen])
        else:
            lines, end = feedback(grade), "Press n for the review."
            mood = "void" if grade.void else "right" if grade.correct else "wrong"
            choices.reveal([c.id for c in grade.chosen], [c.id for c in grade.right])
        last = self.quiz is not None and self.quiz.finished
        after = end if last else "Press n for the next question."
        self.query_one(Feedback).show([*lines, "", after], mood)
        self.add_class("-answered")
        body = self.query_one("#quiz-body")
        body.focus()
        body.scroll_home(animate=False)
        self._status()
        self.refresh_bindings()

    def on_quiz_screen_failed(self, message: Failed) -> None:
        if message.over:
            self._end([message.text])
            return
        self.query_one(Feedback).show([message.text, "Answer again when it is back."], "void")
        choices = self.query_one(ChoiceList)
        choices.disabled = False
        choices.focus()

    def _tick(self) -> None:
        if self.quiz is None or self.over:
            return
        self._status()
        if self.quiz.time_left() == 0 and not self.answered:
            self.quiz.stop(timed_out=True)
            self._end(["Time is up."])

    def _end(self, head: list[str]) -> None:
        """The quiz is over: a class exam first asks the lab for the grades it withheld."""
        self.over = True
        self.query_one(ChoiceList).display = False
        if self.quiz is not None and self.quiz.withheld:
            self.query_one(Feedback).show(["Asking the class lab for the grades…"], "busy")
            self._settle(head)
        else:
            self._show_end(head)

    @work(thread=True, group="quiz-end", description="Asking the class lab for the grades")
    def _settle(self, head: list[str]) -> None:
        assert self.quiz is not None
        self.quiz.settle()
        self.post_message(self.Settled(head))

    def on_quiz_screen_settled(self, message: Settled) -> None:
        self._show_end(message.head)

    def _show_end(self, head: list[str]) -> None:
        """The end: the review (or that the grades come later), and for an exam the result
        file."""
        from tutor.quiz.feedback import ending

        lines = [line for line in head if line]
        if self.quiz is not None:
            lines += ending(self.quiz)
            if self.plan.result is not None:
                lines.append(f"Handing in the result ({self.plan.result})…")
                self._hand_in()
        self.query_one("#quiz-prompt", Markdown).update("## The end")
        self.query_one(Feedback).show(lines or ["Nothing to ask."], "over")
        self.remove_class("-answered")
        body = self.query_one("#quiz-body")
        body.focus()
        body.scroll_home(animate=False)
        self._status()
        self.refresh_bindings()

    def _hand_in(self) -> None:
        """Write an exam's result file in a worker of the app's (leaving the screen must not
        stop it), then tell the learner how it went."""
        assert self.quiz is not None
        quiz, plan, session, app = self.quiz, self.plan, self.session, self.app

        def write() -> None:
            text = session.hand_in(quiz, plan)
            app.call_from_thread(
                app.notify, printable(text), title="Exam", timeout=15, markup=False
            )

        app.run_worker(write, thread=True, group="hand-in", description="Writing the result")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":  # hidden at the end: there is nothing next
            return False if self.over else True if self.answered else None
        return True

    def action_next(self) -> None:
        if self.quiz is None or not self.answered or self.over:
            return
        if self.quiz.finished:
            self._end([])
        else:
            self._ask()

    def action_back(self) -> None:
        """Leave; during an exam ask first (quiz_leave), as ending it is for good."""
        quiz = self.quiz
        if quiz is not None and not self.over and (self.plan.exam or quiz.graded_by):
            self.app.push_screen(LeaveExam(), self._leave_exam)
        else:
            self._leave()

    def _leave_exam(self, end: bool | None) -> None:
        if end:
            self._leave()

    def _leave(self) -> None:
        if self.quiz is not None and not self.over:
            self.quiz.stop()
            if self.plan.result is not None:  # an exam left early still hands in what it has
                self._hand_in()
        self.dismiss()
