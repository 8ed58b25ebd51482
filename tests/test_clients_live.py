"""Real clients against the real lab on a free port: what arrived after each redirect.

The expected table is written out by hand from ../shared/FACTS.md (facts 18, 20, 21) and was
checked live; it is not derived from the code under test.
"""

from __future__ import annotations

import shutil
import threading

import pytest

from tutor.experiments import clients
from tutor.experiments.clients.base import Attempt, Request
from tutor.experiments.clients.program import forget_versions
from tutor.experiments.runner import run
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.bounds import Bounds
from tutor.lab.journal import new_token

BODY_KEPT = Bounds().body_kept

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
    monkeypatch.setenv("PATH", "/nonexistent")
    forget_versions()
    try:
        outcome = run(ExperimentSpec(code=307, client="curl"), lab.url, lab.journal)
    finally:
        forget_versions()
    assert outcome.client_version is None
    assert outcome.verdict.kind == "unavailable"
    assert "not installed" in outcome.error
    assert "apt-get install curl" in outcome.error


def _chain_url(lab, code: int) -> tuple[str, str]:
    token = new_token()
    return token, ExperimentSpec(code=code, method="GET").url(lab.url, token)


def test_send_batch_answers_one_attempt_per_request_in_order(lab):
    work = []
    tokens = []
    for method in ("POST", "PUT", "GET"):
        token, url = _chain_url(lab, 307)
        tokens.append(token)
        work.append(
            (clients.get("httpx"), Request(method, url, b"" if method == "GET" else b"a=1"))
        )
    attempts = clients.get("httpx").send_batch(work, 5.0, threading.Event())
    assert attempts == [Attempt(), Attempt(), Attempt()]
    assert [lab.journal.chain(token)[-1].method for token in tokens] == ["POST", "PUT", "GET"]


# GET with a body at each code, run live: (method that arrives, body). Checked by hand with
# curl 7.88 (-X GET --data-binary) and GNU Wget 1.21 (--method=GET --body-data).
GET_WITH_BODY = {
    "curl": {301: SAME_NO_BODY, 302: SAME_NO_BODY, 303: SAME_NO_BODY, 307: KEPT, 308: KEPT},
    "wget": {301: KEPT, 302: KEPT, 303: SAME_NO_BODY, 307: KEPT, 308: KEPT},
}


@pytest.mark.parametrize(
    ("client", "code", "expected"),
    [
        pytest.param(client, code, expected, id=f"{client}-{code}")
        for client, by_code in GET_WITH_BODY.items()
        for code, expected in by_code.items()
    ],
)
def test_a_program_sends_a_get_with_its_body_as_a_get(lab, installed, client, code, expected):
    chosen = installed(client)
    token, url = _chain_url(lab, code)
    attempts = chosen.send_batch([(chosen, Request("GET", url, b"a=1"))], 5.0, threading.Event())
    assert attempts == [Attempt()]
    first, *later = lab.journal.chain(token)
    assert (first.method, first.status, first.body) == ("GET", code, b"a=1")
    assert [hop.method for hop in later] == ["GET"]
    assert later[0].body == (b"a=1" if expected == KEPT else b"")


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("client", clients.CLIENT_NAMES)
def test_a_body_on_a_get_or_head_is_sent_as_asked_or_refused_with_a_reason(
    lab, installed, client, method
):
    """Either the lab sees the method asked with its body, or cannot_send says why in a sentence."""
    chosen = installed(client)
    token, url = _chain_url(lab, 307)
    request = Request(method, url, b"a=1")
    reason = chosen.cannot_send(request)
    if reason is not None:
        assert reason.strip() and "\n" not in reason and len(reason) < 120
        outcome = run(
            ExperimentSpec(code=307, method=method, body="a=1", client=client), lab.url, lab.journal
        )
        assert (outcome.hops, outcome.error) == ((), reason)
        assert outcome.verdict.kind == "not_expressible"
        return
    # A client that reports the answer it was handed back (Go, Java, fetch()) may say so.
    [attempt] = chosen.send_batch([(chosen, request)], 5.0, threading.Event())
    assert attempt.error is None
    first = lab.journal.chain(token)[0]
    assert (first.method, first.body) == (method, b"a=1")
