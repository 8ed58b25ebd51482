"""Grade a prediction by the lab's witness: the choices whose claimed outcome the live run shows.

Content never hard-codes which prediction is right (a client's next version could change it):
each choice says what it expects to arrive, and the outcome of the live experiment decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from tutor.experiments.expectation import Expectation
from tutor.experiments.outcome import Outcome

__all__ = ["Predicted", "matching"]


class Predicted(Protocol):
    """Anything that claims an outcome, like a prediction's choice (`expect`: None claims none)."""

    @property
    def expect(self) -> Expectation | None: ...


P = TypeVar("P", bound=Predicted)


def matching(choices: Sequence[P], outcome: Outcome) -> list[P]:
    """The choices, in order, whose `expect` the live `outcome` satisfies.

    Content is written so that exactly one matches; zero or several means the content (or a
    client) disagrees with the lesson, and the caller decides how to say so.
    """
    return [
        choice
        for choice in choices
        if choice.expect is not None and not choice.expect.mismatches(outcome.evidence)
    ]
