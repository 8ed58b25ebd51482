"""Check exercises from the journal: whatever client a learner used, judged by what arrived."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutor.course.exercises import Answer, BringYourOwn, Configure
from tutor.experiments.outcome import Outcome
from tutor.experiments.runner import run
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.journal import Hop, Journal
from tutor.lab.journal_line import size_text
from tutor.lab.verdict import arrival, chain_verdict

__all__ = ["Check", "attempts", "check_chain", "check_configure", "exercise_url", "latest"]


@dataclass(frozen=True, slots=True)
class Check:
    """Whether an attempt met its exercise's goal, what arrived, and what is still missing."""

    met: bool
    story: str
    """What the lab saw, hop by hop, e.g. "POST /s/ada/redirect/302 (3 bytes) → 302 → GET ..."."""
    verdict: str
    problems: tuple[str, ...]
    client: str
    """The User-Agent of the first request, or "an unnamed client"."""


def exercise_url(exercise: BringYourOwn, lab_url: str, student: str) -> str:
    """The URL a learner sends their first request to, under their own prefix."""
    return f"{lab_url}/s/{student}{exercise.route()}"


def attempts(exercise: BringYourOwn, journal: Journal, student: str) -> list[list[Hop]]:
    """Every chain in the journal that `student` started at the exercise's route, oldest first."""
    chains: dict[str, list[Hop]] = {}
    for hop in journal.recent(len(journal)):
        if hop.student == student:
            chains.setdefault(hop.chain, []).append(hop)
    return [
        chain
        for chain in chains.values()
        if chain[0].route.rstrip("/") == exercise.route() and chain[0].is_redirect
    ]


def latest(exercise: BringYourOwn, journal: Journal, student: str) -> Check | None:
    """The check of `student`'s newest attempt; None before their first request arrives."""
    found = attempts(exercise, journal, student)
    return check_chain(exercise, found[-1]) if found else None


def check_chain(exercise: BringYourOwn, chain: Sequence[Hop]) -> Check:
    """Judge one chain against the exercise: the first request's method, then what arrived."""
    first, last, arrived = chain[0], chain[-1], arrival(chain)
    problems: list[str] = []
    if first.method != exercise.method:
        problems.append(f"the task starts with a {exercise.method}; you sent {first.method}")
    judged = chain_verdict(chain)
    why_not = f"the client stopped at the {last.status}: did it follow the Location?"
    sent = (first.body_size, first.body_digest)
    body_intact = arrived is not None and (arrived.body_size, arrived.body_digest) == sent
    problems += exercise.goal.compare(arrived, body_intact, why_not)
    return Check(
        met=not problems,
        story=_story(chain),
        verdict=judged.text if judged else why_not,
        problems=tuple(problems),
        client=first.header("user-agent") or "an unnamed client",
    )


def check_configure(
    exercise: Configure, answer: Answer, lab_url: str, journal: Journal
) -> tuple[Outcome, Check]:
    """Run the exercise's client live against the lab answering `answer`, and judge it."""
    spec = ExperimentSpec(
        code=answer.code,
        method=exercise.method,
        body=exercise.body,
        client=exercise.client,
        location=answer.location,
        cache=None if answer.cache == "no-store" else answer.cache,
    )
    outcome = run(spec, lab_url, journal)
    problems = []
    if move := exercise.move_problem(answer.code):
        problems.append(move)
    if outcome.client_version is None:
        problems.append(outcome.error or f"{exercise.client} is not installed")
    else:
        problems += exercise.goal.mismatches(outcome)
    check = Check(
        met=not problems,
        story=_story(outcome.hops) if outcome.hops else "nothing reached the lab",
        verdict=outcome.verdict.text,
        problems=tuple(problems),
        client=f"{outcome.client} {outcome.client_version or '(not installed)'}",
    )
    return outcome, check


def _story(chain: Sequence[Hop]) -> str:
    parts = []
    for hop in chain:
        parts.append(f"{hop.method} {hop.path} ({size_text(hop.body_size)})")
        parts.append(str(hop.status))
    return " → ".join(parts)
