"""The one place that decides whether a lesson is done: its last step reached, every prediction
answered (picked and graded live, not skipped) and every exercise met.

The record keeps ids only (tutor.progress.record.LessonState); what a lesson asks for comes from
the course as it is now, so a lesson that gains an exercise is no longer done until it is met.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.course.models import Lesson
    from tutor.progress.record import LessonState

__all__ = ["Standing", "asked", "standing"]

_UNMET = {"prediction": ("prediction", "not answered"), "exercise": ("exercise", "not met")}
"""How each part left undone is said: its noun and what is missing."""


def asked(lesson: Lesson) -> list[tuple[str, str]]:
    """(step id, part) of every prediction and exercise in `lesson`, in step order."""
    return [
        (step.id, part)
        for step in lesson.steps
        for part, there in (("prediction", step.predict), ("exercise", step.exercise))
        if there is not None
    ]


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a learner stands in one lesson."""

    steps: int
    reached: int
    """The position of the step shown last, counted from 1 (0: never opened)."""
    ended: bool
    """The last step was reached."""
    unmet: tuple[tuple[str, str], ...]
    """(step id, part) of what the lesson asks that the learner has not met, in step order."""

    @property
    def done(self) -> bool:
        return self.ended and not self.unmet

    @property
    def missing(self) -> str:
        """What keeps an ended lesson from being done, e.g. "exercise not met, 2 predictions
        not answered"; "" when nothing does."""
        said = []
        for part, (noun, what) in _UNMET.items():
            count = sum(1 for _, unmet in self.unmet if unmet == part)
            if count:
                said.append(f"{count} {noun}s {what}" if count > 1 else f"{noun} {what}")
        return ", ".join(said)

    @property
    def place(self) -> str:
        """In a few words: "done", "6/6 steps, exercise not met", "3/6 steps"."""
        if self.done:
            return "done"
        steps = f"{self.reached}/{self.steps} steps"
        return f"{steps}, {self.missing}" if self.ended else steps


def standing(lesson: Lesson, state: LessonState | None) -> Standing:
    """`state` (None: never opened) read against `lesson` as the course has it now."""
    ids = [step.id for step in lesson.steps]
    if state is None:
        return Standing(len(ids), 0, False, tuple(asked(lesson)))
    reached = ids.index(state.step_id) + 1 if state.step_id in ids else 0
    unmet = tuple(part for part in asked(lesson) if part not in state.met)
    return Standing(len(ids), reached, state.ended, unmet)
