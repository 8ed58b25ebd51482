"""HSTS live: real headless Chromium learns Strict-Transport-Security from the real lab, then its
http:// POST goes to https by itself. What arrived on which listener is read from the journal;
the browser's own "307 Internal Redirect" from its net log (the client's word).

Measured with Chromium 156: over https the header is noted, and the POST reaches the TLS
listener with its body in one request, the plain listener sees none of it, and the net log has
URL_REQUEST_FAKE_RESPONSE_HEADERS_CREATED "HTTP/1.1 307 Internal Redirect" with
"Non-Authoritative-Reason: HSTS"; over plain HTTP the same header is ignored (RFC 6797 §8.1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import sync_playwright
from pydantic import ValidationError
from test_lab_page_xss import Attack, _attacking, _errors, _fetch
from test_web_browser import CHROMIUM, FLAGS

from tutor.classroom.runs import outcome_from_wire, outcome_to_wire
from tutor.experiments.clients.base import Client
from tutor.experiments.outcome import Outcome
from tutor.experiments.runner import run
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.authority import BROWSER_HOST, client_context
from tutor.lab.evidence import VerdictKind
from tutor.lab.journal import Hop
from tutor.lab.server import LabServer
from tutor.validated import validate

MADE_UP = "307 Internal Redirect with Non-Authoritative-Reason: HSTS"
CASES = {
    "noted-fetch": ExperimentSpec(code=301, hsts="https", body="name=ada", client="chromium-fetch"),
    "noted-form": ExperimentSpec(code=301, hsts="https", body="name=ada", client="chromium-form"),
    "ignored-fetch": ExperimentSpec(
        code=301, hsts="http", body="name=ada", client="chromium-fetch"
    ),
    "ignored-308-form": ExperimentSpec(
        code=308, hsts="http", body="name=ada", client="chromium-form"
    ),
}


class Ran:
    """One case's outcome, and every request the lab saw while it ran (page, header, request)."""

    def __init__(self, outcome: Outcome, seen: list[Hop]) -> None:
        self.outcome = outcome
        self.seen = seen

    def on(self, scheme: str) -> list[tuple[str, str]]:
        """What one listener saw: (method, route) of each request, in order (but a request for
        the site's icon, which a browser may make of its own accord)."""
        return [
            (hop.method, hop.route)
            for hop in self.seen
            if hop.scheme == scheme and hop.route != "/favicon.ico"
        ]


