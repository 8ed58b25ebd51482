"""The lab's door (issue 12, point 4), attacked as a slow client would: raw sockets from
127.0.0.2 that dribble header lines, beside an honest student on 127.0.0.1 (all of 127/8 is
loopback on Linux). A real uvicorn serves the real lab with the guarded protocol."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import uvicorn

from tutor.lab.app import LabApp
from tutor.lab.bounds import Bounds
from tutor.lab.guard import Door, guarded
from tutor.lab.journal import Journal
from tutor.lab.server import _ROUTER, _route_uvicorn_logging, _server_class

CAP = 64
HEAD_TIMEOUT = 1.0
KEEP_ALIVE = 2
"""uvicorn's own idle timeout between requests, longer than the head timeout here."""
LOG_EVERY = 1.0
DRIBBLE = 0.3
"""Seconds between two header lines of a slow client: it sends three before its 408."""
ATTACKERS = 200
HONEST = b"POST /redirect/307 HTTP/1.1\r\nHost: lab\r\nContent-Length: 1\r\n\r\na"


@dataclass
class Lab:
    port: int
    door: Door
    log: list[str]


@contextmanager
def _guarded_lab(bounds: Bounds) -> Iterator[Lab]:
    """The lab on 127.0.0.1, a free port, behind `guarded(bounds)`; its log lines kept."""
    _route_uvicorn_logging()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    protocol = guarded(bounds, log_every=LOG_EVERY)
    config = uvicorn.Config(
        LabApp(Journal()),
        http=protocol,
        log_config=None,
        access_log=False,
        lifespan="off",
        ws="none",
        timeout_keep_alive=KEEP_ALIVE,
        timeout_graceful_shutdown=2,
    )
    started = threading.Event()
    server = _server_class()(config, started)
    lab = Lab(sock.getsockname()[1], protocol.door, [])

    def serve() -> None:
        with _ROUTER.hearing(lab.log.append):
            server.run(sockets=[sock])

    thread = threading.Thread(target=serve, name="guarded-lab", daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield lab
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with _guarded_lab(Bounds(connections_per_address=CAP, head_timeout=HEAD_TIMEOUT)) as served:
        yield served


def _connect(lab: Lab, source: str) -> socket.socket:
    sock = socket.socket()
    sock.settimeout(5)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", lab.port))
    return sock


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One answer on `sock`: status, header fields (lowercased names) and body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a whole answer: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode().split("\r\n")
    fields = dict(line.lower().split(": ", 1) for line in lines)
    while len(body) < int(fields["content-length"]):
        body += sock.recv(65536)
    return int(status_line.split()[1]), fields, body


def _closed(sock: socket.socket) -> bool:
    return sock.recv(1) == b""


def _eventually(check: Callable[[], bool], seconds: float = 3.0) -> bool:
    """Whether `check()` comes true within `seconds` (the server's loop runs in its thread)."""
    until = time.monotonic() + seconds
    while not check():
        if time.monotonic() > until:
            return False
        time.sleep(0.02)
    return True


@dataclass
class Attack:
    answers: list[tuple[bytes, float]]
    """Each slow client's status line (or what went wrong) and when it came, from the start."""
    honest: list[tuple[bytes, float]]
    """Each honest request's status line and how long it took."""
    log: list[str]


async def _slow_client(port: int, start: float) -> tuple[bytes, float]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.2", 0))
    writer.write(b"GET /echo HTTP/1.1\r\n")
    try:
        for line in range(100):
            try:
                status = await asyncio.wait_for(reader.readline(), DRIBBLE)
            except TimeoutError:
                writer.write(b"X-Slow-%d: still coming\r\n" % line)
                continue
            await asyncio.wait_for(reader.read(), 5)  # the rest, then the server's close
            return status, time.monotonic() - start
        return b"never answered", time.monotonic() - start
    except OSError as error:
        return repr(error).encode(), time.monotonic() - start
    finally:
        writer.close()


async def _honest_student(port: int, over: Callable[[], bool]) -> list[tuple[bytes, float]]:
    seen = []
    while not over():
        start = time.monotonic()
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, local_addr=("127.0.0.1", 0)
        )
        writer.write(HONEST)
        seen.append((await asyncio.wait_for(reader.readline(), 5), time.monotonic() - start))
        writer.close()
        await asyncio.sleep(0.1)
    return seen


@pytest.fixture(scope="module")
def attack(lab: Lab) -> Attack:
    """200 slow clients at once from 127.0.0.2, an honest student throughout."""

    async def run() -> Attack:
        start = time.monotonic()
        slow = asyncio.gather(*(_slow_client(lab.port, start) for _ in range(ATTACKERS)))
        honest = await _honest_student(lab.port, slow.done)
        return Attack(await slow, honest, lab.log)

    return asyncio.run(run())


def test_past_the_cap_503_at_once_the_others_408_after_the_head_timeout(attack: Attack) -> None:
    refused = [when for status, when in attack.answers if status.startswith(b"HTTP/1.1 503 ")]
    too_slow = [when for status, when in attack.answers if status.startswith(b"HTTP/1.1 408 ")]
    assert (len(refused), len(too_slow)) == (ATTACKERS - CAP, CAP), attack.answers
    assert max(refused) < DRIBBLE
    assert HEAD_TIMEOUT - 0.05 < min(too_slow) <= max(too_slow) < HEAD_TIMEOUT + 0.5


def test_an_honest_student_is_served_quickly_throughout(attack: Attack) -> None:
    assert len(attack.honest) >= 5
    assert {status for status, _ in attack.honest} == {b"HTTP/1.1 307 Temporary Redirect\r\n"}
    assert max(took for _, took in attack.honest) < 0.5


