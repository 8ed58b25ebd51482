"""The class grid: one row per student, one column per exercise (✓ met, N attempts, · not
tried), the exam score when an exam is set, and the student's latest verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.widgets import DataTable

from tutor.classroom.teacher import ClassState, Exercise, Student, StudentCell
from tutor.lab.printable import one_line

__all__ = ["ClassGrid", "Pick", "cell_text"]

NAME_WIDTH = 14
"""Columns of a name in the grid (a longer one ends in "…"; the line under the grid has it all)."""
EXERCISE_WIDTH = 4
"""Room for "✓ 12" or "123"."""
EXAM_WIDTH = 5
"""Room for "10/10"."""
VERDICT_MIN = 16
_SCROLLBAR = 2


def cell_text(cell: StudentCell) -> Text:
    """✓ and the attempts when met; the attempts when not; · when not tried."""
    if cell.met:
        return Text.assemble(("✓", "bold green"), (f" {cell.attempts}", "dim"), justify="right")
    if cell.attempts:
        return Text(str(cell.attempts), "bold dark_orange", justify="right")
    return Text("·", "dim", justify="right")


@dataclass(frozen=True, slots=True)
class Pick:
    """What the cursor is on: a student, and the exercise when on an exercise's column."""

    student: Student
    exercise: Exercise | None
    column: str
    """"name", "exam", "verdict" or the exercise's id."""


class ClassGrid(DataTable[Text]):
    """Students by name, exercises in course order; only cells that changed are redrawn, and
    the cursor stays on its student and column as rows come and go."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            "Open",
            id="class.open",
            tooltip="The student's chains at this exercise (on the name: all their recent ones)",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self.state: ClassState | None = None
        self._columns: tuple[Exercise, ...] = ()
        self._layout: tuple[object, ...] = ()
        self._names: tuple[str, ...] = ()

    def show(self, state: ClassState, columns: Sequence[Exercise]) -> None:
        self.state, self._columns = state, tuple(columns)
        layout = (tuple(c.id for c in columns), state.exam is not None, self._verdict_width())
        names = tuple(student.name for student in state.students)
        if layout != self._layout or names != self._names:
            self._rebuild(layout, names)
            return
        for student in state.students:
            for key, text in self._cells(student):
                if self.get_cell(student.name, key) != text:
                    self.update_cell(student.name, key, text)

    @property
    def pick(self) -> Pick | None:
        """The student and column under the cursor; None while there is no student."""
        if self.state is None or not self.row_count:
            return None
        row, column = self.coordinate_to_cell_key(self.cursor_coordinate)
        student = self.state.student(str(row.value))
        if student is None:
            return None
        exercise = next((c for c in self._columns if c.id == column.value), None)
        return Pick(student, exercise, str(column.value))

    def on_resize(self, _event: Resize) -> None:
        if self.state is not None:
            self.show(self.state, self._columns)

    def _verdict_width(self) -> int:
        """What is left of the grid's width for the verdict, so that no row needs scrolling."""
        used = NAME_WIDTH + EXERCISE_WIDTH * len(self._columns) + EXAM_WIDTH
        columns = 3 + len(self._columns)
        room = self.size.width - _SCROLLBAR - used - 2 * self.cell_padding * columns
        return max(room, VERDICT_MIN)

    def _rebuild(self, layout: tuple[object, ...], names: tuple[str, ...]) -> None:
        assert self.state is not None
        before = self.pick
        self.clear(columns=True)
        self._layout, self._names = layout, names
        self.add_column("name", key="name", width=NAME_WIDTH)
        for number, exercise in enumerate(self._columns, 1):
            self.add_column(
                Text(str(number), justify="right"), key=exercise.id, width=EXERCISE_WIDTH
            )
        if self.state.exam is not None:
            self.add_column("exam", key="exam", width=EXAM_WIDTH)
        self.add_column("latest verdict", key="verdict", width=self._verdict_width())
        for student in self.state.students:
            self.add_row(*(text for _, text in self._cells(student)), key=student.name)
        if before is not None and before.student.name in names and before.column in self.columns:
            row = self.get_row_index(before.student.name)
            self.move_cursor(row=row, column=self.get_column_index(before.column), animate=False)
        elif self._columns:
            self.move_cursor(column=1, animate=False)

    def _cells(self, student: Student) -> list[tuple[str, Text]]:
        assert self.state is not None
        cells = [("name", Text(_short(student.name), "bold"))]
        cells += [(c.id, cell_text(student.cell(c.id))) for c in self._columns]
        if self.state.exam is not None:
            exam = student.exam
            cells.append(("exam", Text(exam.score_text) if exam else Text("·", "dim")))
        verdict = one_line(student.verdict, self._verdict_width()) if student.verdict else "·"
        cells.append(("verdict", Text(verdict, "" if student.verdict else "dim")))
        return cells


def _short(name: str) -> str:
    """A name that fits its column, its start and its end kept ("studen…-02-xyz"): names a
    class picks often differ only at the end."""
    if len(name) <= NAME_WIDTH:
        return name
    head = (NAME_WIDTH - 1) // 2
    return f"{name[:head]}…{name[-(NAME_WIDTH - 1 - head) :]}"
