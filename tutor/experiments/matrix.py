"""The redirect matrix: every code, method and client, run live, one cell per outcome.

The point of the tutor is that clients disagree (FACTS 18-23, WHATWG Fetch): the matrix shows
it side by side, each cell judged from what arrived at the lab.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from tutor.experiments.outcome import Outcome
from tutor.experiments.spec import BODY_METHODS, ExperimentSpec, Scheme
from tutor.lab.evidence import VerdictKind

__all__ = [
    "BODY",
    "CARRIED",
    "CARRIED_LEGEND",
    "CODES",
    "LEGEND",
    "METHODS",
    "Cell",
    "cell",
    "cell_text",
    "matrix_specs",
]

CODES = (301, 302, 303, 307, 308)
METHODS = ("POST", "PUT", "DELETE", "PATCH", "GET", "HEAD")
BODY = "name=ada"
"""The body each method that carries one sends."""
CARRIED = {"Authorization": "Bearer lab-token", "Cookie": "session=lab"}
"""What each request of a matrix across a change of scheme carries too, when its client can add
headers: the credentials a redirect may leak (RFC 9110 §15.4)."""
CARRIED_LEGEND = "A, C: Authorization, Cookie reached the target; -: neither"


class Cell(StrEnum):
    """What one cell shows: the classes of the legend, in the order it lists them."""

    KEPT = "kept"
    BECAME_GET = "became-get"
    BODY_DROPPED = "body-dropped"
    CHANGED = "changed"
    REFUSED = "refused"
    NOT_FOLLOWED = "not-followed"
    CANNOT = "cannot"
    ABSENT = "absent"


LEGEND = {
    Cell.KEPT: "kept method and body",
    Cell.BECAME_GET: "became GET",
    Cell.BODY_DROPPED: "body dropped (∅)",
    Cell.CHANGED: "other change",
    Cell.REFUSED: "refused",
    Cell.NOT_FOLLOWED: "not followed",
    Cell.CANNOT: "cannot send (n/a)",
    Cell.ABSENT: "not installed",
}


def cell(outcome: Outcome) -> Cell:
    """Which legend entry `outcome` falls under."""
    kind = outcome.verdict.kind
    arrived = outcome.arrived
    if kind is VerdictKind.UNAVAILABLE:
        return Cell.ABSENT
    if kind is VerdictKind.NOT_EXPRESSIBLE:
        return Cell.CANNOT
    if kind is VerdictKind.REFUSED:
        return Cell.REFUSED
    if kind is VerdictKind.NOT_FOLLOWED or arrived is None:
        return Cell.NOT_FOLLOWED
    if kind is VerdictKind.KEPT:
        return Cell.KEPT
    if kind is VerdictKind.BODY_DROPPED:
        return Cell.BODY_DROPPED
    if arrived.method == "GET" and not arrived.body_size:
        return Cell.BECAME_GET
    return Cell.CHANGED


def cell_text(outcome: Outcome) -> str:
    """A cell in a few characters: the method that arrived (∅: without its body), and which of
    the credentials it was sent with reached the target (A, C); or why nothing arrived."""
    shown = cell(outcome)
    if outcome.arrived is not None:
        text = outcome.arrived.method + ("∅" if shown is Cell.BODY_DROPPED else "")
        carried = [name for name in CARRIED if name in outcome.spec.headers]
        if not carried:
            return text
        marks = "".join(name[0] for name in carried if outcome.evidence.arrived_with(name))
        return f"{text} {marks or '-'}"
    return {
        Cell.REFUSED: "refused",
        Cell.CANNOT: "n/a",
        Cell.ABSENT: "absent",
    }.get(shown, "stopped")


def matrix_specs(
    client_names: Sequence[str],
    codes: Sequence[int] = CODES,
    methods: Sequence[str] = METHODS,
    scheme: Scheme = "same",
) -> list[ExperimentSpec]:
    """One spec per cell, client by client, then method, then code. Across a change of scheme,
    each request carries CARRIED too, if its client can add headers."""
    return [
        ExperimentSpec(
            code=code,
            method=method,
            body=BODY if method in BODY_METHODS else "",
            client=name,
            scheme=scheme,
            headers=CARRIED if scheme != "same" and _adds_headers(name) else {},
        )
        for name in client_names
        for method in methods
        for code in codes
    ]


def _adds_headers(name: str) -> bool:
    from tutor.experiments import clients
    from tutor.experiments.clients.base import Request

    asked = Request("POST", "http://lab.invalid/", BODY.encode(), dict(CARRIED))
    return clients.get(name).cannot_send(asked) is None
