"""The one judgement of a redirect chain, over hops built by hand; and everything that reads it."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import time
from dataclasses import replace

import pytest
from lab_app import in_process

from tutor.course.base import expectation_issues
from tutor.course.checks import check_attempt, check_configured
from tutor.course.exercises import BringYourOwn, Configure
from tutor.experiments.expectation import Expectation
from tutor.experiments.outcome import Outcome
from tutor.lab.bounds import Bounds
from tutor.lab.evidence import (
    Evidence,
    Sent,
    VerdictKind,
    bytes_text,
    size_text,
)
from tutor.lab.journal import Hop, Journal, label
from tutor.lab.journal_line import chain_text, journal_line
from tutor.validated import validate

CHAIN = "c0ffee-c0ffee-c0ffee-c0ffee"
BODY_KEPT = Bounds().body_kept
CURL = (("Host", "lab"), ("User-Agent", "curl/8.5.0"), ("Accept", "*/*"))


def hop(
    method: str,
    path: str,
    status: int,
    body: bytes = b"",
    *,
    headers: tuple[tuple[str, str], ...] = CURL,
    location: str | None = None,
) -> Hop:
    """One request as the lab would journal it: the body kept up to BODY_KEPT bytes, its size
    and SHA-256 over the whole of it."""
    return Hop(
        seq=0,
        chain=CHAIN,
        at=1_700_000_000.0,
        peer="127.0.0.1:50000",
        method=method,
        path=path,
        query=f"chain={CHAIN}" if path.endswith("/echo") else "",
        headers=headers,
        body=body[:BODY_KEPT],
        body_size=len(body),
        body_digest=hashlib.sha256(body).hexdigest(),
        status=status,
        location=location,
    )


def redirect(code: int, method: str, body: bytes = b"", **kwargs: object) -> Hop:
    """The first request of a chain, answered `code` with a Location to /echo."""
    kwargs.setdefault("location", f"/echo?chain={CHAIN}")
    return hop(method, f"/redirect/{code}", code, body, **kwargs)  # type: ignore[arg-type]


def target(method: str, body: bytes = b"", **kwargs: object) -> Hop:
    """A request that reached /echo."""
    return hop(method, "/echo", 200, body, **kwargs)  # type: ignore[arg-type]


def cut(method: str, body: bytes = b"", **kwargs: object) -> Hop:
    """A request to /echo that its client hung up on: the lab saw its head (and `body` of it)
    and answered nothing."""
    return dataclasses.replace(target(method, body, **kwargs), status=0, hung_up=True)


STREAMED = (*CURL, ("Transfer-Encoding", "chunked"))
"""The head of a request whose body is a stream of unknown length."""


def chain(*hops: Hop) -> tuple[Hop, ...]:
    """The hops numbered in order, as the journal numbers them."""
    return tuple(dataclasses.replace(h, seq=seq) for seq, h in enumerate(hops, start=1))


BIG = bytes(range(256)) * 80  # 20480 bytes: more than the journal keeps of a body
BIG_OTHER_TAIL = BIG[:-1] + b"!"  # the same kept prefix, the same size, another digest
assert len(BIG) > BODY_KEPT and BIG[:BODY_KEPT] == BIG_OTHER_TAIL[:BODY_KEPT]

# id, hops, asked, error, the verdict's kind, its exact sentence
VERDICTS = [
    pytest.param(
        chain(redirect(307, "POST", b"a=1"), target("POST", b"a=1")),
        None,
        None,
        VerdictKind.KEPT,
        "POST kept, body intact (3 bytes)",
        id="307-post-kept-body-intact",
    ),
    pytest.param(
        chain(redirect(308, "PUT", b"x"), target("PUT", b"x")),
        Sent.of("PUT", b"x"),
        None,
        VerdictKind.KEPT,
        "PUT kept, body intact (1 byte)",
        id="308-put-kept-one-byte-as-asked",
    ),
    pytest.param(
        chain(redirect(307, "POST", BIG), target("POST", BIG)),
        Sent.of("POST", BIG),
        None,
        VerdictKind.KEPT,
        "POST kept, body intact (20480 bytes)",
        id="307-post-kept-big-body-intact-by-digest",
    ),
    pytest.param(
        chain(redirect(301, "GET"), target("GET")),
        None,
        None,
        VerdictKind.KEPT,
        "GET kept (no body sent)",
        id="301-get-kept-no-body",
    ),
    pytest.param(
        chain(redirect(302, "POST", b"a=1"), target("GET")),
        None,
        None,
        VerdictKind.METHOD_CHANGED,
        "POST became GET, body dropped",
        id="302-post-became-get-body-dropped",
    ),
    pytest.param(
        chain(redirect(302, "POST", b"a=1"), redirect(307, "GET"), target("GET")),
        None,
        None,
        VerdictKind.METHOD_CHANGED,
        "POST became GET, body dropped",
        id="302-then-307-judged-first-against-last",
    ),
    pytest.param(
        chain(redirect(303, "POST", b"a=1"), target("GET", b"a=1")),
        None,
        None,
        VerdictKind.METHOD_CHANGED,
        "POST became GET, body still sent",
        id="303-post-became-get-body-still-sent",
    ),
    pytest.param(
        chain(redirect(303, "POST", b"a=1"), target("GET", b"b=22")),
        None,
        None,
        VerdictKind.METHOD_CHANGED,
        "POST became GET, body changed",
        id="303-post-became-get-body-changed",
    ),
    pytest.param(
        chain(redirect(303, "DELETE"), target("GET")),
        None,
        None,
        VerdictKind.METHOD_CHANGED,
        "DELETE became GET, no body either way",
        id="303-delete-became-get-no-body-either-way",
    ),
    pytest.param(
        chain(redirect(307, "GET"), target("POST", b"hello")),
        None,
        None,
        VerdictKind.METHOD_CHANGED,
        "GET became POST, body added (5 bytes)",
        id="get-became-post-body-added",
    ),
    pytest.param(
        chain(redirect(307, "GET"), target("POST", b"!")),
        None,
        None,
        VerdictKind.METHOD_CHANGED,
        "GET became POST, body added (1 byte)",
        id="get-became-post-one-byte-added",
    ),
    pytest.param(
        chain(redirect(307, "POST", b"a=1"), target("POST")),
        None,
        None,
        VerdictKind.BODY_DROPPED,
        "POST kept, but the body was dropped",
        id="307-post-kept-body-dropped",
    ),
    pytest.param(
        chain(redirect(307, "POST", b"a=1"), target("POST", b"a=1&b")),
        None,
        None,
        VerdictKind.BODY_CHANGED,
        "POST kept, body changed (3 bytes → 5 bytes)",
        id="307-post-kept-body-changed",
    ),
    pytest.param(
        chain(redirect(307, "POST", BIG), target("POST", BIG_OTHER_TAIL)),
        None,
        None,
        VerdictKind.BODY_CHANGED,
        "POST kept, body changed (20480 bytes, other bytes)",
        id="307-post-big-body-changed-past-the-kept-prefix",
    ),
    pytest.param(
        chain(redirect(302, "POST", b"a=1")),
        None,
        None,
        VerdictKind.NOT_FOLLOWED,
        "Not followed: the client stopped at the 302",
        id="302-not-followed",
    ),
    pytest.param(
        chain(redirect(307, "GET"), redirect(308, "GET")),
        None,
        None,
        VerdictKind.NOT_FOLLOWED,
        "Not followed: the client stopped at the 308",
        id="stopped-at-the-last-of-two-redirects",
    ),
    pytest.param(
        chain(redirect(307, "POST", b"a=1", location=None)),
        None,
        None,
        VerdictKind.NOT_FOLLOWED,
        "Not followed: the 307 had no Location",
        id="a-redirect-without-location-has-nothing-to-follow",
    ),
    pytest.param(
        chain(redirect(307, "POST", b"a=1")),
        None,
        "cannot rewind the request body",
        VerdictKind.REFUSED,
        "Refused at the 307: nothing reached the target",
        id="307-refused-with-error",
    ),
    pytest.param(
        (),
        None,
        None,
        VerdictKind.NOT_FOLLOWED,
        "Nothing reached the lab",
        id="nothing-reached-the-lab",
    ),
    pytest.param(
        (),
        Sent.of("POST", b"a=1"),
        "connection refused",
        VerdictKind.REFUSED,
        "Nothing reached the lab",
        id="nothing-reached-the-lab-with-error",
    ),
    pytest.param(
        chain(target("POST", b"a=1")),
        None,
        None,
        VerdictKind.NO_REDIRECT,
        "No redirect: the request went straight there",
        id="no-redirect",
    ),
    pytest.param(
        chain(redirect(307, "POST", b"a=1"), target("POST", b"a=1")),
        Sent.of("GET", b"a=1"),
        None,
        VerdictKind.KEPT,
        "POST kept, body intact (3 bytes); "
        "but the client sent POST with 3 bytes, not the GET with 3 bytes asked for",
        id="curl-data-binary-sent-post-not-the-get-asked",
    ),
    pytest.param(
        chain(redirect(307, "POST"), target("POST")),
        Sent.of("POST", b"a=1"),
        None,
        VerdictKind.KEPT,
        "POST kept (no body sent); "
        "but the client sent POST with no body, not the POST with 3 bytes asked for",
        id="client-sent-no-body-though-asked-for-one",
    ),
    pytest.param(
        chain(redirect(307, "POST", b"a=1", headers=STREAMED), cut("POST", headers=STREAMED)),
        None,
        "httpx raised StreamConsumed",
        VerdictKind.REFUSED,
        "Refused at the 307: the client sent the POST's headers again, "
        "then hung up before the body",
        id="httpx-stream-307-headers-again-then-gone",
    ),
    pytest.param(
        chain(redirect(308, "PUT", b"name=ada"), cut("PUT", b"nam")),
        None,
        None,
        VerdictKind.NOT_FOLLOWED,
        "Abandoned after the 308: the client sent the PUT's headers again, "
        "then hung up after 3 bytes of the body",
        id="abandoned-after-part-of-the-body",
    ),
    pytest.param(
        chain(redirect(303, "POST", b"a=1"), cut("GET")),
        None,
        None,
        VerdictKind.NOT_FOLLOWED,
        "Abandoned after the 303: the client sent a GET's headers, "
        "then hung up before the lab answered",
        id="abandoned-get-with-no-body-to-wait-for",
    ),
    pytest.param(
        chain(cut("POST", headers=STREAMED)),
        None,
        None,
        VerdictKind.NO_REDIRECT,
        "No redirect: the client sent a POST's headers, then hung up before the body",
        id="a-hang-up-with-no-redirect",
    ),
    pytest.param(
        chain(redirect(304, "GET")),
        None,
        None,
        VerdictKind.NOT_FOLLOWED,
        "Stopped at the 304, no redirect to follow: Not Modified points to a copy the client "
        "already has (RFC 9110 §15.4.5)",
        id="304-is-no-redirect-to-follow-location-or-not",
    ),
    pytest.param(
        chain(redirect(304, "GET", location=None)),
        None,
        None,
        VerdictKind.NOT_FOLLOWED,
        "Stopped at the 304, no redirect to follow: Not Modified points to a copy the client "
        "already has (RFC 9110 §15.4.5)",
        id="304-without-location-is-not-a-redirect-missing-one",
    ),
    pytest.param(
        chain(redirect(305, "GET")),
        None,
        "urllib raised HTTPError: HTTP Error 305: Use Proxy",
        VerdictKind.REFUSED,
        "Stopped at the 305, no redirect to follow: Use Proxy is deprecated (RFC 9110 §15.4.6)",
        id="305-deprecated",
    ),
    pytest.param(
        chain(redirect(306, "GET")),
        None,
        None,
        VerdictKind.NOT_FOLLOWED,
        "Stopped at the 306, no redirect to follow: the code is unused and reserved "
        "(RFC 9110 §15.4.7)",
        id="306-reserved",
    ),
    pytest.param(
        chain(redirect(304, "GET"), target("GET")),
        None,
        None,
        VerdictKind.KEPT,
        "GET kept (no body sent); the client followed a 304's Location: Not Modified points "
        "to a copy the client already has (RFC 9110 §15.4.5)",
        id="curl-follows-a-304-location",
    ),
]


@pytest.mark.parametrize(("hops", "asked", "error", "kind", "text"), VERDICTS)
def test_the_verdict_of_a_chain(
    hops: tuple[Hop, ...],
    asked: Sent | None,
    error: str | None,
    kind: VerdictKind,
    text: str,
) -> None:
    evidence = Evidence.of_chain(hops, asked=asked, error=error)
    assert evidence.verdict.kind is kind
    assert evidence.verdict.text == text
    assert (evidence.hops, evidence.asked, evidence.error) == (hops, asked, error)


def test_the_table_covers_every_kind_a_chain_can_be_judged() -> None:
    judged = {param.values[3] for param in VERDICTS}
    assert judged == set(VerdictKind) - {VerdictKind.UNAVAILABLE, VerdictKind.NOT_EXPRESSIBLE}


def test_a_client_that_sent_something_else_is_not_said_to_change_it() -> None:
    """curl --data-binary without -X GET sends a POST; the lab saw a POST throughout. The verdict
    says what the client sent instead; it never invents "GET became POST"."""
    hops = chain(redirect(307, "POST", b"a=1"), target("POST", b"a=1"))
    evidence = Evidence.of_chain(hops, asked=Sent.of("GET", b"a=1"))
    assert "became" not in evidence.verdict.text
    assert "GET became POST" not in evidence.verdict.text
    assert "the client sent POST with 3 bytes, not the GET with 3 bytes asked for" in (
        evidence.verdict.text
    )
    assert evidence.first is hops[0]
    assert evidence.arrived is hops[1]


BODY_INTACT = [
    pytest.param((), None, None, id="nothing-reached-the-lab"),
    pytest.param(chain(redirect(302, "POST", b"a=1")), None, None, id="not-followed"),
    pytest.param(chain(target("POST", b"a=1")), None, None, id="no-redirect-nothing-after-one"),
    pytest.param(
        chain(redirect(307, "POST", b"a=1"), target("POST", b"a=1")), None, True, id="intact"
    ),
    pytest.param(chain(redirect(301, "GET"), target("GET")), None, True, id="no-body-either-way"),
    pytest.param(
        chain(redirect(302, "POST", b"a=1"), target("GET")), None, False, id="dropped-by-302"
    ),
    pytest.param(
        chain(redirect(307, "POST", b"a=1"), target("POST", b"a=2")),
        None,
        False,
        id="same-size-other-digest",
    ),
    pytest.param(
        chain(redirect(307, "POST", b"a=1"), target("POST", b"a=1")),
        Sent.of("POST", b"a=1"),
        True,
        id="intact-as-asked",
    ),
    pytest.param(
        chain(redirect(307, "POST"), target("POST")),
        Sent.of("POST", b"a=1"),
        False,
        id="first-hop-body-not-the-one-asked",
    ),
    pytest.param(
        chain(redirect(307, "POST", b"a=1"), target("POST", b"a=1")),
        Sent.of("GET", b"a=1"),
        True,
        id="other-method-but-the-body-asked",
    ),
    pytest.param(
        chain(redirect(307, "POST", BIG), target("POST", BIG)),
        Sent.of("POST", BIG),
        True,
        id="over-16-KiB-by-size-and-digest",
    ),
    pytest.param(
        chain(redirect(307, "POST", BIG), target("POST", BIG_OTHER_TAIL)),
        Sent.of("POST", BIG),
        False,
        id="over-16-KiB-same-kept-prefix-other-tail",
    ),
]


@pytest.mark.parametrize(("hops", "asked", "intact"), BODY_INTACT)
def test_body_intact(hops: tuple[Hop, ...], asked: Sent | None, intact: bool | None) -> None:
    assert Evidence.of_chain(hops, asked=asked).body_intact is intact


def test_a_big_body_is_judged_by_size_and_digest_not_by_the_kept_prefix() -> None:
    first, arrived = chain(redirect(307, "POST", BIG), target("POST", BIG_OTHER_TAIL))
    assert first.body == arrived.body  # the journal kept the same 16 KiB of each
    assert len(first.body) == BODY_KEPT < first.body_size == arrived.body_size
    assert first.body_digest != arrived.body_digest
    assert arrived.body_text().endswith("…")
    assert Evidence.of_chain((first, arrived)).body_intact is False


@pytest.mark.parametrize(
    ("hops", "requests"),
    [
        pytest.param((), 0, id="none"),
        pytest.param(chain(target("GET")), 1, id="one"),
        pytest.param(chain(redirect(301, "GET"), target("GET")), 2, id="redirect-and-target"),
        pytest.param(
            chain(redirect(307, "GET"), redirect(307, "GET"), target("GET")), 3, id="two-redirects"
        ),
    ],
)
def test_requests_counts_what_the_lab_saw(hops: tuple[Hop, ...], requests: int) -> None:
    assert Evidence.of_chain(hops).requests == requests


TOKEN_HEADERS = (
    ("Host", "lab:8307"),
    ("User-Agent", "python-httpx/0.28.1"),
    ("Authorization", "Bearer demo"),
    ("Cookie", "sid=42"),
    ("Accept", "text/html"),
    ("Accept", "application/json"),
)
OTHER_ORIGIN = (
    ("host", "lab:8308"),
    ("user-agent", "python-httpx/0.28.1"),
    ("cookie", "sid=42"),
    ("accept", "text/html, application/json"),
)
ACROSS_ORIGINS = chain(
    redirect(307, "GET", headers=TOKEN_HEADERS, location=f"http://lab:8308/echo?chain={CHAIN}"),
    target("GET", headers=OTHER_ORIGIN),
)


def test_headers_crossed_and_dropped_across_origins() -> None:
    evidence = Evidence.of_chain(ACROSS_ORIGINS)
    assert evidence.crossed == ("Host", "User-Agent", "Cookie", "Accept")
    assert evidence.dropped == ("Authorization",)
    assert evidence.arrived_with("Cookie")
    assert evidence.arrived_with("COOKIE")
    assert not evidence.arrived_with("authorization")


@pytest.mark.parametrize(
    "hops",
    [
        pytest.param((), id="nothing-reached-the-lab"),
        pytest.param(ACROSS_ORIGINS[:1], id="not-followed"),
        pytest.param(chain(target("GET", headers=TOKEN_HEADERS)), id="no-redirect"),
    ],
)
def test_no_headers_cross_or_drop_when_nothing_arrived(hops: tuple[Hop, ...]) -> None:
    evidence = Evidence.of_chain(hops)
    assert evidence.crossed == ()
    assert evidence.dropped == ()
    assert not evidence.arrived_with("Host")


@pytest.mark.parametrize(
    ("hops", "story"),
    [
        pytest.param(
            chain(redirect(302, "POST", b"a=1"), target("GET")),
            "POST /redirect/302 (3 bytes) → 302 → GET /echo (no body) → 200",
            id="302",
        ),
        pytest.param(
            chain(redirect(307, "PUT", b"x"), redirect(308, "PUT", b"x"), target("PUT", b"x")),
            "PUT /redirect/307 (1 byte) → 307 → PUT /redirect/308 (1 byte) → 308 → "
            "PUT /echo (1 byte) → 200",
            id="two-redirects",
        ),
        pytest.param(
            chain(redirect(307, "POST", BIG)),
            "POST /redirect/307 (20480 bytes) → 307",
            id="not-followed-big",
        ),
        pytest.param((), "nothing reached the lab", id="empty"),
    ],
)
def test_story(hops: tuple[Hop, ...], story: str) -> None:
    assert Evidence.of_chain(hops).story == story


@pytest.mark.parametrize(
    ("kind", "text", "error"),
    [
        pytest.param(
            VerdictKind.UNAVAILABLE,
            "wget is not installed",
            "wget is not installed (install: apt install wget)",
            id="unavailable",
        ),
        pytest.param(
            VerdictKind.NOT_EXPRESSIBLE,
            "form cannot send this",
            "an HTML form sends only GET and POST",
            id="not-expressible",
        ),
    ],
)
def test_unsent(kind: VerdictKind, text: str, error: str) -> None:
    asked = Sent.of("PUT", b"a=1")
    evidence = Evidence.unsent(kind, text, error, asked)
    assert (evidence.verdict.kind, evidence.verdict.text) == (kind, text)
    assert (evidence.hops, evidence.asked, evidence.error) == ((), asked, error)
    assert evidence.first is None and evidence.arrived is None
    assert evidence.requests == 0
    assert evidence.body_intact is None
    assert evidence.crossed == evidence.dropped == ()
    assert evidence.story == "nothing reached the lab"


def test_sent() -> None:
    first = redirect(307, "POST", b"a=1")
    assert Sent.from_hop(first) == Sent.of("POST", b"a=1")
    assert Sent.of("POST", b"a=1").describe() == "POST with 3 bytes"
    assert Sent.of("PUT", b"x").describe() == "PUT with 1 byte"
    assert Sent.of("GET", b"").describe() == "GET with no body"
    assert Sent.of("GET", b"a=1").same_body(Sent.of("POST", b"a=1"))
    assert not Sent.of("POST", b"a=1").same_body(Sent.of("POST", b"a=2"))
    assert [bytes_text(n) for n in (0, 1, 2)] == ["0 bytes", "1 byte", "2 bytes"]
    assert [size_text(n) for n in (0, 1, 2)] == ["no body", "1 byte", "2 bytes"]


# Expectation.mismatches: each message, over hand-built evidence.

KEPT_307 = Evidence.of_chain(chain(redirect(307, "POST", b"a=1"), target("POST", b"a=1")))
GET_AFTER_302 = Evidence.of_chain(chain(redirect(302, "POST", b"a=1"), target("GET")))
STOPPED_302 = Evidence.of_chain(chain(redirect(302, "POST", b"a=1")))
REFUSED_307 = Evidence.of_chain(chain(redirect(307, "POST", b"a=1")), error="body not rewindable")
EMPTY_ASKED = Evidence.of_chain(
    chain(redirect(307, "POST"), target("POST")), asked=Sent.of("POST", b"a=1")
)
CROSSED = Evidence.of_chain(ACROSS_ORIGINS)


@pytest.mark.parametrize(
    ("expectation", "evidence", "messages"),
    [
        pytest.param(
            Expectation(method="POST", body="intact", requests=2), KEPT_307, [], id="holds"
        ),
        pytest.param(Expectation(arrives=False), STOPPED_302, [], id="nothing-arrives-holds"),
        pytest.param(
            Expectation(arrives=False),
            KEPT_307,
            ["expected nothing to arrive, but POST did"],
            id="expected-nothing-to-arrive",
        ),
        pytest.param(
            Expectation(),
            REFUSED_307,
            ["expected the request to arrive, but: body not rewindable"],
            id="expected-arrival-client-error",
        ),
        pytest.param(
            Expectation(),
            STOPPED_302,
            ["expected the request to arrive, but: Not followed: the client stopped at the 302"],
            id="expected-arrival-not-followed",
        ),
        pytest.param(
            Expectation(method="post"),
            GET_AFTER_302,
            ["expected POST to arrive, but GET did"],
            id="method",
        ),
        pytest.param(
            Expectation(body="intact"),
            GET_AFTER_302,
            ["expected the body intact, but no body arrived"],
            id="body-intact",
        ),
        pytest.param(
            Expectation(body="intact"),
            EMPTY_ASKED,
            ["expected the body intact, but no body arrived"],
            id="body-intact-but-the-client-sent-none",
        ),
        pytest.param(
            Expectation(body="dropped"),
            KEPT_307,
            ["expected the body dropped, but 3 bytes arrived"],
            id="body-dropped",
        ),
        pytest.param(
            Expectation(sent=("Authorization", "Cookie")),
            CROSSED,
            ["expected Authorization to arrive, but it did not"],
            id="header-sent",
        ),
        pytest.param(
            Expectation(dropped=("Authorization", "Cookie")),
            CROSSED,
            ["expected Cookie dropped, but it arrived"],
            id="header-dropped",
        ),
        pytest.param(
            Expectation(requests=3),
            KEPT_307,
            ["expected 3 requests, but the lab saw 2"],
            id="count",
        ),
        pytest.param(
            Expectation(arrives=False, requests=2),
            STOPPED_302,
            ["expected 2 requests, but the lab saw 1"],
            id="count-when-nothing-arrives",
        ),
        pytest.param(
            Expectation(method="POST", body="intact", requests=3),
            GET_AFTER_302,
            [
                "expected POST to arrive, but GET did",
                "expected the body intact, but no body arrived",
                "expected 3 requests, but the lab saw 2",
            ],
            id="several-in-order",
        ),
    ],
)
def test_expectation_mismatches(
    expectation: Expectation, evidence: Evidence, messages: list[str]
) -> None:
    assert expectation.mismatches(evidence) == messages


# check_attempt: a learner's own chain against a bring-your-own exercise.

EXERCISE = validate(
    BringYourOwn,
    {
        "kind": "bring-your-own",
        "task": "Make a POST arrive at the target still a POST after a 302, using curl",
        "code": 302,
        "method": "POST",
        "goal": {"method": "POST", "body": "intact"},
        "client": "curl",
    },
)


def ada(first: Hop, *rest: Hop) -> tuple[Hop, ...]:
    """A chain under the learner's /s/ada prefix."""
    return chain(*(dataclasses.replace(h, path=f"/s/ada{h.path}") for h in (first, *rest)))


