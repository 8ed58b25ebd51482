"""The one-line verdict of an experiment, coloured by what happened to the request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from tutor.lab.evidence import VerdictKind
from tutor.ui.literal import literal

if TYPE_CHECKING:
    from tutor.experiments.outcome import Outcome

__all__ = ["VerdictLine"]

_LOOK = {
    VerdictKind.KEPT: ("✓", "-kept"),
    VerdictKind.METHOD_CHANGED: ("!", "-changed"),
    VerdictKind.BODY_DROPPED: ("!", "-changed"),
    VerdictKind.BODY_CHANGED: ("!", "-changed"),
    VerdictKind.NOT_FOLLOWED: ("✗", "-failed"),
    VerdictKind.REFUSED: ("✗", "-failed"),
    VerdictKind.UNAVAILABLE: ("○", "-unavailable"),
    VerdictKind.NOT_EXPRESSIBLE: ("○", "-unavailable"),
    VerdictKind.NO_REDIRECT: ("○", "-unavailable"),  # a 201/202's Location, a refused target
}
_CLASSES = ("-kept", "-changed", "-failed", "-unavailable", "-running", "-described")


class VerdictLine(Static):
    """What crossed the redirect, in one sentence: green kept, orange changed, red refused."""

    def _set(self, text: str, look: str) -> None:
        self.remove_class(*_CLASSES)
        self.add_class(look)
        self.update(literal(text))  # a verdict and a problem may quote what a client sent

    def show(self, outcome: Outcome) -> None:
        mark, look = _LOOK[outcome.verdict.kind]
        if outcome.evidence.in_clear:  # method and body kept, but credentials went out in clear
            mark, look = _LOOK[VerdictKind.METHOD_CHANGED]
        self._set(f"{mark} {outcome.verdict.text}", look)

    def describe(self, outcome: Outcome) -> None:
        """What happened, as a plain fact under a claim that the run confirmed: a failure the
        claim expected is no red ✗ (a change the claim expected keeps its colour)."""
        if outcome.verdict.kind in (VerdictKind.NOT_FOLLOWED, VerdictKind.REFUSED):
            self._set(f"→ {outcome.verdict.text}", "-described")

    def running(self, text: str) -> None:
        self._set(f"… {text}", "-running")

    def problem(self, text: str) -> None:
        self._set(f"✗ {text}", "-failed")

    @property
    def text(self) -> str:
        """The verdict as shown, without styles."""
        return str(self.visual)
