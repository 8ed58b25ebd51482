"""One quiz run: asks in order, grades, commits each answer to the record before it says why.

Score and streak live here; the Leitner box of each question moves with every graded answer.
Grading is the tutor's own by default; a class exam's is the teacher's lab's (a `Grader`), which
withholds each grade while the exam runs: the answer is then only recorded there, and its grade
comes when the exam is over (`settle`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.progress.leitner import after
from tutor.progress.record import Answer, Record
from tutor.quiz.draw import Item
from tutor.quiz.grading import Grade, grade, pick

if TYPE_CHECKING:
    from tutor.course.models import Choice
    from tutor.experiments.outcome import Outcome
    from tutor.experiments.spec import ExperimentSpec

__all__ = ["Grader", "Quiz", "Reveal", "Runner", "TimeUp", "Withheld"]


@dataclass(frozen=True, slots=True)
class Withheld:
    """An answer the grader took and keeps, its grade withheld until the exam is over."""

    item: Item
    chosen: tuple[Choice, ...]


Runner = Callable[["ExperimentSpec"], "Outcome"]
"""Runs a predict question's experiment live against the lab."""
Grader = Callable[[Item, Sequence[str]], Grade | Withheld]
"""Grades one well-formed answer somewhere else than here (a class exam: on the teacher's lab),
or only takes it, withholding its grade; it may raise TimeUp, or say in any other exception why
the answer was not taken (nothing is recorded: it may be sent again)."""
Reveal = Callable[[], Sequence[Grade] | None]
"""The grader's grades of the answers it took, in the order asked, once it shows them; None
while it withholds them (or cannot say now)."""


class TimeUp(Exception):
    """The answer came after the time limit: it is not counted, and the quiz is over."""


