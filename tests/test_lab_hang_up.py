"""A client that hangs up mid-request, on a real socket: the journal keeps what did arrive (the
headers, part of a body) as a hop with no answer, and the one judgement says what crossed."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from tutor.experiments.expectation import Expectation
from tutor.lab.evidence import Evidence, VerdictKind
from tutor.lab.journal import Hop, Journal
from tutor.lab.journal_line import journal_line
from tutor.lab.server import LabServer
from tutor.ui.widgets.experiment.ladder import render_ladder

AUTH = "Authorization: Bearer lesson-token\r\n"


def _send_then_hang_up(lab: LabServer, data: bytes, *, pause: float = 0.0) -> None:
    """Send `data` on a fresh connection, then close it without reading an answer (after
    `pause` seconds: time for the lab to read what was sent before the hang-up)."""
    port = urlsplit(lab.url).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        time.sleep(pause)


def _chain(journal: Journal, token: str, count: int) -> list[Hop]:
    """The chain once the lab has journaled `count` hops of it (a hang-up lands a moment after
    the client has gone)."""
    journal.wait_for_more({token: count - 1}, 5)
    return journal.chain(token)


def _redirected(lab: LabServer, token: str) -> None:
    """A whole POST with its body, answered 307: the first hop of the chain."""
    port = urlsplit(lab.url).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        head = f"POST /redirect/307?chain={token} HTTP/1.1\r\nHost: lab\r\n{AUTH}"
        sock.sendall(f"{head}Content-Length: 8\r\n\r\nname=ada".encode())
        assert sock.recv(65536).startswith(b"HTTP/1.1 307 ")


def test_a_head_then_a_hang_up_is_journaled_as_what_it_is(lab: LabServer) -> None:
    """httpx's way with a streamed body on a 307: the POST's headers again, then gone."""
    token = "hangup-head-0000000000"
    _redirected(lab, token)
    head = f"POST /echo?chain={token} HTTP/1.1\r\nHost: lab\r\n{AUTH}"
    _send_then_hang_up(lab, f"{head}Transfer-Encoding: chunked\r\n\r\n".encode())
    first, cut = _chain(lab.journal, token, 2)
    assert (cut.method, cut.route, cut.hung_up, cut.status, cut.body_size) == (
        "POST",
        "/echo",
        True,
        0,
        0,
    )
    assert cut.header("authorization") == "Bearer lesson-token"
    assert cut.answer == "none: the client hung up before the body"
    evidence = Evidence.of_chain([first, cut])
    assert evidence.arrived is None
    assert evidence.abandoned == cut
    assert evidence.requests == 2
    assert evidence.crossed == ("host", "authorization")  # as uvicorn hands them on
    assert evidence.verdict.kind is VerdictKind.NOT_FOLLOWED
    assert evidence.verdict.text == (
        "Abandoned after the 307: the client sent the POST's headers again, "
        "then hung up before the body"
    )
    said = Evidence.of_chain([first, cut], error="httpx raised StreamConsumed")
    assert said.verdict.kind is VerdictKind.REFUSED
    assert said.verdict.text.startswith("Refused at the 307: the client sent the POST's headers")
    line = journal_line(cut, lab.journal)
    assert f" hung up (no body) chain {cut.label}: Abandoned after the 307" in line
    assert token not in line, "the console names a chain by its label, never its token"
    claim = Expectation(arrives=False, hung_up=True, method="POST", sent=("Authorization",))
    assert claim.mismatches(said) == []
    assert Expectation(arrives=False, hung_up=False).mismatches(said) == [
        "expected no request cut short, but the client hung up on a POST"
    ]
    assert Expectation(arrives=False, hung_up=True, method="GET").mismatches(said) == [
        "expected GET to be sent, but POST was"
    ]


def test_part_of_a_body_then_a_hang_up_keeps_the_bytes_that_came(lab: LabServer) -> None:
    token = "hangup-part-0000000000"
    _redirected(lab, token)
    head = f"PUT /echo?chain={token} HTTP/1.1\r\nHost: lab\r\nContent-Length: 8\r\n\r\nnam"
    _send_then_hang_up(lab, head.encode(), pause=0.3)
    first, cut = _chain(lab.journal, token, 2)
    assert (cut.hung_up, cut.body, cut.body_size) == (True, b"nam", 3)
    assert cut.answer == "none: the client hung up after 3 bytes of the body"
    assert Evidence.of_chain([first, cut]).verdict.text == (
        "Abandoned after the 307: the client sent a PUT's headers, "
        "then hung up after 3 bytes of the body"
    )


def test_a_hang_up_with_no_redirect_before_it(lab: LabServer) -> None:
    token = "hangup-alone-000000000"
    head = f"POST /redirect/307?chain={token} HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\n\r\n"
    _send_then_hang_up(lab, head.encode())
    (cut,) = _chain(lab.journal, token, 1)
    assert cut.hung_up and cut.location is None  # nothing was answered, no redirect either
    evidence = Evidence.of_chain([cut])
    assert (evidence.arrived, evidence.abandoned) == (None, None)
    assert evidence.verdict.text == (
        "No redirect: the client sent a POST's headers, then hung up before the body"
    )
    assert "no redirect" not in journal_line(cut, lab.journal)


def test_a_head_cut_short_is_no_request_and_the_lab_carries_on(lab: LabServer) -> None:
    token = "hangup-mid-head-000000"
    _send_then_hang_up(lab, f"POST /echo?chain={token} HTTP/1.1\r\nHost: lab\r\n".encode())
    _redirected(lab, token)
    assert [hop.status for hop in lab.journal.chain(token)] == [307]
    assert not [line for line in lab.log if "Exception" in line]


def test_the_ladder_draws_no_answer_to_a_request_cut_short(lab: LabServer) -> None:
    token = "hangup-ladder-00000000"
    _redirected(lab, token)
    head = f"POST /echo?chain={token} HTTP/1.1\r\nHost: lab\r\nContent-Length: 8\r\n\r\n"
    _send_then_hang_up(lab, head.encode())
    drawn = render_ladder(_chain(lab.journal, token, 2), width=100).plain
    assert "✗ the client hung up before the body; the lab answered nothing" in drawn
    assert "0 B, body cut off" in drawn
    assert drawn.count("◀") == 1  # the 307's answer; none for the request cut short