@pytest.fixture(scope="module")
def browser_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The temporary folder every browser of this module is given (profile, NSS store, net
    log): the tests look there for what was left behind."""
    folder = tmp_path_factory.mktemp("browsers")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(folder))
        yield folder


@pytest.fixture(scope="module")
def ran(lab: LabServer, browser_folder: Path) -> dict[str, Ran]:
    """Each case on its own, with the hops the lab recorded meanwhile."""
    done = {}
    for name, spec in CASES.items():
        seen: list[Hop] = []
        lab.journal.subscribe(seen.append)
        try:
            outcome = run(spec, lab.url, lab.journal, timeout=10, tls=lab.tls)
        finally:
            lab.journal.unsubscribe(seen.append)
        assert outcome.client_version is not None, f"{outcome.client} is not installed here"
        done[name] = Ran(outcome, seen)
    return done


@pytest.mark.parametrize("name", ["noted-fetch", "noted-form"])
def test_a_noted_host_gets_the_post_over_https_and_the_plain_listener_none(ran, name):
    case = ran[name]
    (only,) = case.outcome.hops
    assert (only.scheme, only.method, only.route, only.status) == (
        "https",
        "POST",
        "/hsts/site",
        200,
    )
    assert (only.body, only.header("host")) == (b"name=ada", BROWSER_HOST)
    assert case.on("https") == [("GET", "/hsts"), ("POST", "/hsts/site")]
    assert case.on("http") == [("GET", "/client/browser")]
    evidence = case.outcome.evidence
    assert (evidence.went_itself, evidence.arrived, evidence.body_intact) == (True, only, True)
    assert evidence.verdict.kind is VerdictKind.KEPT
    assert evidence.verdict.text == (
        f"The client went to https itself (it logged a {MADE_UP}): nothing reached the lab over "
        "http; POST kept, body intact (8 bytes)"
    )


@pytest.mark.parametrize("name", ["noted-fetch", "noted-form"])
def test_the_browser_logs_its_own_307_with_the_reason_hsts(ran, name):
    reported = ran[name].outcome.reported
    assert reported is not None
    assert (reported.status, reported.internal) == (200, MADE_UP)
    assert ran[name].outcome.to_json()["reported"]["internal"] == MADE_UP


def test_fetch_reports_the_made_up_redirect_as_a_redirect(ran):
    reported = ran["noted-fetch"].outcome.reported
    assert (reported.type, reported.redirected, reported.location) == ("cors", True, None)


def test_the_header_over_plain_http_is_ignored_and_the_site_redirects(ran):
    case = ran["ignored-fetch"]
    first, then = case.outcome.hops
    assert (first.scheme, first.method, first.status, first.body) == (
        "http",
        "POST",
        301,
        b"name=ada",
    )
    assert (then.scheme, then.method, then.status, then.body) == ("https", "GET", 200, b"")
    assert case.on("http") == [("GET", "/client/browser"), ("GET", "/hsts"), ("POST", "/hsts/site")]
    assert case.on("https") == [("GET", "/hsts/site")]
    evidence = case.outcome.evidence
    assert not evidence.went_itself
    assert evidence.verdict.text.startswith("POST became GET, body dropped; http → https")
    assert case.outcome.reported is not None and case.outcome.reported.internal is None


def test_a_form_after_the_ignored_header_crosses_in_clear_then_keeps_its_post_on_308(ran):
    first, then = ran["ignored-308-form"].outcome.hops
    assert [(hop.scheme, hop.method, hop.status) for hop in (first, then)] == [
        ("http", "POST", 308),
        ("https", "POST", 200),
    ]
    assert first.body == then.body == b"name=ada"
    assert ran["ignored-308-form"].outcome.reported is None  # no made-up redirect to log


def test_the_site_redirects_to_the_tls_listener_by_the_name_the_browser_used(ran, lab):
    location = ran["ignored-fetch"].outcome.hops[0].location or ""
    assert location.startswith(f"https://{BROWSER_HOST}:{urlsplit(lab.secure_url).port}/hsts/site?")


@pytest.mark.parametrize("name", ["httpx", "curl", "node"])
def test_a_client_that_keeps_no_hsts_list_says_it_cannot(
    lab: LabServer, installed: Callable[[str], Client], name: str
) -> None:
    installed(name)
    spec = ExperimentSpec(code=301, hsts="https", body="name=ada", client=name)
    before = lab.journal.seq
    outcome = run(spec, lab.url, lab.journal, tls=lab.tls)
    assert outcome.verdict.kind is VerdictKind.NOT_EXPRESSIBLE
    assert outcome.error == (
        f"only a browser keeps an HSTS list here: {installed(name).label} does not note "
        "Strict-Transport-Security"
    )
    assert lab.journal.seq == before


def test_no_browser_outlives_its_run_and_no_folder_is_left(ran, browser_folder):
    assert len(ran) == len(CASES)
    assert list(browser_folder.iterdir()) == []
    running = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if str(browser_folder).encode() in command:
            running.append(pid)
    assert running == []


@pytest.mark.parametrize(
    ("listener", "query", "status", "value"),
    [
        ("secure_url", "", 200, "max-age=60"),
        ("url", "?max-age=0", 200, "max-age=0"),
        ("secure_url", "?max-age=600", 200, "max-age=600"),
        ("secure_url", "?max-age=601", 400, None),
        ("url", "?max-age=ten", 400, None),
    ],
)
def test_the_hsts_route_answers_the_header_on_either_listener_and_journals_it(
    lab: LabServer, listener: str, query: str, status: int, value: str | None
) -> None:
    verify = client_context(lab.tls.ca or "")
    origin = "http://page.example"
    answer = httpx.get(
        f"{getattr(lab, listener)}/hsts{query}", headers={"Origin": origin}, verify=verify
    )
    assert answer.status_code == status
    assert answer.headers.get("strict-transport-security") == value
    assert answer.headers["access-control-allow-origin"] == origin
    (hop,) = lab.journal.chain(answer.headers["x-redirect-tutor-chain"])
    assert (hop.route, hop.status, hop.scheme) == ("/hsts", status, answer.url.scheme)


def test_the_site_redirects_plain_http_to_itself_on_https_and_serves_it_there(lab):
    verify = client_context(lab.tls.ca or "")
    plain = httpx.post(f"{lab.url}/hsts/site?code=308", content=b"a=1", verify=verify)
    assert plain.status_code == 308
    token = plain.headers["x-redirect-tutor-chain"]
    assert plain.headers["location"] == f"{lab.secure_url}/hsts/site?code=308&chain={token}"
    followed = httpx.post(plain.headers["location"], content=b"a=1", verify=verify)
    assert followed.status_code == 200
    assert [(hop.scheme, hop.status) for hop in lab.journal.chain(token)] == [
        ("http", 308),
        ("https", 200),
    ]
    assert httpx.get(f"{lab.url}/hsts/site?code=200").status_code == 400


@pytest.mark.parametrize(
    "fields",
    [
        {"code": 301, "to": "/echo?x=1"},
        {"code": 301, "scheme": "upgrade"},
        {"code": 301, "origin": "other"},
        {"start": "/accepted"},
    ],
)
def test_an_hsts_experiment_takes_no_options_of_another_route(fields):
    with pytest.raises(ValidationError, match="hsts: the request goes to the lab's HSTS site"):
        validate(ExperimentSpec, {"hsts": "https", **fields})


def test_an_hsts_experiment_is_sent_to_the_site_over_http_after_its_header():
    spec = ExperimentSpec(code=308, hsts="https")
    assert (spec.secure, spec.first_scheme) == (True, "http")
    assert spec.url("http://127.0.0.1:1", "t") == "http://127.0.0.1:1/hsts/site?code=308&chain=t"
    assert spec.hsts_url("http://127.0.0.1:1", "https://127.0.0.1:2") == "https://127.0.0.1:2/hsts"
    ignored = replace(spec, **{"hsts": "http"})
    assert (
        ignored.hsts_url("http://127.0.0.1:1", "https://127.0.0.1:2") == "http://127.0.0.1:1/hsts"
    )
    assert ExperimentSpec(code=308).hsts_url("http://a", "https://b") is None


@pytest.fixture
def attack(lab: LabServer) -> Iterator[Attack]:
    """The lab's browser page in Playwright's Chromium, watched as test_lab_page_xss watches it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            with _attacking(browser, lab) as attacking:
                yield attacking
        finally:
            browser.close()


