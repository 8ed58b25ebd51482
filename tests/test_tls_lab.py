"""The lab's TLS listener from the outside: `?scheme=` leads across to the other listener or says
in a sentence why not, each hop keeps the scheme it came by (in the journal and on the wire to a
joined tutor), and a client that connects and never finishes its TLS handshake is dropped
within the lab's head timeout, however many such connections it opens. Real uvicorn on
loopback, real sockets and real TLS."""

from __future__ import annotations

import socket
import ssl
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tutor.lab.authority import client_context
from tutor.lab.bounds import Bounds
from tutor.lab.journal import Journal
from tutor.lab.server import LabServer
from tutor.lab.wire import WireError, hop_from_wire, hop_to_wire


def _get(url: str, ca: str | None = None, host: str | None = None) -> httpx.Response:
    verify: ssl.SSLContext | bool = client_context(ca) if ca else False
    headers = {"Host": host} if host else {}
    with httpx.Client(verify=verify, trust_env=False, timeout=5) as client:
        return client.post(url, content=b"a=1", headers=headers)


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def test_scheme_https_leads_to_the_tls_listener(lab):
    answer = _get(f"{lab.url}/redirect/301?scheme=https")
    assert answer.status_code == 301
    location = urlsplit(answer.headers["location"])
    assert (location.scheme, location.hostname, location.port, location.path) == (
        "https",
        "127.0.0.1",
        _port(lab.secure_url),
        "/echo",
    )


def test_scheme_http_leads_back_to_the_plain_listener_by_the_name_the_client_used(lab):
    answer = _get(f"{lab.secure_url}/redirect/308?scheme=http", ca=lab.tls.ca)
    assert answer.status_code == 308
    location = urlsplit(answer.headers["location"])
    assert (location.scheme, location.port, location.path) == ("http", _port(lab.url), "/echo")
    by_name = _get(
        f"{lab.secure_url}/redirect/307?scheme=http",
        ca=lab.tls.ca,
        host=f"localhost:{_port(lab.secure_url)}",
    )
    assert urlsplit(by_name.headers["location"]).netloc == f"localhost:{_port(lab.url)}"


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("scheme=ftp", "?scheme= takes 'http' or 'https', not 'ftp'.\n"),
        ("scheme=HTTPS", "?scheme= takes 'http' or 'https', not 'HTTPS'.\n"),
        (
            "scheme=https&origin=other",
            "?origin=other and ?scheme= each lead to another listener: choose one.\n",
        ),
        (
            "scheme=https&location=relative",
            "?scheme=https writes the Location in full (another origin has to be named), so it "
            "cannot be combined with ?location=relative.\n",
        ),
    ],
)
def test_a_scheme_the_lab_cannot_follow_is_a_400_in_a_sentence(lab, query, sentence):
    answer = _get(f"{lab.url}/redirect/307?{query}")
    assert answer.status_code == 400
    assert answer.text == sentence
    assert "location" not in answer.headers


def test_a_lab_without_tls_says_so_when_asked_for_https():
    with LabServer() as plain:
        answer = _get(f"{plain.url}/redirect/307?scheme=https")
        assert plain.secure_url == ""
    assert answer.status_code == 400
    assert answer.text == (
        "?scheme=https needs a listener that speaks https, and this lab has none (the tutor "
        "could not keep its certificate authority).\n"
    )


def test_each_hop_keeps_its_scheme_in_the_journal_and_on_the_wire(lab):
    answer = _get(f"{lab.url}/redirect/307?scheme=https")
    chain = dict(httpx.URL(answer.headers["location"]).params)["chain"]
    _get(answer.headers["location"], ca=lab.tls.ca)
    hops = lab.journal.chain(chain)
    assert [(hop.scheme, hop.method, hop.route) for hop in hops] == [
        ("http", "POST", "/redirect/307"),
        ("https", "POST", "/echo"),
    ]
    for hop in hops:
        wired = hop_to_wire(hop)
        assert wired["scheme"] == hop.scheme
        assert hop_from_wire(wired) == hop
    older = {key: value for key, value in hop_to_wire(hops[1]).items() if key != "scheme"}
    assert hop_from_wire(older).scheme == "http", "a lab from before TLS sent no scheme"


@pytest.mark.parametrize("scheme", ["ftp", "HTTPS", "", None, 1, ["https"]])
def test_a_hop_from_the_wire_comes_by_http_or_https_only(lab, scheme):
    answer = _get(f"{lab.url}/redirect/303")
    chain = dict(httpx.URL(answer.headers["location"]).params)["chain"]
    wired = {**hop_to_wire(lab.journal.chain(chain)[0]), "scheme": scheme}
    with pytest.raises(WireError, match="a hop's 'scheme' is http or https"):
        hop_from_wire(wired)


# The handshake: the lab's door counts a connection from the moment it is accepted, and the
# lab's head timeout ends a handshake that does not complete (tests/test_tls_attacks.py: the cap).

HEAD_TIMEOUT = 1.0
SILENT = 80
"""More silent connections than the lab takes from one address (Bounds: 64)."""


def _closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the lab closed `sock` (EOF or reset), or None if it was still open."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        return None
    return time.monotonic() - started


@pytest.fixture
def impatient(lab):
    """A lab with TLS that gives a client one second for its handshake and request head."""
    journal = Journal(Bounds(head_timeout=HEAD_TIMEOUT))
    with LabServer(journal=journal, authority=lab.authority) as server:
        yield server


def test_a_client_that_never_starts_its_handshake_is_dropped(impatient):
    address = ("127.0.0.1", _port(impatient.secure_url))
    started = time.monotonic()
    silent = [
        socket.create_connection(address, timeout=5, source_address=("127.0.0.2", 0))
        for _ in range(SILENT)
    ]
    try:
        # Held open by a classmate, they stop no one else: a real client is answered meanwhile.
        answer = _get(f"{impatient.secure_url}/redirect/307?scheme=http", ca=impatient.tls.ca)
        assert answer.status_code == 307
        waits = [_closed_within(sock, HEAD_TIMEOUT + 4) for sock in silent]
    finally:
        for sock in silent:
            sock.close()
    assert None not in waits, "every silent connection was closed by the lab"
    assert time.monotonic() - started < HEAD_TIMEOUT + 4
    assert list(impatient.log) == [
        "lab warning: 127.0.0.2: 1 connection closed before the TLS handshake (over 64 open)."
    ]


def test_a_client_that_stops_in_the_middle_of_its_handshake_is_dropped(impatient):
    outgoing = ssl.MemoryBIO()
    tls = client_context(impatient.tls.ca).wrap_bio(
        ssl.MemoryBIO(), outgoing, server_hostname="127.0.0.1"
    )
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    client_hello = outgoing.read()
    assert client_hello, "the first flight of a real TLS client"
    with socket.create_connection(("127.0.0.1", _port(impatient.secure_url)), timeout=5) as sock:
        sock.sendall(client_hello[: len(client_hello) // 2])
        assert _closed_within(sock, HEAD_TIMEOUT + 4) is not None


def test_after_the_handshake_the_request_head_has_the_same_time(impatient):
    context = client_context(impatient.tls.ca)
    with (
        socket.create_connection(("127.0.0.1", _port(impatient.secure_url)), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
    ):
        sock.sendall(b"POST /redirect/307 HTTP/1.1\r\nHost: lab\r\n")  # and never the rest
        started = time.monotonic()
        sock.settimeout(HEAD_TIMEOUT + 4)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < HEAD_TIMEOUT + 3
