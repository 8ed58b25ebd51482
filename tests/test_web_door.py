"""`redirect-tutor web` as a hostile visitor meets it: a real `web` process on a free loopback
port, real HTTP requests and a real websocket client. The door (a name, the access code), the
Origin check, the caps on sessions and terminal size, one record per name, a port in use, and a
page that needs nothing from another host."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import queue
import re
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tutor.cli import cli
from tutor.course.loader import load_course
from tutor.web.code import ALPHABET, LENGTH, door_code, matches
from tutor.web.console import Console
from tutor.web.guesses import WINDOW, WRONG_PER_WINDOW, WrongGuesses
from tutor.web.latest import Latest
from tutor.web.learners import learner_name
from tutor.web.origin import names_loopback, same_origin
from tutor.web.rates import Bucket, Buckets
from tutor.web.size import TerminalSize

FOREIGN = "http://evil.example"
_CURSOR_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


@dataclass
class Browser:
    """One visitor's browser: its own cookies, and the loopback address it connects from."""

    url: str
    address: str = "127.0.0.1"
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)

    def _client(self) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=self.address)
        return httpx.Client(transport=transport, cookies=self.cookies, timeout=10)

    def enter(self, name: str, code: str | None = None) -> httpx.Response:
        form = {"name": name} | ({"code": code} if code is not None else {})
        with self._client() as client:
            entered = client.post(f"{self.url}/enter", data=form, headers={"Origin": self.url})
            self.cookies = httpx.Cookies(client.cookies)
        return entered

    def page(self, ticket: str) -> httpx.Response:
        """GET / from this browser's address, with `ticket` as its Cookie header."""
        transport = httpx.HTTPTransport(local_address=self.address)
        with httpx.Client(transport=transport, timeout=10) as client:
            return client.get(f"{self.url}/", headers={"Cookie": ticket})

    def ticket(self, name: str, code: str | None = None) -> str:
        """The Cookie header a browser would send after entering at the door."""
        entered = self.enter(name, code)
        assert entered.status_code == 303, entered.text
        return f"tutor_ticket={entered.cookies['tutor_ticket']}"

    def socket(
        self, ticket: str, *, origin: str | None = None, size: str = "80x24"
    ) -> ClientConnection:
        columns, rows = size.split("x")
        return connect(
            f"{self.url.replace('http', 'ws', 1)}/ws?width={columns}&height={rows}",
            origin=origin or self.url,
            additional_headers={"Cookie": ticket} if ticket else {},
            open_timeout=10,
            max_size=None,
            source_address=(self.address, 0),
        )

    def refusal(self, ticket: str, *, origin: str | None = None) -> tuple[int, str]:
        """The status and text of a websocket handshake that must fail."""
        with pytest.raises(InvalidStatus) as refused:
            self.socket(ticket, origin=origin).close()
        response = refused.value.response
        return response.status_code, response.body.decode() if response.body else ""


@dataclass
class Web:
    """A running `redirect-tutor web`, and what it printed. Its `enter`, `ticket`, `socket` and
    `refusal` are each a new browser's, at 127.0.0.1."""

    process: subprocess.Popen[str]
    url: str
    printed: list[str] = field(default_factory=list)

    def browser(self, address: str = "127.0.0.1") -> Browser:
        return Browser(self.url, address)

    def enter(self, name: str, code: str | None = None) -> httpx.Response:
        return self.browser().enter(name, code)

    def ticket(self, name: str, code: str | None = None) -> str:
        return self.browser().ticket(name, code)

    def socket(
        self, ticket: str, *, origin: str | None = None, size: str = "80x24"
    ) -> ClientConnection:
        return self.browser().socket(ticket, origin=origin, size=size)

    def refusal(self, ticket: str, *, origin: str | None = None) -> tuple[int, str]:
        return self.browser().refusal(ticket, origin=origin)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def tutors(self) -> list[int]:
        """The tutor processes this `web` has running (its children)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children


@contextmanager
def running_web(*options: str, open_files: tuple[int, int] | None = None) -> Iterator[Web]:
    """`redirect-tutor web --port 0 OPTIONS`; stopped with Ctrl+C after, every tutor with it.
    `open_files`: the (soft, hard) limit on open files it starts with."""

    def limit() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, open_files)

    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "web", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
        preexec_fn=limit,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or []])
    reader.start()
    printed: list[str] = []
    try:
        while not printed or not printed[-1].startswith("At most"):
            printed.append(lines.get(timeout=15).rstrip("\n"))
        found = re.search(r"http://127\.0\.0\.1:\d+", printed[0])
        assert found, printed
        web = Web(process, found[0], printed)
        yield web
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        reader.join(timeout=5)
        printed.extend(line.rstrip("\n") for line in list(lines.queue))
        assert _group_ends(process.pid), "a tutor outlived the server"
    assert "Traceback" not in "\n".join(printed), printed


def _group_ends(group: int, timeout: float = 10) -> bool:
    """Whether every process of `group` is gone within `timeout` (a tutor still tidying up its
    own lab when the server exits gets those seconds); the rest are killed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.killpg(group, signal.SIGKILL)
    return False


