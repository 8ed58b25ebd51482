# ruff: noqa: E501  (one-line docstrings that say the whole attack)
"""A second red team against the class (issue 14), beyond tests/test_class_attacks.py and
tests/test_classroom_attacks.py: a real `serve` on a free port, students on other loopback
addresses. Each test asserts the defence that should hold, so an attack that works fails it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

import httpx

from tests.test_class_attacks import Serve, computer, serve, timed


def seat(key: str) -> dict[str, str]:
    return {"authorization": f"Seat {key}"}


def join(client: httpx.Client, name: str, **more: str) -> str:
    answer = client.post("/class/join", json={"name": name, **more})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["seat"])


def plain_items(sheet: dict[str, object]) -> list[dict[str, object]]:
    """The questions of a sheet that run nothing on the lab (no prediction)."""
    return [item for item in sheet["items"] if item["kind"] != "predict"]  # type: ignore[union-attr,index]


def answer_of(item: dict[str, object]) -> dict[str, object]:
    return {"number": item["number"], "question": item["question"], "chosen": item["choices"][:1]}  # type: ignore[index]


# 1. Seats: names, keys and claim codes.


def test_after_a_restart_eve_cannot_take_ada_s_name_and_her_kept_exam(tmp_path: Path) -> None:
    """After `serve` restarts, eve joining first as ada must not read ada's kept sheet nor lock her out."""
    exam = ("--exam-seed", "42", "--exam-count", "4")
    with serve(tmp_path, *exam) as lab, computer(lab.url, "127.0.0.3") as ada:
        ada_key = join(ada, "ada")
        sheet = ada.get("/class/exam", headers=seat(ada_key)).json()
        first = plain_items(sheet)[0]
        assert (
            ada.post("/class/exam/answer", json=answer_of(first), headers=seat(ada_key)).status_code
            == 200
        )
    chosen_by_eve = "e" * 40
    with (
        serve(tmp_path, *exam) as lab,
        computer(lab.url, "127.0.0.2") as eve,
        computer(lab.url, "127.0.0.3") as ada,
    ):
        taken = eve.post("/class/join", json={"name": "ada", "seat": chosen_by_eve})
        read = eve.get("/class/exam", headers=seat(chosen_by_eve))
        back = ada.post("/class/join", json={"name": "ada", "seat": ada_key})
    seen = read.json().get("answers") if read.status_code == 200 else None
    assert back.status_code == 200 and not seen, (
        f"after a restart eve joined as ada ({taken.status_code}), read ada's kept sheet "
        f"({read.status_code}, answers {seen}), and ada's own key now gets {back.status_code} "
        f"{back.json().get('error')!r}"
    )


def test_a_classmate_on_ada_s_address_cannot_join_as_ada_and_read_her_curl_chains(
    tmp_path: Path,
) -> None:
    """ada used only curl; eve behind the same NAT joins as ada: she must not read ada's past chains."""
    secret = "Basic YWRhOmhvcnNlLWJhdHRlcnk="
    with (
        serve(tmp_path) as lab,
        computer(lab.url, "127.0.0.5") as ada,
        computer(lab.url, "127.0.0.5") as eve,
    ):
        sent = ada.post("/s/ada/redirect/307", content=b"a=1", headers={"authorization": secret})
        assert sent.status_code == 307
        taken = eve.post("/class/join", json={"name": "ada"})
        leaked = ""
        if taken.status_code == 200:
            for _ in range(20):
                leaked = eve.get(
                    "/class/attempts", params={"route": "/redirect/307"},
                    headers=seat(taken.json()["seat"]),
                ).text  # fmt: skip
                if secret[6:] in leaked:
                    break
                time.sleep(0.05)
    assert secret[6:] not in leaked, (
        f"eve joined as ada from ada's address ({taken.status_code}) and read the password ada "
        "sent with curl before any tutor joined"
    )