def test_afterwards_the_counts_are_zero_and_the_lab_answers(attack: Attack, lab: Lab) -> None:
    assert _eventually(lambda: not lab.door.open), lab.door.open
    for source in ("127.0.0.1", "127.0.0.2"):
        with _connect(lab, source) as sock:
            sock.sendall(HONEST)
            status, fields, _ = _read_answer(sock)
            assert status == 307
            assert fields["location"].startswith("/echo?")


def _lines_about(address: str, lab: Lab) -> list[str]:
    return [line for line in lab.log if f" {address}: " in line]


def _counted(lines: list[str]) -> dict[str, int]:
    """Connections refused and closed with 408, as the log lines count them."""
    counted = {"refused": 0, "closed with 408": 0}
    for line in lines:
        for count, what in re.findall(r"(\d+) connections? (refused|closed with 408)", line):
            counted[what] += int(count)
    return counted


def test_the_log_says_it_once_per_address_per_window(attack: Attack, lab: Lab) -> None:
    """Two hundred refusals and timeouts in about a second make three lines, counts that add up
    (the last line comes when its window ends)."""
    everything = {"refused": ATTACKERS - CAP, "closed with 408": CAP}
    assert _eventually(lambda: _counted(_lines_about("127.0.0.2", lab)) == everything)
    lines = _lines_about("127.0.0.2", lab)
    assert _counted(lines) == everything, lines
    assert len(lines) <= 3, lines
    assert lines[0] == "lab warning: 127.0.0.2: 1 connection refused (503, over 64 open)."
    assert lines[1].endswith(" in the last 1 s."), lines


def test_a_connection_that_sends_nothing_gets_408(lab: Lab) -> None:
    with _connect(lab, "127.0.0.3") as sock:
        start = time.monotonic()
        status, fields, body = _read_answer(sock)
        took = time.monotonic() - start
        assert _closed(sock)
    assert (status, fields["connection"]) == (408, "close")
    assert body == b"The request head did not arrive within 1 s; send it again, all at once."
    assert HEAD_TIMEOUT - 0.05 < took < HEAD_TIMEOUT + 0.5
    assert _eventually(
        lambda: "lab warning: 127.0.0.3: 1 connection closed with 408 " in lab.log[-1]
    )


def test_keep_alive_requests_are_served_and_idle_is_uvicorns_to_close(lab: Lab) -> None:
    """Idle time between requests is not head time: the gaps are longer than the head timeout."""
    with _connect(lab, "127.0.0.4") as sock:
        for gap in (0, HEAD_TIMEOUT + 0.2, HEAD_TIMEOUT + 0.2):
            time.sleep(gap)
            sock.sendall(HONEST[:20])
            time.sleep(0.2)
            sock.sendall(HONEST[20:])
            assert _read_answer(sock)[0] == 307
        start = time.monotonic()
        assert _closed(sock)  # uvicorn's keep-alive timeout, without an answer
        assert KEEP_ALIVE - 0.05 < time.monotonic() - start < KEEP_ALIVE + 0.5


def test_a_later_request_head_has_its_clock_from_its_first_byte(lab: Lab) -> None:
    with _connect(lab, "127.0.0.4") as sock:
        sock.sendall(HONEST)
        assert _read_answer(sock)[0] == 307
        time.sleep(0.5)
        start = time.monotonic()
        sock.sendall(b"GET /echo HTTP/1.1\r\n")
        time.sleep(0.5)
        sock.sendall(b"Host: lab\r\n")
        assert _read_answer(sock)[0] == 408
        assert HEAD_TIMEOUT - 0.05 < time.monotonic() - start < HEAD_TIMEOUT + 0.5


def test_two_labs_in_one_process_count_separately(lab: Lab) -> None:
    with (
        _guarded_lab(Bounds(connections_per_address=1, head_timeout=5)) as strict,
        _connect(strict, "127.0.0.5"),
        _connect(strict, "127.0.0.5") as second,
        _connect(lab, "127.0.0.5") as elsewhere,
    ):
        status, fields, body = _read_answer(second)
        assert (status, fields["connection"]) == (503, "close")
        assert body == b"Too many connections from your address (1 open); close some and try again."
        elsewhere.sendall(HONEST)
        assert _read_answer(elsewhere)[0] == 307
        assert strict.door.open == {"127.0.0.5": 2}
        assert lab.door.open == {"127.0.0.5": 1}


def test_a_refused_client_that_keeps_sending_still_reads_its_503() -> None:
    """The lab reads and drops what a refused client still sends before it closes: a socket
    closed with unread data is reset, and here the reset destroyed every such answer."""
    with (
        _guarded_lab(Bounds(connections_per_address=1, head_timeout=5)) as strict,
        _connect(strict, "127.0.0.6"),
    ):
        for _ in range(10):
            with _connect(strict, "127.0.0.6") as refused:
                refused.sendall(b"GET / HTTP/1.1\r\n" + b"X-Filler: y\r\n" * 2000)
                time.sleep(0.02)
                refused.sendall(b"X-More: z\r\n" * 100)
                assert _read_answer(refused)[0] == 503


@pytest.mark.parametrize(("soft", "hard", "after"), [(256, 20000, 8192), (256, 512, 512)])
def test_the_open_file_limit_rises_toward_the_hard_limit(soft: int, hard: int, after: int) -> None:
    """In a child process whose limits are set first (as `ulimit -n` would)."""
    code = (
        "import resource\n"
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard}))\n"
        "from tutor.lab.guard import raise_open_file_limit\n"
        "raise_open_file_limit()\n"
        "print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert result.stdout.split() == [str(after)], result.stderr
