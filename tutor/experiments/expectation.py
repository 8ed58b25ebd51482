"""What content claims an experiment shows, checked against a live outcome."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from tutor.experiments.outcome import Outcome
from tutor.lab.journal import Hop

__all__ = ["Expectation"]


class Expectation(BaseModel):
    """A lesson's claim: whether the request reaches the target, with which method and body.

    `arrives: false` claims the client refuses or does not follow; the live result decides.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    arrives: bool = True
    method: str | None = None
    body: Literal["intact", "dropped"] | None = None

    def mismatches(self, outcome: Outcome) -> list[str]:
        """Each way the live outcome differs from this claim; empty when the claim holds."""
        why_not = outcome.error or outcome.verdict.text
        return self.compare(outcome.arrived, bool(outcome.body_intact), why_not)

    def compare(self, arrived: Hop | None, body_intact: bool, why_not: str) -> list[str]:
        """Each way what arrived at the target differs from this claim (`why_not`: why nothing
        did, when nothing did)."""
        if not self.arrives:
            return (
                [] if arrived is None else [f"expected nothing to arrive, but {arrived.method} did"]
            )
        if arrived is None:
            return [f"expected the request to arrive, but: {why_not}"]
        problems = []
        if self.method and arrived.method != self.method.upper():
            problems.append(f"expected {self.method.upper()} to arrive, but {arrived.method} did")
        if self.body == "intact" and not body_intact:
            problems.append(f"expected the body intact, but {arrived.body_size} bytes arrived")
        if self.body == "dropped" and arrived.body_size:
            problems.append(f"expected the body dropped, but {arrived.body_size} bytes arrived")
        return problems
