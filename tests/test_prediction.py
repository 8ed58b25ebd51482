"""matching(): the live outcome, as the lab witnessed it, decides which predictions were right."""

from __future__ import annotations

from tutor.course.models import Choice
from tutor.experiments.expectation import Expectation
from tutor.experiments.prediction import matching
from tutor.experiments.runner import run
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer


def choice(id_: str, expect: Expectation | None) -> Choice:
    return Choice(id=id_, text=id_, expect=expect, explanation=f"because {id_}")


KEPT = choice("kept", Expectation(method="POST", body="intact"))
GET = choice("get", Expectation(method="GET", body="dropped"))
REFUSED = choice("refused", Expectation(arrives=False))
ANY = choice("any", Expectation())
NONE = choice("none", None)


def test_a_303_makes_the_get_prediction_the_right_one(lab: LabServer) -> None:
    outcome = run(ExperimentSpec(code=303, body="a=1"), lab.url, lab.journal)
    assert matching([KEPT, GET, REFUSED], outcome) == [GET]


def test_a_307_keeps_the_post(lab: LabServer) -> None:
    outcome = run(ExperimentSpec(code=307, body="a=1"), lab.url, lab.journal)
    assert matching([GET, REFUSED, KEPT], outcome) == [KEPT]


def test_a_refusal_matches_the_nothing_arrives_prediction(lab: LabServer) -> None:
    outcome = run(ExperimentSpec(code=307, body="a=1", client="urllib"), lab.url, lab.journal)
    assert matching([KEPT, GET, REFUSED], outcome) == [REFUSED]


def test_several_or_no_matches_are_reported_in_order_and_no_claim_never_matches(
    lab: LabServer,
) -> None:
    outcome = run(ExperimentSpec(code=307, body="a=1"), lab.url, lab.journal)
    assert matching([ANY, NONE, KEPT], outcome) == [ANY, KEPT]
    assert matching([GET, NONE], outcome) == []
