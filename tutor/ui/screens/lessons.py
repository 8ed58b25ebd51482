"""The first screen: the course's lessons, and what is wrong with any that did not load."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList

from tutor.progress.standing import standing
from tutor.ui.widgets.course.lesson_list import LessonList
from tutor.ui.widgets.course.problems import Problems
from tutor.ui.widgets.footer import TutorFooter

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.course.index import Listed
    from tutor.course.models import Lesson
    from tutor.progress.record import LessonState
    from tutor.session.study import StudySession

__all__ = ["LessonsScreen"]


class LessonsScreen(Screen[None]):
    """Pick a lesson (Enter), or open the experiment panel (e) to try anything."""

    HELP = (
        "The course, lesson by lesson: Enter opens the highlighted one. From here open "
        "the Lab to try any redirect, the cards of each code, the client matrix, a quiz "
        "or your progress."
    )

    AUTO_FOCUS = "#lessons"
    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding, so that the footer shows Enter although the list handles it too.
        Binding(
            "enter",
            "open",
            "Open",
            id="lessons.open",
            tooltip="Open the highlighted lesson",
            priority=True,
        ),
        Binding("e", "experiment", "Lab", id="lessons.experiment", tooltip="Try any redirect"),
        Binding(
            "c",
            "reference",
            "Cards",
            id="lessons.reference",
            tooltip="The reference card of each redirect code",
        ),
        Binding(
            "m",
            "matrix",
            "Matrix",
            id="lessons.matrix",
            tooltip="Every client, code and method side by side, live",
        ),
        Binding("q", "quiz", "Quiz", id="lessons.quiz", tooltip="Quiz on the highlighted lesson"),
        Binding(
            "u",
            "review",
            "Review due",
            id="lessons.review",
            tooltip="Quiz the questions due for review",
        ),
        Binding("g", "progress", "Progress", id="lessons.progress", tooltip="Your progress"),
        Binding(
            "j",
            "journal",
            "Journal",
            id="lessons.journal",
            tooltip="Every request the lab receives, live (for a class)",
        ),
        Binding(
            "x",
            "hide_problems",
            "Hide box",  # the footer is full at 80 columns
            id="lessons.hide_problems",
            tooltip="Hide the box of lesson files that did not load",
        ),
    ]

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        self._problems = Problems(id="problems")
        self._lessons = LessonList(id="lessons")
        self.course: Course | None = None
        self._builtin: Course | None = None
        """The built-in lessons alone, here before a large pack has loaded: they open at once."""
        self._recorded = False
        """The learner's record has been read (their place in each lesson is known)."""
        self._waiting: Callable[[], None] | None = None
        """What the learner asked for before the course and their record were here (the last
        key wins): done as soon as they are, never refused."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield self._problems
        yield self._lessons
        yield TutorFooter()  # Review due and Journal only when wide enough (tutor.tcss)

    def show_index(self, entries: Sequence[Listed]) -> None:
        """List the cached index until the course itself has loaded."""
        if self.course is None:
            self._lessons.show(entries)

    def show_builtin(self, course: Course, states: Mapping[str, LessonState]) -> None:
        """The built-in lessons alone, and the learner's place in each, while packs still load:
        they open at once, and are listed only when nothing is yet (no cached index)."""
        self._builtin = course
        if not self._lessons.lessons:
            self._lessons.show(course.lessons)
        self.show_progress(states)

    def show_course(self, course: Course) -> None:
        self.course = course
        self._problems.show(course.problems)
        self._lessons.show(course.lessons)
        self.refresh_bindings()
        self._settle()

    def show_progress(self, states: Mapping[str, LessonState]) -> None:
        self._lessons.show_progress(states)
        self._recorded = True
        self._settle()

    @property
    def ready(self) -> bool:
        """The whole course and the learner's record are here: all can open (a built-in
        lesson, sooner: `show_builtin`)."""
        return self.course is not None and self._recorded

    def _settle(self) -> None:
        """Once the record and some lessons are here, do what the learner asked for while it all
        loaded (what needs the whole course waits on)."""
        loaded = self.course is not None or self._builtin is not None
        if loaded and self._recorded and self._waiting is not None:
            waiting, self._waiting = self._waiting, None
            waiting()

    def resume(self, lesson_id: str, step_id: str) -> None:
        """Reopen a lesson where the learner left it, unless they have asked for something
        meanwhile; one of a pack still loading, once it has."""
        from tutor.ui.screens.reader import ReaderScreen

        if self._waiting is not None:  # what the learner asked for comes first
            return
        course = self.course or self._builtin
        lesson = course.lesson(lesson_id) if course else None
        if lesson is None:
            if self.course is None:
                self._waiting = partial(self.resume, lesson_id, step_id)
            return
        ids = [listed.id for listed in self._lessons.lessons]
        if lesson_id in ids:
            self._lessons.highlighted = ids.index(lesson_id)
        self.app.push_screen(ReaderScreen(self.session, lesson, step_id), self._read_on)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":  # before the course is here, Enter is kept until it is
            return True if self._lessons.highlighted_lesson or not self.ready else None
        if action == "quiz":
            return True if self._lessons.highlighted_lesson else None
        if action == "hide_problems":
            return self._problems.display  # not even shown when there is nothing to hide
        return True

    # The other screens are imported on first use: the first screen must appear fast.

    class OpenAsked(Message):
        """Enter, on its way up from the list to the app behind the keys typed before it."""

    def action_open(self) -> None:
        # Enter is a priority binding, so it runs as it arrives. An arrow typed just before it
        # (both at once, as the tutor starts) moves the list only once its key has gone up from
        # the list to the app, which then runs the list's binding: this message goes the same
        # way, behind it, and the app opens the lesson the arrows reached (`open_highlighted`).
        self._lessons.post_message(self.OpenAsked())

    def open_highlighted(self) -> None:
        listed = self._lessons.highlighted_lesson
        self._open(listed.id if listed else None)

    def _open(self, lesson_id: str | None) -> None:
        """Open `lesson_id` (None: the first lesson) where the learner left it. Chosen from the
        cached index before the course (validated) and the record are here, it opens as soon
        as they are; a built-in lesson, as soon as the built-in lessons are."""
        from tutor.ui.screens.reader import ReaderScreen

        course = self.course or self._builtin
        lesson = None
        if course is not None and self._recorded:
            lessons = course.lessons
            lesson = course.lesson(lesson_id) if lesson_id else next(iter(lessons), None)
        if lesson is None:
            if self.course is None or not self._recorded:  # maybe in a pack still loading
                self._waiting = partial(self._open, lesson_id)
            return
        ids = [listed.id for listed in self._lessons.lessons]
        if lesson.id in ids:
            self._lessons.highlighted = ids.index(lesson.id)
        reader = ReaderScreen(self.session, lesson, self._step_to_open(lesson))
        self.app.push_screen(reader, self._read_on)

    def _read_on(self, lesson_id: str | None) -> None:
        """The reader closed asking for the lesson `lesson_id` (its `n` on a last step): open it."""
        ids = [listed.id for listed in self._lessons.lessons]
        if lesson_id in ids:
            self._lessons.highlighted = ids.index(lesson_id)
            self.action_open()

    def _step_to_open(self, lesson: Lesson) -> str | None:
        """Where the learner left off; once the end is reached, the first prediction or exercise
        not met yet; from the start (None) once the lesson is done."""
        state = self._lessons.states.get(lesson.id)
        if state is None:
            return None
        stands = standing(lesson, state)
        if stands.done:
            return None
        return stands.unmet[0][0] if stands.ended else state.step_id

    def action_reference(self) -> None:
        from tutor.ui.screens.reference import ReferenceScreen

        if not self.ready:  # the cards come with the course
            self._waiting = self.action_reference
            return
        self.app.push_screen(
            ReferenceScreen(self.session, self.course.cards if self.course else [])
        )

    def action_experiment(self) -> None:
        from tutor.ui.screens.experiment import ExperimentScreen

        self.app.push_screen(ExperimentScreen(self.session))

    def action_quiz(self) -> None:
        from tutor.quiz.plan import Plan
        from tutor.ui.screens.quiz import QuizScreen

        lesson = self._lessons.highlighted_lesson
        if lesson is not None:
            self.app.push_screen(QuizScreen(self.session, Plan(lesson=lesson.id)))

    def action_review(self) -> None:
        from tutor.quiz.plan import Plan
        from tutor.ui.screens.quiz import QuizScreen

        self.app.push_screen(QuizScreen(self.session, Plan(due=True)))

    def action_progress(self) -> None:
        from tutor.ui.screens.progress import ProgressScreen

        self.app.push_screen(ProgressScreen(self.session))

    def action_journal(self) -> None:
        from tutor.ui.screens.journal import JournalScreen

        self.app.push_screen(JournalScreen(self.session))

    def action_matrix(self) -> None:
        from tutor.ui.screens.matrix import MatrixScreen

        self.app.push_screen(MatrixScreen(self.session))

    def action_hide_problems(self) -> None:
        self._problems.hide()
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#lessons")
    def _open_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()