@pytest.mark.parametrize(
    ("hops", "met", "problems", "verdict", "story", "client"),
    [
        pytest.param(
            ada(redirect(302, "POST", b"a=1"), target("POST", b"a=1")),
            True,
            (),
            "POST kept, body intact (3 bytes)",
            "POST /s/ada/redirect/302 (3 bytes) → 302 → POST /s/ada/echo (3 bytes) → 200",
            "curl/8.5.0",
            id="met-with-curl-post302",
        ),
        pytest.param(
            ada(redirect(302, "POST", b"a=1"), target("GET")),
            False,
            (
                "expected POST to arrive, but GET did",
                "expected the body intact, but no body arrived",
            ),
            "POST became GET, body dropped",
            "POST /s/ada/redirect/302 (3 bytes) → 302 → GET /s/ada/echo (no body) → 200",
            "curl/8.5.0",
            id="curl-L-turned-it-into-a-get",
        ),
        pytest.param(
            ada(redirect(302, "POST", b"a=1")),
            False,
            (
                "expected the request to arrive, but: Not followed: the client stopped at the 302",
                "did the client follow the Location?",
            ),
            "Not followed: the client stopped at the 302",
            "POST /s/ada/redirect/302 (3 bytes) → 302",
            "curl/8.5.0",
            id="not-followed",
        ),
        pytest.param(
            ada(redirect(302, "GET", headers=()), target("GET", headers=())),
            False,
            ("the task starts with a POST; you sent GET", "expected POST to arrive, but GET did"),
            "GET kept (no body sent)",
            "GET /s/ada/redirect/302 (no body) → 302 → GET /s/ada/echo (no body) → 200",
            "an unnamed client",
            id="wrong-first-method-no-user-agent",
        ),
        pytest.param(
            (),
            False,
            ("expected the request to arrive, but: Nothing reached the lab",),
            "Nothing reached the lab",
            "nothing reached the lab",
            "an unnamed client",
            id="nothing",
        ),
    ],
)
def test_check_attempt(
    hops: tuple[Hop, ...],
    met: bool,
    problems: tuple[str, ...],
    verdict: str,
    story: str,
    client: str,
) -> None:
    check = check_attempt(EXERCISE, Evidence.of_chain(hops))
    assert (check.met, check.problems) == (met, problems)
    assert (check.verdict, check.story, check.client) == (verdict, story, client)


