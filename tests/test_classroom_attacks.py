"""A hostile student on the shared lab, with real curl, raw sockets and a real `serve`: each
defence holds, and the lab still answers honest students correctly afterwards."""

from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import product
from urllib.parse import urlsplit

import httpx
import pytest

from tutor.lab.bounds import HOP_COST, Bounds
from tutor.lab.journal import Journal, label
from tutor.lab.journal_line import journal_line
from tutor.lab.server import LabServer
from tutor.lab.watch import Watch

SECRET = "Basic YWxpY2U6c2VjcmV0"


@pytest.fixture
def class_lab() -> Iterator[LabServer]:
    """A lab of its own, bounded small enough that a test reaches every bound in seconds."""
    bounds = Bounds(chain_hops=20, journal_bytes=4 * 1024 * 1024, echo_bytes=64 * 1024)
    with LabServer(journal=Journal(bounds)) as lab:
        yield lab


def _curl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["curl", "-sS", "-g", *args], capture_output=True, text=True, timeout=20, check=False
    )


def _raw(url: str, target: str, fields: str = "") -> bytes:
    """GET `target` written as it is on a socket (no client cleans it up); the whole answer."""
    port = urlsplit(url).port
    assert port is not None
    request = f"GET {target} HTTP/1.1\r\nHost: lab\r\n{fields}Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _alice(lab: LabServer) -> str:
    """Alice's chain: a POST with her password across a 307, under her prefix. Her token."""
    answer = _curl(
        "-L", "-d", "card=4111", "-H", f"Authorization: {SECRET}", "-D", "-",
        f"{lab.url}/s/alice/redirect/307",
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    token = re.search(r"x-redirect-tutor-chain: (\S+)", answer.stdout, re.IGNORECASE)
    assert token is not None
    return token.group(1)


# 1. Students are isolated: a token is a capability, bound to the prefix it began under.


def test_a_token_is_128_bits_and_the_console_shows_only_its_label(class_lab: LabServer) -> None:
    token = _alice(class_lab)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)
    for hop in class_lab.journal.chain(token):
        line = journal_line(hop, class_lab.journal)
        assert token not in line and f"chain {label(token)}:" in line


@pytest.mark.parametrize("prefix", ["/s/bob", "", "/s/ALICE", "/s/alice2"])
def test_another_student_cannot_read_or_extend_a_chain(class_lab: LabServer, prefix: str) -> None:
    token = _alice(class_lab)
    before = class_lab.journal.chain(token)
    for method in ("GET", "POST"):
        stolen = _curl("-X", method, "-i", f"{class_lab.url}{prefix}/echo?chain={token}")
        assert stolen.stdout.startswith("HTTP/1.1 403"), stolen.stdout[:200]
        assert SECRET not in stolen.stdout and "card=4111" not in stolen.stdout
        assert "began under another prefix" in stolen.stdout
    assert class_lab.journal.chain(token) == before, "Alice's chain and verdict are unchanged"
    mine = _curl(f"{class_lab.url}/s/alice/echo?chain={token}")
    document = json.loads(mine.stdout)
    assert document["chain"][0]["headers"]["authorization"] == SECRET
    assert len(document["chain"]) == len(before) + 1


def test_a_short_or_malformed_token_starts_a_chain_of_its_own(class_lab: LabServer) -> None:
    _curl("-d", "a=1", f"{class_lab.url}/s/eve/redirect/307?chain=guess")
    for weak in ("guess", "a" * 21, "a" * 65, "%00" * 22):
        answer = _curl("-D", "-", "-o", "/dev/null", f"{class_lab.url}/s/eve/echo?chain={weak}")
        given = re.search(r"x-redirect-tutor-chain: (\S+)", answer.stdout, re.IGNORECASE)
        assert given is not None and given.group(1) != weak and len(given.group(1)) == 22
    assert class_lab.journal.chain("guess") == []


# 2. Nothing a client sends moves the teacher's cursor or forges a line.

FORGERIES = [
    "/%1b[2J%1b[H%1b]2;owned%07/echo",
    "/echo%0a08:00:00%20127.0.0.1:1%20POST%20/redirect/307%20307",
    "/echo%0d%1b[32mPOST%20kept%1b[0m",
    "/echo/%e2%80%ae%e2%81%a6evil",
    "/echo/%c2%9b31m",
    "/echo/" + "x" * 5000,
]


@pytest.mark.parametrize("path", FORGERIES)
def test_the_console_line_is_one_printable_line(class_lab: LabServer, path: str) -> None:
    _raw(class_lab.url, path)
    hop = class_lab.journal.recent(1)[0]
    line = journal_line(hop, class_lab.journal)
    assert line.isprintable() and "\n" not in line
    assert len(line) < 700, "a long path is cut, with an ellipsis"


