"""A run's outcome as the class lab sends it: when the lab runs a client for a student (a
configure exercise, an exam's prediction), the student's tutor shows exactly what a run on a lab
of its own would show, from the hops the lab witnessed and the verdict it gave."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.experiments.outcome import Outcome
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.evidence import Evidence, Sent, Verdict, VerdictKind
from tutor.lab.journal import Hop, Journal
from tutor.lab.reported import Reported
from tutor.lab.wire import WireError, hops_from_wire, hops_to_wire

__all__ = ["OneChain", "outcome_from_wire", "outcome_to_wire"]


class OneChain:
    """The journal, for one run the lab makes itself, whose chain it names beforehand: a
    configure exercise's (a tutor's token, so not a bring-your-own attempt, and vouched for
    under the student's name) or an exam question's (hidden from the projected console)."""

    def __init__(self, journal: Journal, token: str) -> None:
        self._journal = journal
        self.token = token

    def new_token(self) -> str:
        return self.token

    def chain(self, token: str) -> list[Hop]:
        return self._journal.chain(token)

    def chain_until(self, hop: Hop) -> list[Hop]:
        return self._journal.chain_until(hop)

    def wait_for_more(self, seen: Mapping[str, int], timeout: float) -> None:
        self._journal.wait_for_more(seen, timeout)


def outcome_to_wire(outcome: Outcome) -> dict[str, object]:
    return {
        "client_version": outcome.client_version,
        "error": outcome.error,
        "reported": None if outcome.reported is None else outcome.reported.to_json(),
        "verdict": {"kind": outcome.verdict.kind.value, "text": outcome.verdict.text},
        "hops": hops_to_wire(outcome.hops),
    }


def outcome_from_wire(spec: ExperimentSpec, document: Mapping[str, Any]) -> Outcome:
    """The outcome `outcome_to_wire` wrote of a run of `spec` (this tutor's own copy of what
    was run); WireError for anything else."""
    try:
        version, error, verdict = document["client_version"], document["error"], document["verdict"]
        kind, text = VerdictKind(verdict["kind"]), verdict["text"]
        if not (isinstance(text, str) and isinstance(version, str | None)):
            raise TypeError
        if not isinstance(error, str | None):
            raise TypeError
        evidence = Evidence(
            tuple(hops_from_wire(document["hops"])),
            Verdict(kind, text),
            Sent.of(spec.method, spec.body.encode()),
            error,
            Reported.from_json(document["reported"]),
            spec.first_scheme,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise WireError(f"an outcome the lab sent is not one ({type(error).__name__})") from None
    return Outcome(spec, version, evidence)
