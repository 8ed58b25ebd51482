"""fetch()'s redirect modes and CORS across redirects, with real headless Chromium and real Node
against the real lab: what arrived from the journal, what each client reported from itself.

Every experiment runs once (one browser, one node process) and each test reads its outcome.
Checked live with Chromium 156 and Node 20 (undici 6): the browser sends a preflight to the new
origin and `Origin: null` after a hop back, and hands a script an opaque redirect for "manual";
Node returns the real 3xx and knows no CORS. Firefox 153.8.0esr's fetch() takes the same modes,
checked here for "manual", "error" and "follow".
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tutor.experiments.clients import CLIENT_NAMES
from tutor.experiments.outcome import Outcome
from tutor.experiments.runner import run, run_many
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.reported import Reported
from tutor.lab.server import LabServer

BROWSER = "chromium-fetch"
FIREFOX = "firefox-fetch"
FETCH_CLIENTS = (BROWSER, FIREFOX, "node")
"""The clients that are fetch() and take its redirect modes."""
THERE_AND_BACK = "/redirect/307?origin=other"
SPECS = {
    "manual-chromium": ExperimentSpec(code=307, method="GET", redirect="manual", client=BROWSER),
    "manual-node": ExperimentSpec(code=307, method="GET", redirect="manual", client="node"),
    "manual-firefox": ExperimentSpec(code=307, method="GET", redirect="manual", client=FIREFOX),
    "error-chromium": ExperimentSpec(code=307, method="GET", redirect="error", client=BROWSER),
    "error-firefox": ExperimentSpec(code=307, method="GET", redirect="error", client=FIREFOX),
    "error-node": ExperimentSpec(code=307, method="GET", redirect="error", client="node"),
    "follow-chromium": ExperimentSpec(code=302, method="GET", client=BROWSER),
    "follow-node": ExperimentSpec(code=302, method="GET", client="node"),
    "follow-firefox": ExperimentSpec(code=302, method="GET", client=FIREFOX),
    "put-other-chromium": ExperimentSpec(
        code=307, method="PUT", body="a=1", origin="other", client=BROWSER
    ),
    "put-other-firefox": ExperimentSpec(
        code=307, method="PUT", body="a=1", origin="other", client=FIREFOX
    ),
    "back-firefox": ExperimentSpec(
        code=307, method="GET", origin="other", to=THERE_AND_BACK, client=FIREFOX
    ),
    "put-other-node": ExperimentSpec(
        code=307, method="PUT", body="a=1", origin="other", client="node"
    ),
    "back-chromium": ExperimentSpec(
        code=307, method="GET", origin="other", to=THERE_AND_BACK, client=BROWSER
    ),
    "refused-chromium": ExperimentSpec(
        code=307, method="PUT", body="a=1", origin="other", to="/echo?cors=none", client=BROWSER
    ),
}


@pytest.fixture(scope="module")
def outcomes(lab: LabServer) -> dict[str, Outcome]:
    ran = run_many(list(SPECS.values()), lab.url, lab.journal, timeout=10)
    for outcome in ran:
        assert outcome.client_version is not None, f"{outcome.client} is not installed here"
    return dict(zip(SPECS, ran, strict=True))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize("name", ["manual-chromium", "manual-firefox"])
def test_manual_in_a_browser_is_an_opaque_redirect(outcomes, name):
    outcome = outcomes[name]
    assert [hop.status for hop in outcome.hops] == [307]
    assert (outcome.error, outcome.reported) == (None, Reported(0, "opaqueredirect", False, None))
    assert outcome.verdict.text == "Not followed: the client stopped at the 307"


def test_manual_in_node_is_the_real_3xx_with_its_location(outcomes):
    outcome = outcomes["manual-node"]
    assert [hop.status for hop in outcome.hops] == [307]
    assert outcome.error is None
    assert outcome.reported == Reported(307, "basic", False, outcome.hops[0].location)
    assert outcome.hops[0].location.startswith("/echo?chain=")
    assert outcome.said == f"the answer it got was {outcome.reported.text}"


@pytest.mark.parametrize("name", ["error-chromium", "error-firefox", "error-node"])
def test_error_rejects_and_nothing_goes_to_the_location(outcomes, name):
    outcome = outcomes[name]
    assert [hop.status for hop in outcome.hops] == [307]
    assert outcome.reported is None
    assert "rejected with TypeError" in outcome.error
    assert outcome.verdict.kind == "refused"


@pytest.mark.parametrize("name", ["follow-chromium", "follow-firefox", "follow-node"])
def test_follow_reports_redirected(outcomes, name):
    outcome = outcomes[name]
    assert [hop.status for hop in outcome.hops] == [302, 200]
    assert outcome.reported == Reported(200, "basic", True, None)
    assert outcome.to_json()["reported"] == {
        "status": 200,
        "type": "basic",
        "redirected": True,
        "location": None,
    }


@pytest.mark.parametrize("name", ["put-other-chromium", "put-other-firefox"])
def test_a_browser_preflights_at_the_new_origin(outcomes, lab, name):
    put, preflight, arrived = outcomes[name].hops
    assert (put.method, put.status, put.header("host")) == ("PUT", 307, urlsplit(lab.url).netloc)
    assert (preflight.method, preflight.header("access-control-request-method")) == (
        "OPTIONS",
        "PUT",
    )
    assert preflight.header("host") == urlsplit(lab.other_url).netloc
    assert preflight.header("origin") == arrived.header("origin") == _origin(lab.url)
    assert (arrived.method, arrived.body) == ("PUT", b"a=1")
    evidence = outcomes[name].evidence
    assert (evidence.preflights, evidence.requests, evidence.arrived) == (1, 3, arrived)
    assert outcomes[name].reported == Reported(200, "cors", True, None)


def test_node_knows_no_cors(outcomes):
    outcome = outcomes["put-other-node"]
    assert [hop.method for hop in outcome.hops] == ["PUT", "PUT"]
    assert [hop.header("origin") for hop in outcome.hops] == [None, None]
    assert outcome.evidence.preflights == 0


@pytest.mark.parametrize("name", ["back-chromium", "back-firefox"])
def test_a_hop_back_from_another_origin_arrives_as_origin_null(outcomes, lab, name):
    first, there, back = outcomes[name].hops
    assert first.header("origin") is None  # a same-origin GET
    assert there.header("origin") == _origin(lab.url)
    assert (back.route, back.header("origin")) == ("/echo", "null")
    assert outcomes[name].reported == Reported(200, "cors", True, None)


def test_a_refused_preflight_keeps_the_put_from_the_target(outcomes):
    outcome = outcomes["refused-chromium"]
    assert [hop.method for hop in outcome.hops] == ["PUT", "OPTIONS"]
    assert outcome.arrived is None
    assert "rejected with TypeError" in outcome.error
    assert outcome.verdict.text == (
        "Refused after the 307: only the CORS preflight reached the target"
    )


@pytest.mark.parametrize("mode", ["manual", "error"])
@pytest.mark.parametrize("client", [name for name in CLIENT_NAMES if name not in FETCH_CLIENTS])
def test_other_clients_cannot_be_asked_for_a_redirect_mode(lab, client, mode):
    spec = ExperimentSpec(code=307, method="GET", redirect=mode, client=client)
    outcome = run(spec, lab.url, lab.journal)
    assert outcome.hops == ()
    assert outcome.verdict.kind == "not_expressible"
    assert outcome.error.endswith(f"has no redirect mode {mode!r} (a fetch() option)")