def test_serve_prints_one_line_per_request_and_no_escape() -> None:
    """The real console, as the projector shows it: its bytes, not a Python string."""
    with _serve() as console:
        for path in FORGERIES:
            _raw(console.url, path)
        lines = console.after_banner(len(FORGERIES))
    printed = "\n".join(lines)  # decoded from the bytes the process wrote
    assert not [c for c in printed if c != "\n" and not c.isprintable()]
    assert "/echo\\n08:00:00%20127.0.0.1:1%20POST" in lines[1], "a forged line shows as it is"
    assert len([line for line in lines if " 200 " in line or " 404 " in line]) == len(lines)


# 3. /echo cannot be made to amplify; the journal is bounded by bytes.


def test_a_chain_stops_at_its_bound_and_echo_stays_small(class_lab: LabServer) -> None:
    token = "flood-" + "x" * 16
    big = {f"X-Pad-{i}": "p" * 7000 for i in range(8)}  # 56 KiB of headers per request
    with httpx.Client(base_url=class_lab.url, headers=big, timeout=10) as flood:
        statuses = [
            flood.post(f"/s/mallory/echo?chain={token}", content=b"b" * 16384).status_code
            for _ in range(25)
        ]
        assert statuses[:20] == [200] * 20 and set(statuses[20:]) == {429}
        kept = class_lab.journal.chain(token)
        assert len(kept) == 20
        assert all(hop.kept_bytes <= HOP_COST + 8 * 1024 + 16 * 1024 + 200 for hop in kept)
        # The last echo answer stays near its bound however big the chain's requests were.
        last = flood.post(f"/s/mallory/echo?chain={token}", content=b"b")
        assert last.status_code == 429 and len(last.content) < 300
    with httpx.Client(base_url=class_lab.url, timeout=10) as honest:
        token2 = "flood2-" + "y" * 15
        for _ in range(19):
            echo = honest.post(f"/s/mallory/echo?chain={token2}", content=b"b" * 16384, headers=big)
        assert len(echo.content) <= 64 * 1024 + 2048
        document = echo.json()
        assert document["chain"][0].get("cut") is True and "cut" not in document["chain"][-1]
        answer = honest.post("/s/ada/redirect/307", content=b"a=1", follow_redirects=True)
        assert answer.json()["verdict"] == "POST kept, body intact (3 bytes)"


def test_an_echo_of_a_long_chain_never_stalls_other_clients() -> None:
    bounds = Bounds(echo_bytes=8 * 1024 * 1024)
    with LabServer(journal=Journal(bounds)) as lab:
        token = "long-chain-" + "z" * 11
        big = {f"X-Pad-{i}": "p" * 1000 for i in range(8)}
        with httpx.Client(base_url=lab.url, headers=big, timeout=30) as flood:
            for _ in range(96):
                flood.post(f"/echo?chain={token}", content=bytes(range(256)) * 64)
        stalls: list[float] = []
        stop = threading.Event()

        def honest() -> None:
            with httpx.Client(base_url=lab.url, timeout=10) as client:
                while not stop.is_set():
                    started = time.perf_counter()
                    client.get("/echo")
                    stalls.append(time.perf_counter() - started)

        worker = threading.Thread(target=honest)
        worker.start()
        try:
            with httpx.Client(base_url=lab.url, timeout=30) as flood:
                for _ in range(3):
                    assert flood.get(f"/echo?chain={token}").status_code == 200
        finally:
            stop.set()
            worker.join()
    assert stalls and max(stalls) < 0.5, f"slowest honest request: {max(stalls):.3f} s"


def test_the_journal_is_bounded_by_bytes_whatever_the_heads() -> None:
    bounds = Bounds(journal_bytes=2 * 1024 * 1024)
    with LabServer(journal=Journal(bounds)) as lab:
        with httpx.Client(base_url=lab.url, timeout=10) as client:
            for index in range(400):
                client.get(f"/echo?n={index}", headers={"X-Pad": "h" * 60_000})
        assert lab.journal.bytes_kept <= bounds.journal_bytes
        assert 200 <= len(lab.journal) < 400


# 4. A body sent slowly is cut off (the head's own timeout is the guard's: test_lab_guard.py).


def test_a_body_that_never_completes_gets_408_and_the_lab_answers_on() -> None:
    with LabServer(journal=Journal(Bounds(body_timeout=1.0))) as lab:
        port = urlsplit(lab.url).port
        assert port is not None
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /s/eve/echo HTTP/1.1\r\nHost: lab\r\nContent-Length: 10\r\n\r\na")
            answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert b"not complete after 1 seconds" in answer
        assert 0.9 < time.monotonic() - started < 5
        cut = lab.journal.recent(1)[0]
        assert (cut.status, cut.body_size) == (408, 1)  # journaled with the byte that came
        assert httpx.post(f"{lab.url}/echo", content=b"a=1").json()["body"] == "a=1"


