"""The class at a glance: who met which exercise, each student's latest verdict and exam score,
live; Enter opens a student's chains; keys free a name, set and end the exam, export the table."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ClassVar, TypeVar
from urllib.parse import urlsplit

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Header, Static

from tutor.classroom.export import write_export
from tutor.classroom.teacher import (
    ClassState,
    ExamSummary,
    Exercise,
    TeacherError,
    TeacherLink,
    UnknownLesson,
)
from tutor.ui.literal import literal, printable
from tutor.ui.screens.class_chains import ChainsScreen, join_url
from tutor.ui.screens.class_dialog import ClassDialog
from tutor.ui.screens.class_exam import ExamForm
from tutor.ui.screens.class_export import ExportForm
from tutor.ui.screens.class_free import FreeName
from tutor.ui.widgets.classroom.grid import ClassGrid, Pick
from tutor.ui.widgets.footer import TutorFooter

__all__ = ["ClassScreen", "EndExam"]

_NO_STUDENT = (
    "No student yet. A tutor joins with redirect-tutor --join URL --name NAME; curl works "
    "too: curl -L -d a=1 URL/s/NAME/redirect/307. URL: "
)
_LEGEND = "Cells: ✓ met, N attempts, · not tried."

T = TypeVar("T")


class ClassScreen(Screen[None]):
    """The grid follows the app's `state` (the long poll in tutor.ui.class_app)."""

    HELP = (
        "Your class, live: a row per student who joined the lab, a column per exercise (✓ met, "
        "a number: attempts so far, ·: not tried), with each student's latest verdict and exam "
        "score. Enter opens the highlighted student's chains. Quitting closes this view only: "
        "the lab and the students' tutors run on."
    )

    AUTO_FOCUS = "#class-grid"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f",
            "free",
            "Free name",
            id="class.free",
            tooltip="Let the student's name be used from another computer (asks first)",
        ),
        Binding("e", "exam", "Set exam", id="class.exam", tooltip="Set the exam the lab grades"),
        Binding(
            "E",
            "end_exam",
            "End exam",
            id="class.end-exam",
            tooltip="End the exam for the class: no more answers, students see their grades",
        ),
        Binding(
            "x",
            "export",
            "Export",
            id="class.export",
            tooltip="Write the table to a CSV or JSON file",
        ),
    ]

    def __init__(self, link: TeacherLink, lessons: Sequence[str] = ()) -> None:
        super().__init__()
        self.link = link
        self.lessons = tuple(lessons)
        self.columns: list[Exercise] = []
        self.state: ClassState | None = None
        self.title = "Class"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static("Reading the class…", id="class-summary")
        yield ClassGrid(id="class-grid")
        yield Static(id="class-pick")
        yield TutorFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "state", self._show_state)
        self.watch(self.app, "problem", self._show_problem, init=False)

    def _show_state(self, state: ClassState | None) -> None:
        if state is None:
            return
        self.state = state
        problem = None
        try:
            self.columns = state.columns(self.lessons)
        except UnknownLesson as unknown:  # the lab was started anew with another course
            self.columns, problem = list(state.exercises), str(unknown)
        self.query_one(ClassGrid).show(state, self.columns)
        self._show_summary(problem)
        self._show_pick()

    def _show_problem(self, problem: str | None) -> None:
        self._show_summary(f"{problem} Trying again…" if problem else None)

    def _show_summary(self, problem: str | None = None) -> None:
        summary = self.query_one("#class-summary", Static)
        summary.set_class(problem is not None, "-problem")
        if problem is not None:
            summary.update(literal(f"✗ {problem}"))
            return
        state = self.state
        if state is None:
            return
        count = len(state.students)
        exam = f"exam: {state.exam.describe()}" if state.exam else "no exam set (e sets one)"
        where = urlsplit(self._join_url).netloc  # the scheme is http: the room it saves counts
        summary.update(literal(f"{where} · {count} student{'' if count == 1 else 's'} · {exam}"))

    @property
    def _join_url(self) -> str:
        return join_url(self.state, self.link)

    @on(DataTable.CellHighlighted, "#class-grid")
    def _show_pick(self) -> None:
        pick = self.query_one(ClassGrid).pick
        line = self.query_one("#class-pick", Static)
        if pick is not None:
            line.update(self._describe(pick))
            return
        key = " · ".join(f"{n} {c.lesson}" for n, c in enumerate(self.columns, 1))
        line.update(literal(f"Columns: {key or 'no exercise'}.\n{_NO_STUDENT}{self._join_url}"))

    def _describe(self, pick: Pick) -> Content:
        student, exercise = pick.student, pick.exercise
        name = Content.styled(printable(student.name), "bold")
        if exercise is not None:
            cell = student.cell(exercise.id)
            number = self.columns.index(exercise) + 1
            if cell.met:
                how = f"✓ met ({cell.attempts} attempt{'' if cell.attempts == 1 else 's'})"
            elif cell.attempts:
                problems = "; ".join(cell.problems)
                how = f"not met after {cell.attempts}" + (f": {problems}" if problems else "")
            else:
                how = "not tried"
            text = f" · {number}. {exercise.lesson}: {exercise.title} · {how} · Enter: the chains."
        elif pick.column == "exam" and student.exam is not None:
            exam = student.exam
            text = (
                f" · exam {exam.score_text}, {exam.graded} graded"
                f" · answers {exam.answers_text or 'none yet'}"
            )
        else:
            latest = f"latest: {student.verdict}" if student.verdict else "no redirect yet"
            text = f" · {student.requests} requests · {latest} · Enter: recent chains. {_LEGEND}"
        return Content.assemble(name, printable(text))

    def _over(self, screen: Screen[T], done: Callable[[T | None], None] | None = None) -> None:
        """Open `screen` over the class, its notices gone first: a notice left on this screen
        would sit over a dialog's text (and a freed name's code is no notice's business)."""
        self.app.clear_notifications()
        self.app.push_screen(screen, done)

    @on(DataTable.CellSelected, "#class-grid")
    def _open(self) -> None:
        pick = self.query_one(ClassGrid).pick
        if pick is not None:
            self._over(ChainsScreen(self.link, pick.student.name, pick.exercise))

    def action_free(self) -> None:
        pick = self.query_one(ClassGrid).pick
        if pick is None:
            self.notify("No student to free yet.", severity="warning")
            return
        self._over(FreeName(self.link, pick.student.name, self._join_url))

    def action_exam(self) -> None:
        current = self.state.exam if self.state else None
        self._over(ExamForm(self.link, current), self._exam_set)

    def _exam_set(self, summary: ExamSummary | None) -> None:
        if summary is not None:
            self.notify(printable(f"Exam set: {summary.describe()}."), markup=False)

    def action_end_exam(self) -> None:
        exam = self.state.exam if self.state else None
        if exam is None or exam.over:
            said = "No exam to end: e sets one." if exam is None else "The exam is over already."
            self.notify(said, severity="warning")
            return
        self._over(EndExam(exam), self._end_exam)

    def _end_exam(self, end: bool | None) -> None:
        if not end:  # Cancel is the dialog's first button: say so, lest Enter read as "ended"
            self.notify("The exam goes on: it was not ended.", title="Exam", markup=False)
            return

        async def end_it() -> None:
            try:
                summary = await self.link.end_exam()
            except TeacherError as error:
                self.notify(printable(str(error)), severity="error", markup=False)
                return
            said = (
                f"Exam ended ({summary.describe()}). Students see their grades by starting "
                "their quiz again (quiz --join URL --name NAME)."
            )
            self.notify(printable(said), title="Exam", timeout=10, markup=False)

        self.run_worker(end_it(), group="class-exam", description="Ending the exam")

    def action_export(self) -> None:
        if self.state is None:
            self.notify("The class has not been read yet.", severity="warning")
            return
        self._over(ExportForm(self._write), self._exported)

    def _write(self, path: Path) -> None:
        """The table as the view shows it when the file is written."""
        assert self.state is not None
        write_export(path, self.state, self.columns, self.link.url)

    def _exported(self, path: Path | None) -> None:
        if path is not None:
            count = len(self.state.students) if self.state else 0
            self.notify(
                printable(f"Wrote {count} students' rows to {path}."), markup=False, timeout=10
            )


class EndExam(ClassDialog[bool]):
    """Asks before the exam ends for the class; dismissed with True to end it."""

    HELP = (
        "End the exam for the whole class: the lab takes no more answers, and each student sees "
        "their grades by starting their quiz again. It cannot be undone. Cancel has the focus on "
        "purpose, so Enter keeps the exam going, as Escape does; to end it, Tab to End it, "
        "then Enter (or click End it)."
    )

    AUTO_FOCUS = "#dialog-cancel"

    def __init__(self, exam: ExamSummary) -> None:
        super().__init__("End the exam?", "End it")
        self.exam = exam

    def fields(self) -> Iterable[Widget]:
        yield Static(
            literal(
                f"The exam ({self.exam.describe()}) takes no more answers from anyone, and each "
                "student's tutor shows their grades: until now it only said that each answer "
                "was recorded, so that nobody could pass the right answers on. It cannot be "
                "undone: another exam needs other settings (e)."
            )
        )

    async def confirm(self) -> None:
        self.dismiss(True)
