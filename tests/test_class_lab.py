"""The class lab: names bound to their computer, the teacher's key, students' tutors joined to it,
and what a joined tutor shows against what a tutor with a lab of its own shows."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tutor.classroom.key import LabCard, read_card, write_card
from tutor.classroom.routes import Classroom
from tutor.classroom.student import Join, _tls_offered
from tutor.course import Course
from tutor.course.exercises import BringYourOwn, Configure
from tutor.course.loader import load_course
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.authority import local_authority
from tutor.lab.journal import Journal
from tutor.lab.server import LabServer
from tutor.session.factory import make_session
from tutor.validated import dump

KEY = "k" * 43


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course()


@pytest.fixture
def classroom(course: Course) -> Iterator[tuple[LabServer, Classroom]]:
    journal = Journal()
    room = Classroom(course, journal, KEY)
    with LabServer(journal=journal, annex=room) as lab:
        room.lab_url = lab.url
        yield lab, room
    room.close()


def _from(address: str) -> httpx.Client:
    """A client on another computer of the class (another loopback address)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=5)


def _exercise(course: Course, kind: type) -> tuple[str, BringYourOwn | Configure]:
    return next(
        (f"{lesson.id}/{step.id}", step.exercise)
        for lesson in course.lessons
        for step in lesson.steps
        if isinstance(step.exercise, kind)
    )


def _seat(lab: LabServer, name: str) -> dict[str, str]:
    """The headers of a tutor joined as `name` (from this machine)."""
    seat = httpx.post(f"{lab.url}/class/join", json={"name": name}).json()["seat"]
    return {"authorization": f"Seat {seat}"}


def _teacher(lab: LabServer, path: str, key: str | None = KEY) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key is not None else {}
    return httpx.get(f"{lab.url}{path}", headers=headers, timeout=5)


def test_a_name_belongs_to_the_computer_that_used_it_first(
    classroom: tuple[LabServer, Classroom],
) -> None:
    lab, room = classroom
    with _from("127.0.0.2") as ada, _from("127.0.0.3") as bob:
        assert ada.post(f"{lab.url}/s/ada/redirect/307", content=b"a=1").status_code == 307
        taken = bob.post(f"{lab.url}/s/ada/redirect/307", content=b"a=1")
        assert taken.status_code == 403
        assert "in use on this lab from another computer" in taken.text
        assert bob.post(f"{lab.url}/class/join", json={"name": "ada"}).status_code == 403
        assert ada.post(f"{lab.url}/class/join", json={"name": "ada"}).status_code == 200
        assert bob.post(f"{lab.url}/s/bob/redirect/307", content=b"a=1").status_code == 307
    room.ledger.settle()
    rows = {row["name"]: row for row in room.ledger.rows()}
    assert rows["ada"]["requests"] == 1, "bob's refused request is not ada's work"
    freed = httpx.post(
        f"{lab.url}/teacher/free", json={"name": "ada"}, headers={"authorization": f"Bearer {KEY}"}
    )
    code = freed.json()["code"]
    assert freed.json() == {"name": "ada", "freed": True, "code": code}
    with _from("127.0.0.3") as bob, _from("127.0.0.4") as eve:
        for squatter in (bob, eve):  # waiting for the name does not get it
            assert squatter.post(f"{lab.url}/s/ada/redirect/307").status_code == 403
            refused = squatter.post(f"{lab.url}/class/join", json={"name": "ada", "code": "X"})
            assert refused.status_code == 403 and "--code" in refused.json()["error"]
        claimed = bob.post(f"{lab.url}/class/join", json={"name": "ada", "code": code.lower()})
        assert claimed.status_code == 200, "the student the teacher gave the code to"
        assert bob.post(f"{lab.url}/s/ada/redirect/307").status_code == 307
        assert eve.post(f"{lab.url}/s/ada/redirect/307").status_code == 403


