"""Which questions a quiz asks, and in which order: by lesson, by tag, due now; seeded for exams."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.progress.leitner import Slot
from tutor.quiz.plan import Plan

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.course.models import Citation
    from tutor.course.questions import Bank, Question
    from tutor.progress.record import Record

__all__ = ["Item", "choose", "draw"]


@dataclass(frozen=True, slots=True)
class Item:
    """One question as the quiz asks it, with the bank it comes from."""

    bank: Bank
    question: Question

    @property
    def key(self) -> str:
        """How the record names the question (ids are unique across banks)."""
        return self.question.id

    @property
    def lesson(self) -> str | None:
        return self.bank.lesson_of(self.question)

    @property
    def citations(self) -> list[Citation]:
        return [c for c in self.bank.citations if c.id in self.question.cite]


def draw(course: Course, plan: Plan, slots: Mapping[str, Slot], now: float) -> list[Item]:
    """The questions `plan` asks for: in course order (due ones: longest due first); shuffled
    by the seed for an exam, so that one seed gives one order; then the first `count`."""
    items = [Item(bank, question) for bank, question in course.questions]
    if plan.lesson is not None:
        items = [item for item in items if item.lesson == plan.lesson]
    if plan.tag is not None:
        items = [item for item in items if plan.tag in item.question.tags]
    if plan.due:
        items = [item for item in items if item.key in slots and slots[item.key].due_at <= now]
        items.sort(key=lambda item: slots[item.key].due_at)
    if plan.seed is not None:
        items.sort(key=lambda item: item.key)  # the order files load in must not matter
        random.Random(plan.seed).shuffle(items)
    return items[: plan.count] if plan.count is not None else items


def choose(course: Course, plan: Plan, record: Record) -> tuple[list[Item], str | None]:
    """The questions to ask, or none and why, in words for the learner. Reads the record."""
    owners = (bank.lesson_of(question) for bank, question in course.questions)
    lessons = {lesson.id for lesson in course.lessons} | {owner for owner in owners if owner}
    if plan.lesson is not None and plan.lesson not in lessons:
        known = ", ".join(sorted(lessons)) or "none"
        return [], f"No lesson {plan.lesson!r} in the course (lessons: {known})."
    items = draw(course, plan, record.slots(), time.time())
    if items:
        return items, None
    if plan.due:
        return [], "Nothing is due for review now: well done. Try a lesson's quiz instead."
    return [], f"No questions for {plan.describe(course.lesson_titles)}."
