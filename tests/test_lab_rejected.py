"""A request the lab's HTTP parser refuses (400 before the app sees it) is still journaled, in
the chain its target names: Go's net/http sends a Location's spaces as they are, and the chain
must show that it followed. A real uvicorn serves the real lab with the guarded protocol, wired
as tutor.lab.server wires it."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from tutor.lab.app import LabApp
from tutor.lab.evidence import Evidence
from tutor.lab.guard import guarded
from tutor.lab.journal import Journal
from tutor.lab.journal_line import journal_line
from tutor.lab.rejected import rejected
from tutor.lab.server import _server_class
from tutor.lab.wire import hop_from_wire, hop_to_wire


@contextmanager
def _lab(journal: Journal) -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    app = LabApp(journal)
    config = uvicorn.Config(
        app,
        http=guarded(journal.bounds, on_rejected=app.rejected),
        log_config=None,
        access_log=False,
        lifespan="off",
        ws="none",
        timeout_graceful_shutdown=2,
    )
    started = threading.Event()
    server = _server_class()(config, started)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        return sock.recv(65536)


def test_a_location_followed_with_its_spaces_is_journaled_in_its_chain() -> None:
    journal = Journal()
    with _lab(journal) as port:
        first = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        first.request("GET", "/redirect/302?location=spaces")
        answer = first.getresponse()
        location, token = answer.getheader("location"), answer.getheader("x-redirect-tutor-chain")
        answer.read()
        first.close()
        assert location is not None and " " in location and token
        head = f"GET {location} HTTP/1.1\r\nHost: lab\r\nUser-Agent: Go-http-client/1.1\r\n\r\n"
        assert _raw(port, head.encode()).startswith(b"HTTP/1.1 400 ")
    redirect, followed = journal.chain(token)
    assert (followed.method, followed.path, followed.status) == ("GET", "/echo", 400)
    assert followed.query.endswith("&note=not a URI")
    assert followed.rejected and followed.header("user-agent") == "Go-http-client/1.1"
    assert followed.answer.endswith("rejected by the lab's HTTP parser")
    assert Evidence.of_chain([redirect, followed]).arrived == followed
    assert hop_from_wire(hop_to_wire(followed)) == followed
    line = journal_line(followed, journal)
    assert f"400 (rejected by the lab's HTTP parser: {followed.rejected})" in line
    assert line.endswith("GET kept (no body sent)")  # followed, as the client did


def test_a_refused_request_naming_no_chain_starts_its_own() -> None:
    journal = Journal()
    with _lab(journal) as port:
        assert _raw(port, b"GET /echo?a=b c HTTP/1.1\r\nHost: lab\r\n\r\n").startswith(
            b"HTTP/1.1 400 "
        )
        assert _raw(port, b"\x16\x03\x01 not http at all\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    (spaced,) = journal.recent(2)  # the TLS-like bytes are no request: not journaled
    assert (spaced.path, spaced.query, spaced.rejected != "") == ("/echo", "a=b c", True)


def test_what_came_is_read_leniently_and_never_trusted() -> None:
    assert rejected(b"GET /a b HTTP/1.1\r\nX: 1\r\n\r\n", "p:1", "http", None).target == "/a b"
    for no_request in (b"\xff\x00", b"\x16\x03\x01 /a HTTP/1.1", b"GET a HTTP/1.1", b""):
        assert rejected(no_request, "p:1", "http", ValueError("Invalid method")) is None
    only = rejected(b"GET /only-target", "p:1", "http", None)
    assert only is not None and (only.target, only.reason) == ("/only-target", "no reason")
    escaping = rejected(b"GET /a\x1b[2J b HTTP/1.1\r\nX: \x1b]0;t\x07\r\n\r\n", "p:1", "http", None)
    assert escaping is not None and escaping.target == "/a\x1b[2J b", (
        "kept as it came, shown escaped"
    )


def test_a_refused_request_s_escapes_reach_no_console_raw() -> None:
    journal = Journal()
    with _lab(journal) as port:
        hostile = b"GET /echo?x=\x1b[2J y HTTP/1.1\r\nX-Evil: \x1b]0;owned\x07\r\n\r\n"
        assert _raw(port, hostile).startswith(b"HTTP/1.1 400 ")
    (hop,) = journal.recent(1)
    line = journal_line(hop, journal)
    assert "\x1b" not in line and "\x07" not in line
    assert "\\x1b[2J" in line or "␛" in line or "\\e" in line, line