def test_teacher_routes_need_the_key(classroom: tuple[LabServer, Classroom]) -> None:
    lab, _ = classroom
    for key in (None, "wrong", KEY[:-1], KEY + "x"):
        answer = _teacher(lab, "/teacher/class", key)
        assert answer.status_code == 403
        assert "teacher key" in answer.json()["error"]
    assert _teacher(lab, "/teacher/class").status_code == 200
    seat = httpx.post(f"{lab.url}/class/join", json={"name": "ada"}).json()["seat"]
    as_student = httpx.get(f"{lab.url}/teacher/class", headers={"authorization": f"Bearer {seat}"})
    assert as_student.status_code == 403, "a seat key is not the teacher's"
    assert len(lab.journal) == 0, "class routes are not experiments: never journaled"


def test_student_routes_reach_only_the_students_own_chains(
    classroom: tuple[LabServer, Classroom],
) -> None:
    lab, _ = classroom
    seats = {
        name: httpx.post(f"{lab.url}/class/join", json={"name": name}).json()["seat"]
        for name in ("ada", "bob")
    }
    echoed = httpx.post(
        f"{lab.url}/s/ada/redirect/307",
        content=b"a=1",
        headers={"authorization": "Basic secret"},
        follow_redirects=True,
    )
    token = echoed.json()["chain_token"]

    def read(name: str | None, path: str) -> httpx.Response:
        headers = {"authorization": f"Seat {seats[name]}"} if name else {}
        return httpx.get(f"{lab.url}{path}", headers=headers, timeout=5)

    assert len(read("ada", f"/class/chain?chain={token}").json()["hops"]) == 2
    assert read("bob", f"/class/chain?chain={token}").status_code == 403
    assert read(None, f"/class/chain?chain={token}").status_code == 403
    assert read("bob", "/class/attempts?route=/redirect/307").json()["chains"] == []
    assert len(read("ada", "/class/attempts?route=/redirect/307").json()["chains"]) == 1
    feed = read("bob", "/class/feed?after=0&wait=0").json()["hops"]
    assert feed == [], "bob's feed has none of ada's hops"


def test_class_routes_refuse_what_is_not_a_call(classroom: tuple[LabServer, Classroom]) -> None:
    lab, _ = classroom
    assert httpx.post(f"{lab.url}/class/join", content=b"{").status_code == 400
    assert httpx.post(f"{lab.url}/class/join", json=["ada"]).status_code == 400
    assert httpx.post(f"{lab.url}/class/join", json={"name": "a/b"}).status_code == 400
    assert httpx.post(f"{lab.url}/class/join", json={"name": "x" * 33}).status_code == 400
    huge = httpx.post(f"{lab.url}/class/join", content=b"x" * 200_000)
    assert huge.status_code == 413
    assert httpx.get(f"{lab.url}/class/nothing").status_code == 404
    assert httpx.get(f"{lab.url}/class/join").status_code == 405
    for answer in (huge, httpx.get(f"{lab.url}/class/nothing")):
        assert "error" in answer.json()


def test_a_joined_tutor_sees_what_a_tutor_with_its_own_lab_sees(
    classroom: tuple[LabServer, Classroom],
) -> None:
    lab, _ = classroom
    specs = [
        ExperimentSpec(code=code, method="POST", body="a=1", client=client)
        for code in (302, 307)
        for client in ("httpx", "curl", "urllib")
    ]
    joined = make_session(join=Join(lab.url, "ada"))
    alone = make_session()
    try:
        joined.lab.start()
        alone.lab.start()
        there = joined.lab.run_many(specs)
        here = alone.lab.run_many(specs)
        assert joined.lab.joined == Join(lab.url, "ada")
        assert joined.lab.name.startswith("class lab 127.0.0.1:")
    finally:
        joined.close()
        alone.close()
    for remote, local in zip(there, here, strict=True):
        assert remote.verdict == local.verdict
        assert [(h.method, h.route, h.status, h.body_size) for h in remote.hops] == [
            (h.method, h.route, h.status, h.body_size) for h in local.hops
        ]
        assert all(hop.student == "ada" for hop in remote.hops)