def test_a_non_ascii_claim_code_or_seat_key_gets_a_403_not_a_crash(tmp_path: Path) -> None:
    """hmac.compare_digest refuses non-ASCII text: a code or key like "ÄÄÄÄÄÄ" must get a refusal."""
    with (
        serve(tmp_path) as lab,
        computer(lab.url, "127.0.0.3") as ada,
        computer(lab.url, "127.0.0.4") as bob,
        computer(lab.url, "127.0.0.2") as eve,
    ):
        join(ada, "ada")
        join(bob, "bob")
        freed = httpx.post(f"{lab.url}/teacher/free", json={"name": "ada"}, headers=lab.teacher)
        assert freed.json()["freed"] is True
        code = eve.post("/class/join", json={"name": "ada", "code": "ÄÄÄÄÄÄ"})
        key = eve.post("/class/join", json={"name": "bob", "seat": "é" * 32})
        time.sleep(0.2)
        printed = lab.printed
    refused = (400, 403)  # a sentence, never a 500
    assert code.status_code in refused and key.status_code in refused, (code.text, key.text)
    assert "Traceback" not in printed and "lab error" not in printed, (
        f"a non-ASCII code got {code.status_code}, a non-ASCII seat key {key.status_code}; the "
        f"teacher's console shows: {printed[-600:]!r}"
    )


def test_wrong_claim_codes_from_one_computer_are_slowed_down(tmp_path: Path) -> None:
    """A code is 6 of 32 letters (30 bits): guessing it must be throttled, not answered at full speed."""
    with serve(tmp_path) as lab, computer(lab.url, "127.0.0.3") as ada:
        join(ada, "ada")
        freed = httpx.post(f"{lab.url}/teacher/free", json={"name": "ada"}, headers=lab.teacher)
        right = freed.json()["code"]
        statuses: list[int] = []
        with computer(lab.url, "127.0.0.2") as eve:
            started = time.monotonic()
            for guess in range(400):
                code = f"{guess:06d}".translate(str.maketrans("0123456789", "ABCDEFGHJK"))
                if code == right:
                    continue
                statuses.append(
                    eve.post("/class/join", json={"name": "ada", "code": code}).status_code
                )
            seconds = time.monotonic() - started
    rate = len(statuses) / seconds
    assert 429 in statuses, (
        f"{len(statuses)} wrong codes in {seconds:.1f} s ({rate:.0f}/s on one connection), "
        f"all {sorted(set(statuses))}: none throttled; one connection for a 40-minute class "
        f"tries about {rate * 2400 / 2**30:.1%} of the code space"
    )


# 2. The exam: when it ends, and the teacher's threads.


def _set_exam(lab: Serve, **settings: int) -> None:
    answer = httpx.post(f"{lab.url}/teacher/exam", json=settings, headers=lab.teacher)
    assert answer.status_code == 200, answer.text


def test_a_restart_does_not_end_a_timed_exam_before_students_who_joined_began_it(
    tmp_path: Path,
) -> None:
    """The seats are forgotten at a restart: eve, whose time is up, must not end the exam for ada."""
    settings = {"seed": 42, "count": 3, "time": 1}
    with (
        serve(tmp_path) as lab,
        computer(lab.url, "127.0.0.3") as ada,
        computer(lab.url, "127.0.0.2") as eve,
    ):
        _set_exam(lab, **settings)
        ada_key, eve_key = join(ada, "ada"), join(eve, "eve")
        eve.get("/class/exam", headers=seat(eve_key))
        time.sleep(1.2)
        before = eve.get("/class/exam", headers=seat(eve_key)).json()["over"]
    assert before is None  # ada joined and has not begun: not over, as exam.py says
    with (
        serve(tmp_path) as lab,
        computer(lab.url, "127.0.0.3") as ada,
        computer(lab.url, "127.0.0.2") as eve,
    ):
        _set_exam(lab, **settings)
        join(eve, "eve", seat=eve_key)
        after = eve.get("/class/exam", headers=seat(eve_key)).json()
        join(ada, "ada", seat=ada_key)
        hers = ada.get("/class/exam", headers=seat(ada_key)).json()
    assert hers["over"] is None, (
        f"after a restart eve read her sheet first: the exam is over ({after['over']!r}, eve's "
        f"score shown: {after['score']}), and ada, who joined before it, can no longer begin it"
    )


def test_reading_a_sheet_again_does_not_wake_the_whole_class(tmp_path: Path) -> None:
    """Each GET /class/exam bumps the beacon: 200 reads of an unchanged sheet must not be 200 changes."""
    with serve(tmp_path, "--exam-seed", "42", "--exam-count", "3") as lab:
        with computer(lab.url, "127.0.0.2") as eve:
            key = join(eve, "eve")
            eve.get("/class/exam", headers=seat(key))
            version = httpx.get(f"{lab.url}/teacher/class", headers=lab.teacher).json()["version"]
            for _ in range(200):
                eve.get("/class/exam", headers=seat(key))
            for _ in range(100):
                eve.post("/class/join", json={"name": "eve", "seat": key})
        moved = httpx.get(f"{lab.url}/teacher/class", headers=lab.teacher).json()["version"]
    assert moved - version < 10, (
        f"eve read her own sheet 200 times and joined again 100 times, nothing changed, and the "
        f"class's version moved by {moved - version}: every long poll of the class (each "
        "student's feed, the teacher's view) woke and fetched again each time"
    )


