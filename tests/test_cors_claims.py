"""The claims the CORS lesson makes (preflights, header values, the client's failure and its
report), each message checked over chains journaled by the real lab app in-process."""

from __future__ import annotations

import pytest
from lab_app import in_process

from tutor.experiments.clients.base import Attempt, attempts_said
from tutor.experiments.expectation import Expectation, ReportClaim
from tutor.lab.evidence import Evidence
from tutor.lab.journal import Journal
from tutor.lab.reported import Reported
from tutor.validated import validate

PAGE = "http://127.0.0.1:8307"
OPAQUE = Reported(0, "opaqueredirect", False, None)
NODE_307 = Reported(307, "basic", False, "/echo?chain=c1-0000000000000000000")


async def _journaled(*requests: tuple[str, str, dict[str, str]]) -> list:
    """Send the requests to the lab app in-process; the chain `c1` as its journal holds it."""
    journal = Journal()
    async with in_process(journal) as client:
        for method, url, headers in requests:
            body = b"" if method in ("GET", "OPTIONS") else b"a=1"
            await client.request(method, url, content=body, headers=headers)
    return journal.chain("c1-0000000000000000000")


def _claim(**fields: object) -> Expectation:
    """A claim as content writes it (headers as a mapping)."""
    return validate(Expectation, fields)


@pytest.fixture
async def preflighted() -> Evidence:
    """A PUT, its 307, the browser's preflight at the target, the PUT there with Origin null."""
    hops = await _journaled(
        ("PUT", "/redirect/307?chain=c1-0000000000000000000", {"Origin": PAGE}),
        (
            "OPTIONS",
            "/echo?chain=c1-0000000000000000000",
            {"Origin": "null", "Access-Control-Request-Method": "PUT"},
        ),
        ("PUT", "/echo?chain=c1-0000000000000000000", {"Origin": "null"}),
    )
    return Evidence.of_chain(hops, reported=Reported(200, "cors", True, None))


@pytest.fixture
async def stopped() -> list:
    """A GET answered 307, which the client did not follow."""
    return await _journaled(("GET", "/redirect/307?chain=c1-0000000000000000000", {}))


@pytest.mark.parametrize(
    ("claim", "messages"),
    [
        (Expectation(method="PUT", body="intact", preflights=1, requests=3), []),
        (Expectation(preflights=0), ["expected 0 CORS preflights, but the lab saw 1"]),
        (_claim(headers={"Origin": "null"}), []),
        (_claim(headers={"origin": "null"}), []),
        (
            _claim(headers={"Origin": PAGE}),
            [f"expected Origin: {PAGE} to arrive, but Origin: null did"],
        ),
        (
            _claim(headers={"X-Lesson": "one"}),
            ["expected X-Lesson: one to arrive, but no X-Lesson did"],
        ),
        (Expectation(error=False, reported=ReportClaim(status=200, redirected=True)), []),
        (Expectation(error=True), ["expected the client to report a failure, but it did not"]),
        (
            Expectation(reported=ReportClaim(status=0, type="opaqueredirect", redirected=False)),
            [
                "expected the client to report status 0, not 200",
                "expected the client to report type opaqueredirect, not cors",
                "expected the client to report redirected false, not true",
            ],
        ),
        (
            Expectation(reported=ReportClaim(location=True)),
            ["expected the client to see a Location, but it saw none"],
        ),
    ],
)
def test_claims_on_a_preflighted_chain(preflighted, claim, messages):
    assert claim.mismatches(preflighted) == messages


def test_claims_on_what_the_client_reported_after_stopping(stopped):
    opaque = Evidence.of_chain(stopped, reported=OPAQUE)
    manual = Expectation(arrives=False, requests=1, reported=ReportClaim(status=0, location=False))
    assert manual.mismatches(opaque) == []
    node = Evidence.of_chain(stopped, reported=NODE_307)
    assert manual.mismatches(node) == [
        "expected the client to report status 0, not 307",
        "expected the client not to see a Location, but it saw one",
    ]
    rejected = Evidence.of_chain(stopped, error="fetch() rejected with TypeError: Failed to fetch")
    assert Expectation(arrives=False, error=True).mismatches(rejected) == []
    assert manual.mismatches(rejected) == [
        "expected the client to hand back a response, but it reported none"
    ]
    assert Expectation(arrives=False, error=False).mismatches(rejected) == [
        "expected no failure, but the client said: fetch() rejected with TypeError: Failed to fetch"
    ]


def test_header_claims_are_read_from_a_mapping_and_stay_hashable():
    claim = validate(Expectation, {"headers": {"Origin": "null"}})
    assert claim.headers == (("Origin", "null"),)
    assert hash(claim) == hash(validate(Expectation, {"headers": {"Origin": "null"}}))


@pytest.mark.parametrize(
    ("printed", "reported"),
    [
        (
            {"status": 0, "type": "opaqueredirect", "redirected": False, "location": None},
            OPAQUE,
        ),
        (
            {
                "status": 307,
                "type": "basic",
                "redirected": False,
                "location": "/echo?chain=c1-0000000000000000000",
            },
            NODE_307,
        ),
        ({"status": 200}, Reported(200)),
        ({"status": 200, "type": 7, "redirected": "yes", "location": []}, Reported(200)),
        ({"status": True}, None),
        ({"status": "200"}, None),
        (None, None),
        ([200], None),
    ],
)
def test_a_report_is_read_only_as_far_as_it_is_one(printed, reported):
    assert Reported.from_json(printed) == reported


def test_a_report_reads_as_one_line():
    assert OPAQUE.text == "status 0, type opaqueredirect, not redirected, no Location visible"
    assert (
        NODE_307.text
        == "status 307, type basic, not redirected, Location /echo?chain=c1-0000000000000000000"
    )


def test_the_ladder_marks_a_preflight_and_no_change_of_method(preflighted):
    from tutor.ui.widgets.experiment.ladder import METHOD_CHANGED, render_ladder

    ladder = render_ladder(preflighted.hops)
    assert "OPTIONS /echo · CORS preflight" in ladder.plain
    assert "→OPTIONS" not in ladder.plain and "OPTIONS→" not in ladder.plain
    assert not [span for span in ladder.spans if span.style == METHOD_CHANGED]


@pytest.mark.parametrize("said", [{"error": False}, {"reported": {"status": 200}}])
def test_a_bring_your_own_goal_cannot_claim_what_the_students_client_said(said):
    from pydantic import ValidationError

    from tutor.course.exercises import BringYourOwn

    exercise = {"kind": "bring-your-own", "task": "Keep the POST.", "code": 307, "method": "POST"}
    with pytest.raises(ValidationError, match="the student's own client tells it nothing"):
        validate(BringYourOwn, {**exercise, "goal": {"method": "POST", **said}})


@pytest.mark.parametrize(
    ("printed", "attempts"),
    [
        (
            '[{"error": null, "reported": {"status": 0, "type": "opaqueredirect"}},'
            ' {"error": "fetch() rejected with TypeError: Failed to fetch", "reported": null}]',
            [
                Attempt(None, Reported(0, "opaqueredirect")),
                Attempt("fetch() rejected with TypeError: Failed to fetch"),
            ],
        ),
        ('[{"error": null}, {"error": null}, {"error": null}]', None),
        ('[{"error": null}, "ok"]', None),
        ('{"error": null}', None),
        ("not json", None),
        ("", None),
    ],
)
def test_what_a_fetch_script_printed_is_read_as_attempts_or_not_at_all(printed, attempts):
    assert attempts_said(printed, 2) == attempts