def test_a_joined_tutor_runs_a_change_of_scheme_on_a_lab_of_its_own(
    classroom: tuple[LabServer, Classroom],
) -> None:
    """The class lab's TLS listener is not handed to joined tutors: an upgrade runs on the
    student's own lab (with the student's own CA), in order among the class lab's runs."""
    lab, _ = classroom
    specs = [
        ExperimentSpec(code=307, body="a=1", client="curl"),
        ExperimentSpec(code=307, body="a=1", client="curl", scheme="upgrade"),
        ExperimentSpec(code=301, body="a=1", client="httpx"),
    ]
    joined = make_session(join=Join(lab.url, "ada"))
    try:
        joined.lab.start()
        plain, upgrade, moved = joined.lab.run_many(specs)
    finally:
        joined.close()
    assert [hop.student for hop in plain.hops] == ["ada", "ada"]
    assert [hop.student for hop in moved.hops] == ["ada", "ada"]
    assert [(hop.scheme, hop.student, hop.method) for hop in upgrade.hops] == [
        ("http", "", "POST"),
        ("https", "", "POST"),
    ]
    assert upgrade.verdict.text == "POST kept, body intact (3 bytes); http → https"


@pytest.fixture
def secure_classroom(course: Course, tmp_path: Path) -> Iterator[tuple[LabServer, Classroom]]:
    """The class lab as `serve` runs it: with a TLS listener, which it offers to joined tutors."""
    journal = Journal()
    room = Classroom(course, journal, KEY)
    authority = local_authority(tmp_path / "teacher" / "tls")
    with LabServer(journal=journal, annex=room, authority=authority) as lab:
        room.lab_url = lab.url
        room.tls = lab.tls
        yield lab, room
    room.close()


def test_a_joined_tutor_runs_a_change_of_scheme_on_the_class_labs_tls_listener(
    secure_classroom: tuple[LabServer, Classroom], learner_home: Path
) -> None:
    """The lab offers its TLS port and its CA's certificate as a tutor joins: the student's
    upgrade and downgrade are the class lab's, under the student's name, verified with that
    CA, which the tutor keeps in its own data folder."""
    lab, _ = secure_classroom
    specs = [
        ExperimentSpec(code=307, body="a=1", client="curl", scheme="upgrade"),
        ExperimentSpec(code=301, body="a=1", client="httpx", scheme="downgrade"),
    ]
    joined = make_session(join=Join(lab.url, "ada"))
    try:
        joined.lab.start()
        upgrade, downgrade = joined.lab.run_many(specs)
    finally:
        joined.close()
    assert [(hop.scheme, hop.student, hop.method) for hop in upgrade.hops] == [
        ("http", "ada", "POST"),
        ("https", "ada", "POST"),
    ]
    assert [(hop.scheme, hop.student, hop.method) for hop in downgrade.hops] == [
        ("https", "ada", "POST"),
        ("http", "ada", "GET"),
    ]
    seqs = [hop.seq for hop in (*upgrade.hops, *downgrade.hops)]
    assert len(lab.journal.held(seqs)) == 4, "the class lab's own journal holds them"
    (kept,) = (learner_home / "tls").glob("class-*.pem")
    assert kept.read_text() == (lab.authority.ca.read_text() if lab.authority else "")


