"""The order a quiz shows a question's choices in: shuffled per question from the quiz's seed,
so that the right answer's position says nothing, and one exam seed shows everyone one order."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.course.models import Choice
    from tutor.course.questions import Question

__all__ = ["TRUTH_ORDER", "new_seed", "shown", "shuffled"]

TRUTH_ORDER = ("true", "false")
"""A truefalse question always reads True, False: its banks balance which one is right."""


def shown(question: Question, seed: int) -> tuple[Choice, ...]:
    """`question`'s choices in the order the quiz shows and numbers them (from 1).

    The order depends only on the seed and the question's id (unique across banks), never on
    where the question is drawn or on other questions: a string seeds `random.Random` through
    SHA-512, the same on every platform and Python version.
    """
    if question.kind == "truefalse":
        return tuple(sorted(question.choices, key=lambda choice: TRUTH_ORDER.index(choice.id)))
    return shuffled(question.choices, question.id, seed)


def shuffled(choices: Sequence[Choice], key: str, seed: int) -> tuple[Choice, ...]:
    """`choices` in an order that depends only on `seed` and `key` (what they belong to)."""
    order = list(choices)
    random.Random(f"{seed}:{key}").shuffle(order)
    return tuple(order)


def new_seed() -> int:
    """A seed for a practice quiz, which has no exam seed: a new choice order each session."""
    return secrets.randbelow(10**9)