def _screen(connection: ClientConnection, until: bytes, timeout: float = 15) -> bytes:
    """The terminal output that arrives until it holds `until` (or the time is up)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while until not in seen and (left := deadline - time.monotonic()) > 0:
        try:
            message = connection.recv(timeout=left)
        except TimeoutError:
            break
        if isinstance(message, bytes):
            seen += message
    return seen


def _rows(output: bytes) -> int:
    """The lowest row the tutor drew on (it moves the cursor to row;column before each line)."""
    return max(int(row) for row, _ in _CURSOR_MOVE.findall(output))


def _still_answers(connection: ClientConnection) -> None:
    connection.send('["ping", "still there"]')
    _pong(connection, "still there")


def _pong(connection: ClientConnection, data: str, timeout: float = 10) -> None:
    """Waits for the pong to `data`, through the screens the tutor sends meanwhile."""
    deadline = time.monotonic() + timeout
    while connection.recv(timeout=deadline - time.monotonic()) != f'["pong", "{data}"]':
        pass


def _drain(connection: ClientConnection, timeout: float = 10) -> list[bytes]:
    """The screens the tutor sends until it has been quiet for a second (or the time is up)."""
    screens = []
    deadline = time.monotonic() + timeout
    with contextlib.suppress(TimeoutError):
        while time.monotonic() < deadline:
            if isinstance(screen := connection.recv(timeout=1), bytes):
                screens.append(screen)
    return screens


def _once_stopped(web: Web, ticket: str) -> ClientConnection:
    """A tutor for `ticket` as soon as a closed one has stopped (until then it counts)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return web.socket(ticket)
        except InvalidStatus:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _answered(socks: list[socket.socket], count: int, timeout: float) -> list[socket.socket]:
    """The sockets with an answer to read, once `count` have one or the time is up."""
    ready: list[socket.socket] = []
    deadline = time.monotonic() + timeout
    while len(ready) < count and (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock for sock in socks if sock not in ready], [], [], left)
        ready += readable
    return ready


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _first_lesson() -> bytes:
    return load_course().lessons[0].title.encode()


def test_a_foreign_page_cannot_open_a_tutor(learner_home: Path) -> None:
    with running_web() as web:
        ticket = web.ticket("ada")
        assert web.refusal(ticket, origin=FOREIGN) == (
            403,
            "Only the tutor's own page may open a tutor.",
        )
        other_port = web.url.rsplit(":", 1)[0] + ":1"
        assert web.refusal(ticket, origin=other_port)[0] == 403
        assert web.refusal(ticket, origin="null")[0] == 403
        entered = httpx.post(f"{web.url}/enter", data={"name": "ada"}, headers={"Origin": FOREIGN})
        assert entered.status_code == 403
        assert "tutor_ticket" not in entered.cookies
        rebound = httpx.get(f"{web.url}/", headers={"Host": "evil.example"})  # DNS rebinding
        assert rebound.status_code == 403
        assert "only at 127.0.0.1 or localhost" in rebound.text
        time.sleep(0.5)
        assert web.tutors() == []
    assert not list((learner_home / "web").glob("*/progress.db")), "no tutor ran"