@pytest.mark.parametrize(
    "offered",
    [
        {"port": 0, "ca": "x"},
        {"port": True, "ca": "x"},
        {"port": 443, "ca": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
        {
            "port": 443,
            "ca": "-----BEGIN CERTIFICATE-----\n" + "A" * 20_000 + "\n-----END CERTIFICATE-----\n",
        },
        {"port": 443, "ca": "-----BEGIN CERTIFICATE-----\n../../etc\n-----END CERTIFICATE-----\n"},
        ["port", 443],
        "https://evil.example",
    ],
)
def test_a_tls_offer_a_lab_could_not_have_made_is_no_offer(
    offered: object, learner_home: Path
) -> None:
    """What a hostile lab answers as its TLS offer: never a file written, never a URL off the
    lab's own host; the tutor then runs such experiments on a lab of its own."""
    tls = _tls_offered(Join("http://127.0.0.1:9", "ada"), offered)
    assert tls.url == "" and tls.ca is None and tls.problem
    assert not (learner_home / "tls").exists()


def test_the_lab_judges_every_students_exercises_whatever_the_client(
    classroom: tuple[LabServer, Classroom], course: Course
) -> None:
    lab, room = classroom
    byo_id, byo = _exercise(course, BringYourOwn)
    configure_id, configure = _exercise(course, Configure)
    assert isinstance(byo, BringYourOwn) and isinstance(configure, Configure)
    curl = ["curl", "-sS", "-L", "-o", "/dev/null", "-d", "a=1"]
    subprocess.run([*curl, byo.url(lab.url, "carol")], check=True)  # a 302 makes it a GET
    subprocess.run([*curl, "--post302", "--post301", byo.url(lab.url, "dan")], check=True)
    joined = make_session(join=Join(lab.url, "ada"))
    try:
        joined.lab.start()
        subprocess.run([*curl, "--post302", byo.url(lab.url, "ada")], check=True)
        check = joined.check_attempt(byo, "ada")
        assert check is not None and check.met
        configured = joined.check_answer(configure, configure.answer, exercise_id=configure_id)
        assert configured.met
        joined.lab.run(ExperimentSpec(code=byo.code, method="POST", body="a=1", client="httpx"))
    finally:
        joined.close()
    room.ledger.settle()
    rows = {row["name"]: row["cells"] for row in room.ledger.rows()}
    assert rows["carol"][byo_id] == {
        "met": False,
        "attempts": 1,
        "problems": rows["carol"][byo_id]["problems"],
    }
    assert rows["dan"][byo_id]["met"] is True
    assert rows["ada"][byo_id]["attempts"] == 1, "the tutor's own experiment is not an attempt"
    assert rows["ada"][configure_id] == {"met": True, "attempts": 1, "problems": []}


def test_a_configure_exercise_is_run_by_the_lab_never_by_the_students_machine(
    classroom: tuple[LabServer, Classroom], course: Course
) -> None:
    lab, room = classroom
    configure_id, configure = _exercise(course, Configure)
    assert isinstance(configure, Configure)
    headers = _seat(lab, "eve")

    def configure_with(answer: dict[str, object], **more: object) -> httpx.Response:
        asked = {"exercise": configure_id, "answer": answer, **more}
        return httpx.post(f"{lab.url}/class/configure", json=asked, headers=headers, timeout=30)

    wrong = configure_with({"code": 302}, chain="tutor-" + "E" * 22, client_version="9.9")
    assert wrong.status_code == 200
    assert wrong.json()["met"] is False, "a 302 turns httpx's POST into a GET, whatever eve says"
    hops = wrong.json()["hops"]
    assert hops[0]["path"] == "/s/eve/redirect/302"
    assert hops[0]["chain"] != "tutor-" + "E" * 22, "the lab names its own run"
    agent = dict(hops[0]["headers"])["user-agent"]
    assert agent.startswith("python-httpx/"), "the exercise's own client, run by the lab"
    assert configure_with({"code": 399}).status_code == 400, "an answer not on offer"
    assert configure_with({"code": 307, "cache": "max-age=1"}).status_code == 400
    right = configure_with(dump(configure.answer))
    assert right.json()["met"] is True
    assert httpx.post(f"{lab.url}/class/configured", json={}, headers=headers).status_code == 404
    room.ledger.settle()
    cells = {row["name"]: row["cells"] for row in room.ledger.rows()}["eve"]
    assert cells[configure_id] == {"met": True, "attempts": 2, "problems": []}
    assert not [c for c in cells if c != configure_id], "the lab's runs are not bring-your-own"


def test_a_class_that_cannot_be_reached_leaves_the_student_on_a_lab_of_their_own() -> None:
    with socketless_port() as url:
        session = make_session(join=Join(url, "ada"))
        try:
            session.lab.start()
            outcome = session.lab.run(ExperimentSpec(code=307, client="httpx"))
            assert session.lab.name.startswith("own lab 127.0.0.1:"), "not the class's lab"
        finally:
            session.close()
    assert session.lab.notice is not None
    assert session.lab.notice.startswith("Not joined: the class lab at ")
    assert "the teacher does not see this work" in session.lab.notice
    assert outcome.verdict.text.startswith("POST kept")


def test_try_joins_the_class_from_the_command_line(
    classroom: tuple[LabServer, Classroom],
) -> None:
    lab, _ = classroom
    command = [sys.executable, "-m", "tutor", "try", "307", "--client", "curl", "--json"]
    joined = subprocess.run(
        [*command, "--join", lab.url, "--name", "ada"], capture_output=True, text=True, timeout=60
    )
    assert joined.returncode == 0, joined.stderr
    hops = json.loads(joined.stdout)["hops"]
    assert [hop["path"] for hop in hops] == ["/s/ada/redirect/307", "/s/ada/echo"]
    nameless = subprocess.run([*command, "--join", lab.url], capture_output=True, text=True)
    assert nameless.returncode == 2 and "--join needs --name NAME" in nameless.stderr
    bad = subprocess.run([*command, "--join", f"{lab.url}/s/x"], capture_output=True, text=True)
    assert bad.returncode == 2 and "give the lab's URL alone" in bad.stderr
    with socketless_port() as url:
        away = subprocess.run(
            [*command, "--join", url, "--name", "ada"], capture_output=True, text=True, timeout=60
        )
    assert away.returncode == 0
    assert away.stderr.count("\n") == 1 and away.stderr.startswith("Not joined:")


def test_serve_keeps_the_teacher_key_in_a_private_file_and_never_prints_it(
    learner_home: Path,
) -> None:
    from tests.test_classroom_attacks import _serve

    with _serve() as console:
        console.lines(lambda lines: any(line.startswith("Try:") for line in lines))
        card = read_card()
        assert card is not None and card.pid == console.process.pid
        httpx.get(f"{console.url}/teacher/class?key={card.key}")
        httpx.get(f"{console.url}/s/ada/redirect/307", headers={"authorization": card.key})
        printed = "\n".join(console.lines(lambda lines: False, timeout=1))
    path = learner_home / "class-lab.json"
    assert card.key not in printed
    assert f"Teacher key kept in {path} (not shown)" in printed
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 if path.exists() else True
    assert read_card() is None, "the card goes when its lab stops"


def test_a_key_card_of_a_lab_that_stopped_is_not_found(learner_home: Path) -> None:
    path = write_card(LabCard("http://127.0.0.1:1", KEY, 2**22 + 12345))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_card() is None
    write_card(LabCard("http://127.0.0.1:1", KEY, os.getpid()))
    assert read_card() == LabCard("http://127.0.0.1:1", KEY, os.getpid())


@contextmanager
def socketless_port() -> Iterator[str]:
    """A URL where nothing listens (a port bound and never listened on)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_joined_tutor_rejoins_a_lab_that_restarted_and_says_when_it_is_gone(
    course: Course,
) -> None:
    from tutor.session.lab import LabUnavailable

    def class_lab(port: int = 0) -> tuple[LabServer, Classroom]:
        journal = Journal()
        room = Classroom(course, journal, KEY)
        return LabServer(port=port, journal=journal, annex=room).start(), room

    lab, room = class_lab()
    port = int(lab.url.rsplit(":", 1)[1])
    session = make_session(join=Join(lab.url, "ada"))
    try:
        session.lab.start()
        assert session.lab.run(ExperimentSpec(code=307, client="httpx")).arrived is not None
        lab.stop()
        room.close()
        with pytest.raises(LabUnavailable, match="The class lab does not answer: the class lab"):
            session.lab.run(ExperimentSpec(code=307, client="httpx"))
        lab, room = class_lab(port)  # the teacher starts the lab again: it knows no seat
        outcome = session.lab.run(ExperimentSpec(code=307, client="httpx"))
        assert [hop.route for hop in outcome.hops] == ["/redirect/307", "/echo"]
        assert room.seats.names() == ["ada"], "the tutor joined again, under its name"
    finally:
        session.close()
        lab.stop()
        room.close()


def test_a_student_runs_one_configure_run_at_a_time_on_the_teachers_machine(
    classroom: tuple[LabServer, Classroom], course: Course
) -> None:
    lab, _ = classroom
    configure_id, configure = _exercise(course, Configure)
    assert isinstance(configure, Configure)
    headers = _seat(lab, "eve")
    asked = {"exercise": configure_id, "answer": dump(configure.answer)}

    def run(_: int) -> int:
        answer = httpx.post(f"{lab.url}/class/configure", json=asked, headers=headers, timeout=30)
        return answer.status_code

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(run, range(6)))
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 429}, statuses
    assert statuses.count(429) >= 1, "six at once from one student: the rest wait their turn"


def test_serve_stops_at_once_and_quietly_while_the_class_waits_on_it() -> None:
    """Ctrl+C with the class view's and a student's long polls open: the lab answers them and
    stops, with no error on the projected console."""
    import select
    import signal

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert serve.stdout is not None
    printed = b""
    while b"Try:" not in printed:
        assert select.select([serve.stdout], [], [], 20)[0], printed
        printed += os.read(serve.stdout.fileno(), 65536)
    url = f"http://127.0.0.1:{port}"
    card = read_card()
    assert card is not None
    seat = httpx.post(f"{url}/class/join", json={"name": "ada"}).json()["seat"]
    polls = [
        subprocess.Popen(["curl", "-s", "-m", "30", "-H", header, f"{url}{path}"])
        for header, path in (
            (f"Authorization: Bearer {card.key}", "/teacher/class?since=999&wait=25"),
            (f"Authorization: Seat {seat}", "/class/feed?after=0&wait=25"),
        )
    ]
    time.sleep(0.5)
    started = time.monotonic()
    serve.send_signal(signal.SIGINT)
    rest, _ = serve.communicate(timeout=10)
    took = time.monotonic() - started
    for poll in polls:
        poll.wait(timeout=10)
    said = (printed + rest).decode()
    assert took < 2.0, f"{took:.1f} s to stop"
    assert "lab error" not in said and said.rstrip().endswith("Lab stopped."), said


def test_names_with_a_seat_outlive_a_restart_within_a_class_but_not_into_the_next(
    tmp_path: Path,
) -> None:
    from tutor.lab.seats import KEPT_FOR, Seats, Taken

    kept = tmp_path / "class-names.json"
    key = Seats(path=kept).join("ada", "127.0.0.2")
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert key not in kept.read_text(), "only a digest of the key is kept"

    restarted = Seats(path=kept)  # the same class, a minute later
    with pytest.raises(Taken, match="has joined this lab from another tutor"):
        restarted.join("ada", "127.0.0.3")
    assert restarted.join("ada", "127.0.0.4", key) == key, "her tutor, on a new address"

    last_week = time.time() - KEPT_FOR - 60
    os.utime(kept, (last_week, last_week))
    next_class = Seats(path=kept)
    assert next_class.names() == []
    assert next_class.join("ada", "127.0.0.9") != key, "a school computer that forgot its key"
