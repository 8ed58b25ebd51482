"""Real clients against the real lab on a free port: what arrived after each redirect.

The expected table is written out by hand from ../shared/FACTS.md (facts 18, 20, 21) and was
checked live; it is not derived from the code under test.
"""

from __future__ import annotations

import shutil

import pytest

from tutor.experiments.runner import run
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.journal import BODY_KEPT

GET_BODY = ("GET", "dropped")
KEPT = ("same", "intact")
REFUSED = (None, None)
SAME_NO_BODY = ("same", "dropped")

# (client, method) -> {code: (method that arrives, body)}; "same" = the method sent.
EXPECTED = {
    ("httpx", "POST"): {301: GET_BODY, 302: GET_BODY, 303: GET_BODY, 307: KEPT, 308: KEPT},
    ("httpx", "PUT"): {301: KEPT, 302: GET_BODY, 303: GET_BODY, 307: KEPT, 308: KEPT},
    ("urllib", "POST"): {301: GET_BODY, 302: GET_BODY, 303: GET_BODY, 307: REFUSED, 308: REFUSED},
    ("urllib", "PUT"): dict.fromkeys((301, 302, 303, 307, 308), REFUSED),
    ("curl", "POST"): {301: GET_BODY, 302: GET_BODY, 303: GET_BODY, 307: KEPT, 308: KEPT},
    # curl -X PUT keeps the method word on 301/302/303 but sends no body (fact 21's trap).
    ("curl", "PUT"): {
        301: SAME_NO_BODY,
        302: SAME_NO_BODY,
        303: SAME_NO_BODY,
        307: KEPT,
        308: KEPT,
    },
}
for _client in ("httpx", "urllib", "curl"):
    EXPECTED[(_client, "GET")] = dict.fromkeys((301, 302, 303, 307, 308), ("same", None))

CASES = [
    pytest.param(client, method, code, expected, id=f"{client}-{method}-{code}")
    for (client, method), by_code in EXPECTED.items()
    for code, expected in by_code.items()
]


@pytest.fixture(scope="module", autouse=True)
def _curl_present():
    assert shutil.which("curl"), "curl must be installed for these tests (.ci/run installs it)"


@pytest.mark.parametrize(("client", "method", "code", "expected"), CASES)
def test_what_arrives(lab, client, method, code, expected):
    body = "" if method == "GET" else "name=ada"
    outcome = run(
        ExperimentSpec(code=code, method=method, body=body, client=client), lab.url, lab.journal
    )
    arrived_method, arrived_body = expected
    first = outcome.hops[0]
    assert (first.method, first.status, first.body_size) == (method, code, len(body))
    if arrived_method is None:
        assert outcome.arrived is None
        assert outcome.error and str(code) in outcome.error
        assert outcome.verdict.kind == "refused"
        assert len(outcome.hops) == 1
        return
    assert outcome.error is None
    assert len(outcome.hops) == 2
    assert outcome.arrived.method == (method if arrived_method == "same" else arrived_method)
    if arrived_body == "intact":
        assert outcome.body_intact
        assert outcome.arrived.body == b"name=ada"
    elif arrived_body == "dropped":
        assert outcome.arrived.body_size == 0
        assert outcome.arrived.header("content-length") in (None, "0")


def test_outcome_json_matches_the_design(lab):
    outcome = run(ExperimentSpec(code=307, method="POST", body="a=1"), lab.url, lab.journal)
    document = outcome.to_json()
    assert document["sent"] == {"method": "POST", "body": "a=1"}
    assert document["arrived"] == {"method": "POST", "body_intact": True}
    assert [hop["status"] for hop in document["hops"]] == [307, 200]
    assert document["hops"][0]["location"].startswith("/echo?chain=")
    assert document["error"] is None
    assert document["verdict"] == "POST kept, body intact (3 bytes)"


def test_a_body_longer_than_the_journal_keeps_is_judged_by_its_digest(lab):
    body = "a" * (BODY_KEPT + 1)
    outcome = run(ExperimentSpec(code=307, body=body), lab.url, lab.journal)
    assert len(outcome.arrived.body) == BODY_KEPT
    assert outcome.body_intact
    assert outcome.verdict.kind == "kept"


def test_headers_are_sent(lab):
    spec = ExperimentSpec(code=307, headers={"X-Lesson": "one"}, body="a=1", client="curl")
    outcome = run(spec, lab.url, lab.journal)
    assert [hop.header("x-lesson") for hop in outcome.hops] == ["one", "one"]


def test_a_timeout_is_an_outcome_not_a_crash(lab):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        for client in ("httpx", "urllib", "curl"):
            outcome = run(
                ExperimentSpec(code=307, body="a=1", client=client), url, lab.journal, timeout=0.5
            )
            assert outcome.arrived is None
            assert outcome.error, client
            assert outcome.verdict.kind == "refused"
    finally:
        silent.close()


def test_a_missing_program_is_reported_as_not_installed(lab, monkeypatch):
    from tutor.experiments.clients import curl

    monkeypatch.setenv("PATH", "/nonexistent")
    curl.Curl.version.cache_clear()
    try:
        outcome = run(ExperimentSpec(code=307, client="curl"), lab.url, lab.journal)
    finally:
        curl.Curl.version.cache_clear()
    assert outcome.client_version is None
    assert outcome.verdict.kind == "unavailable"
    assert "not installed" in outcome.error
    assert "apt-get install curl" in outcome.error