# 5. The console's queue is bounded; what it drops, it counts.


def test_a_stuck_console_keeps_at_most_its_bound_and_says_what_it_dropped() -> None:
    journal = Journal()
    heard: list[str] = []
    dropped: list[int] = []
    gate, reading = threading.Event(), threading.Event()

    def stuck(hop: object) -> None:
        reading.set()
        gate.wait()
        heard.append(str(hop))

    watch = Watch(stuck, dropped.append, limit=50)
    journal.subscribe(watch.hear)
    _record(journal, 0)
    assert reading.wait(10)  # the reader holds the first hop (a fast journal outran it)
    for index in range(1, 5000):
        _record(journal, index)
    gate.set()
    watch.stop()
    assert len(heard) == 51 and sum(dropped) == 5000 - 51  # one in the reader, 50 waiting


def test_serve_into_a_full_pipe_stays_bounded_and_says_how_many_lines_it_dropped() -> None:
    said = re.compile(r"\.\.\. \d+ requests not shown: the console fell behind\.")
    with _serve() as console:  # nobody reads its output while the requests come
        with httpx.Client(base_url=console.url, timeout=10) as client:
            for _ in range(3000):
                client.post("/echo", content=b"b" * 4096)
            assert client.get("/echo").status_code == 200, "the lab answers on"
        lines = console.lines(lambda lines: any(said.fullmatch(line) for line in lines))
    assert any(said.fullmatch(line) for line in lines)
    assert len(lines) < 3000


# 7 and 8. Every Location the lab builds is well formed; control characters get a 400.


@pytest.mark.parametrize("value", ["%0b", "%00", "%7f", "%c2%85", "%e2%80%ae", "%09", "%1b[2J"])
def test_control_characters_in_a_target_get_a_readable_400(
    class_lab: LabServer, value: str
) -> None:
    for route, name in (("/redirect/302", "to"), ("/login", "next"), ("/refresh", "to")):
        answer = _raw(class_lab.url, f"{route}?{name}=/echo{value}x")
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), answer[:100]
        assert b"\nlocation:" not in head.lower() and b"\nrefresh:" not in head.lower()
        assert body.decode().startswith(f"?{name}= holds the control character")
        assert class_lab.journal.recent(1)[0].status == 400
    assert not [line for line in class_lab.log if "Exception" in line]


URI_REFERENCE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
"""The characters of a URI reference (RFC 3986 §2, §4.1): a Location holds nothing else."""

FORMS = ["path", "relative", "dots", "query", "absolute", "twice", "none", None]
TARGETS = [None, "/echo", "/echo/a b?x=1#frag", "{abs}/echo?y=2", "/redirect/307?to=/echo"]


@pytest.mark.parametrize(("form", "to"), list(product(FORMS, TARGETS)))
@pytest.mark.parametrize("origin", [None, "other"])
@pytest.mark.parametrize("prefix", ["", "/s/ada"])
def test_every_location_the_lab_builds_is_well_formed(
    lab: LabServer, form: str | None, to: str | None, origin: str | None, prefix: str
) -> None:
    params: dict[str, str] = {}
    if form:
        params["location"] = form
    if to:
        params["to"] = to.replace("{abs}", lab.url)
    if origin:
        params["origin"] = origin
    answer = httpx.get(f"{lab.url}{prefix}/redirect/302", params=params, timeout=10)
    if answer.status_code == 400:
        assert origin == "other" and form not in ("path", "absolute", None), answer.text
        return
    assert answer.status_code == 302
    for location in answer.headers.get_list("location"):
        assert URI_REFERENCE.fullmatch(location), location
        parts = urlsplit(location)
        if parts.scheme:
            assert parts.port is not None and parts.hostname == "127.0.0.1", location
        if origin == "other":
            assert location.startswith(lab.other_url + prefix + "/"), location
        elif form not in ("relative", "dots", "query"):
            assert urlsplit(location).path.startswith(prefix + "/"), location


# Helpers: the real `serve` in a process, and raw requests to it.


