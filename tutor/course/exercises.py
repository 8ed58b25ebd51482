"""Exercises: a step's task that the learner does, checked live by the lab's journal.

`bring-your-own`: the learner sends a request with any client they have to a URL under their
own /s/NAME prefix; `configure`: the learner picks what the lab answers and the tutor runs the
named client against it.
"""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Literal, get_args

from tutor.course.base import Issue, Line, Prose, cross_check, expectation_issues
from tutor.course.files import shown
from tutor.course.limits import HINTS
from tutor.experiments.expectation import Expectation
from tutor.experiments.spec import (
    KNOWN_CODES,
    METHODS,
    ClientName,
    ExperimentSpec,
    RedirectCode,
)
from tutor.validated import After, Rule, Strict, model

__all__ = ["Answer", "BringYourOwn", "Cache", "Configure", "Exercise", "Location", "Method"]

Location = Literal["path", "relative", "absolute", "none"]
Cache = Literal["no-store", "none", "max-age=3600"]
"""What a configure exercise may offer for the redirect's Cache-Control: the lab's default
`no-store`, no header at all (a 300, 301 or 308 may then be cached heuristically, RFC 9110
§15.1), or explicit freshness."""
_PERMANENT = (301, 308)
_TEMPORARY = (302, 303, 307)


def _method(method: str) -> str:
    if method.upper() not in METHODS:
        raise ValueError(f"unknown method {shown(method)}: use one of {', '.join(METHODS)}")
    return method.upper()


Method = Annotated[str, After(_method)]


@model
class BringYourOwn(Strict):
    """Send a request to the lab with your own client; met when what arrives meets `goal`."""

    kind: Literal["bring-your-own"]
    task: Prose
    """What to do, e.g. "Make a POST arrive at the target still a POST after a 302, using curl"."""
    code: RedirectCode
    """The lab answers the first request with this code (at /s/NAME/redirect/CODE)."""
    method: Method = "POST"
    """The method the learner's first request uses."""
    goal: Expectation
    client: Line | None = None
    """A hint: the client the task has in mind (any client that meets the goal counts)."""
    hints: Annotated[list[Prose], Rule(max_length=HINTS)] = field(default_factory=list)

    def __post_init__(self) -> None:
        """A goal the journal can see arrive."""
        issues: list[Issue] = [(("goal", *loc), text) for loc, text in _goal_issues(self.goal)]
        if not self.goal.arrives:
            message = (
                "a bring-your-own goal says what arrives: the journal can see a request arrive, "
                "never that a client will not follow later"
            )
            issues.append((("goal", "arrives"), message))
        for said in ("error", "reported"):
            if getattr(self.goal, said) is not None:
                message = (
                    f"a bring-your-own goal is read from the journal: '{said}' is what a client "
                    "tells the tutor, and the student's own client tells it nothing"
                )
                issues.append((("goal", said), message))
        cross_check(issues)

    def route(self) -> str:
        """The lab route of the first request, without the learner's prefix."""
        return f"/redirect/{self.code}"

    def url(self, lab_url: str, student: str) -> str:
        """The URL a learner sends their first request to, under their own prefix."""
        return f"{lab_url}/s/{student}{self.route()}"


@model
class Answer(Strict):
    """What the lab answers in a configure exercise: a code, a Location form, a cache header."""

    code: RedirectCode
    location: Location = "path"
    cache: Cache = "no-store"


@model
class Configure(Strict):
    """Choose the lab's answer so that `client`'s request meets `goal`, checked by a live run."""

    kind: Literal["configure"]
    task: Prose
    """The situation, e.g. "The checkout endpoint moves for a week; keep the POST"."""
    client: ClientName
    method: Method = "POST"
    body: str = ""
    codes: Annotated[tuple[RedirectCode, ...], Rule(strict=False, max_length=len(KNOWN_CODES))] = (
        301,
        302,
        303,
        307,
        308,
    )
    """What is offered (a list in the file; the tuple's items stay strict)."""
    locations: Annotated[
        tuple[Location, ...], Rule(strict=False, max_length=len(get_args(Location)))
    ] = ("path",)
    caches: Annotated[tuple[Cache, ...], Rule(strict=False, max_length=len(get_args(Cache)))] = (
        "no-store",
    )
    move: Literal["temporary", "permanent"] | None = None
    """Whether the move the task describes is temporary or permanent: the code must say so."""
    goal: Expectation
    answer: Answer
    """A right answer: lint checks that it is on offer, the course test that it meets the goal."""
    hints: Annotated[list[Prose], Rule(max_length=HINTS)] = field(default_factory=list)

    def __post_init__(self) -> None:
        """The right answer is among what is offered, and says the move the task describes."""
        issues: list[Issue] = [(("goal", *loc), text) for loc, text in _goal_issues(self.goal)]
        for name, offered in (
            ("code", self.codes),
            ("location", self.locations),
            ("cache", self.caches),
        ):
            chosen = getattr(self.answer, name)
            if chosen not in offered:
                plural = {"code": "codes", "location": "locations", "cache": "caches"}[name]
                issues.append((("answer", name), f"{chosen!r} is not among the {plural} offered"))
        if problem := self.move_problem(self.answer.code):
            issues.append((("answer", "code"), problem))
        cross_check(issues)

    def spec(self, answer: Answer) -> ExperimentSpec:
        """The live run that checks `answer`: this exercise's request against the lab's answer."""
        return ExperimentSpec(
            code=answer.code,
            method=self.method,
            body=self.body,
            client=self.client,
            location=answer.location,
            cache=None if answer.cache == "no-store" else answer.cache,
        )

    def move_problem(self, code: int) -> str | None:
        """Why `code` does not say the move the task describes; None when it does."""
        if self.move == "temporary" and code not in _TEMPORARY:
            return f"{code} says the move is permanent; the task describes a temporary one"
        if self.move == "permanent" and code not in _PERMANENT:
            return f"{code} says the move is temporary; the task describes a permanent one"
        return None


def _goal_issues(goal: Expectation) -> list[Issue]:
    return [(loc[1:], text) for loc, text in expectation_issues(goal)]


Exercise = Annotated[BringYourOwn | Configure, Rule(discriminator="kind")]
"""A step's exercise; `kind:` says which."""
