"""Which questions a quiz asks, in which order, and how it shows their choices: by lesson, by
tag, due now; an exam drawn by its seed, spread across lessons and kinds."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.progress.leitner import Slot
from tutor.quiz.order import shown
from tutor.quiz.plan import Plan

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.course.models import Choice, Citation
    from tutor.course.questions import Bank, Question
    from tutor.progress.record import Record

__all__ = ["Item", "choose", "draw"]


@dataclass(frozen=True, slots=True)
class Item:
    """One question as the quiz asks it, with the bank it comes from."""

    bank: Bank
    question: Question
    choices: tuple[Choice, ...]
    """The question's choices in the order shown: number n is `choices[n - 1]`."""

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


def draw(
    course: Course, plan: Plan, slots: Mapping[str, Slot], now: float, seed: int
) -> list[Item]:
    """The questions `plan` asks for, each with its choices shuffled by `seed` (an exam's own
    seed, else a new one per quiz): in course order (due ones: longest due first), the first
    `count`; for an exam, `count` drawn by the exam's seed across lessons and kinds."""
    items = [Item(bank, question, shown(question, seed)) for bank, question in course.questions]
    if plan.lesson is not None:
        items = [item for item in items if item.lesson == plan.lesson]
    if plan.tag is not None:
        items = [item for item in items if plan.tag in item.question.tags]
    if plan.due:
        items = [item for item in items if item.key in slots and slots[item.key].due_at <= now]
        items.sort(key=lambda item: slots[item.key].due_at)
    if plan.seed is not None:
        return _spread(items, plan.count, random.Random(plan.seed))
    return items[: plan.count] if plan.count is not None else items


def _spread(items: Sequence[Item], count: int | None, rng: random.Random) -> list[Item]:
    """`count` of `items` (all of them without a count), spread across lessons, then across
    kinds, in a random order. Each pick is a question of the lesson asked least so far, of the
    kind asked least so far, of a kind that lesson gave least so far (so that no lesson uses up
    a kind others need), ties broken by the shuffle: the lessons' shares differ by at most one
    while they have questions left, and an exam is never one lesson's first questions."""
    pool = sorted(items, key=lambda item: item.key)  # the order files load in must not matter
    rng.shuffle(pool)
    lessons: Counter[str | None] = Counter()
    kinds: Counter[str] = Counter()
    pairs: Counter[tuple[str | None, str]] = Counter()

    def asked(item: Item) -> tuple[int, int, int]:
        lesson, kind = item.lesson, item.question.kind
        return lessons[lesson], kinds[kind], pairs[lesson, kind]

    picked: list[Item] = []
    while pool and (count is None or len(picked) < count):
        best = min(pool, key=asked)
        pool.remove(best)
        lessons[best.lesson] += 1
        kinds[best.question.kind] += 1
        pairs[best.lesson, best.question.kind] += 1
        picked.append(best)
    rng.shuffle(picked)
    return picked


def choose(course: Course, plan: Plan, record: Record, seed: int) -> tuple[list[Item], str | None]:
    """The questions to ask (their choices shuffled by `seed`), or none and why, in words for
    the learner. Reads the record."""
    owners = (bank.lesson_of(question) for bank, question in course.questions)
    lessons = {lesson.id for lesson in course.lessons} | {owner for owner in owners if owner}
    if plan.lesson is not None and plan.lesson not in lessons:
        known = ", ".join(sorted(lessons)) or "none"
        return [], f"No lesson {plan.lesson!r} in the course (lessons: {known})."
    items = draw(course, plan, record.slots(), time.time(), seed)
    if items:
        return items, None
    if plan.due:
        return [], "Nothing is due for review now: well done. Try a lesson's quiz instead."
    return [], f"No questions for {plan.describe(course.lesson_titles)}."