CONFIGURE = validate(
    Configure,
    {
        "kind": "configure",
        "task": "The checkout endpoint moves for a week; keep the POST",
        "client": "httpx",
        "body": "a=1",
        "move": "temporary",
        "goal": {"method": "POST", "body": "intact"},
        "answer": {"code": 307},
    },
)


def test_check_configured_over_hand_built_evidence() -> None:
    answer = CONFIGURE.answer
    asked = Sent.of("POST", b"a=1")
    kept = Evidence.of_chain(
        chain(redirect(307, "POST", b"a=1"), target("POST", b"a=1")), asked=asked
    )
    check = check_configured(CONFIGURE, Outcome(CONFIGURE.spec(answer), "0.28.1", kept))
    assert (check.met, check.problems, check.client) == (True, (), "httpx 0.28.1")
    assert check.verdict == "POST kept, body intact (3 bytes)"

    permanent = replace(CONFIGURE.spec(answer), **{"code": 308})
    check = check_configured(CONFIGURE, Outcome(permanent, "0.28.1", kept))
    assert check.problems == ("308 says the move is permanent; the task describes a temporary one",)

    missing = Evidence.unsent(
        VerdictKind.UNAVAILABLE, "httpx is not installed", "httpx is not installed", asked
    )
    check = check_configured(CONFIGURE, Outcome(CONFIGURE.spec(answer), None, missing))
    assert (check.met, check.problems) == (False, ("httpx is not installed",))
    assert (check.client, check.story) == ("httpx (not installed)", "nothing reached the lab")


