"""A request that asks to change protocols (Upgrade, RFC 9110 §7.8) is answered in HTTP/1.1,
and its body is the body: Java's HttpClient asks for h2c on every request over http://, and
uvicorn's parser takes what follows such a head for the new protocol's bytes. Real lab, raw
sockets, so that the bytes on the wire are exactly these."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from tutor.lab.server import LabServer

H2C = b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAEAAEAA\r\n"


def exchange(lab: LabServer, data: bytes, answers: int) -> list[dict[str, object]]:
    """Send `data` on one connection; the JSON of the first `answers` answers of /echo."""
    parts = urlsplit(lab.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(data)
        got = b""
        while got.count(b"HTTP/1.1 ") < answers or not got.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            got += chunk
    bodies = [part.split(b"\r\n\r\n", 1)[1] for part in got.split(b"HTTP/1.1 ")[1:]]
    return [json.loads(body) for body in bodies]


def request(method: bytes, head: bytes, body: bytes = b"") -> bytes:
    return b"%s /echo HTTP/1.1\r\nHost: lab\r\n%s\r\n%s" % (method, head, body)


def test_a_body_of_known_length_arrives_whole(lab: LabServer) -> None:
    [echo] = exchange(lab, request(b"POST", H2C + b"Content-Length: 8\r\n", b"name=ada"), 1)
    assert (echo["method"], echo["body"], echo["body_size"]) == ("POST", "name=ada", 8)


def test_a_chunked_body_arrives_whole_and_the_next_request_is_answered(lab: LabServer) -> None:
    chunked = request(
        b"POST", H2C + b"Transfer-Encoding: chunked\r\n", b"3\r\na=1\r\n2;x=y\r\nbc\r\n0\r\n\r\n"
    )
    first, second = exchange(lab, chunked + request(b"GET", b""), 2)
    assert (first["body"], first["body_size"]) == ("a=1bc", 5)
    assert (second["method"], second["body_size"]) == ("GET", 0)


def test_a_request_without_a_body_leaves_the_connection_usable(lab: LabServer) -> None:
    data = request(b"GET", H2C) + request(b"POST", b"Content-Length: 2\r\n", b"zz")
    first, second = exchange(lab, data, 2)
    assert (first["method"], second["method"], second["body"]) == ("GET", "POST", "zz")


def test_a_body_that_comes_late_is_waited_for(lab: LabServer) -> None:
    parts = urlsplit(lab.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(request(b"PUT", H2C + b"Content-Length: 6\r\n", b"abc"))
        conn.sendall(b"def")
        got = b""
        while not got.rstrip().endswith(b"}"):
            got += conn.recv(65536)
    echo = json.loads(got.split(b"\r\n\r\n", 1)[1])
    assert (echo["method"], echo["body"]) == ("PUT", "abcdef")


@pytest.mark.parametrize("broken", [b"zz\r\nab\r\n0\r\n\r\n", b"3\r\na=1XX0\r\n\r\n"])
def test_a_broken_chunked_body_is_a_400(lab: LabServer, broken: bytes) -> None:
    parts = urlsplit(lab.url)
    data = request(b"POST", H2C + b"Transfer-Encoding: chunked\r\n", broken)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(data)
        assert conn.recv(65536).startswith(b"HTTP/1.1 400")
