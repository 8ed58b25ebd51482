"""A hostile student against the class (issue 14), beyond tests/test_classroom_attacks.py and
tests/test_class_*.py: the class routes of a real `serve`, the exam, the seats, and a student's
own tutor joined to a hostile lab. Each test asserts the defence that should hold, so an attack
that works makes its test fail."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest

from tutor.classroom.student import ClassJournal, ClassLink, ClassUnreachable, Join
from tutor.course.exercises import Configure
from tutor.course.loader import load_course
from tutor.lab.bounds import FIELD_COST, Bounds
from tutor.lab.journal import Hop, Journal
from tutor.validated import dump

QUIZ_FIXTURES = Path(__file__).parent / "fixtures" / "quiz"


# A real `serve`, and students on other computers (other loopback addresses).


class Serve:
    """`redirect-tutor serve` as a process on a free port, its data folder the test's own."""

    def __init__(self, home: Path, *args: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.home = home
        self.err_path = home / f"serve-{self.port}.err"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tutor", "serve", "--port", str(self.port), *args],
            stdout=subprocess.DEVNULL,
            stderr=self.err_path.open("wb"),
            env={**os.environ, "REDIRECT_TUTOR_HOME": str(home), "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                card = json.loads((home / "class-lab.json").read_text())
                if card["pid"] == self.process.pid:
                    httpx.get(f"{self.url}/", timeout=1)
                    break
            except (httpx.HTTPError, OSError, ValueError, KeyError):
                pass
            assert self.process.poll() is None, self.printed
            assert time.monotonic() < deadline, self.printed
            time.sleep(0.05)
        self.key = str(card["key"])

    @property
    def teacher(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.key}"}

    @property
    def printed(self) -> str:
        return self.err_path.read_text(errors="replace")

    def rss_mib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
        raise AssertionError("no VmRSS")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def serve(home: Path, *args: str) -> Iterator[Serve]:
    lab = Serve(home, *args)
    try:
        yield lab
    finally:
        lab.stop()


def computer(url: str, address: str, timeout: float = 10, **limits: int) -> httpx.Client:
    """A client on another computer of the class."""
    transport = httpx.HTTPTransport(
        local_address=address, limits=httpx.Limits(**limits) if limits else httpx.Limits()
    )
    return httpx.Client(base_url=url, transport=transport, timeout=timeout)


def seat_of(client: httpx.Client, name: str) -> dict[str, str]:
    answer = client.post("/class/join", json={"name": name})
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Seat {answer.json()['seat']}"}


def timed(call: Callable[[], httpx.Response]) -> tuple[float, int | str]:
    """Seconds a call took and its status (or the exception's name)."""
    started = time.monotonic()
    try:
        status: int | str = call().status_code
    except httpx.HTTPError as error:
        status = type(error).__name__
    return time.monotonic() - started, status


# A hostile lab, for a student's own tutor: raw bytes, as slowly as it likes.


Reply = bytes | Iterable[tuple[bytes, float]]
"""A whole answer, or pieces each sent after a delay."""


class FakeLab:
    """A socket server answering `reply(method, target, body)`; it counts what it sent."""

    def __init__(self, reply: Callable[[str, str, bytes], Reply]) -> None:
        self.requests: list[tuple[str, str]] = []
        self.sent = 0
        lab = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = self.request.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                method, target = head.split(b" ")[:2]
                length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                while length and len(body) < int(length.group(1)):
                    body += self.request.recv(65536)
                lab.requests.append((method.decode(), target.decode()))
                answer = reply(method.decode(), target.decode(), body)
                pieces = [(answer, 0.0)] if isinstance(answer, bytes) else answer
                try:
                    for piece, delay in pieces:
                        time.sleep(delay)
                        self.request.sendall(piece)
                        lab.sent += len(piece)
                except OSError:
                    return

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def fake_lab(reply: Callable[[str, str, bytes], Reply]) -> Iterator[FakeLab]:
    lab = FakeLab(reply)
    try:
        yield lab
    finally:
        lab.close()


def answer(status: int, document: object | bytes) -> bytes:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return (
        f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


def joined(target: str) -> bytes | None:
    """The hostile lab's welcome, for a join."""
    if target.startswith("/class/join"):
        return answer(200, {"name": "eve", "seat": "s" * 32, "exam": None})
    return None


def try_joined(url: str, *, tty: bool = False) -> tuple[int, str]:
    """`redirect-tutor try 307 --join URL --name eve` as a student runs it: exit status and what
    it wrote to the terminal's error stream (a real pseudo-terminal when `tty`)."""
    command = [
        sys.executable, "-m", "tutor", "try", "307", "--client", "httpx", "--json",
        "--join", url, "--name", "eve",
    ]  # fmt: skip
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    said = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if select.select([leader], [], [], 0.2)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            said += chunk
        elif process.poll() is not None:
            break
    status = process.wait(timeout=30)
    os.close(leader)
    return status, said.decode(errors="replace")


# 1. The class routes of a real `serve`: exhaustion and crashes.


def test_nan_in_a_chain_wait_cannot_freeze_the_exam_for_everyone(tmp_path: Path) -> None:
    """`/class/chain?more=1&wait=nan` from one computer must not hang every exam call."""
    with (
        serve(tmp_path, "--exam-seed", "42", "--exam-count", "5") as lab,
        computer(lab.url, "127.0.0.2") as eve,
        computer(lab.url, "127.0.0.3") as ada,
    ):
        eve_seat, ada_seat = seat_of(eve, "eve"), seat_of(ada, "ada")
        hang = f"/class/chain?chain={'a' * 22}&more=1&wait=nan"

        def hog() -> None:
            with computer(lab.url, "127.0.0.2", timeout=30) as client, suppress(httpx.HTTPError):
                client.get(hang, headers=eve_seat)

        for _ in range(8):
            threading.Thread(target=hog, daemon=True).start()
        time.sleep(0.5)
        seconds, status = timed(lambda: ada.get("/class/exam", headers=ada_seat, timeout=3))
    assert status == 200 and seconds < 1.0, (
        f"ada's GET /class/exam after 8 requests with wait=nan: {status} after {seconds:.1f} s"
    )


def test_bounded_chain_waits_from_one_computer_do_not_starve_the_exam(tmp_path: Path) -> None:
    """40 honest-looking 2-second chain waits from one computer must not delay ada's exam."""
    with (
        serve(tmp_path, "--exam-seed", "42", "--exam-count", "5") as lab,
        computer(lab.url, "127.0.0.2") as eve,
        computer(lab.url, "127.0.0.3") as ada,
    ):
        eve_seat, ada_seat = seat_of(eve, "eve"), seat_of(ada, "ada")
        stop = threading.Event()

        def waits() -> None:
            with computer(lab.url, "127.0.0.2") as client:
                while not stop.is_set():
                    with suppress(httpx.HTTPError):
                        client.get(f"/class/chain?chain={'a' * 22}&more=5&wait=2", headers=eve_seat)

        workers = [threading.Thread(target=waits, daemon=True) for _ in range(40)]
        for worker in workers:
            worker.start()
        time.sleep(1.0)
        try:
            seconds, status = timed(lambda: ada.get("/class/exam", headers=ada_seat, timeout=3))
        finally:
            stop.set()
    assert status == 200 and seconds < 1.0, (
        f"ada's GET /class/exam while eve waits on chains: {status} after {seconds:.1f} s"
    )


def test_malformed_numbers_and_deep_json_get_a_400_not_a_500(tmp_path: Path) -> None:
    """NaN in a number and deeply nested JSON are the caller's mistakes: 400 and a sentence."""
    with serve(tmp_path) as lab, computer(lab.url, "127.0.0.2") as eve:
        seat = seat_of(eve, "eve")
        calls = {
            "feed after=nan": eve.get("/class/feed?after=nan&wait=0", headers=seat),
            "chain more=nan": eve.get(f"/class/chain?chain={'a' * 22}&more=nan", headers=seat),
            "join [[[...": eve.post("/class/join", content=b"[" * 60_000),
            "teacher since=nan": eve.get("/teacher/class?since=nan", headers=lab.teacher),
        }
        time.sleep(0.3)
        printed = lab.printed
    statuses = {what: reply.status_code for what, reply in calls.items()}
    assert set(statuses.values()) == {400}, statuses
    assert "Exception in ASGI application" not in printed, printed


def test_a_class_call_whose_body_never_completes_is_cut_off(tmp_path: Path) -> None:
    """serve --body-timeout bounds every request body, the class routes' too."""
    with (
        serve(tmp_path, "--body-timeout", "1") as lab,
        socket.create_connection(("127.0.0.1", lab.port), timeout=3.5) as sock,
    ):
        started = time.monotonic()
        sock.sendall(b"POST /class/join HTTP/1.1\r\nHost: lab\r\nContent-Length: 100\r\n\r\n{")
        try:
            said: bytes | str = sock.recv(1000)
        except TimeoutError:
            said = "nothing: the lab still waits"
        seconds = time.monotonic() - started
    assert isinstance(said, bytes) and seconds < 4, (
        f"a /class/join body of 1 byte in 100 after {seconds:.1f} s: {said!r}"
    )


def test_unread_answers_of_class_routes_do_not_balloon_the_lab_s_memory(tmp_path: Path) -> None:
    """/class/attempts answers a student never reads must not cost the lab 100s of MiB."""
    with serve(tmp_path, "--journal-mib", "8") as lab, computer(lab.url, "127.0.0.2") as eve:
        seat = seat_of(eve, "eve")
        pad = {f"x-p{i}".encode(): b"\xe9" * 900 for i in range(9)}  # JSON writes é as \u00e9
        body = bytes(range(256)) * 64
        for _ in range(450):
            eve.post("/s/eve/redirect/307", content=body, headers=pad)
        time.sleep(0.5)
        before = lab.rss_mib()
        request = (
            "GET /class/attempts?route=/redirect/307 HTTP/1.1\r\nHost: lab\r\n"
            f"Authorization: {seat['authorization']}\r\n\r\n"
        ).encode()
        sockets = []
        for _ in range(10):
            sock = socket.create_connection(
                ("127.0.0.1", lab.port), source_address=("127.0.0.2", 0)
            )
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(request)  # and never read the answer
            sockets.append(sock)
        time.sleep(3)
        after = lab.rss_mib()
        one = len(eve.get("/class/attempts?route=/redirect/307", headers=seat).content)
        for sock in sockets:
            sock.close()
    assert after - before < 64, (
        f"10 unread /class/attempts answers of {one / 2**20:.0f} MiB each (journal: 8 MiB): "
        f"the lab went from {before} to {after} MiB"
    )


def test_a_chain_named_in_advance_cannot_be_read_by_waiting_for_it(tmp_path: Path) -> None:
    """eve waits on a token ada's script will use; ada's chain, once there, is still not eve's."""
    token = "ada-script-chain-000001"
    with (
        serve(tmp_path) as lab,
        computer(lab.url, "127.0.0.2") as eve,
        computer(lab.url, "127.0.0.3") as ada,
    ):
        seat = seat_of(eve, "eve")
        got: list[httpx.Response] = []
        waiting = threading.Thread(
            target=lambda: got.append(
                eve.get(f"/class/chain?chain={token}&more=0&wait=2", headers=seat)
            )
        )
        waiting.start()
        time.sleep(0.3)
        ada.post(
            f"/s/ada/redirect/307?chain={token}",
            content=b"a=1",
            headers={"authorization": "Basic c2VjcmV0"},
        )
        waiting.join()
    assert got[0].status_code == 403 and "c2VjcmV0" not in got[0].text, got[0].text[:200]


def test_many_answers_to_one_question_at_once_are_counted_once(tmp_path: Path) -> None:
    """20 concurrent answers to question 1, half right and half wrong: one is kept, once."""
    with (
        serve(tmp_path, "--exam-seed", "42", "--exam-count", "3") as lab,
        computer(lab.url, "127.0.0.2") as eve,
    ):
        seat = seat_of(eve, "eve")
        first = eve.get("/class/exam", headers=seat).json()["items"][0]
        bodies = [
            {"number": 1, "question": first["question"], "chosen": [choice]}
            for choice in first["choices"][:2]
        ] * 10
        replies: list[dict[str, Any]] = []

        def send(body: dict[str, Any]) -> None:
            with computer(lab.url, "127.0.0.2", timeout=60) as client:
                replies.append(client.post("/class/exam/answer", json=body, headers=seat).json())

        workers = [threading.Thread(target=send, args=(body,)) for body in bodies]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        state = httpx.get(f"{lab.url}/teacher/class", headers=lab.teacher).json()
    exam = next(s["exam"] for s in state["students"] if s["name"] == "eve")
    fresh = [reply for reply in replies if reply.get("again") is False]
    assert exam["answered"] == 1 and len(fresh) == 1, (exam, len(fresh))
    assert {tuple(reply["chosen"]) for reply in replies} == {tuple(fresh[0]["chosen"])}


def test_a_flood_of_long_padded_chains_does_not_delay_ada_in_the_class_view(
    tmp_path: Path,
) -> None:
    """8 connections of looping 8 KiB-header chains (the ledger judges each hop): ada's
    attempt still reaches /teacher/class within 1 s."""
    with serve(tmp_path) as lab:
        stop = threading.Event()

        def flood(number: int) -> None:
            pad = {f"x-p{i}": "p" * 800 for i in range(10)}
            with computer(lab.url, "127.0.0.2") as eve:
                sent = 0
                while not stop.is_set():
                    sent += 1
                    token = f"flood{number:03d}-{sent // 99:017d}"
                    eve.get(f"/s/eve/redirect/307?loop=1&chain={token}", headers=pad)

        workers = [threading.Thread(target=flood, args=(n,), daemon=True) for n in range(8)]
        for worker in workers:
            worker.start()
        time.sleep(2)
        started = time.monotonic()
        with computer(lab.url, "127.0.0.3") as ada:
            ada.post("/s/ada/redirect/307", content=b"a=1", follow_redirects=True)
        lag = None
        while time.monotonic() - started < 10 and lag is None:
            rows = httpx.get(f"{lab.url}/teacher/class", headers=lab.teacher).json()["students"]
            if any(row["name"] == "ada" and row["requests"] >= 2 for row in rows):
                lag = time.monotonic() - started
        stop.set()
        for worker in workers:  # each ends its request before the lab stops under it
            worker.join(timeout=10)
    assert lag is not None and lag < 1.0, f"ada's chain reached the class after {lag} s"


def test_one_computer_holds_at_most_its_share_of_names(tmp_path: Path) -> None:
    """A squatter from one computer takes 64 names, not the 65th: the class view stays bounded."""
    with serve(tmp_path) as lab, computer(lab.url, "127.0.0.2") as eve:
        statuses = [eve.post("/class/join", json={"name": f"n{i}"}).status_code for i in range(65)]
        students = httpx.get(f"{lab.url}/teacher/class", headers=lab.teacher).json()["students"]
    assert statuses[:64] == [200] * 64 and statuses[64] == 403, statuses[60:]
    assert len(students) == 64


def test_no_student_route_ever_answers_with_the_teacher_key(tmp_path: Path) -> None:
    """Every class route a student can call, errors included: the teacher key is in none."""
    with (
        serve(tmp_path, "--exam-seed", "42", "--exam-count", "2") as lab,
        computer(lab.url, "127.0.0.2") as eve,
    ):
        seat = seat_of(eve, "eve")
        eve.post("/s/eve/redirect/307", content=b"a=1", follow_redirects=True)
        texts = [
            eve.post("/class/join", json={"name": "eve"}).text,
            eve.get("/class/feed?after=0", headers=seat).text,
            eve.get("/class/attempts?route=/redirect/307", headers=seat).text,
            eve.get("/class/exam", headers=seat).text,
            eve.post("/class/exam/answer", json={"number": 9}, headers=seat).text,
            eve.post("/class/configured", json={}, headers=seat).text,
            eve.get("/teacher/class", headers=seat).text,
            eve.get("/teacher/class?key=x", headers={"authorization": "Bearer x"}).text,
            eve.get("/class/nothing").text,
        ]
    assert not [text for text in texts if lab.key in text]


# 2. Exercises, the exam and names.


def test_a_hand_made_tutor_chain_cannot_meet_a_configure_exercise_with_a_wrong_answer(
    tmp_path: Path,
) -> None:
    """curl --post302 under a self-chosen tutor- token, reported as the tutor's 302 run: not met."""
    course = load_course()
    column, exercise = next(
        (f"{lesson.id}/{step.id}", step.exercise)
        for lesson in course.lessons
        for step in lesson.steps
        if isinstance(step.exercise, Configure)
        and step.exercise.client == "httpx"
        and step.exercise.answer.code == 307
        and 302 in step.exercise.codes
    )
    assert isinstance(exercise, Configure)
    with serve(tmp_path) as lab, computer(lab.url, "127.0.0.2") as eve:
        seat = seat_of(eve, "eve")
        token = "tutor-" + "E" * 22  # a client may name its chain: is_token() takes this
        subprocess.run(
            ["curl", "-sS", "-L", "--post302", "-o", os.devnull, "-d", exercise.body,
             "--interface", "127.0.0.2", f"{lab.url}/s/eve/redirect/302?chain={token}"],
            check=True, timeout=20,
        )  # fmt: skip
        wrong = {**dump(exercise.answer), "code": 302}  # httpx turns a 302 POST into GET
        report = {"exercise": column, "answer": wrong, "chain": token, "client_version": "0.28.1"}
        judged = eve.post("/class/configured", json=report, headers=seat)
        time.sleep(0.3)
        cells = {
            s["name"]: s["cells"]
            for s in httpx.get(f"{lab.url}/teacher/class", headers=lab.teacher).json()["students"]
        }
    assert cells["eve"].get(column, {}).get("met") is not True, (
        f"eve chose 302 (wrong for httpx) and the lab answered {judged.status_code} "
        f"{judged.text.strip()}; her cell: {cells['eve'].get(column)}"
    )


def test_a_second_name_on_one_computer_cannot_harvest_the_exam_s_right_answers(
    tmp_path: Path,
) -> None:
    """A scout name answers anything, reads `right` back; the real name must not then score all."""
    with (
        serve(tmp_path, "--exam-seed", "42", "--exam-count", "6") as lab,
        computer(lab.url, "127.0.0.2", timeout=60) as mallory,
    ):
        scout = seat_of(mallory, "mallory-scout")
        sheet = mallory.get("/class/exam", headers=scout)
        assert sheet.status_code == 200, sheet.text
        harvested = {}
        for item in sheet.json()["items"]:
            guess = {"number": item["number"], "question": item["question"]}
            reply = mallory.post(
                "/class/exam/answer", json={**guess, "chosen": item["choices"][:1]},
                headers=scout,
            )  # fmt: skip
            if reply.status_code == 200 and reply.json()["right"]:
                harvested[item["number"]] = {**guess, "chosen": reply.json()["right"]}
        me = seat_of(mallory, "mallory")
        mallory.get("/class/exam", headers=me)
        for right in harvested.values():
            mallory.post("/class/exam/answer", json=right, headers=me)
        result = httpx.get(f"{lab.url}/teacher/class", headers=lab.teacher).json()
    exam = next(s["exam"] for s in result["students"] if s["name"] == "mallory")
    assert not (harvested and exam["score"] == exam["graded"] == len(harvested)), (
        f"a scout name read the right answers of {len(harvested)} questions; mallory then "
        f"scored {exam['score']}/{exam['questions']}"
    )


def test_a_squatter_polling_a_freed_name_does_not_get_it_before_its_student(
    tmp_path: Path,
) -> None:
    """The teacher frees ada for her new computer; eve, polling /s/ada, must not take it first."""
    secret = "Basic YWRhOmhvcnNlLWJhdHRlcnk="
    with serve(tmp_path) as lab:
        with computer(lab.url, "127.0.0.3") as old:
            old.post("/s/ada/redirect/307", content=b"a=1", headers={"authorization": secret})
        taken = threading.Event()
        stop = threading.Event()

        def squat() -> None:
            with computer(lab.url, "127.0.0.2") as eve:
                while not stop.is_set() and not taken.is_set():
                    if eve.get("/s/ada/echo").status_code == 200:
                        taken.set()

        squatter = threading.Thread(target=squat, daemon=True)
        squatter.start()
        time.sleep(0.3)
        freed = httpx.post(f"{lab.url}/teacher/free", json={"name": "ada"}, headers=lab.teacher)
        assert freed.json()["freed"] is True
        taken.wait(2)
        with computer(lab.url, "127.0.0.4") as new:
            ada = new.post("/class/join", json={"name": "ada", "code": freed.json()["code"]})
        stop.set()
        leaked = ""
        if taken.is_set():
            with computer(lab.url, "127.0.0.2") as eve:
                seat = seat_of(eve, "ada")
                leaked = eve.get("/class/attempts?route=/redirect/307", headers=seat).text
    assert ada.status_code == 200, (
        f"ada's new computer: {ada.status_code} {ada.json().get('error')!r}; the squatter took "
        f"the name (taken={taken.is_set()}) and reads her password: {secret[6:] in leaked}"
    )


def test_a_classmate_behind_the_same_address_cannot_get_ada_s_seat_key_by_joining_as_ada(
    tmp_path: Path,
) -> None:
    """Seat keys exist to tell apart tutors on one address (NAT, a shared machine): a join
    naming ada must not hand eve ada's key, her chains or her exam."""
    with (
        serve(tmp_path, "--exam-seed", "42", "--exam-count", "3") as lab,
        computer(lab.url, "127.0.0.5") as ada_tutor,
        computer(lab.url, "127.0.0.5") as eve,
    ):
        ada = seat_of(ada_tutor, "ada")
        ada_tutor.get("/class/exam", headers=ada)
        taken = eve.post("/class/join", json={"name": "ada"})
        same = taken.status_code == 200 and f"Seat {taken.json()['seat']}" == ada["authorization"]
    assert not same, "eve, on ada's address, joined as ada and was handed ada's own seat key"


_DEVICES = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}
"""Names Windows takes for a device whatever follows them (NUL.json is NUL)."""


def _exam_files(folder: Path) -> list[str]:
    """The exam files under `folder`, checked to be files no disk confuses."""
    files = [path.name for path in folder.rglob("*.json")]
    folded = [name.casefold() for name in files]
    assert len(set(folded)) == len(files), f"exam files that fold to one name: {sorted(files)}"
    assert not [f for f in files if f.split(".")[0].casefold() in _DEVICES], sorted(files)
    return files


def test_names_that_one_disk_confuses_do_not_share_an_exam_file(tmp_path: Path) -> None:
    """Windows devices (NUL, CON) are names on a real `serve`, not files."""
    with serve(tmp_path, "--exam-seed", "42", "--exam-count", "3") as lab:
        for number, name in enumerate(("ada", "NUL", "CON"), 2):
            with computer(lab.url, f"127.0.0.{number}") as student:
                assert student.get("/class/exam", headers=seat_of(student, name)).status_code == 200
    assert len(_exam_files(tmp_path / "class-exams")) == 3


def test_names_that_differ_by_case_keep_their_own_sheets_across_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exam itself keeps "Ada" and "ada" apart (the seats refuse the second name today, but
    the exam's files must not rely on it), and a lab started again takes each sheet back."""
    from tutor.classroom.exam import Exam
    from tutor.course.loader import load_paths

    monkeypatch.setenv("REDIRECT_TUTOR_HOME", str(tmp_path))
    course = load_paths([QUIZ_FIXTURES])
    settings = {"seed": 42, "count": 5}
    exam = Exam.set(course, Journal(), settings)
    names = ("ada", "Ada", "NUL", "con")
    sheets = {name: exam.sheet(name) for name in names}
    number, item = next(
        (n, item) for n, item in enumerate(sheets["Ada"]["items"], 1) if item["kind"] != "predict"
    )
    exam.answer("Ada", {"number": number, "question": item["question"],
                        "chosen": item["choices"][:1]}, "")  # fmt: skip
    assert len(_exam_files(tmp_path / "class-exams")) == len(names)
    again = Exam.set(course, Journal(), settings).results()
    assert sorted(again) == sorted(names)
    assert again["Ada"]["answered"] == 1 and again["ada"]["answered"] == 0


def test_a_sheet_kept_under_the_student_s_own_name_is_still_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet a lab wrote as NAME.json (before files were named by a digest) is read back;
    once the digest's file holds more answers, that one counts."""
    from tutor.classroom.exam import Exam, sheet_file
    from tutor.course.loader import load_paths

    monkeypatch.setenv("REDIRECT_TUTOR_HOME", str(tmp_path))
    course = load_paths([QUIZ_FIXTURES])
    settings = {"seed": 42, "count": 5}
    exam = Exam.set(course, Journal(), settings)
    items = exam.sheet("ada")["items"]
    answerable = [(n, i) for n, i in enumerate(items, 1) if i["kind"] != "predict"][:2]
    for number, item in answerable[:1]:
        exam.answer("ada", {"number": number, "question": item["question"],
                            "chosen": item["choices"][:1]}, "")  # fmt: skip
    digest = exam.folder / sheet_file("ada")
    digest.rename(exam.folder / "ada.json")
    kept = Exam.set(course, Journal(), settings)
    assert kept.results()["ada"]["answered"] == 1
    number, item = answerable[1]
    kept.answer("ada", {"number": number, "question": item["question"],
                        "chosen": item["choices"][:1]}, "")  # fmt: skip
    assert {path.name for path in exam.folder.iterdir()} == {"ada.json", digest.name}
    assert Exam.set(course, Journal(), settings).results()["ada"]["answered"] == 2


def test_x_forwarded_for_on_the_teacher_s_machine_cannot_use_another_computer_s_name(
    tmp_path: Path,
) -> None:
    """A header is not an address: X-Forwarded-For from loopback must not pass ada's seat."""
    with serve(tmp_path) as lab:
        with computer(lab.url, "127.0.0.3") as ada:
            assert ada.post("/s/ada/redirect/307", content=b"a=1").status_code == 307
        forged = httpx.post(
            f"{lab.url}/s/ada/redirect/307",
            content=b"a=1",
            headers={"x-forwarded-for": "127.0.0.3"},
        )
    assert forged.status_code == 403, (
        f"a request from 127.0.0.1 saying X-Forwarded-For: 127.0.0.3 got {forged.status_code} "
        "under /s/ada (uvicorn trusts proxy headers from 127.0.0.1 by default)"
    )


# 3. A student's own tutor joined to a hostile lab.


def test_a_hostile_lab_s_refusal_reaches_the_student_s_terminal_only_as_text() -> None:
    """The lab's sentence may hold OSC/CSI escapes and bidi: none reaches the student's tty."""
    sentence = "\x1b]0;owned\x07\x1b[2J\x1b[H\u202eeurt si sihT\r"

    def reply(method: str, target: str, body: bytes) -> bytes:
        return answer(403, {"error": sentence})

    with fake_lab(reply) as lab:
        status, said = try_joined(lab.url, tty=True)
    own = said.replace("\x1b[33m", "").replace("\x1b[0m", "")  # the tutor's own yellow
    assert status == 0, said
    assert not [c for c in own if c in "\x1b\x07\u202e"], repr(said)


def test_deeply_nested_json_from_a_hostile_lab_is_one_sentence_not_a_traceback() -> None:
    """`[[[[...` from the lab: the student's tutor says it is not a class lab and goes on."""

    def reply(method: str, target: str, body: bytes) -> bytes:
        return answer(200, b"[" * 100_000)

    with fake_lab(reply) as lab:
        status, said = try_joined(lab.url)
    assert status == 0 and "Traceback" not in said, said[-600:]


def test_a_lab_that_drips_its_answer_is_given_up_on_in_time() -> None:
    """A lab sending a byte every half second: the student's join gives up after its timeout."""

    def reply(method: str, target: str, body: bytes) -> Iterable[tuple[bytes, float]]:
        yield b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n", 0.0
        for _ in range(40):
            yield b" ", 0.5

    outcome: list[object] = []
    with fake_lab(reply) as lab:
        link = ClassLink(Join(lab.url, "eve"), timeout=1.0)

        def join() -> None:
            try:
                link.join()
                outcome.append("joined")
            except ClassUnreachable as error:
                outcome.append(error)

        started = time.monotonic()
        worker = threading.Thread(target=join, daemon=True)
        worker.start()
        worker.join(4)
        seconds = time.monotonic() - started
        link.close() if outcome else None
    assert outcome and isinstance(outcome[0], ClassUnreachable), (
        f"a join with a 1 s timeout still waits after {seconds:.1f} s (the lab drips)"
    )


def test_a_huge_answer_from_a_hostile_lab_is_not_read_whole() -> None:
    """A 256 MiB answer to a join: the student's tutor stops reading long before its end."""
    size = 256 * 2**20

    def reply(method: str, target: str, body: bytes) -> Iterable[tuple[bytes, float]]:
        yield f"HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n".encode(), 0.0
        piece = b" " * 2**20
        for _ in range(size // len(piece)):
            yield piece, 0.0

    with fake_lab(reply) as lab:
        link = ClassLink(Join(lab.url, "eve"))
        with pytest.raises(ClassUnreachable):
            link.join()
        link.close()
        sent = lab.sent
    assert sent < 32 * 2**20, f"the student's tutor read {sent / 2**20:.0f} MiB of one answer"


def test_markup_in_a_hostile_lab_s_refusal_does_not_crash_or_act_in_the_tutor() -> None:
    """The refusal sentence shown in the TUI's notice is text: `[/bold]` must not crash it."""
    import asyncio

    from pilot import SIZE, settle, tutor_app

    def reply(method: str, target: str, body: bytes) -> bytes:
        return answer(403, {"error": "[/bold] [@click=app.quit]Click to continue[/]"})

    crashed: BaseException | None = None
    as_markup: list[str] = []
    with fake_lab(reply) as lab:
        app = tutor_app(join=Join(lab.url, "eve"))

        async def drive() -> None:
            async with app.run_test(size=SIZE, notifications=True) as pilot:
                await settle(pilot)
                await pilot.pause(0.5)
                as_markup.extend(n.message for n in app._notifications if n.markup)

        try:
            asyncio.run(drive())
        except Exception as error:  # what the app raised, as Pilot hands it back
            crashed = error
    assert crashed is None, f"the tutor stopped: {type(crashed).__name__}: {crashed}"
    assert not [m for m in as_markup if "@click" in m], f"read as markup: {as_markup}"


def test_a_hop_from_a_hostile_lab_cannot_crash_the_student_s_journal_screen() -> None:
    """A hop `at` 1e300 seconds: the joined tutor's Journal screen shows it or refuses it."""
    import asyncio

    from pilot import SIZE, settle, tutor_app

    hop = {
        "seq": 1, "chain": "c" * 22, "at": 1e300, "peer": "1.2.3.4:5", "method": "GET",
        "path": "/s/eve/echo", "query": "", "headers": [], "body": "", "body_size": 0,
        "body_digest": "", "status": 200, "location": None, "hung_up": False,
    }  # fmt: skip
    fed = threading.Event()

    def reply(method: str, target: str, body: bytes) -> Reply:
        if (welcome := joined(target)) is not None:
            return welcome
        if target.startswith("/class/feed") and not fed.is_set():
            fed.set()
            return answer(200, {"hops": [hop]})
        return [(answer(200, {"hops": []}), 0.5)]

    crashed: BaseException | None = None
    with fake_lab(reply) as lab:
        app = tutor_app(join=Join(lab.url, "eve"))

        async def drive() -> None:
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                await pilot.press("j")
                for _ in range(30):
                    await pilot.pause(0.1)

        try:
            asyncio.run(drive())
        except Exception as error:
            crashed = error
    assert fed.is_set(), "the journal screen never asked for the feed"
    assert crashed is None, f"the student's tutor stopped: {type(crashed).__name__}: {crashed}"


def test_a_malformed_sheet_after_a_refused_answer_is_one_sentence(tmp_path: Path) -> None:
    """The lab refuses an answer, then sends a sheet whose answers are 5: no traceback."""
    from tutor.classroom.exam import Exam
    from tutor.course.loader import load_paths
    from tutor.lab.journal import Journal

    course = load_paths([QUIZ_FIXTURES])
    sheet = Exam.set(course, Journal(), {"seed": 42, "count": 3}).sheet("eve")
    sheets = iter([answer(200, sheet)])

    def reply(method: str, target: str, body: bytes) -> bytes:
        if target.startswith("/class/join"):
            return answer(200, {"name": "eve", "seat": "s" * 32, "exam": {"seed": 42}})
        if target.startswith("/class/exam/answer"):
            return answer(400, {"error": "Not counted."})
        if target.startswith("/class/exam"):
            return next(sheets, answer(200, {**sheet, "answers": 5, "left": 1}))
        return answer(200, {"hops": []})

    with fake_lab(reply) as lab:
        done = subprocess.run(
            [sys.executable, "-m", "tutor", "--lessons", str(QUIZ_FIXTURES), "quiz", "--plain",
             "--join", lab.url, "--name", "eve"],
            input="1\n", capture_output=True, text=True, timeout=60,
            env={**os.environ, "REDIRECT_TUTOR_HOME": str(tmp_path / "student")},
        )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr[-800:]


def test_a_lab_that_answers_the_feed_at_once_is_not_polled_in_a_busy_loop() -> None:
    """A feed answered at once with no hop: the tutor must not ask hundreds of times a second."""

    def reply(method: str, target: str, body: bytes) -> bytes:
        return joined(target) or answer(200, {"hops": []})

    with fake_lab(reply) as lab:
        link = ClassLink(Join(lab.url, "eve"))
        link.join()
        journal = ClassJournal(link)
        journal.subscribe(lambda hop: None)
        time.sleep(1.0)
        journal.stop()
        polls = sum(1 for _, target in lab.requests if target.startswith("/class/feed"))
        time.sleep(0.1)
        link.close()
    assert polls <= 10, f"{polls} polls of /class/feed in one second"


_SHEET_FIELDS = [
    ("items", 5), ("items", [5]), ("items", [{"question": 5}]), ("answers", 5),
    ("answers", [{"number": "1"}]), ("answers", [{"number": 1, "chosen": 5}]),
    ("answers", [{"number": 1, "chosen": [], "right": [], "correct": True, "void": None,
                  "outcome": "ran"}]),
    ("seed", "42"), ("seed", True), ("left", -1), ("left", 1e300), ("time", 10**400),
    ("time", "600"),
]  # fmt: skip


@pytest.mark.parametrize(("field", "value"), _SHEET_FIELDS, ids=lambda v: str(v)[:20])
def test_a_sheet_with_a_field_of_the_wrong_kind_is_unreadable_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, value: object
) -> None:
    """Every field of the lab's sheet is checked before use: one sentence (ClassUnreachable)."""
    from tutor.classroom.exam import Exam
    from tutor.classroom.exam_client import ClassExam
    from tutor.course.loader import load_paths

    monkeypatch.setenv("REDIRECT_TUTOR_HOME", str(tmp_path))
    course = load_paths([QUIZ_FIXTURES])
    sheet = Exam.set(course, Journal(), {"seed": 42, "count": 5}).sheet("eve")  # every kind
    if field == "items" and value == [{"question": 5}]:
        value = [{**sheet["items"][0], "question": 5}]
    if field == "answers" and "outcome" in str(value):  # an outcome is read for a prediction:
        items = sorted(sheet["items"], key=lambda item: item["kind"] != "predict")  # one first
        sheet = {**sheet, "items": [{**item, "number": n} for n, item in enumerate(items, 1)]}
    if field == "answers" and "outcome" in str(value):  # an outcome is read for a prediction
        predict = next(item["number"] for item in sheet["items"] if item["kind"] == "predict")
        value = [{**value[0], "number": predict}]  # type: ignore[index]
    broken = answer(200, {**sheet, field: value})

    def reply(method: str, target: str, body: bytes) -> bytes:
        return joined(target) or broken

    with fake_lab(reply) as lab:
        link = ClassLink(Join(lab.url, "eve"))
        link.join()
        with pytest.raises(ClassUnreachable, match="cannot read"):
            ClassExam.open(link, course)
        link.close()


# 4. The teacher's `class` against a hostile lab (tutor.classroom.answer, tutor.classroom.teacher).


def _drip(head: bytes, pieces: int, every: float) -> Callable[[str, str, bytes], Reply]:
    """A lab that sends `head` at once, then a byte every `every` seconds."""

    def reply(method: str, target: str, body: bytes) -> Iterable[tuple[bytes, float]]:
        yield head, 0.0
        for _ in range(pieces):
            yield b" ", every

    return reply


_LONG = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n"


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(_drip(_LONG, 40, 0.3), id="body"),
        pytest.param(_drip(b"HTTP/1.1 200 OK\r\nx-a: ", 40, 0.3), id="head"),
    ],
)
def test_an_answer_that_drips_is_given_up_on_at_the_deadline(
    reply: Callable[[str, str, bytes], Reply],
) -> None:
    """Each byte comes well within httpx's per-read timeout; the whole answer does not."""
    import asyncio

    from tutor.classroom.answer import TooSlow, fetch_json

    async def fetch(url: str) -> None:
        async with httpx.AsyncClient() as client:
            await fetch_json(client, client.build_request("GET", url), 1.0)

    with fake_lab(reply) as lab:
        started = time.monotonic()
        with pytest.raises(TooSlow):
            asyncio.run(fetch(lab.url))
        seconds = time.monotonic() - started
    assert seconds < 1.5, f"given up on after {seconds:.1f} s"


def test_the_sync_reader_gives_up_on_a_dripping_body_at_the_deadline() -> None:
    """The student's (blocking) reader: a body dripping every 0.3 s, a deadline of 1 s."""
    from tutor.classroom.answer import TooSlow, fetch_json_sync

    with fake_lab(_drip(_LONG, 40, 0.3)) as lab, httpx.Client() as client:
        started = time.monotonic()
        with pytest.raises(TooSlow):
            fetch_json_sync(client, client.build_request("GET", lab.url), 1.0)
        seconds = time.monotonic() - started
    assert seconds < 2.0, f"given up on after {seconds:.1f} s"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_answer_over_the_cap_is_not_read_whole(declared: bool) -> None:
    """64 MiB, said up front or not: both readers stop at the cap (32 MiB)."""
    import asyncio

    from tutor.classroom.answer import CAP, TooLarge, fetch_json, fetch_json_sync

    size, piece = 64 * 2**20, b" " * 2**20

    def reply(method: str, target: str, body: bytes) -> Iterable[tuple[bytes, float]]:
        if declared:
            yield f"HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n".encode(), 0.0
            chunks = (piece for _ in range(size // len(piece)))
        else:
            yield b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", 0.0
            chunks = (b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(size // len(piece)))
        for chunk in chunks:
            yield chunk, 0.0

    async def fetch(url: str) -> None:
        async with httpx.AsyncClient() as client:
            await fetch_json(client, client.build_request("GET", url), 30)

    with fake_lab(reply) as lab:
        with pytest.raises(TooLarge):
            asyncio.run(fetch(lab.url))
        with httpx.Client() as client, pytest.raises(TooLarge):
            fetch_json_sync(client, client.build_request("GET", lab.url), 30)
        time.sleep(0.2)
        sent = lab.sent
    assert sent < 2 * (CAP + 8 * 2**20), f"{sent / 2**20:.0f} MiB sent for two answers"


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"a": NaN}', b'{"a": Infinity}', b"\xff\xfe", b"1" * 5000, b""],
    ids=["deep", "nan", "infinity", "not-utf-8", "huge-integer", "empty"],
)
def test_what_no_lab_writes_is_no_document(body: bytes) -> None:
    """Deep nesting, NaN, bytes that are no text, an integer Python will not read: None, no
    exception (each caller says the lab did not answer as a class lab does)."""
    from tutor.classroom.answer import fetch_json_sync

    with fake_lab(lambda method, target, _: answer(200, body)) as lab, httpx.Client() as client:
        read = fetch_json_sync(client, client.build_request("GET", lab.url), 5)
    assert (read.status, read.document) == (200, None)


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(lambda m, t, b: answer(200, b"[" * 100_000), id="deep"),
        pytest.param(lambda m, t, b: answer(403, {"error": ["x"] * 3}), id="error-not-text"),
        pytest.param(_drip(_LONG, 40, 0.3), id="drip"),
        pytest.param(
            lambda m, t, b: [(f"HTTP/1.1 200 OK\r\ncontent-length: {2**30}\r\n\r\n".encode(), 0.0)],
            id="huge",
        ),
    ],
)
def test_the_teacher_s_class_link_says_one_sentence_to_a_hostile_lab(
    reply: Callable[[str, str, bytes], Reply], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deep JSON, a refusal that is no sentence, a drip, a gigabyte: a TeacherError, in time."""
    import asyncio

    from tutor.classroom import teacher
    from tutor.classroom.teacher import Access, TeacherError, TeacherLink

    monkeypatch.setattr(teacher, "TIMEOUT", 1.0)

    async def read(url: str) -> BaseException | None:
        async with TeacherLink(Access(url, "k" * 43)) as link:
            try:
                await link.snapshot()
            except TeacherError as error:
                return error
        return None

    with fake_lab(reply) as lab:
        started = time.monotonic()
        error = asyncio.run(read(lab.url))
        seconds = time.monotonic() - started
    assert isinstance(error, TeacherError) and seconds < 1.5, (error, seconds)
    assert "\n" not in str(error), str(error)


# 5. Hops from a hostile lab: only what a lab writes crosses the wire.


def _wire_hop(**changed: object) -> dict[str, object]:
    from tutor.lab.wire import hop_to_wire

    hop = hop_to_wire(Hop(
        seq=1, chain="c" * 22, at=1_700_000_000.5, peer="127.0.0.2:5000", method="POST",
        path="/s/eve/redirect/307", query="", headers=(("host", "lab"),), body=b"a=1",
        body_size=3, body_digest="d" * 64, status=307, location="/s/eve/echo?chain=" + "c" * 22,
    ))  # fmt: skip
    return {**hop, **changed}


_TOO_MANY = [["x", ""]] * (Bounds().head_kept // FIELD_COST + 2)


@pytest.mark.parametrize(
    "changed",
    [
        {"at": 1e300}, {"at": -1.0}, {"at": float("nan")}, {"at": float("inf")}, {"at": 2**33},
        {"at": 10**400}, {"seq": -1}, {"seq": 2**63}, {"seq": True}, {"body_size": -1},
        {"body_size": Bounds().body + 1}, {"status": -1}, {"status": 1000},
        {"path": "/" * (Bounds().target + 1)},
        {"path": "/" * 9000, "query": "q" * 9000},
        {"method": "M" * (Bounds().head + 1)}, {"chain": "c" * (Bounds().head + 1)},
        {"location": "/" * (4 * (Bounds().target + Bounds().head) + 1)},
        {"headers": _TOO_MANY}, {"headers": [["x" * Bounds().head, "yy"]]},
        {"headers": [["x", 1]]}, {"headers": {"x": "y"}},
        {"body": "A" * (4 * Bounds().body_kept)}, {"body": "%%%%"}, {"body": None},
    ],
    ids=lambda changed: ",".join(f"{k}={str(v)[:12]}" for k, v in changed.items()),
)  # fmt: skip
def test_a_hop_no_lab_writes_is_refused(changed: dict[str, object]) -> None:
    from tutor.lab.wire import WireError, hop_from_wire

    with pytest.raises(WireError):
        hop_from_wire(_wire_hop(**changed))


def test_the_largest_hops_a_lab_keeps_cross_the_wire() -> None:
    """The lab's own hops at its bounds (a target as long as it takes, a header name as long
    as the block, more fields than it keeps, a whole body, a long Location) all come back."""
    import asyncio

    from lab_app import in_process

    from tutor.lab.wire import hop_from_wire, hop_to_wire

    bounds = Bounds()
    journal = Journal()
    start = "/s/eve/redirect/307?location=twice&to=/echo?x="
    long_to = start + "a" * (bounds.target - len(start))  # two Locations, each about as long

    async def send() -> None:
        async with in_process(journal) as lab:
            await lab.post("/s/eve/redirect/307", content=b"\x00" * bounds.body)
            await lab.get("/s/eve/echo", headers={"x" * (bounds.head - 200): "v"})
            await lab.get("/s/eve/echo", headers={f"x-{i}": "" for i in range(500)})
            await lab.get(long_to)
            await lab.get("/s/eve/echo" + "/" * (bounds.target + 1))

    asyncio.run(send())
    hops = journal.recent(10)
    assert [hop.status for hop in hops] == [307, 200, 200, 307, 414]
    assert len(hops[3].location or "") > bounds.target
    assert sum(len(name) for name, _ in hops[1].headers) > bounds.head_kept
    for hop in hops:
        assert hop_from_wire(json.loads(json.dumps(hop_to_wire(hop)))) == hop