# The console line, /echo and Evidence: one chain, one judgement.


def _record(journal: Journal, h: Hop) -> Hop:
    fields = {f.name: getattr(h, f.name) for f in dataclasses.fields(h)}
    del fields["seq"], fields["at"]
    return journal.record(**fields)


def test_chain_text_and_journal_line() -> None:
    journal = Journal(tokens=lambda: CHAIN)
    first = _record(journal, redirect(302, "POST", b"a=1"))
    arrived = _record(journal, target("GET"))
    shown = label(CHAIN)
    assert chain_text(first, journal) == f"redirected to /echo?chain={shown}"
    assert chain_text(arrived, journal) == "POST became GET, body dropped"
    at = time.strftime("%H:%M:%S", time.localtime(first.at))
    assert journal_line(first, journal) == (
        f"{at} 127.0.0.1:50000       POST    /redirect/302 302 -> /echo?chain={shown} "
        f"(3 bytes) chain {shown}: redirected to /echo?chain={shown}"
    )
    at = time.strftime("%H:%M:%S", time.localtime(arrived.at))
    assert journal_line(arrived, journal) == (
        f"{at} 127.0.0.1:50000       GET     /echo?chain={shown} 200 "
        f"(no body) chain {shown}: POST became GET, body dropped"
    )