def _record(journal: Journal, index: int) -> None:
    journal.record(
        chain=f"c{index}",
        peer="-",
        method="POST",
        path="/echo",
        query="",
        headers=(),
        body=b"b" * 16384,
        body_size=16384,
        body_digest="",
        status=200,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Console:
    """The real `serve` in a process: its standard output as the projector would show it."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tutor", "serve", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._data = b""
        self.banner = len(self.lines(lambda lines: any(line.startswith("Try:") for line in lines)))

    def lines(self, enough: Callable[[list[str]], bool], timeout: float = 20) -> list[str]:
        """Every line printed so far, once `enough` of them are there (or `timeout` passes)."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while True:
            lines = self._data.decode(errors="replace").split("\n")[:-1]
            if enough(lines) or time.monotonic() > deadline:
                return lines
            if select.select([fd], [], [], 0.2)[0]:
                self._data += os.read(fd, 1 << 20)

    def after_banner(self, count: int) -> list[str]:
        lines = self.lines(lambda lines: len(lines) >= self.banner + count)[self.banner :]
        assert len(lines) >= count, lines
        return lines

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def _serve() -> Iterator[_Console]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    console = _Console(port)
    try:
        yield console
    finally:
        console.stop()


# Found by a red team after the issue's own list: each a way around a defence above.


def test_no_token_reaches_the_console_not_even_of_a_refused_or_full_chain(
    class_lab: LabServer,
) -> None:
    token = _alice(class_lab)
    loop = _curl(
        *("-L", "--max-redirs", "150", "-o", "/dev/null", "-w", "%{http_code}"),
        *("-H", f"Authorization: {SECRET}", f"{class_lab.url}/s/alice/redirect/307?loop=1"),
    )
    assert loop.stdout == "429"
    _curl(f"{class_lab.url}/s/bob/echo?chain={token}")
    lines = [journal_line(hop, class_lab.journal) for hop in class_lab.journal.recent(100)]
    tokens = {hop.chain for hop in class_lab.journal.recent(100)}
    assert not [line for line in lines for t in tokens if t in line]
    assert any(" 429 " in line and "chain=<" in line for line in lines)


def test_thousands_of_empty_header_fields_cost_what_they_hold(class_lab: LabServer) -> None:
    fields = "".join(f"a{i}:\r\n" for i in range(8000))
    _raw(class_lab.url, "/echo", fields)
    hop = class_lab.journal.recent(1)[0]
    assert hop.status == 200 and len(hop.headers) <= Bounds().head_kept // 100 + 1
    assert hop.kept_bytes >= 100 * len(hop.headers)


def test_a_flood_from_one_client_forgets_its_own_requests_not_the_class() -> None:
    bounds = Bounds(journal_hops=300, journal_bytes=2 * 1024 * 1024)
    with LabServer(journal=Journal(bounds)) as lab:
        answer = _curl("-D", "-", "-o", "/dev/null", "-d", "a=1", f"{lab.url}/s/alice/redirect/307")
        location = re.search(r"location: (\S+)", answer.stdout, re.IGNORECASE)
        assert location is not None
        from_elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(base_url=lab.url, transport=from_elsewhere, timeout=10) as mallory:
            for index in range(600):
                mallory.get(
                    f"/s/mallory/redirect/307?loop=1&x={index}", headers={"X-Pad": "p" * 8000}
                )
        follow = _curl("-d", "a=1", f"{lab.url}{location.group(1)}")
        assert json.loads(follow.stdout)["verdict"] == "POST kept, body intact (3 bytes)"
        assert lab.journal.bytes_kept <= bounds.journal_bytes and len(lab.journal) <= 300


def test_a_body_in_thousands_of_pieces_is_refused_and_the_lab_answers_on(
    class_lab: LabServer,
) -> None:
    port = urlsplit(class_lab.url).port
    assert port is not None
    pieces = b"1\r\na\r\n" * (Bounds().body_chunks + 10) + b"0\r\n\r\n"
    head = b"POST /s/eve/echo HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + pieces)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:80]
    assert b"over 4096 pieces" in answer
    few = httpx.post(f"{class_lab.url}/echo", content=iter([b"a=", b"1"]))
    assert few.json()["body"] == "a=1"


def test_spaces_in_a_path_cannot_push_a_forged_line_onto_a_row_of_its_own(
    class_lab: LabServer,
) -> None:
    forged = "%20" * 60 + "09:01:02%20127.0.0.1:40112%20POST%20/s/alice/echo%20200"
    _raw(class_lab.url, f"/echo/{forged}")
    line = journal_line(class_lab.journal.recent(1)[0], class_lab.journal)
    assert " 09:01:02 " not in line and "%2009:01:02%2012" in line


def test_per_client_limits_count_an_ipv6_machine_by_its_64() -> None:
    from tutor.lab.addresses import counted_as

    assert counted_as("2001:db8::1") == counted_as("2001:db8::ffff:2") == "2001:db8::/64"
    assert counted_as("2001:db8:0:1::1") != counted_as("2001:db8::1")
    assert counted_as("::ffff:192.0.2.7") == "192.0.2.7"
    assert counted_as("::1") == "::1" and counted_as("127.0.0.1") == "127.0.0.1"