def test_a_plan_s_hsts_step_fetches_nothing_but_the_lab_s_own_route(attack: Attack) -> None:
    """The one fetch a page makes off its origin: a plan (anyone's to write) cannot point it
    anywhere but /hsts on the page's own host, and the request after it is then never sent."""
    lab = attack.lab
    port = urlsplit(lab.url).port
    notes: list[object] = [
        "http://evil.example/hsts",
        "//evil.example/hsts",
        f"http://localhost:{port}/hsts",
        f"http://127.0.0.1:{port}@evil.example/hsts",
        f"http://user@127.0.0.1:{port}/hsts",
        f"{lab.url}/echo/pwned",
        f"{lab.url}/hsts?max-age=600",
        f"{lab.url}/hsts#x",
        f"javascript:fetch('{lab.url}/echo/pwned')",
        f"data:text/html,<script>fetch('{lab.url}/echo/pwned')</script>",
        ["not a string"],
    ]
    plan = [{**_fetch(f"{lab.url}/echo/pwned"), "hsts": note} for note in notes]
    page, reported = attack.run(plan)
    for note, error in zip(notes, _errors(reported), strict=True):
        assert error is not None and "is not this lab's HSTS route" in error, (note, error)
    assert attack.ran(page) == []
    assert attack.violations == [], "the page refused them itself, before its CSP had to"


def test_a_run_read_back_from_the_class_lab_still_went_to_https_itself(ran):
    """A class lab sends a run's hops and verdict (an exam's prediction); the student's tutor
    judges the same from them."""
    outcome = ran["noted-fetch"].outcome
    again = outcome_from_wire(outcome.spec, json.loads(json.dumps(outcome_to_wire(outcome))))
    evidence = again.evidence
    assert (evidence.went_itself, evidence.body_intact) == (True, True)
    assert evidence.arrived == outcome.evidence.arrived
    assert again.reported == outcome.reported
    assert again.verdict == outcome.verdict


TRY = (sys.executable, "-m", "tutor", "try")


def test_try_hsts_shows_the_browsers_own_redirect_as_a_process() -> None:
    """`try CODE --hsts https -c chromium-fetch --json`: one hop, over https, and what the
    browser said of its own 307."""
    done = subprocess.run(
        [*TRY, "301", "--hsts", "https", "-c", "chromium-fetch", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [(hop["scheme"], hop["method"], hop["path"]) for hop in document["hops"]] == [
        ("https", "POST", "/hsts/site")
    ]
    assert document["verdict"].startswith("The client went to https itself")
    assert "Non-Authoritative-Reason: HSTS" in document["verdict"]


def test_a_net_log_is_read_for_what_it_says_and_nothing_else(tmp_path: Path) -> None:
    """The browser's net log names events by number; an event whose numbers are not numbers
    (lists, objects) is passed over, never a crash."""
    from tutor.experiments.clients.chromium import _net_log

    start, fake = 1, 2
    log = {
        "constants": {
            "logEventTypes": {
                "URL_REQUEST_START_JOB": start,
                "URL_REQUEST_FAKE_RESPONSE_HEADERS_CREATED": fake,
            }
        },
        "events": [
            {"type": [start], "source": {"id": 7}, "params": {"url": "http://x/"}},
            {"type": start, "source": {"id": {}}, "params": {"url": "http://x/"}},
            "not an event",
            {"type": start, "source": {"id": 5}, "params": {"url": "http://lab/hsts/site"}},
            {
                "type": fake,
                "source": {"id": 5},
                "params": {
                    "headers": ["HTTP/1.1 307 Internal Redirect", "Non-Authoritative-Reason: HSTS"]
                },
            },
        ],
    }
    path = tmp_path / "net-log.json"
    path.write_text(json.dumps(log))
    (logged,) = _net_log(str(path)).items()
    assert logged[0] == "http://lab/hsts/site"
    assert logged[1].internal == "307 Internal Redirect with Non-Authoritative-Reason: HSTS"
