"""What every course format rests on: strict models, ids, and cross-field checks that say where.

Lessons (tutor.course.models), exercises, question banks and reference cards all build on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from tutor.experiments.expectation import Expectation
from tutor.experiments.spec import METHODS

__all__ = [
    "ID_PATTERN",
    "CrossCheckError",
    "Issue",
    "Loc",
    "Strict",
    "citation_issues",
    "cross_check",
    "duplicates",
    "expectation_issues",
    "loc_text",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"

Loc = tuple[str | int, ...]
"""A place in a lesson as keys and list indexes, like pydantic's error `loc`."""
Issue = tuple[Loc, str]
"""Where a problem is, relative to the model that found it, and what it is."""


class CrossCheckError(ValueError):
    """Problems that span fields (duplicate ids, dangling references), each with its own place.

    The loader adds each issue's location to the model's, so it can point at the exact line.
    """

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(message for _, message in self.issues))


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not pass silently) and content is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def cross_check(issues: list[Issue]) -> None:
    """Raise the issues found across fields, if any (a model validator's last line)."""
    if issues:
        raise CrossCheckError(issues)


def expectation_issues(expect: Expectation | None) -> list[Issue]:
    """What is wrong with a claimed outcome: an unknown method, or saying both "nothing arrives"
    and what arrives (a request cut short by its client, `hung_up: true`, may say its method
    and headers, never that it arrived)."""
    issues: list[Issue] = []
    if expect is not None and expect.method and expect.method.upper() not in METHODS:
        message = f"unknown method {expect.method!r}: use one of {', '.join(METHODS)}"
        issues.append((("expect", "method"), message))
    if (
        expect is not None
        and not expect.arrives
        and (
            expect.body
            or expect.headers
            or expect.origin
            or expect.target
            or (not expect.hung_up and (expect.method or expect.sent or expect.dropped))
        )
    ):
        message = "'arrives: false' cannot also say what method, body or headers arrive"
        issues.append((("expect", "arrives"), message))
    if expect is not None and expect.arrives and expect.hung_up:
        message = "'hung_up: true' is a request that never arrived: say 'arrives: false' too"
        issues.append((("expect", "hung_up"), message))
    return issues


def citation_issues(
    citations: Sequence[str], cited: Iterable[tuple[Loc, Sequence[str]]], owner: str
) -> list[Issue]:
    """An issue at each citation id that repeats, and at each `cited` id (lists of ids, each at
    its place) that is not among `citations`, "the `owner`'s citations"."""
    issues = duplicates("citation", [(("citations", i), id_) for i, id_ in enumerate(citations)])
    known = set(citations)
    for where, ids in cited:
        issues += _unresolved(known, ids, where, f"the {owner}'s citations")
    return issues


def _unresolved(known: set[str], cited: Sequence[str], where: Loc, among: str) -> list[Issue]:
    """An issue at each cited id that is not among `known` (e.g. "the lesson's citations")."""
    return [
        ((*where, k), f"{id_!r} is not among {among}")
        for k, id_ in enumerate(cited)
        if id_ not in known
    ]


def duplicates(kind: str, items: Sequence[tuple[Loc, str]]) -> list[Issue]:
    """An issue at each id that repeats an earlier one, naming where the first one is."""
    first: dict[str, Loc] = {}
    issues: list[Issue] = []
    for place, id_ in items:
        if id_ in first:
            message = f"duplicate {kind} id {id_!r} ({loc_text(first[id_])} already uses it)"
            issues.append(((*place, "id"), message))
        else:
            first[id_] = place
    return issues


def loc_text(loc: Loc) -> str:
    """A location as a lesson author reads it, e.g. steps[2].experiments[0].code."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text
