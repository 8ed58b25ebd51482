"""`class --export`, end to end: a real class lab, students on curl and on the tutor's own code
path meeting and missing exercises, and the table `redirect-tutor class` writes as a subprocess,
finding the lab by itself (the key card) or told where it is."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tutor.classroom.key import LabCard, write_card
from tutor.classroom.routes import Classroom
from tutor.classroom.student import Join
from tutor.classroom.teacher import Access, TeacherLink
from tutor.course import Course
from tutor.course.exercises import Answer, Configure
from tutor.course.loader import load_course
from tutor.lab.journal import Journal
from tutor.lab.server import LabServer
from tutor.session.factory import make_session

TUTOR = [sys.executable, "-m", "tutor"]
KEY = "teacher-key-" + "k" * 32
KEEP = "found-302/your-turn-keep-the-post"
"""Bring-your-own: a POST through a 302 that arrives a POST (curl --post302)."""
SAME = "temporary-redirect-307/same-request-again"
"""Bring-your-own: a POST through a 307, body intact (plain curl -L -d)."""
CHECKOUT = "choosing-a-code/your-turn-checkout-moves"
"""Configure: httpx's POST kept through a temporary move (307)."""


@contextmanager
def class_lab(course: Course) -> Iterator[tuple[LabServer, Classroom]]:
    """The lab as `serve` runs it for a class: the classroom beside it, the key card written
    in the data folder (REDIRECT_TUTOR_HOME, a fresh one per test)."""
    journal = Journal()
    room = Classroom(course, journal, KEY)
    with LabServer(journal=journal, annex=room) as lab:
        room.lab_url = lab.url
        write_card(LabCard(lab.url, KEY, os.getpid()))
        try:
            yield lab, room
        finally:
            room.close()


def curl(lab: LabServer, name: str, code: int, *options: str) -> None:
    """A curl-only student: a POST of a=1 to their own prefix, following redirects."""
    url = f"{lab.url}/s/{name}/redirect/{code}"
    subprocess.run(
        ["curl", "-sS", "-L", "-d", "a=1", "-o", os.devnull, *options, url],
        check=True,
        timeout=30,
    )


def tutor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TUTOR, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _exercise(course: Course, exercise_id: str) -> object:
    lesson_id, step_id = exercise_id.split("/")
    lesson = course.lesson(lesson_id)
    assert lesson is not None
    return next(step.exercise for step in lesson.steps if step.id == step_id)


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course()


@pytest.fixture
def lab(course: Course) -> Iterator[LabServer]:
    """A class of five: ada meets the 302 exercise at her second try, bob misses it, cy meets
    the 307 one, -eve (a name a spreadsheet would take for a formula) misses the 302 one, and
    dee's tutor, joined to the class, misses then meets the configure exercise."""
    with class_lab(course) as (server, room):
        curl(server, "ada", 302)  # followed as a GET: missed
        curl(server, "ada", 302, "--post302")  # kept a POST: met
        curl(server, "bob", 302)
        curl(server, "cy", 307)
        curl(server, "-eve", 302, "-X", "POST")  # POST kept, body dropped
        session = make_session(join=Join(server.url, "dee"))
        try:
            session.lab.start()
            assert session.lab.notice is None, session.lab.notice
            exercise = _exercise(course, CHECKOUT)
            assert isinstance(exercise, Configure)
            wrong = session.check_answer(exercise, Answer(code=302), exercise_id=CHECKOUT)
            right = session.check_answer(exercise, exercise.answer, exercise_id=CHECKOUT)
            assert (wrong.met, right.met) == (False, True)
        finally:
            session.close()
        room.ledger.settle()
        yield server


def test_the_csv_has_each_students_exercises_as_the_lab_judged_them(
    lab: LabServer, tmp_path: Path
) -> None:
    out = tmp_path / "class.csv"
    done = tutor("class", "--export", str(out))
    assert done.returncode == 0, done.stderr
    assert "Wrote 5 students x 3 exercises" in done.stdout
    with out.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        header = reader.fieldnames
        rows = {row["name"]: row for row in reader}
    assert header == [
        "name",
        *(f"{e} {part}" for e in (KEEP, SAME, CHECKOUT) for part in ("met", "attempts")),
        "latest verdict",
        "exam score",
        "exam graded",
        "exam answers",
    ]
    assert list(rows) == ["'-eve", "ada", "bob", "cy", "dee"]  # by name; -eve not a formula
    met = {
        name: tuple((row[f"{e} met"], row[f"{e} attempts"]) for e in (KEEP, SAME, CHECKOUT))
        for name, row in rows.items()
    }
    assert met == {
        "'-eve": (("no", "1"), ("no", "0"), ("no", "0")),
        "ada": (("yes", "2"), ("no", "0"), ("no", "0")),
        "bob": (("no", "1"), ("no", "0"), ("no", "0")),
        "cy": (("no", "0"), ("yes", "1"), ("no", "0")),
        "dee": (("no", "0"), ("no", "0"), ("yes", "2")),
    }
    assert rows["bob"]["latest verdict"] == "POST became GET, body dropped"
    assert rows["'-eve"]["latest verdict"] == "POST kept, but the body was dropped"
    assert rows["ada"]["latest verdict"] == "POST kept, body intact (3 bytes)"
    assert rows["ada"]["exam score"] == rows["ada"]["exam answers"] == ""  # no exam set


