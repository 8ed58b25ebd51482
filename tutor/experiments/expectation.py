"""What content claims an experiment shows, checked against a live outcome."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from tutor.lab.evidence import Evidence, bytes_text

__all__ = ["Expectation"]


class Expectation(BaseModel):
    """A lesson's claim: whether the request reaches the target, with which method, body and
    headers, and in how many requests.

    `arrives: false` claims the client refuses or does not follow; the live result decides.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    arrives: bool = True
    method: str | None = None
    body: Literal["intact", "dropped"] | None = None
    sent: tuple[str, ...] = ()
    """Headers that reach the target, e.g. Authorization carried to another origin."""
    dropped: tuple[str, ...] = ()
    """Headers the first request carried that do not reach the target (RFC 9110 §15.4)."""
    requests: int | None = None
    """How many requests of the chain the lab saw: a redirect served from a cache is one fewer."""

    def mismatches(self, evidence: Evidence) -> list[str]:
        """Each way the evidence differs from this claim; empty when the claim holds."""
        problems = self._arrival_problems(evidence)
        if self.requests is not None and evidence.requests != self.requests:
            problems.append(
                f"expected {self.requests} requests, but the lab saw {evidence.requests}"
            )
        return problems

    def _arrival_problems(self, evidence: Evidence) -> list[str]:
        arrived = evidence.arrived
        if not self.arrives:
            return (
                [] if arrived is None else [f"expected nothing to arrive, but {arrived.method} did"]
            )
        if arrived is None:
            return [
                f"expected the request to arrive, but: {evidence.error or evidence.verdict.text}"
            ]
        problems = []
        if self.method and arrived.method != self.method.upper():
            problems.append(f"expected {self.method.upper()} to arrive, but {arrived.method} did")
        if self.body == "intact" and not evidence.body_intact:
            problems.append(
                f"expected the body intact, but {_arrived_body(evidence, arrived.body_size)}"
            )
        if self.body == "dropped" and arrived.body_size:
            problems.append(
                f"expected the body dropped, but {bytes_text(arrived.body_size)} arrived"
            )
        problems += [
            f"expected {name} to arrive, but it did not"
            for name in self.sent
            if not evidence.arrived_with(name)
        ]
        problems += [
            f"expected {name} dropped, but it arrived"
            for name in self.dropped
            if evidence.arrived_with(name)
        ]
        return problems


def _arrived_body(evidence: Evidence, size: int) -> str:
    """What arrived instead of the intact body: nothing, other bytes, or a body never sent."""
    first = evidence.first
    if not size:
        return "no body arrived"
    if first is not None and first.body_size == size:
        return f"{bytes_text(size)} arrived, not the ones sent"
    return f"{bytes_text(size)} arrived"
