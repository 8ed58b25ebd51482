"""The learner's record read against the course as it is now: lessons done, questions known, due."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tutor.progress.leitner import BOXES
from tutor.progress.record import Record
from tutor.progress.standing import standing

if TYPE_CHECKING:
    from tutor.course import Course

__all__ = ["BAR", "LessonProgress", "Summary", "summarize"]

BAR = 10
"""Characters in a lesson's progress bar."""


@dataclass(frozen=True, slots=True)
class LessonProgress:
    lesson_id: str
    title: str
    steps: int
    reached: int
    """Steps seen: the position of the step shown last, counted from 1 (0: never opened)."""
    done: bool
    """Decided by tutor.progress.standing: the end reached and every part met."""
    questions: int
    known: int
    place: str
    """The lesson's place in words (Standing.place): "done", "6/6 steps, exercise not met"."""

    @property
    def fraction(self) -> float:
        return 1.0 if self.done else self.reached / self.steps


@dataclass(frozen=True, slots=True)
class Summary:
    lessons: list[LessonProgress]
    questions: int
    known: int
    due: int
    boxes: dict[int, int] = field(default_factory=dict)
    """How many of the course's questions sit in each box (1-5); unseen ones are in none."""

    @property
    def lessons_done(self) -> int:
        return sum(lesson.done for lesson in self.lessons)

    def line(self) -> str:
        """E.g. "7/13 lessons, 48/60 questions known, 5 due for review"."""
        return (
            f"{self.lessons_done}/{len(self.lessons)} lessons, "
            f"{self.known}/{self.questions} questions known, {self.due} due for review"
        )

    def report(self) -> list[str]:
        """The line, then a bar per lesson and the boxes: what `redirect-tutor progress` prints."""
        lines = [self.line()]
        for lesson in self.lessons:
            filled = round(lesson.fraction * BAR)
            lines.append(
                f"  {'█' * filled}{'░' * (BAR - filled)} {lesson.place:<11} "
                f"{lesson.known}/{lesson.questions} known  {lesson.title}"
            )
        boxes = " · ".join(f"{box}: {count}" for box, count in self.boxes.items())
        return [*lines, f"Leitner boxes (1 = review soon): {boxes}"]


def summarize(record: Record, course: Course, now: float | None = None) -> Summary:
    """Only what the course still has counts: the record of a removed lesson or question waits,
    unused, until its id comes back."""
    now = time.time() if now is None else now
    states = record.lessons()
    slots = record.slots()
    keys_by_lesson: dict[str | None, list[str]] = {}
    for bank, question in course.questions:
        keys_by_lesson.setdefault(bank.lesson_of(question), []).append(question.id)
    course_slots = [slots[key] for keys in keys_by_lesson.values() for key in keys if key in slots]
    lessons = []
    for lesson in course.lessons:
        stands = standing(lesson, states.get(lesson.id))
        keys = keys_by_lesson.get(lesson.id, [])
        lessons.append(
            LessonProgress(
                lesson_id=lesson.id,
                title=lesson.title,
                steps=stands.steps,
                reached=stands.reached,
                done=stands.done,
                questions=len(keys),
                known=sum(1 for key in keys if key in slots and slots[key].known),
                place=stands.place,
            )
        )
    boxes = Counter(slot.box for slot in course_slots)
    return Summary(
        lessons=lessons,
        questions=sum(len(keys) for keys in keys_by_lesson.values()),
        known=sum(1 for slot in course_slots if slot.known),
        due=sum(1 for slot in course_slots if slot.due_at <= now),
        boxes={box: boxes.get(box, 0) for box in BOXES},
    )
