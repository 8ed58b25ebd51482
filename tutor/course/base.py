"""What every course format rests on: strict models, ids, and cross-field checks that say where.

Lessons (tutor.course.models), exercises, question banks and reference cards all build on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Annotated, Literal

from tutor.course.files import shown
from tutor.course.limits import ID_CHARS, LINE_CHARS, PROSE_CHARS, TEXT_CHARS
from tutor.experiments.expectation import Expectation
from tutor.experiments.spec import (
    METHODS,
    PATH_CHARS,
    header_name_problem,
    header_value_problem,
)
from tutor.lab.bounds import Bounds
from tutor.validated import After, Before, Rule

__all__ = [
    "ID_PATTERN",
    "CrossCheckError",
    "Format",
    "Id",
    "Issue",
    "Line",
    "Loc",
    "Prose",
    "Text",
    "citation_issues",
    "cross_check",
    "duplicates",
    "expectation_issues",
    "loc_text",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"

_UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""What a terminal would act on (controls, escapes, bidi overrides) or cannot show (a lone
surrogate, from a YAML escape like "\\ud800"); a tab and a line break are text."""


def _unshown_problem(text: str) -> str | None:
    if found := _UNSHOWN.search(text):
        return (
            f"holds the control character {found.group()!a} (character {found.start() + 1}):"
            " text in a course file is printable, with tabs and line breaks"
        )
    return None


def _shown_as_written(text: str) -> str:
    if problem := _unshown_problem(text):
        raise ValueError(problem)
    return text


def _exactly_one(value: object) -> object:
    if type(value) is not int:  # true and 1.0 equal 1, and are not a version
        raise ValueError("not a whole number")
    return value


Id = Annotated[str, Rule(pattern=ID_PATTERN, max_length=ID_CHARS)]
Line = Annotated[str, Rule(min_length=1, max_length=LINE_CHARS), After(_shown_as_written)]
"""A title, a label, a name."""
Prose = Annotated[str, Rule(min_length=1, max_length=PROSE_CHARS), After(_shown_as_written)]
"""A summary, a prompt, an explanation, a hint, a quote."""
Text = Annotated[str, Rule(min_length=1, max_length=TEXT_CHARS), After(_shown_as_written)]
"""A step's Markdown, a card's section, a snippet's code."""
Format = Annotated[Literal[1], Before(_exactly_one)]
"""`format: 1`, the number: pydantic's Literal[1] would take `true` and `1.0` too."""

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


def cross_check(issues: list[Issue]) -> None:
    """Raise the issues found across fields, if any (a model validator's last line)."""
    if issues:
        raise CrossCheckError(issues)


def expectation_issues(expect: Expectation | None) -> list[Issue]:
    """What is wrong with a claimed outcome: an unknown method, a header no request can carry,
    a count or target out of bounds, or saying both "nothing arrives" and what arrives (a
    request cut short by its client, `hung_up: true`, may say its method and headers, never
    that it arrived)."""
    if expect is None:
        return []
    issues = [(("expect", *loc), message) for loc, message in _claim_issues(expect)]
    if not expect.arrives and (
        expect.body
        or expect.headers
        or expect.origin
        or expect.target
        or (not expect.hung_up and (expect.method or expect.sent or expect.dropped))
    ):
        message = "'arrives: false' cannot also say what method, body or headers arrive"
        issues.append((("expect", "arrives"), message))
    if expect.arrives and expect.hung_up:
        message = "'hung_up: true' is a request that never arrived: say 'arrives: false' too"
        issues.append((("expect", "hung_up"), message))
    return issues


_FETCH_TYPES = ("basic", "cors", "default", "error", "opaque", "opaqueredirect")
"""Response.type as fetch() reports it (WHATWG Fetch)."""
_REQUESTS = Bounds().chain_hops
"""The most requests one chain can have: the lab answers 429 past them."""


def _claim_issues(expect: Expectation) -> list[Issue]:
    """Each value of a claim that no run could ever show, at its key."""
    issues: list[Issue] = []
    if expect.method and expect.method.upper() not in METHODS:
        message = f"unknown method {shown(expect.method)}: use one of {', '.join(METHODS)}"
        issues.append((("method",), message))
    for field in ("sent", "dropped"):
        names = getattr(expect, field)
        issues += [
            ((field, i), p) for i, name in enumerate(names) if (p := header_name_problem(name))
        ]
    for name, value in expect.headers:
        if problem := header_name_problem(name) or header_value_problem(value):
            issues.append((("headers", name), problem))
    if expect.target is not None and (problem := _target_problem(expect.target)):
        issues.append((("target",), problem))
    for field in ("requests", "preflights"):
        count = getattr(expect, field)
        if count is not None and not 0 <= count <= _REQUESTS:
            issues.append(
                ((field,), f"from 0 to {_REQUESTS} (a chain's most requests), not {count}")
            )
    reported = expect.reported
    if reported is not None and reported.status is not None and not 0 <= reported.status <= 599:
        issues.append((("reported", "status"), f"a status from 0 to 599, not {reported.status}"))
    if reported is not None and reported.type is not None and reported.type not in _FETCH_TYPES:
        message = f"fetch() reports one of {', '.join(_FETCH_TYPES)}, not {shown(reported.type)}"
        issues.append((("reported", "type"), message))
    return issues


def _target_problem(target: str) -> str | None:
    if not target.startswith("/"):
        return f"where on the lab it arrives, starting with '/', not {shown(target)}"
    if len(target) > PATH_CHARS:
        return f"at most {PATH_CHARS:,} characters, not {len(target):,}"
    return _unshown_problem(target)


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
        key = str(part) if len(str(part)) <= 40 else f"{str(part)[:37]}..."
        text += f"[{key}]" if isinstance(part, int) else f".{key}" if text else key
    return text
