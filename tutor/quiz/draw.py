"""Which questions a quiz asks, and in which order: by lesson, by tag, due now; seeded for exams."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.progress.leitner import Slot
from tutor.quiz.plan import Plan

if TYPE_CHECKING:
    from tutor.course.loader import Course
    from tutor.course.models import Citation
    from tutor.course.questions import Bank, Question

__all__ = ["Item", "draw"]


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
