"""Claims about headers and request counts, checked against live outcomes on the real lab."""

from __future__ import annotations

from tutor.experiments.expectation import Expectation
from tutor.experiments.runner import run
from tutor.experiments.spec import ExperimentSpec

TOKEN = {"Authorization": "Bearer demo", "Cookie": "sid=42"}


def test_headers_sent_and_dropped_across_origins(lab):
    httpx_run = run(
        ExperimentSpec(code=307, method="GET", origin="other", headers=TOKEN, client="httpx"),
        lab.url,
        lab.journal,
    )
    assert httpx_run.hops[0].header("authorization") == "Bearer demo"
    assert Expectation(dropped=("Authorization", "Cookie")).mismatches(httpx_run.evidence) == []
    assert Expectation(sent=("Authorization",)).mismatches(httpx_run.evidence) == [
        "expected Authorization to arrive, but it did not"
    ]
    urllib_run = run(
        ExperimentSpec(code=302, method="GET", origin="other", headers=TOKEN, client="urllib"),
        lab.url,
        lab.journal,
    )
    assert Expectation(sent=("Authorization", "Cookie")).mismatches(urllib_run.evidence) == []
    assert Expectation(dropped=("Cookie",)).mismatches(urllib_run.evidence) == [
        "expected Cookie dropped, but it arrived"
    ]


def test_the_number_of_requests_the_lab_saw(lab):
    outcome = run(ExperimentSpec(code=307, body="a=1"), lab.url, lab.journal)
    assert Expectation(requests=2).mismatches(outcome.evidence) == []
    assert Expectation(requests=3).mismatches(outcome.evidence) == [
        "expected 3 requests, but the lab saw 2"
    ]
