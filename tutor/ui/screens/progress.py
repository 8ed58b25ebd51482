"""The Progress screen: lessons as bars, questions by Leitner box, how many are due for review."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from tutor.ui.widgets.footer import TutorFooter
from tutor.ui.widgets.progress.lesson_row import LessonRow, fit_bars

if TYPE_CHECKING:
    from tutor.progress.summary import Summary
    from tutor.session.study import StudySession

__all__ = ["ProgressScreen"]


class ProgressScreen(Screen[None]):
    """The learner's record against the course as it is now."""

    HELP = "Your record: how far you are in each lesson, and the quiz questions due for review."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "u", "review", "Review due", id="progress.review", tooltip="Quiz the due questions"
        ),
        Binding("escape", "back", "Back", id="progress.back", tooltip="Back to the lessons"),
    ]

    class Summarized(Message):
        """The record, summed up against the course (None: the course is still loading)."""

        def __init__(self, summary: Summary | None) -> None:
            super().__init__()
            self.summary = summary

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        self.title = "Progress"
        self.summary: Summary | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="progress-summary")
        yield VerticalScroll(id="progress-lessons")
        yield Static(id="progress-boxes")
        yield TutorFooter()

    def on_screen_resume(self) -> None:
        self.show()

    @work(exclusive=True, thread=True, group="progress", description="Reading your record")
    def show(self) -> None:
        """Read the record again (a quiz may have moved boxes since)."""
        from tutor.progress.summary import summarize

        course, record = self.session.course, self.session.record
        if course is None or record is None:
            self.post_message(self.Summarized(None))
        else:
            self.post_message(self.Summarized(summarize(record, course)))

    def on_progress_screen_summarized(self, message: Summarized) -> None:
        self.summary = summary = message.summary
        if summary is None:
            self.query_one("#progress-summary", Static).update("The course is still loading…")
            return
        self.query_one("#progress-summary", Static).update(Content(summary.line()))
        rows = self.query_one("#progress-lessons", VerticalScroll)
        rows.remove_children()
        rows.mount_all(LessonRow(lesson) for lesson in summary.lessons)
        self.call_after_refresh(self._fit_bars)
        boxes = "  ".join(f"box {box}: {count}" for box, count in summary.boxes.items())
        self.query_one("#progress-boxes", Static).update(
            Content(
                f"Leitner  {boxes}\n{summary.due} due for review now (u); box 1 comes back soonest."
            )
        )
        self.refresh_bindings()

    def on_resize(self) -> None:
        self._fit_bars()

    def _fit_bars(self) -> None:
        rows = self.query_one("#progress-lessons", VerticalScroll)
        fit_bars(list(rows.query(LessonRow)), rows.scrollable_content_region.width)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return True if self.summary and self.summary.due else None
        return True

    def action_review(self) -> None:
        from tutor.quiz.plan import Plan
        from tutor.ui.screens.quiz import QuizScreen

        self.app.push_screen(QuizScreen(self.session, Plan(due=True)))

    def action_back(self) -> None:
        self.dismiss()