def test_the_json_has_the_same_table(lab: LabServer, tmp_path: Path) -> None:
    out = tmp_path / "class.json"
    done = tutor("class", "--export", str(out), "--lesson", "choosing-a-code")
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["lab"] == lab.url
    assert [e["id"] for e in document["exercises"]] == [CHECKOUT]
    assert document["exam"] is None
    students = {s["name"]: s for s in document["students"]}
    assert students["dee"]["exercises"] == {CHECKOUT: {"met": True, "attempts": 2}}
    assert students["ada"]["exercises"] == {CHECKOUT: {"met": False, "attempts": 0}}
    assert students["-eve"]["name"] == "-eve"  # JSON is no spreadsheet: the name as it is


def test_from_another_machine_with_the_lab_and_its_key(
    lab: LabServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIRECT_TUTOR_HOME", str(tmp_path / "elsewhere"))  # no card here
    out = tmp_path / "class.csv"
    done = tutor("class", "--lab", lab.url, "--key", KEY, "--export", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().count(b"\r\n") == 1 + 5  # RFC 4180 lines: a header, 5 students


def test_the_teacher_key_is_required(lab: LabServer, tmp_path: Path) -> None:
    out = tmp_path / "class.csv"
    done = tutor("class", "--lab", lab.url, "--key", "not-the-key", "--export", str(out))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: The class lab at {lab.url} refused the teacher key: use the key that lab's "
        "`serve` kept (in class-lab.json in its data folder), or run `class` on the machine "
        "that runs it."
    )
    assert not out.exists()


def test_no_lab_running_here_is_one_sentence(tmp_path: Path) -> None:
    done = tutor("class", "--export", str(tmp_path / "class.csv"))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: No class lab is running here: start one with `redirect-tutor serve --host "
        "0.0.0.0`, or reach another machine's with --lab URL --key KEY."
    )


def test_a_card_left_by_a_lab_that_stopped_is_no_lab(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    write_card(LabCard("http://127.0.0.1:9", KEY, int(gone.stdout)))
    done = tutor("class", "--export", str(tmp_path / "class.csv"))
    assert done.returncode == 1
    assert "No class lab is running here" in done.stderr


def test_a_lab_that_does_not_answer_is_one_sentence(tmp_path: Path) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    done = tutor("class", "--lab", url, "--key", KEY, "--export", str(tmp_path / "c.csv"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: The class lab at {url} cannot be reached (")
    assert done.stderr.rstrip().endswith("is `redirect-tutor serve` still running there?")
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--lesson", "no-such-lesson"], "The lesson 'no-such-lesson' is not in its course"),
        (["--lesson", "what-is-a-redirect"], "The lesson 'what-is-a-redirect' has no exercise"),
    ],
)
def test_a_lesson_the_lab_cannot_show(
    lab: LabServer, tmp_path: Path, args: list[str], said: str
) -> None:
    done = tutor("class", *args, "--export", str(tmp_path / "class.csv"))
    assert done.returncode == 1
    assert said in done.stderr
    assert "lessons with exercises: found-302, temporary-redirect-307, choosing-a-code." in (
        done.stderr
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--export", "class.txt"], "the file's name ends in .csv or .json"),
        (["--lab", "http://127.0.0.1:1"], "--lab and --key go together"),
        (["--key", "k e y"], "a teacher key is letters, digits, - and _"),
        (["--lab", "http://127.0.0.1:1/teacher", "--key", "k"], "give the lab's URL alone"),
    ],
)
def test_usage_mistakes_are_one_sentence(args: list[str], said: str) -> None:
    done = tutor("class", *args)
    assert done.returncode == 2
    assert said in done.stderr
    assert "Traceback" not in done.stderr


def test_without_a_terminal_the_view_says_what_to_use(lab: LabServer) -> None:
    done = tutor("class")
    assert done.returncode == 2
    assert "needs a terminal" in done.stderr


def test_the_file_is_written_whole_or_not_at_all(lab: LabServer, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "class.csv"
    done = tutor("class", "--export", str(missing))
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: Cannot write {missing}: ")
    assert list(tmp_path.iterdir()) == []


def test_the_exam_set_from_the_class_is_in_the_table(lab: LabServer, tmp_path: Path) -> None:
    """The teacher sets the exam through the teacher's link; ada answers two questions on the
    lab (her seat key, as her tutor would); the export has the lab's score and her answers."""

    async def set_exam() -> str:
        async with TeacherLink(Access(lab.url, KEY)) as link:
            return (await link.set_exam(seed=42, count=3, time=None)).describe()

    assert asyncio.run(set_exam()) == "seed 42, 3 questions, no time limit"
    with httpx.Client(base_url=lab.url, timeout=30) as ada:
        seat = ada.post("/class/join", json={"name": "ada"}).json()["seat"]
        headers = {"authorization": f"Seat {seat}"}
        items = ada.get("/class/exam", headers=headers).json()["items"][:2]
        for item in items:
            answer = {"number": item["number"], "question": item["question"]}
            sent = ada.post(
                "/class/exam/answer",
                headers=headers,
                json={**answer, "chosen": item["choices"][:1]},
            )
            assert sent.status_code == 200, sent.text
    out = tmp_path / "class.csv"
    assert tutor("class", "--export", str(out)).returncode == 0
    with out.open(newline="", encoding="utf-8") as file:
        rows = {row["name"]: row for row in csv.DictReader(file)}
    document = tmp_path / "class.json"
    assert tutor("class", "--export", str(document)).returncode == 0
    students = json.loads(document.read_text(encoding="utf-8"))["students"]
    exam = next(s["exam"] for s in students if s["name"] == "ada")
    assert exam["answered"] == 2 and exam["questions"] == 3
    assert rows["ada"]["exam score"] == str(exam["score"])
    assert rows["ada"]["exam graded"] == str(exam["graded"])
    assert rows["ada"]["exam answers"] == ";".join(
        f"{item['number']}:{item['choices'][0]}" for item in items
    )
    assert rows["bob"]["exam score"] == "", "bob has not begun the exam"