def test_without_the_code_the_door_stays_shut(learner_home: Path) -> None:
    with running_web("--code", "K7M3QX") as web:
        assert web.printed[1].startswith("Access code: K7M3QX")
        door = httpx.get(f"{web.url}/")
        assert door.status_code == 200
        assert 'name="code"' in door.text
        missing = web.enter("ada")
        assert missing.status_code == 403
        assert "needs the access code" in missing.text
        wrong = web.enter("ada", "K7M3QY")
        assert wrong.status_code == 403
        assert "not right" in wrong.text
        assert "Traceback" not in wrong.text
        assert "tutor_ticket" not in wrong.cookies
        assert web.refusal("")[0] == 403
        assert web.refusal("tutor_ticket=ada")[0] == 403
        assert web.refusal("tutor_ticket=ada." + "0" * 64)[0] == 403
        time.sleep(0.5)
        assert web.tutors() == []
    assert list((learner_home / "web").iterdir()) == [], "no record was made"


def test_the_right_code_opens_a_tutor_with_its_own_record(learner_home: Path) -> None:
    with running_web("--code", "K7M3QX") as web:
        ticket = web.ticket("Ada", "k7m-3qx")  # as a student types what is on the board
        terminal = httpx.get(f"{web.url}/", headers={"Cookie": ticket})
        assert terminal.status_code == 200
        assert 'id="terminal"' in terminal.text
        with web.socket(ticket) as connection:
            assert _first_lesson() in _screen(connection, _first_lesson())
            assert len(web.tutors()) == 1
    assert (learner_home / "web" / "ada" / "progress.db").is_file()
    assert not (learner_home / "progress.db").exists(), "the teacher's own record is untouched"


def test_two_names_keep_two_records(learner_home: Path) -> None:
    with running_web() as web:
        with web.socket(web.ticket("ada")) as ada, web.socket(web.ticket("bob")) as bob:
            for connection in (ada, bob):
                assert _first_lesson() in _screen(connection, _first_lesson())
        for name in ("../ada", "ada/x", ".", "a" * 33, "con", "ad a", "ädä", ""):
            assert web.enter(name).status_code == 400, name
    folders = sorted(path.name for path in (learner_home / "web").iterdir())
    assert folders == ["ada", "bob"]
    records = [learner_home / "web" / name / "progress.db" for name in folders]
    assert all(record.is_file() for record in records)
    assert not (learner_home / "progress.db").exists()


def test_wrong_guesses_from_one_address_are_cut_off() -> None:
    with running_web("--code", "K7M3QX") as web:
        statuses = [web.enter("eve", f"AAAAA{n}").status_code for n in range(WRONG_PER_WINDOW)]
        assert statuses == [403] * WRONG_PER_WINDOW
        refused = web.enter("eve", "K7M3QX")  # even the right code, until the minute is over
        assert refused.status_code == 429
        assert "Too many wrong codes" in refused.text
        assert 0 < int(refused.headers["Retry-After"]) <= WINDOW


def test_sessions_over_the_cap_are_told_the_class_is_full() -> None:
    with running_web("--max-sessions", "1") as web:
        ada, bob = web.ticket("ada"), web.ticket("bob")
        with web.socket(ada) as first:
            assert _first_lesson() in _screen(first, _first_lesson())
            assert web.refusal(bob) == (503, "The class is full.")
            full = httpx.get(f"{web.url}/", headers={"Cookie": bob})
            assert full.status_code == 503
            assert "The class is full" in full.text
            assert len(web.tutors()) == 1
        deadline = time.monotonic() + 15
        while web.tutors() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert httpx.get(f"{web.url}/", headers={"Cookie": bob}).status_code == 200


