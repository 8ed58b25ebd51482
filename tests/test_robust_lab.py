"""The lab server (`redirect-tutor serve`, a real process) against hostile raw sockets.

After each attack the lab still answers a normal request, and its terminal shows log lines
only: never a traceback.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from lab_app import in_process

from tutor.lab.app import LabApp
from tutor.lab.bounds import Bounds
from tutor.lab.journal import Journal
from tutor.lab.server import LabServer

MiB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """`redirect-tutor serve` on a free loopback port; its stderr goes to a file."""
    port = _free_port()
    stderr = tmp_path_factory.mktemp("serve") / "stderr.txt"
    command = [str(Path(sys.executable).with_name("redirect-tutor")), "serve", "--port", str(port)]
    with stderr.open("wb") as err:
        lab = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert lab.poll() is None and time.monotonic() < deadline, "serve did not start"
                    time.sleep(0.05)
            yield port, stderr
        finally:
            lab.terminate()
            lab.wait(timeout=10)
    assert "Traceback" not in stderr.read_text(errors="replace")


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def _answer(sock: socket.socket) -> bytes:
    """What the lab sent back before it closed (or stopped talking for a while)."""
    got = b""
    try:
        while chunk := sock.recv(65536):
            got += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return got


def _send_all(sock: socket.socket, data: bytes) -> None:
    """Send what the lab will take: it may refuse and close before the end, as it should."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


def malformed_lines(port: int) -> None:
    for line in (
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"\x00\xff\x7f\r\n\r\n",
    ):
        with _connect(port) as sock:
            _send_all(sock, line)
            sock.shutdown(socket.SHUT_WR)
            assert not _answer(sock).startswith(b"HTTP/1.1 2")


def huge_headers(port: int) -> None:
    with _connect(port) as sock:
        _send_all(sock, b"GET /echo HTTP/1.1\r\nHost: lab\r\nX-Big: " + b"a" * MiB + b"\r\n\r\n")
        answer = _answer(sock)  # 431 from the lab, or a 400 or a close from the parser
        assert not answer.startswith(b"HTTP/1.1 2") and len(answer) < 4096


def slow_client(port: int) -> None:
    with _connect(port) as sock:
        for byte in b"POS":  # a byte a second, then gone
            sock.sendall(bytes([byte]))
            time.sleep(1)


def huge_body(port: int) -> None:
    with _connect(port) as sock:
        head = b"POST /echo HTTP/1.1\r\nHost: lab\r\nContent-Length: %d\r\n\r\n" % (10 * MiB)
        _send_all(sock, head + b"x" * (10 * MiB))
        assert _answer(sock).startswith(b"HTTP/1.1 413")


def broken_chunks(port: int) -> None:
    with _connect(port) as sock:
        head = b"POST /echo HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n"
        _send_all(sock, head + b"ZZ\r\nhello\r\n0\r\n\r\n")
        assert not _answer(sock).startswith(b"HTTP/1.1 2")


def reset_mid_body(port: int) -> None:
    sock = _connect(port)
    sock.sendall(b"POST /redirect/307 HTTP/1.1\r\nHost: lab\r\nContent-Length: 1000\r\n\r\nab")
    time.sleep(0.2)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()  # linger 0: a reset, not a polite close


@pytest.mark.parametrize(
    "attack", [malformed_lines, huge_headers, slow_client, huge_body, broken_chunks, reset_mid_body]
)
def test_the_lab_survives(served: tuple[int, Path], attack: Callable[[int], None]) -> None:
    port, stderr = served
    attack(port)
    with _connect(port) as sock:
        sock.sendall(b"POST /redirect/307 HTTP/1.1\r\nHost: lab\r\nContent-Length: 3\r\n\r\na=1")
        assert sock.recv(65536).startswith(b"HTTP/1.1 307 ")
    assert "Traceback" not in stderr.read_text(errors="replace")


async def test_a_huge_head_is_refused_and_not_journaled_whole() -> None:
    journal = Journal()
    async with in_process(journal) as client:
        big = await client.get("/echo", headers={"X-Big": "a" * Bounds().head})
        fine = await client.get("/echo", headers={"X-Fine": "a" * 1000})
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/redirect/307", "headers": []}
    await LabApp(journal)({**scope, "query_string": b"a" * Bounds().target}, receive, send)
    assert (big.status_code, fine.status_code, sent[0]["status"]) == (431, 200, 414)
    refused = [hop for hop in journal.recent() if hop.status != 200]
    assert [(hop.status, hop.headers, hop.query) for hop in refused] == [
        (431, (), ""),
        (414, (), ""),
    ]


@pytest.mark.parametrize("size", [20_000, 65_000, 70_000, 1_000_000])
def test_a_long_target_gets_414_as_documented_and_the_lab_answers_on(
    lab: LabServer, size: int
) -> None:
    """Under the parser's own limit the lab answers and journals the 414; over it, the guard
    gives the same answer (the parser would have said a bare 400)."""
    port = urlsplit(lab.url).port
    assert port is not None
    before = len(lab.journal)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        target = "/echo?x=" + "a" * size
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: lab\r\n\r\n".encode())
        answer = b""
        while b"limit" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 414 "), answer[:60]
    assert f"over the lab's limit of {Bounds().target} bytes".encode() in answer
    if size < 65_000:
        assert lab.journal.recent(1)[0].status == 414 and len(lab.journal) == before + 1
    assert httpx.get(f"{lab.url}/echo").status_code == 200


def test_a_target_with_control_characters_gets_a_readable_400(lab: LabServer) -> None:
    """?to= arrives decoded: an escape in it could never be a Location, so the lab says why."""
    port = urlsplit(lab.url).port
    assert port is not None
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("POST", "/s/eve/redirect/307?to=/echo/%1b[31mred%20x", body="a=1")
    answer = connection.getresponse()
    text = answer.read().decode()
    connection.close()
    assert answer.status == 400
    assert "location" not in answer.headers
    assert text.startswith("?to= holds the control character '\\x1b' (character 7)")
    assert "\x1b" not in text
    assert not [line for line in lab.log if "Exception" in line]
