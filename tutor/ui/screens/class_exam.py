"""The small form that sets the exam on the lab: seed, questions, minutes (POST /teacher/exam).
The lab checks the settings and says why it refuses them; the form shows its sentence."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Static

from tutor.classroom.teacher import ExamSummary, TeacherError, TeacherLink
from tutor.ui.literal import literal
from tutor.ui.screens.class_dialog import ClassDialog

__all__ = ["ExamForm"]

COUNT = (1, 200)
"""Questions an exam may have, as `serve --exam-count` allows."""
MINUTES = (1, 24 * 60)
"""Each student's time, as `serve --exam-time` allows (in seconds there)."""


class ExamForm(ClassDialog[ExamSummary]):
    """Dismissed with the exam the lab set, or None."""

    HELP = (
        "Set the exam the lab grades: the same seed gives everyone the same questions; minutes "
        "count from each student's first question (empty: no limit). The lab says why it "
        "refuses a setting. Enter sets it; Escape leaves the exam as it was."
    )

    def __init__(self, link: TeacherLink, current: ExamSummary | None) -> None:
        super().__init__("Set the exam", "Set it")
        self.link = link
        self.current = current

    def fields(self) -> Iterable[Widget]:
        current = self.current
        yield Static(
            "Every student who runs quiz --join URL --name NAME takes it, graded by the lab. "
            "Minutes: each student's time from their first question; empty for no limit."
        )
        if current is not None:
            yield Static(literal(f"Set now: {current.describe()}. A new exam replaces it."))
        seed = current.seed if current else secrets.randbelow(10_000)
        minutes = str(current.time // 60) if current and current.time else ""
        with Horizontal(classes="class-form-row"):
            yield Static("Seed", classes="class-form-label")
            yield Input(str(seed), id="exam-seed", type="integer", max_length=9, compact=True)
            yield Static("Questions", classes="class-form-label")
            yield Input(
                str(current.count if current else 10),
                id="exam-count",
                type="integer",
                max_length=3,
                compact=True,
            )
            yield Static("Minutes", classes="class-form-label")
            yield Input(
                minutes,
                id="exam-minutes",
                type="integer",
                max_length=4,
                compact=True,
                placeholder="none",
            )

    async def confirm(self) -> None:
        try:
            seed = self._number("exam-seed", "The seed", None)
            count = self._number("exam-count", "Questions", COUNT)
            minutes = self._number("exam-minutes", "Minutes", MINUTES, empty=True)
        except ValueError as problem:
            self.say(str(problem))
            return
        assert seed is not None and count is not None
        try:
            summary = await self.link.set_exam(seed, count, minutes * 60 if minutes else None)
        except TeacherError as error:
            self.say(str(error))
            return
        self.dismiss(summary)

    def _number(
        self, field: str, label: str, bounds: tuple[int, int] | None, *, empty: bool = False
    ) -> int | None:
        """The field's whole number; ValueError with a sentence when it is not one in `bounds`."""
        text = self.query_one(f"#{field}", Input).value.strip()
        if not text and empty:
            return None
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{label}: a whole number, please.") from None
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            raise ValueError(f"{label}: from {bounds[0]} to {bounds[1]}.")
        return value
