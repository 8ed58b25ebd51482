"""A class on one lab: thirty students at once, each chain their own, and the live journal."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
from urllib.parse import urlsplit

from pilot import SIZE, settle, tutor_app
from textual.widgets import DataTable

from tutor.lab.bounds import Bounds
from tutor.lab.journal import Hop, Journal
from tutor.lab.journal_line import journal_line
from tutor.lab.server import LabServer
from tutor.lab.watch import Watch
from tutor.ui.screens.journal import JournalScreen

STUDENTS = 30
ROUNDS = 5


def _student(port: int, name: str, failures: list[str]) -> None:
    """One student: ROUNDS times, POST to a 307 under their prefix and follow it by hand."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for round_ in range(ROUNDS):
            body = f"student={name}&round={round_}"
            connection.request("POST", f"/s/{name}/redirect/307", body=body)
            answer = connection.getresponse()
            answer.read()
            location = answer.headers["location"]
            if not location.startswith(f"/s/{name}/echo?chain="):
                failures.append(f"{name}: Location {location}")
                return
            connection.request("POST", location, body=body)
            echoed = connection.getresponse()
            echoed.read()
    except OSError as error:
        failures.append(f"{name}: {error}")
    finally:
        connection.close()


def test_thirty_students_at_once_each_keep_their_own_chains() -> None:
    journal = Journal()
    heard: list[Hop] = []
    watch = Watch(heard.append, lambda count: None, Bounds().console_lines)
    journal.subscribe(watch.hear)
    failures: list[str] = []
    with LabServer(journal=journal) as lab:
        port = urlsplit(lab.url).port
        assert port is not None
        students = [
            threading.Thread(target=_student, args=(port, f"student{i:02d}", failures))
            for i in range(STUDENTS)
        ]
        for student in students:
            student.start()
        for student in students:
            student.join(timeout=60)
        assert not any(student.is_alive() for student in students)
    watch.stop()
    assert failures == []
    hops = journal.recent(10_000)
    assert len(hops) == STUDENTS * ROUNDS * 2
    assert [hop.seq for hop in heard] == [hop.seq for hop in hops], "the watch heard every hop"
    chains: dict[str, list[Hop]] = {}
    for hop in hops:
        chains.setdefault(hop.chain, []).append(hop)
    assert len(chains) == STUDENTS * ROUNDS
    for chain in chains.values():
        assert [hop.status for hop in chain] == [307, 200]
        assert len({hop.student for hop in chain}) == 1, "a chain never mixes two students"
        assert journal_line(chain[1], journal).endswith("POST kept, body intact (25 bytes)")
    assert len({hop.student for hop in hops}) == STUDENTS


def test_serve_beyond_loopback_warns_and_hands_out_urls() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--host", "0.0.0.0", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = [server.stdout.readline() for _ in range(6)]  # type: ignore[union-attr]
        url = lines[0].split()[3]
        port = int(url.rsplit(":", 1)[1])
        send_and_follow_with_get(port, "POST", "/s/ada/redirect/302", "a=1")
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=15)
    assert "Warning: the lab listens on 0.0.0.0" in err
    listening = next(line for line in lines if line.startswith("Lab listening on "))
    assert not listening.startswith("Lab listening on http://0.0.0.0")  # a URL students reach
    journal = [line for line in out.splitlines() if "/s/ada/" in line]
    assert len(journal) == 2
    assert " POST " in journal[0] and " 302 -> /s/ada/echo?chain=" in journal[0]
    assert "(3 bytes)" in journal[0] and "redirected to /s/ada/echo?chain=" in journal[0]
    assert " GET " in journal[1] and journal[1].endswith("POST became GET, body dropped")
    assert "127.0.0.1:" in journal[1], "the client's address"


def send_and_follow_with_get(port: int, method: str, path: str, body: str) -> None:
    """A plain socket client: the request, then a GET to its Location, as a 302/303 asks."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request(method, path, body=body)
    answer = connection.getresponse()
    answer.read()
    connection.request("GET", answer.headers["location"])
    connection.getresponse().read()
    connection.close()


async def test_journal_screen_shows_requests_live(lab: LabServer) -> None:
    app = tutor_app(builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JournalScreen)
        table = screen.query_one(DataTable)
        before = table.row_count
        port = urlsplit(lab.url).port
        send_and_follow_with_get(port, "PUT", "/s/bo/redirect/303", "x=1")
        await settle(pilot)  # the lab posted both hops before it answered
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(before, table.row_count)]
        assert [row[1] for row in rows] == ["PUT", "GET"]
        assert rows[0][2] == "/s/bo/redirect/303" and rows[0][4] == "3 B"
        assert rows[1][5] == "PUT became GET, body dropped"
        assert rows[1][6].startswith("127.0.0.1:")
        assert "bo" in str(screen.query_one("#journal-summary").visual)
        # A path that looks like markup, or holds an escape, is shown as it is (and no crash).
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/x[/nope]%1b[2J[bold]")
        assert connection.getresponse().status == 404
        connection.close()
        await settle(pilot)
        shown = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert "/x[/nope]\\x1b[2J[bold]" in shown, shown[-3:]
        await pilot.press("escape")
        assert not isinstance(app.screen, JournalScreen)


def test_a_request_cannot_write_on_the_teachers_console(lab: LabServer) -> None:
    """A path with terminal escapes or a line break reaches the console as one inert line."""
    port = urlsplit(lab.url).port
    assert port is not None
    target = "/%1b[2J%1b[H%1b]2;owned%07/x[bold]red%0aFAKE%20LINE"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", target)
    connection.getresponse().read()
    connection.close()
    hop = next(hop for hop in reversed(lab.journal.recent(50)) if "owned" in hop.path)
    line = journal_line(hop, lab.journal)
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line
    assert "\\x1b[2J" in line and "FAKE%20LINE 404" in line