def test_many_names_running_predictions_do_not_starve_a_classmate_s_exam(tmp_path: Path) -> None:
    """One computer's 48 names each answering predictions (a client run each) must not hold ada's exam past her tutor's 5 s."""
    from tutor.classroom.student import TIMEOUT

    stop = threading.Event()
    with serve(tmp_path) as lab:
        _set_exam(lab, seed=42, count=133)

        def flood(name: str) -> None:
            with suppress(httpx.HTTPError), computer(lab.url, "127.0.0.2", timeout=60) as eve:
                key = join(eve, name)
                sheet = eve.get("/class/exam", headers=seat(key)).json()
                for item in sheet["items"]:
                    if stop.is_set():
                        return
                    if item["kind"] == "predict":
                        eve.post("/class/exam/answer", json=answer_of(item), headers=seat(key))

        eves = [threading.Thread(target=flood, args=(f"eve{n}",), daemon=True) for n in range(48)]
        for thread in eves:
            thread.start()
        time.sleep(2)
        with computer(lab.url, "127.0.0.3", timeout=TIMEOUT) as ada:
            key = join(ada, "ada")
            opened = timed(lambda: ada.get("/class/exam", headers=seat(key)))
        stop.set()
    assert opened[1] == 200, (
        f"with eve's 48 names running predictions, ada's first look at her sheet: {opened[1]} "
        f"after {opened[0]:.1f} s (her tutor gives up after {TIMEOUT:g} s; her clock runs on)"
    )


# 3. Connections and the student's own disk.


def test_one_seat_s_long_polls_do_not_take_every_connection_of_a_shared_address(
    tmp_path: Path,
) -> None:
    """eve's 64 feed polls (25 s each, no head to time out) must leave ada, behind the same NAT, room to join."""
    with serve(tmp_path) as lab:
        with computer(lab.url, "127.0.0.6") as eve:
            key = join(eve, "eve")
        polls = []
        request = (
            f"GET /class/feed?after=4611686018427387904&wait=25 HTTP/1.1\r\n"
            f"host: 127.0.0.1\r\nauthorization: Seat {key}\r\n\r\n"
        ).encode()
        try:
            for _ in range(64):
                poll = socket.create_connection(
                    ("127.0.0.1", lab.port), source_address=("127.0.0.6", 0)
                )
                poll.sendall(request)
                polls.append(poll)
            time.sleep(0.5)
            with computer(lab.url, "127.0.0.6") as ada:
                joined = ada.post("/class/join", json={"name": "ada"})
        finally:
            for poll in polls:
                poll.close()
    assert joined.status_code == 200, (
        f"eve held 64 long polls of her own feed; ada on the same address got "
        f"{joined.status_code} {joined.text.strip()[:120]!r}"
    )


def test_a_seat_file_planted_as_a_link_to_a_fifo_does_not_receive_the_keys(
    tmp_path: Path,
) -> None:
    """class-seats.json linked to eve's FIFO: a joined tutor must neither hang on it nor write its keys into it."""
    student, teacher = tmp_path / "student", tmp_path / "teacher"
    student.mkdir()
    teacher.mkdir()
    fifo = tmp_path / "eve-fifo"
    os.mkfifo(fifo)
    (student / "class-seats.json").symlink_to(fifo)
    got: list[bytes] = []

    def eve() -> None:  # feeds "{}" to the tutor's two reads, then reads what it writes
        for _ in range(2):
            with open(fifo, "wb") as pipe:
                pipe.write(b"{}")
        with open(fifo, "rb") as pipe:
            got.append(pipe.read())

    threading.Thread(target=eve, daemon=True).start()
    with serve(teacher) as lab:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "tutor", "try", "307", "--client", "httpx", "--json",
                 "--join", lab.url, "--name", "ada"],
                capture_output=True, timeout=8,
                env={**os.environ, "REDIRECT_TUTOR_HOME": str(student)},
            )  # fmt: skip
            status: int | str = done.returncode
        except subprocess.TimeoutExpired:
            status = "hung"
        time.sleep(0.2)
    leaked = b"".join(got)
    assert status == 0 and b"ada" not in leaked, (
        f"the joined tutor: {status}; eve's FIFO received {leaked[:120]!r}"
    )