@pytest.mark.parametrize(
    ("h", "text"),
    [
        pytest.param(redirect(307, "GET", location=None), "3xx without Location", id="no-location"),
        pytest.param(target("POST", b"a=1"), "no redirect", id="no-redirect"),
        pytest.param(
            dataclasses.replace(target("GET"), chain="forgotten"), "no redirect", id="not-journaled"
        ),
    ],
)
def test_chain_text_edges(h: Hop, text: str) -> None:
    journal = Journal()
    if h.chain == CHAIN:
        h = _record(journal, h)
    assert chain_text(h, journal) == text


@pytest.mark.parametrize(
    ("code", "method", "body", "verdict"),
    [
        pytest.param(302, "POST", b"a=1", "POST became GET, body dropped", id="302-post"),
        pytest.param(307, "POST", b"a=1", "POST kept, body intact (3 bytes)", id="307-post"),
        pytest.param(303, "PUT", b"x", "PUT became GET, body dropped", id="303-put"),
        pytest.param(308, "GET", b"", "GET kept (no body sent)", id="308-get"),
    ],
)
async def test_the_console_line_echo_and_evidence_agree(
    code: int, method: str, body: bytes, verdict: str
) -> None:
    counter = itertools.count(1)
    journal = Journal(tokens=lambda: f"t{next(counter):021d}")
    async with in_process(journal, follow_redirects=True) as client:
        response = await client.request(method, f"/redirect/{code}", content=body)
    echo = response.json()
    hops = journal.chain(echo["chain_token"])
    assert [h.status for h in hops] == [code, 200]
    assert [h["status"] for h in echo["chain"]] == [code, 200]
    evidence = Evidence.of_chain(hops, asked=Sent.of(method, body))
    assert evidence.verdict.text == verdict
    assert echo["verdict"] == verdict
    assert journal_line(hops[-1], journal).endswith(f"chain {hops[-1].label}: {verdict}")
    assert json.loads(response.text)["body_size"] == hops[-1].body_size


