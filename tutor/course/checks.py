"""Checking a step's exercise: whatever client a learner used, judged by the lab's evidence."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.course.exercises import BringYourOwn, Configure
from tutor.experiments.outcome import Outcome
from tutor.lab.evidence import Evidence

__all__ = ["Check", "check_attempt", "check_configured"]


@dataclass(frozen=True, slots=True)
class Check:
    """Whether an attempt met its exercise's goal, what arrived, and what is still missing."""

    met: bool
    story: str
    """What the lab saw, hop by hop, e.g. "POST /s/ada/redirect/302 (3 bytes) → 302 → GET ..."."""
    verdict: str
    problems: tuple[str, ...]
    client: str
    """Who sent it: the User-Agent of the first request, or the tutor's client and version."""


def check_attempt(exercise: BringYourOwn, evidence: Evidence) -> Check:
    """Judge a learner's own chain against the exercise: the first request's method, then what
    arrived."""
    first = evidence.first
    problems: list[str] = []
    if first is not None and first.method != exercise.method:
        problems.append(f"the task starts with a {exercise.method}; you sent {first.method}")
    problems += exercise.goal.mismatches(evidence)
    if evidence.arrived is None and evidence.hops and evidence.hops[-1].is_redirect:
        problems.append("did the client follow the Location?")
    user_agent = first.header("user-agent") if first is not None else None
    return Check(
        met=not problems,
        story=evidence.story,
        verdict=evidence.verdict.text,
        problems=tuple(problems),
        client=user_agent or "an unnamed client",
    )


def check_configured(exercise: Configure, outcome: Outcome) -> Check:
    """Judge the live run of a configure exercise's client against the lab's answer."""
    problems = []
    if outcome.code is not None and (move := exercise.move_problem(outcome.code)):
        problems.append(move)
    if outcome.client_version is None:
        problems.append(outcome.error or f"{exercise.client} is not installed")
    else:
        problems += exercise.goal.mismatches(outcome.evidence)
    return Check(
        met=not problems,
        story=outcome.evidence.story,
        verdict=outcome.verdict.text,
        problems=tuple(problems),
        client=f"{outcome.client} {outcome.client_version or '(not installed)'}",
    )
