"""A restart of `serve` within a class (Ctrl+C, then `serve` again with the same options): the
class carries on. Students who come back keep their rows, their exercises and their exam
answers; a tutor left open rejoins by itself, and says so plainly when the lab will not have it."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tutor.classroom.student import Join
from tutor.experiments.spec import ExperimentSpec
from tutor.session.factory import make_session
from tutor.session.lab import LabUnavailable

KEEP = "found-302/your-turn-keep-the-post"
"""Bring-your-own: a POST through a 302 that arrives a POST (curl --post302)."""
EXAM = ["--exam-seed", "7", "--exam-count", "3"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    """`redirect-tutor serve --port PORT` with an exam, its data folder `home`, once it answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--port", str(port), *EXAM],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "REDIRECT_TUTOR_HOME": str(home)},
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            card = json.loads((home / "class-lab.json").read_text())
            if card["pid"] == process.pid:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                return process
        except (httpx.HTTPError, OSError, ValueError, KeyError):
            pass
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)


def ctrl_c(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=15)


def computer(url: str, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=url, transport=transport, timeout=10)


def export(home: Path, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor", "class", "--export", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "REDIRECT_TUTOR_HOME": str(home)},
        check=False,
    )


@pytest.mark.usefixtures("learner_home")
def test_a_restarted_serve_keeps_the_class_and_its_tutors(tmp_path: Path) -> None:
    home, port = tmp_path / "teacher", free_port()
    home.mkdir()
    url = f"http://127.0.0.1:{port}"
    serve = start_serve(home, port)
    session = make_session(join=Join(url, "ada"))
    try:
        session.lab.start()
        assert session.lab.notice is None, session.lab.notice
        subprocess.run(  # ada meets the exercise with curl, from her tutor's computer
            [
                "curl",
                "-sS",
                "-L",
                "--post302",
                "-d",
                "a=1",
                "-o",
                os.devnull,
                f"{url}/s/ada/redirect/302",
            ],
            check=True,
            timeout=30,
        )
        bob = computer(url, "127.0.0.2")
        seat = {
            "authorization": f"Seat {bob.post('/class/join', json={'name': 'bob'}).json()['seat']}"
        }
        sheet = bob.get("/class/exam", headers=seat).json()
        first = sheet["items"][0]
        answer = {"number": 1, "question": first["question"], "chosen": first["choices"][:1]}
        assert bob.post("/class/exam/answer", json=answer, headers=seat).status_code == 200
        time.sleep(1.5)  # the ledger writes itself a moment after a change

        ctrl_c(serve)
        with pytest.raises(LabUnavailable, match="The class lab does not answer"):
            session.lab.run(ExperimentSpec(code=307, client="httpx"))
        serve = start_serve(home, port)  # the same options: the exam carries on

        outcome = session.lab.run(ExperimentSpec(code=307, client="httpx"))
        assert [hop.status for hop in outcome.hops] == [307, 200], "ada's tutor rejoined"
        moved = computer(url, "127.0.0.3")  # bob's laptop, on a new address after the restart
        assert moved.get("/s/bob/redirect/302").status_code == 403
        assert moved.get("/class/exam", headers=seat).json()["answered"] == 1
        assert moved.get("/s/bob/redirect/302").status_code == 302, "his key took his name there"

        done = export(home, tmp_path / "class.csv")
        assert done.returncode == 0, done.stderr
        assert re.fullmatch(r"Wrote 2 students x \d+ exercises to .*\.\n", done.stdout)
        assert stat.S_IMODE((tmp_path / "class.csv").stat().st_mode) == 0o600, "every answer"
        assert stat.S_IMODE((home / "class-exams").stat().st_mode) == 0o700
        rows = {row["name"]: row for row in csv.DictReader((tmp_path / "class.csv").open())}
        assert rows["ada"][f"{KEEP} met"] == "yes", rows["ada"]
        assert rows["bob"]["exam score"] or rows["bob"]["exam answers"], rows["bob"]

        ctrl_c(serve)
        with pytest.raises(LabUnavailable):
            session.lab.run(ExperimentSpec(code=307, client="httpx"))
        serve = start_serve(home, port)
        key = json.loads((home / "class-lab.json").read_text())["key"]
        teacher = {"authorization": f"Bearer {key}"}
        httpx.post(f"{url}/teacher/free", json={"name": "ada"}, headers=teacher, timeout=10)
        with pytest.raises(
            LabUnavailable, match="The class lab no longer takes you as ada: The teacher freed"
        ):
            session.lab.run(ExperimentSpec(code=307, client="httpx"))
    finally:
        session.close()
        ctrl_c(serve)