async def test_a_request_without_redirect_is_no_redirect_everywhere() -> None:
    journal = Journal()
    async with in_process(journal) as client:
        echo = (await client.post("/echo", content=b"a=1")).json()
    hops = journal.chain(echo["chain_token"])
    assert Evidence.of_chain(hops).verdict.kind is VerdictKind.NO_REDIRECT
    assert echo["verdict"] == "No redirect: this request came straight to the echo."
    assert journal_line(hops[-1], journal).endswith(": no redirect")


def test_a_request_cut_short_is_not_an_arrival_but_its_headers_crossed() -> None:
    """httpx on a 307 with a streamed body: Authorization reached the target in the head of a
    POST that never came whole."""
    auth = (*STREAMED, ("Authorization", "Bearer t"))
    evidence = Evidence.of_chain(
        chain(redirect(307, "POST", b"a=1", headers=auth), cut("POST", headers=auth))
    )
    assert evidence.arrived is None and evidence.body_intact is None
    assert evidence.abandoned is evidence.hops[-1] is evidence.reached
    assert evidence.requests == 2
    assert evidence.arrived_with("authorization")
    assert "Authorization" in evidence.crossed and evidence.dropped == ()
    assert evidence.story.endswith("POST /echo (no body) → hung up")
    assert evidence.hops[-1].answer == "none: the client hung up before the body"
    assert evidence.hops[-1].status_text == "hung up"