def _taken_over(older: ClientConnection) -> None:
    """`older` is closed, and told why, once a newer tab opens the same name."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            older.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.reason == "This tutor is open in another tab now."


def test_one_tutor_per_name_and_a_few_per_computer() -> None:
    """Two tabs under one name would write one record at once: the newer takes over. And one
    computer cannot fill the class."""
    with running_web("--per-address", "2") as web:
        ada, bob, eve = web.ticket("ada"), web.ticket("bob"), web.ticket("eve")
        with web.socket(ada) as first:
            assert _first_lesson() in _screen(first, _first_lesson())
            with web.socket(ada) as again:
                assert _first_lesson() in _screen(again, _first_lesson())
                _taken_over(first)
                with _once_stopped(web, bob) as second:
                    assert _first_lesson() in _screen(second, _first_lesson())
                    status, text = web.refusal(eve)
                    assert status == 429
                    assert text.startswith("This computer already has 2 tutors open")


def test_a_name_belongs_to_the_browser_that_entered_it_first(learner_home: Path) -> None:
    """Bob, who has the code too, enters as "alice": she keeps her tutor and her record. Only
    her own browser (her name's key) gets the name back, from any address; the teacher frees
    it by deleting the key."""
    with running_web() as web:
        alice = web.browser("127.0.0.2")
        ticket = alice.ticket("alice")
        with alice.socket(ticket) as hers:
            assert _first_lesson() in _screen(hers, _first_lesson())
            bob = web.browser("127.0.0.3")
            for spelling in ("alice", "Alice"):
                taken = bob.enter(spelling)
                assert taken.status_code == 409
                assert "That name is taken: choose another, or ask your teacher." in taken.text
                assert "tutor_ticket" not in taken.cookies
            _still_answers(hers)
            moved = web.browser("127.0.0.4")  # her laptop on a new address: her cookies go too
            moved.cookies = alice.cookies
            again = moved.ticket("alice")
            with moved.socket(again) as reload:
                assert _first_lesson() in _screen(reload, _first_lesson())
                _taken_over(hers)
        (learner_home / "web" / "alice" / "web-key").unlink()  # the teacher frees the name
        assert bob.enter("alice").status_code == 303
        assert moved.refusal(again)[0] == 403, "a ticket for the name's old key is void"
    assert (learner_home / "web" / "alice" / "progress.db").is_file(), "the record stays"


def test_a_copied_ticket_is_worthless_from_another_computer() -> None:
    """Browsers send the ticket to every port of the host, the lab's too: a classmate who reads
    it there cannot use it from their own address."""
    with running_web() as web:
        alice = web.browser("127.0.0.2")
        entered = alice.enter("alice")
        cookies = {
            cookie.split("=", 1)[0]: cookie.lower()
            for cookie in entered.headers.get_list("set-cookie")
        }
        assert "httponly" in cookies["tutor_ticket"]
        assert "samesite=strict" in cookies["tutor_ticket"]
        assert "path=/enter" in cookies["tutor_key_alice"], "the key goes to the door only"
        ticket = f"tutor_ticket={entered.cookies['tutor_ticket']}"
        assert 'id="terminal"' in alice.page(ticket).text
        bob = web.browser("127.0.0.3")
        assert 'name="name"' in bob.page(ticket).text, "Bob sees the door, not her terminal"
        assert bob.refusal(ticket) == (403, "Enter your name (and the access code) first.")
        time.sleep(0.5)
        assert web.tutors() == []


def test_slow_clients_are_cut_off_and_the_class_still_gets_in() -> None:
    """Slowloris: connections that dribble a header line and never finish the head. Past 64 from
    one address they get 503 at once; the rest 408 after 10 s. With only 256 open files,
    most do not even get accepted: the console says so in a line or two, no traceback."""
    with running_web(open_files=(256, 256)) as web, ExitStack() as held:

        def dribbling(address: str) -> socket.socket:
            sock = held.enter_context(
                socket.create_connection(
                    ("127.0.0.1", web.port), timeout=5, source_address=(address, 0)
                )
            )
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            return sock

        one = [dribbling("127.0.3.1") for _ in range(70)]
        answered = _answered(one, 6, timeout=3)
        assert len(answered) == 6
        assert all(sock.recv(100).startswith(b"HTTP/1.1 503") for sock in answered)
        started = time.monotonic()
        many = [dribbling(f"127.0.4.{n}") for n in range(1, 101) for _ in range(2)]
        time.sleep(max(0, 10.5 - (time.monotonic() - started)))
        honest = httpx.get(f"{web.url}/", timeout=5)
        assert honest.status_code == 200
        timed_out = _answered([sock for sock in one + many if sock not in answered], 150, 1)
        assert len(timed_out) >= 150
        assert all(sock.recv(100).startswith(b"HTTP/1.1 408") for sock in timed_out)
    said = [line for line in web.printed if line.startswith("web ")]
    assert any("out of system resource" in line for line in said), said
    assert len(said) <= 6, said


def test_web_raises_its_open_file_limit() -> None:
    with running_web(open_files=(256, 4096)) as web:
        limits = Path(f"/proc/{web.process.pid}/limits").read_text()
        assert re.search(r"Max open files\s+4096\s+4096", limits), limits


def test_tabs_opened_and_closed_in_a_loop_start_few_tutors() -> None:
    """Tab churn: every open starts a tutor (a second of CPU). One computer gets 4 at once,
    then one every 3 s; another computer is not held up."""
    with running_web() as web:
        churner = web.browser("127.0.0.5")
        tickets = [churner.ticket(f"c{n}") for n in range(4)]
        started, refusals, most = 0, set(), 0
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            for ticket in tickets:
                try:
                    with churner.socket(ticket):
                        started += 1
                except InvalidStatus as refused:
                    assert refused.response.status_code == 429
                    refusals.add(refused.response.body.decode().split(":")[0])
                most = max(most, len(web.tutors()))
        assert started <= 4 + 2, started
        assert "Too many tutors started from this computer" in refusals
        assert most <= 4
        with web.browser("127.0.0.6").socket(web.browser("127.0.0.6").ticket("other")):
            pass


def test_a_resize_storm_is_coalesced_and_a_flood_is_paced() -> None:
    """600 resizes at once cost the tutor a layout or two, and the last size wins; typing speed
    passes at once, while a flood is read at 256 messages a second."""
    with (
        running_web("--max-size", "100x40") as web,
        web.socket(web.ticket("storm"), size="100x40") as connection,
    ):
        assert _first_lesson() in _screen(connection, _first_lesson())
        (tutor,) = web.tutors()
        before = _cpu_seconds(tutor)
        for n in range(600):
            connection.send(json.dumps(["resize", {"width": 100 - n % 2, "height": 40}]))
        connection.send('["resize", {"width": 50, "height": 12}]')
        repaints = [screen for screen in _drain(connection) if screen.startswith(b"\x1b[1;1H")]
        assert _rows(repaints[-1]) == 12, "the last size wins"
        assert _cpu_seconds(tutor) - before < 1.0
        sent = time.monotonic()
        for n in range(50):  # typing: answered at once
            connection.send(f'["ping", "{n}"]')
        _pong(connection, "49")
        assert time.monotonic() - sent < 1
        time.sleep(1)
        for _ in range(2000):  # a flood: 2000 * 64 bytes, 64 KiB at once, then 16 KiB/s
            connection.send('["nothing"]')
        sent = time.monotonic()
        connection.send('["ping", "flood"]')
        _pong(connection, "flood")
        assert 2.5 < time.monotonic() - sent < 8


def test_an_oversize_terminal_is_clamped() -> None:
    with running_web("--max-size", "60x20") as web:
        with web.socket(web.ticket("ada"), size="3000x3000") as connection:
            assert _rows(_screen(connection, _first_lesson())) == 20
        with web.socket(web.ticket("bob"), size="50x12") as connection:
            assert _rows(_screen(connection, _first_lesson())) == 12
            connection.send('["resize", {"width": 3000, "height": 3000}]')
            assert _rows(_screen(connection, b"\x00", timeout=3)) == 20
            for junk in ('["resize", {"width": "9e9"}]', "[" * 5000, '["stdin", 5]', b"\x00"):
                connection.send(junk)  # ignored, and the tutor still answers
            connection.send(r'["stdin", "\ud800"]')  # not UTF-8: replaced, not a crash
            connection.send('["ping", "still there"]')
            answers = iter(lambda: connection.recv(timeout=5), '["pong", "still there"]')
            assert all(isinstance(screen, bytes) for screen in answers)  # until the pong


def test_stopping_web_ends_every_tutor_cleanly() -> None:
    """Ctrl+C with a session open: its socket is told, its tutor quits, nothing is left over
    (running_web checks the process group and the output)."""
    with ExitStack() as sockets:
        with running_web() as web:
            connection = sockets.enter_context(web.socket(web.ticket("ada")))
            assert _first_lesson() in _screen(connection, _first_lesson())
        with pytest.raises(ConnectionClosedOK) as closed:
            _screen(connection, b"\x00", timeout=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1001


def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "tutor", "web", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: Port {port} on 127.0.0.1 is already in use. Stop the program that holds it, "
        "or choose another port with --port."
    ]


_LINKS = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")
_ABSOLUTE = re.compile(r"(?:https?:)?//[A-Za-z0-9\[]")


def test_nothing_on_the_page_comes_from_another_host() -> None:
    with running_web("--code", "K7M3QX") as web:
        ticket = web.ticket("ada", "K7M3QX")
        pages = [
            httpx.get(f"{web.url}/"),
            web.enter("ada", "wrong1"),
            httpx.get(f"{web.url}/", headers={"Cookie": ticket}),
        ]
        fetched: dict[str, str] = {}
        to_fetch = [link for page in pages for found in _LINKS.findall(page.text) for link in found]
        while to_fetch:
            link = to_fetch.pop()
            if not link or link in fetched or link.startswith("#"):
                continue
            assert not _ABSOLUTE.match(link), f"a link to another host: {link}"
            answer = httpx.get(f"{web.url}{link}")
            assert answer.status_code == 200, link
            fetched[link] = answer.text if "font" not in link else ""
            if link.endswith(".css"):
                css = re.sub(r"/\*.*?\*/", "", answer.text, flags=re.S)  # comments fetch nothing
                to_fetch += [link for found in _LINKS.findall(css) for link in found]
        assert {"/static/js/textual.js", "/static/css/xterm.css"} <= set(fetched)
        assert any(link.startswith("/static/fonts/") for link in fetched), "fonts are served here"
        for page in pages:
            assert not re.search(r"https?://", page.text), page.text
            assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert not re.search(r"https?://[A-Za-z0-9]", fetched["/static/js/textual.js"])


def test_the_help_says_what_the_door_does() -> None:
    shown = " ".join(CliRunner().invoke(cli, ["web", "--help"]).output.split())
    for said in (
        "--max-sessions",
        "--max-size",
        "--code",
        "access code",
        "Origin",
        "own record",
        "delete its folder, or only the file web-key",
        "an IPv6 /64",
        "share its limits",
        "open connections: 64 (then 503)",
        "then one every 3 s",
    ):
        assert said in shown, said


def test_a_code_is_made_off_loopback_only() -> None:
    made = door_code(None, loopback=False)
    assert made is not None
    assert len(made) == LENGTH
    assert set(made) <= set(ALPHABET)
    assert door_code(None, loopback=True) is None
    assert door_code("TEACHERS", loopback=True) == "TEACHERS"
    assert len({door_code(None, loopback=False) for _ in range(50)}) > 45
    assert matches(" k7m-3qx ", "K7M3QX")
    assert not matches("K7M3Q", "K7M3QX")
    assert not matches("ÄÄÄÄÄÄ", "K7M3QX")


def test_names_are_checked_never_trusted_as_paths() -> None:
    assert learner_name("Ada_Lovelace-2") == "ada_lovelace-2"
    for bad in ("", "..", "../x", "a/b", "a\\b", "a" * 33, "NUL", "com1", "ada\x00", "\u212a"):
        assert learner_name(bad) is None, bad


def test_guesses_are_forgotten_after_the_window() -> None:
    now = [0.0]
    guesses = WrongGuesses(clock=lambda: now[0])
    for _ in range(WRONG_PER_WINDOW):
        guesses.wrong("10.0.0.7")
    assert guesses.wait("10.0.0.7") == WINDOW
    assert guesses.wait("10.0.0.8") == 0
    guesses.wrong("2001:db8::1")
    for _ in range(WRONG_PER_WINDOW - 1):
        guesses.wrong("2001:db8::2")  # the same /64
    assert guesses.wait("2001:db8::ffff") == WINDOW
    now[0] = WINDOW
    assert guesses.wait("10.0.0.7") == 0


def test_origins() -> None:
    assert same_origin("http://127.0.0.1:8000", "http", "127.0.0.1:8000")
    assert same_origin("http://LOCALHOST", "http", "localhost:80")
    assert same_origin("http://[::1]:8000", "http", "[::1]:8000")
    for origin in (None, "", "null", "http://127.0.0.1:8001", "https://127.0.0.1:8000"):
        assert not same_origin(origin, "http", "127.0.0.1:8000"), origin
    assert not same_origin("http://x@127.0.0.1:8000", "http", "127.0.0.1:8000")
    assert not same_origin("http://127.0.0.1:8000", "http", "")
    assert names_loopback("127.0.0.1:8000")
    assert names_loopback("localhost")
    assert names_loopback("[::1]:8000")
    assert not names_loopback("evil.example:8000")
    assert not names_loopback("")


def test_sizes() -> None:
    assert TerminalSize.parse("250x100") == (250, 100)
    assert TerminalSize(60, 20).clamp(3000, -5) == (60, 1)
    for bad in ("250", "0x10", "x", "250x100x1", "-1x5"):
        with pytest.raises(ValueError, match="COLUMNSxROWS"):
            TerminalSize.parse(bad)


def test_buckets_count_a_client_by_its_address_or_its_ipv6_64() -> None:
    now = [0.0]
    starts = Buckets(4, 1 / 3, clock=lambda: now[0])
    for _ in range(4):
        assert starts["2001:db8::1"].wait() == 0
        starts["2001:db8::1"].take()
    assert starts["2001:db8::ffff"].wait() == pytest.approx(3), "the same /64: the same client"
    assert starts["2001:db8:0:1::1"].wait() == 0
    assert starts["10.0.0.7"].wait() == 0
    now[0] = 3.0
    assert starts["2001:db8::2"].wait() == 0
    pace = Bucket(100, 10, clock=lambda: now[0])
    pace.take(250)  # a cost past the burst waits for the burst, and leaves a debt
    assert pace.wait(1000) == pytest.approx(25)


def test_the_console_prints_one_line_of_a_kind_per_window() -> None:
    """asyncio once printed 41,502 tracebacks when the open files ran out: one line now, and
    the next says how many were left out."""
    now = [0.0]
    console = Console(every=10, clock=lambda: now[0])
    printed = io.StringIO()
    console.setStream(printed)
    logger = logging.getLogger("tests.web.console")
    logger.addHandler(console)
    logger.propagate = False
    try:
        full = OSError(24, "Too many open files")
        for n in range(1000):
            logger.error("socket.accept() out of system resource\nsocket: %d", n, exc_info=full)
        logger.warning("\x1b[2Jforged")
        now[0] = 10.0
        logger.error("socket.accept() out of system resource\nsocket: %d", 0)
    finally:
        logger.removeHandler(console)
    assert printed.getvalue().splitlines() == [
        "web error: socket.accept() out of system resource "
        "(OSError: [Errno 24] Too many open files)",
        "web warning: \\x1b[2Jforged",
        "web error: socket.accept() out of system resource (and 999 more like it not shown)",
    ]


def test_only_the_latest_size_is_passed_on() -> None:
    async def storm() -> list[TerminalSize]:
        applied: list[TerminalSize] = []

        async def apply(size: TerminalSize) -> None:
            applied.append(size)

        latest = Latest(apply, 0.05)
        for n in range(1000):
            latest.offer(TerminalSize(100 - n % 2, 40))
        latest.offer(TerminalSize(50, 12))
        await asyncio.sleep(0.1)
        latest.offer(TerminalSize(50, 12))  # the same again: nothing to do
        latest.offer(TerminalSize(60, 20))
        await asyncio.sleep(0.1)
        latest.cancel()
        return applied

    assert asyncio.run(storm()) == [TerminalSize(50, 12), TerminalSize(60, 20)]
