"""The Leitner schedule: a missed question drops to box 1 and comes back soon; a known one climbs.

The schedule lives in the learner's record, never in the course files.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BOXES", "INTERVALS", "KNOWN_BOX", "Slot", "after"]

_DAY = 24 * 60 * 60.0

INTERVALS = {1: 0.0, 2: 1 * _DAY, 3: 3 * _DAY, 4: 7 * _DAY, 5: 21 * _DAY}
"""Seconds until a question in each box is due again: box 1 at once, box 5 in three weeks."""
BOXES = tuple(INTERVALS)
KNOWN_BOX = 2
"""A question in this box or a higher one counts as known (answered right since its last miss)."""


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a question stands: its box, and when it is due again (seconds since the epoch)."""

    box: int
    due_at: float

    @property
    def known(self) -> bool:
        return self.box >= KNOWN_BOX


def after(previous: Slot | None, correct: bool, now: float) -> Slot:
    """The slot after an answer at `now`: right moves up one box (a new question to box 2),
    wrong goes back to box 1."""
    box = min((previous.box if previous else 1) + 1, BOXES[-1]) if correct else 1
    return Slot(box, now + INTERVALS[box])
