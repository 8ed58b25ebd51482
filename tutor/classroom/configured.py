"""A configure exercise on the class lab: the student picks the lab's answer, and the lab runs
the exercise's client against it under the student's prefix, then judges the run from its own
journal. The run is the lab's, not the student's tutor's: a student's own program could send
anything and call it the tutor's run (a curl --post302 named as httpx's), so only a run the lab
made itself can count for the teacher."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from tutor.classroom.ledger import Column, Ledger
from tutor.classroom.runs import OneChain
from tutor.course.exercises import Answer, Configure
from tutor.experiments.outcome import Outcome
from tutor.experiments.runner import run
from tutor.lab.journal import tutor_token
from tutor.lab.seats import Seats
from tutor.validated import validate

__all__ = ["Unrunnable", "run_configure"]


class Unrunnable(ValueError):
    """The call names no configure exercise, or an answer it does not offer; the message says
    which."""


def run_configure(
    ledger: Ledger,
    seats: Seats,
    lab_url: str,
    name: str,
    call: Mapping[str, Any],
) -> tuple[Column, Outcome]:
    """Run the exercise `call` names against the answer it gives, for `name`, from the lab
    itself (blocks: a client program runs); its requests pass `seats` under the name."""
    journal = ledger.journal
    column = ledger.column(str(call.get("exercise", "")))
    if column is None or not isinstance(column.exercise, Configure):
        raise Unrunnable("No configure exercise of that id in the lab's course.")
    exercise = column.exercise
    try:
        answer = validate(Answer, call.get("answer"))
    except ValidationError:
        raise Unrunnable("The answer is not one a configure exercise takes.") from None
    if (
        answer.code not in exercise.codes
        or answer.location not in exercise.locations
        or answer.cache not in exercise.caches
    ):
        raise Unrunnable("That answer is not among those the exercise offers.")
    chains = OneChain(journal, tutor_token())  # the exercise's run, not a bring-your-own attempt
    with seats.vouching(chains.token):
        return column, run(exercise.spec(answer), f"{lab_url}/s/{name}", chains)
