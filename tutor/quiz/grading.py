"""Grading every kind of question: fixed answers by the bank, predictions by what arrived."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.experiments.prediction import matching
from tutor.quiz.draw import Item

if TYPE_CHECKING:
    from tutor.course.models import Choice
    from tutor.course.questions import Question
    from tutor.experiments.outcome import Outcome

__all__ = ["Grade", "grade", "pick"]


@dataclass(frozen=True, slots=True)
class Grade:
    """How one answer went."""

    item: Item
    chosen: tuple[Choice, ...]
    right: tuple[Choice, ...]
    """The right answer: the bank's correct choices, or those the live run bore out."""
    correct: bool
    outcome: Outcome | None = None
    """For a predict question: what the lab saw."""
    void: str | None = None
    """Why the answer could not be graded (the client is missing, no choice fits what arrived);
    a void answer counts neither way and leaves the schedule alone."""

    @property
    def missed(self) -> tuple[Choice, ...]:
        """Right choices the learner left out (a multiple question)."""
        return tuple(choice for choice in self.right if choice not in self.chosen)


def grade(item: Item, chosen_ids: Sequence[str], outcome: Outcome | None = None) -> Grade:
    """Grade the choices picked (by id). A predict question needs the `outcome` of its live run.

    ValueError when the answer has the wrong shape (see `pick`).
    """
    question = item.question
    chosen = pick(question, chosen_ids)
    if question.kind != "predict":
        right = tuple(choice for choice in question.choices if choice.correct)
        return Grade(item, chosen, right, set(chosen) == set(right))
    if outcome is None:
        raise ValueError("a predict question is graded by the outcome of its experiment")
    right = tuple(matching(question.choices, outcome))
    void = None
    if outcome.client_version is None:
        void = outcome.error or f"{outcome.client} is not installed"
    elif not right:
        void = f"none of the choices describes what arrived ({outcome.verdict.text})"
    return Grade(item, chosen, right, void is None and chosen[0] in right, outcome, void)


def pick(question: Question, chosen_ids: Sequence[str]) -> tuple[Choice, ...]:
    """The choices picked (by id), in the question's order; ValueError when the answer has the
    wrong shape: an unknown id, none, or several for a one-answer question."""
    by_id = {choice.id: choice for choice in question.choices}
    unknown = [id_ for id_ in chosen_ids if id_ not in by_id]
    if unknown:
        raise ValueError(f"no choice {unknown[0]!r} in question {question.id!r}")
    chosen = tuple(choice for choice in question.choices if choice.id in chosen_ids)
    if not chosen or (question.kind != "multiple" and len(chosen) != 1):
        raise ValueError(f"a {question.kind} question takes {_takes(question.kind)}")
    return chosen


def _takes(kind: str) -> str:
    return "one or more choices" if kind == "multiple" else "exactly one choice"