def test_a_claim_of_where_the_request_arrived() -> None:
    """Two Location fields joined into one by the client: it arrives at the joined value."""
    joined = dataclasses.replace(target("GET"), query=f"chain={CHAIN}&n=1,%20/echo?n=2")
    evidence = Evidence.of_chain(chain(redirect(302, "GET"), joined))
    assert Expectation(target="/echo?n=1, /echo?n=2").mismatches(evidence) == []
    assert Expectation(target="/echo?n=1").mismatches(evidence) == [
        "expected it to arrive at /echo?n=1, not at /echo?n=1, /echo?n=2"
    ]


@pytest.mark.parametrize(
    ("claim", "issues"),
    [
        ({"arrives": False, "hung_up": True, "method": "POST", "sent": ["Authorization"]}, []),
        ({"arrives": False, "hung_up": True, "body": "dropped"}, ["arrives"]),
        ({"arrives": False, "method": "POST"}, ["arrives"]),
        ({"arrives": False, "target": "/echo"}, ["arrives"]),
        ({"hung_up": True}, ["hung_up"]),
    ],
)
def test_lint_of_a_request_cut_short(claim: dict[str, object], issues: list[str]) -> None:
    """A request the client hung up on never arrived: a claim may name its method and headers,
    never its body or where it arrived."""
    found = expectation_issues(validate(Expectation, claim))
    assert [where[-1] for where, _ in found] == issues


def test_a_downgrade_that_sends_credentials_again_in_clear_says_which() -> None:
    secret = (*CURL, ("Authorization", "Bearer x"), ("Cookie", "a=b"), ("Referer", "https://x/"))
    first = dataclasses.replace(redirect(307, "POST", b"a=1", headers=secret), scheme="https")
    leaked = Evidence.of_chain([first, target("POST", b"a=1", headers=secret)])
    assert leaked.in_clear == ("Authorization", "Cookie")
    assert leaked.verdict.text == (
        "POST kept, body intact (3 bytes); https → http: Authorization kept, Cookie kept, "
        "Referer kept"
    )
    kept = Evidence.of_chain([first, target("POST", b"a=1")])
    assert kept.in_clear == ()
    upgrade = Evidence.of_chain(
        [
            redirect(307, "POST", b"a=1", headers=secret),
            dataclasses.replace(target("POST", b"a=1"), scheme="https"),
        ]
    )
    assert upgrade.in_clear == ()