class Quiz:
    """A quiz in progress. `answer` is the one way forward; it blocks while an experiment runs."""

    def __init__(
        self,
        items: Sequence[Item],
        record: Record,
        *,
        session: str,
        run: Runner | None = None,
        grader: Grader | None = None,
        reveal: Reveal | None = None,
        graded_by: str | None = None,
        answered: Sequence[Grade | Withheld] = (),
        time_limit: float | None = None,
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.items = list(items)
        self.record = record
        self.session = session
        self.seed = seed
        """The seed the items' choices were shuffled with (tutor.quiz.order), for the result."""
        self.graded_by = graded_by
        """Who grades when `grader` does, in words for the learner and the result file (its
        grade is the one that counts); None when this tutor grades."""
        self._run = run
        self._grade = grader or self._grade_here
        self._reveal = reveal
        self._clock = clock
        self.started = clock()
        self.deadline = None if time_limit is None else self.started + time_limit
        self.taken: list[Grade | Withheld] = list(answered)
        """Every answer, in the order asked: graded, or withheld by the grader. The first ones
        may have been taken before this run began (a class exam resumed)."""
        self.stopped = False
        self.timed_out = False
        self.closed: str | None = None
        """Why the grader closed the quiz for everyone, in words (e.g. "ended by the teacher"):
        the screens show it instead of a clock."""
        self.interrupted = False
        """The learner broke off the run (Ctrl+C, closing the tutor) rather than ending it."""
        self._recorded: set[str] | None = None
        """With a grader: the questions whose grade the record has under this session, so that
        a grade heard again (a resumed exam, grades shown at its end) is recorded once."""
        if grader is not None:
            self._recorded = {a.question for a in record.answers() if a.session == session}
        for earlier in answered:
            if isinstance(earlier, Grade):
                self._record(earlier)

    @property
    def position(self) -> int:
        """How many questions have been answered, so the index of the current one."""
        return len(self.taken)

    @property
    def grades(self) -> list[Grade]:
        """The answers graded so far, in order."""
        return [taken for taken in self.taken if isinstance(taken, Grade)]

    @property
    def withheld(self) -> list[Withheld]:
        """The answers whose grade the grader withholds."""
        return [taken for taken in self.taken if isinstance(taken, Withheld)]

    @property
    def scored(self) -> bool:
        """Whether the score says anything yet: false for a grader's quiz before any grade."""
        return self.graded_by is None or bool(self.grades)

    @property
    def current(self) -> Item | None:
        return None if self.finished else self.items[self.position]

    @property
    def finished(self) -> bool:
        return self.stopped or self.position >= len(self.items)

    @property
    def score(self) -> int:
        return sum(g.correct for g in self.grades)

    @property
    def graded(self) -> int:
        """Answers that counted (a void one does not)."""
        return sum(g.void is None for g in self.grades)

    @property
    def streak(self) -> int:
        """Right answers in a row, up to the last graded one (a void one breaks nothing)."""
        return self._streaks()[0]

    @property
    def best_streak(self) -> int:
        return self._streaks()[1]

    def _streaks(self) -> tuple[int, int]:
        streak = best = 0
        for graded in self.grades:
            if graded.void is None:
                streak = streak + 1 if graded.correct else 0
                best = max(best, streak)
        return streak, best

    @property
    def missed(self) -> list[Grade]:
        """The answers to review at the end."""
        return [g for g in self.grades if not g.correct and g.void is None]

    def time_left(self) -> float | None:
        """Seconds left (never below 0), or None without a time limit."""
        return None if self.deadline is None else max(0.0, self.deadline - self._clock())

    @property
    def partial(self) -> bool:
        """Whether the run ended before every question was answered."""
        return self.position < len(self.items)

    def stop(self, *, timed_out: bool = False, interrupted: bool = False) -> None:
        """End early (the learner left, input ended, time ran out, the run was broken off); the
        answers so far stand."""
        self.stopped = True
        self.timed_out = self.timed_out or timed_out
        self.interrupted = self.interrupted or interrupted

    def answer(self, chosen_ids: Sequence[str]) -> Grade | Withheld:
        """Grade the current question and commit the answer; only then is the grade returned
        (Withheld: the grader took the answer and keeps its grade until the exam is over).

        ValueError for an answer of the wrong shape (nothing is recorded: ask again); TimeUp
        after the time limit; whatever else the grader raises (nothing is recorded either).
        """
        item = self.current
        if item is None:
            raise ValueError("the quiz is over")
        if self.time_left() == 0:
            self.stop(timed_out=True)
            raise TimeUp("this answer came after the time limit and is not counted")
        pick(item.question, chosen_ids)  # a malformed answer must not run an experiment
        try:
            result = self._grade(item, chosen_ids)
        except TimeUp:
            self.stop(timed_out=True)
            raise
        if isinstance(result, Grade):
            self._record(result)
        self.taken.append(result)
        return result

    def settle(self) -> bool:
        """Ask the grader for the grades it withheld (it shows them once the exam is over) and
        record them; whether every answer is graded now. It may block (the class lab)."""
        if not self.withheld:
            return True
        revealed = self._reveal() if self._reveal is not None else None
        for index, (taken, graded) in enumerate(zip(self.taken, revealed or (), strict=False)):
            if isinstance(taken, Withheld) and graded.item.key == taken.item.key:
                self._record(graded)
                self.taken[index] = graded
        return not self.withheld

    def _record(self, result: Grade) -> None:
        """Commit a graded answer and move its question's box (once, for a grader's grade)."""
        item = result.item
        if result.void is not None or (self._recorded is not None and item.key in self._recorded):
            return
        now = self._clock()
        slot = after(self.record.slot(item.key), result.correct, now)
        chosen = tuple(choice.id for choice in result.chosen)
        answer = Answer(
            item.key, item.lesson, item.question.kind, chosen, result.correct, now, self.session
        )
        self.record.answer(answer, slot)
        if self._recorded is not None:
            self._recorded.add(item.key)

    def _grade_here(self, item: Item, chosen_ids: Sequence[str]) -> Grade:
        """Grade by the tutor's own banks; a prediction by running its experiment now."""
        experiment = item.question.experiment
        outcome = None
        if item.question.kind == "predict" and experiment is not None:
            if self._run is None:
                raise RuntimeError("a predict question needs a lab to run its experiment")
            outcome = self._run(experiment)
        return grade(item, chosen_ids, outcome)
