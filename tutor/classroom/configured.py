"""A configure exercise's run, as the lab witnessed it: the student's tutor ran its client
against the answer the student chose, on this lab, and names the chain; the lab reads that
chain from its own journal and judges it. What the tutor says (the client's version, its
error) is the client's word, as in any run; what arrived is the journal's."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tutor.classroom.ledger import Column, Ledger
from tutor.course.exercises import Answer, Configure
from tutor.experiments.outcome import Outcome
from tutor.lab.evidence import Evidence, Sent
from tutor.lab.journal import TUTORS, Journal
from tutor.lab.reported import Reported

__all__ = ["Unwitnessed", "witnessed"]


class Unwitnessed(ValueError):
    """The report names no run this lab saw for this student; the message says why."""


def witnessed(
    ledger: Ledger, journal: Journal, name: str, report: dict[str, Any]
) -> tuple[Column, Outcome]:
    """The exercise a tutor's report is about, and the outcome of the run it names."""
    column = ledger.column(str(report.get("exercise", "")))
    if column is None or not isinstance(column.exercise, Configure):
        raise Unwitnessed("No configure exercise of that id in the lab's course.")
    exercise = column.exercise
    try:
        answer = Answer.model_validate(report.get("answer"))
    except ValidationError:
        raise Unwitnessed("The answer is not one a configure exercise takes.") from None
    if (answer.code, answer.location, answer.cache) not in {
        (c, loc, cache)
        for c in exercise.codes
        for loc in exercise.locations
        for cache in exercise.caches
    }:
        raise Unwitnessed("That answer is not among those the exercise offers.")
    token = str(report.get("chain", ""))
    hops = journal.chain(token)
    if not hops or not token.startswith(TUTORS):
        raise Unwitnessed("This lab saw no run of that chain: nothing to judge.")
    first = hops[0]
    if first.student != name or first.route.rstrip("/") != f"/redirect/{answer.code}":
        raise Unwitnessed("That chain is not your run of this answer.")
    spec = exercise.spec(answer)
    version, error = report.get("client_version"), report.get("error")
    evidence = Evidence.of_chain(
        hops,
        asked=Sent.of(spec.method, spec.body.encode()),
        error=str(error)[:2000] if error is not None else None,
        reported=Reported.from_json(report.get("reported")),
    )
    return column, Outcome(spec, str(version)[:200] if version else "unknown", evidence)
