"""The exam the teacher sets on a real lab: students take it with the tutor's own code path (the
plain quiz as a process, the session in-process, the TUI with Pilot); the lab grades every answer,
a prediction live, and shows no grade until the exam is over for the class (the teacher ends it,
or every joined student's time is up); nobody counts an answer twice, answers late, for someone
else, or by editing a file; a restarted lab with the same settings keeps every answer, and an exam
that was over stays over."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pilot import SIZE, settle
from test_quiz_plain import QUIZ_FIXTURES, env
from textual.pilot import Pilot
from textual.widgets import Static

from tutor.classroom.exam import (
    SECRET_FILE,
    Exam,
    ExamError,
    drawing_seed,
    lab_secret,
)
from tutor.classroom.exam_client import ClassExam
from tutor.classroom.routes import Classroom
from tutor.classroom.student import ClassLink, Join
from tutor.course.loader import load_paths
from tutor.lab.journal import Journal
from tutor.lab.server import LabServer
from tutor.progress.location import HOME_VARIABLE
from tutor.progress.record import open_record
from tutor.quiz.draw import draw
from tutor.quiz.feedback import GRADES_LATER, RECORDED
from tutor.quiz.plan import Plan
from tutor.quiz.session import TimeUp, Withheld
from tutor.session.factory import make_session
from tutor.session.study import StudySession
from tutor.ui.app import build_app
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.widgets.quiz.choices import ChoiceList

COURSE = load_paths([QUIZ_FIXTURES])
"""The teacher's course: the fixture bank, one question of every kind, two of them predictions."""
KEY = "k" * 43
RIGHT = {
    "single-307": ["stays-post"],
    "multiple-keep": ["c307", "c308"],
    "truefalse-303": ["true"],
    "predict-307": ["post-intact"],
    "predict-303": ["get-nobody"],
}
"""The fixture's questions answered right (the predictions: what httpx really does)."""
WRONG = {**RIGHT, "single-307": ["becomes-get"], "predict-303": ["post-intact"]}
"""Two of them wrong."""
SETTINGS = {"seed": 42, "count": 5, "time": None}


class Teacher:
    """`serve` with the fixture course and an exam: the real lab, its class routes, the exam."""

    def __init__(self, settings: dict[str, Any] = SETTINGS, port: int = 0) -> None:
        self.journal = Journal()
        self.exam = Exam.set(COURSE, self.journal, settings)
        self.room = Classroom(COURSE, self.journal, KEY, self.exam)
        self.lab = LabServer(port=port, journal=self.journal, annex=self.room).start()
        self.room.lab_url = self.lab.url
        self.url = self.lab.url

    def stop(self) -> None:
        self.lab.stop()
        self.room.close()

    def result(self, name: str) -> dict[str, Any]:
        return self.exam.results()[name]

    def end(self) -> httpx.Response:
        """The teacher ends the exam, as the class view's `E` does."""
        headers = {"authorization": f"Bearer {KEY}"}
        return httpx.post(f"{self.url}/teacher/exam/end", headers=headers, timeout=30)

    def numbers(self, answers: dict[str, list[str]], first: int = 1) -> str:
        """The lines a student types for `answers`, from question `first` on: each choice by
        the number the exam shows it under."""
        lines = []
        for item in self.exam.items[first - 1 :]:
            shown = [choice.id for choice in item.choices]
            lines.append(",".join(str(shown.index(id_) + 1) for id_ in answers[item.key]))
        return "".join(line + "\n" for line in lines)


@contextmanager
def teacher(settings: dict[str, Any] = SETTINGS) -> Iterator[Teacher]:
    lab = Teacher(settings)
    try:
        yield lab
    finally:
        lab.stop()


def student(url: str, name: str, *args: str) -> list[str]:
    """The plain quiz on the class lab, as a student types it."""
    return [
        sys.executable, "-m", "tutor", "--lessons", str(QUIZ_FIXTURES),
        "quiz", "--plain", "--join", url, "--name", name, *args,
    ]  # fmt: skip


def take(home: Path, url: str, name: str, typed: str, *args: str) -> subprocess.CompletedProcess:
    """The plain quiz with all of `typed` piped in at once, to its end."""
    run = Typing(home, url, name, *args)
    run.type(typed)
    return run.end()


class Typing:
    """A student's plain quiz as a process, typed into line by line and read as it prints."""

    def __init__(self, home: Path, url: str, name: str, *args: str) -> None:
        self.process = subprocess.Popen(
            student(url, name, *args),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env(home),
        )
        self.out = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        while chunk := os.read(self.process.stdout.fileno(), 4096):
            self.out += chunk

    def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + 60
        while text.encode() not in self.out:
            assert time.monotonic() < deadline, f"never printed {text!r}:\n{self.out.decode()}"
            time.sleep(0.05)

    def type(self, *lines: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("".join(lines).encode())
        self.process.stdin.flush()

    def end(self) -> subprocess.CompletedProcess:
        """End the input and wait for the end: the exit status, stdout, stderr."""
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        status = self.process.wait(timeout=120)
        err = self.process.stderr.read().decode()
        self._reader.join(timeout=10)
        return subprocess.CompletedProcess(self.process.args, status, self.out.decode(), err)


def joined(url: str, name: str) -> StudySession:
    """A student's session in-process, joined to the class, its course and record open."""
    session = make_session([QUIZ_FIXTURES], join=Join(url, name))
    session.lab.start()
    assert session.lab.joined is not None, session.lab.notice
    session.load_course()
    session.open_record()
    return session


def seat(url: str, name: str, home: Path | None = None) -> ClassLink:
    """A link joined as `name`; as the student's own tutor (the seat key kept in `home`)."""
    link = ClassLink(Join(url, name))
    moved = os.environ.get(HOME_VARIABLE)
    if home is not None:
        os.environ[HOME_VARIABLE] = str(home)
    try:
        link.join()
    finally:
        if moved is not None:
            os.environ[HOME_VARIABLE] = moved
    return link


def post(url: str, path: str, body: object, seat_key: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Seat {seat_key}"} if seat_key else {}
    return httpx.post(f"{url}{path}", json=body, headers=headers, timeout=30)


# 1. The lab's exam, taken by two students' tutors, graded by the lab, shown when it is over.


def test_two_students_take_the_exam_and_see_the_lab_s_grades_once_it_is_over(
    tmp_path: Path, learner_home: Path
) -> None:
    with teacher() as lab:
        results = {name: tmp_path / f"{name}.json" for name in ("ada", "grace")}
        runs = {
            name: Typing(tmp_path / name, lab.url, name, "--result", str(results[name]))
            for name in results
        }
        runs["ada"].type(lab.numbers(RIGHT))
        runs["grace"].type(lab.numbers(WRONG))
        said = {name: run.end() for name, run in runs.items()}
        for done in said.values():
            assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr

        # While the exam runs, each answer is only recorded: no grade, no score, no streak.
        out = said["ada"].stdout
        assert f"Exam: 5 questions graded by the class lab at {lab.url}." in out
        assert "seed" not in out, "nothing a student sees draws the exam at home"
        assert "Running the experiment live…" in out and out.count(RECORDED) == 5
        for graded in ("✓", "✗", "Score", "streak", "Quiz over", "To review", "POST /echo"):
            assert graded not in out, graded
        assert "Exam over for you: 5 of 5 answered." in out and GRADES_LATER in out

        # The lab graded them all (the teacher always sees it); the predictions ran there.
        assert [lab.result(n)["score"] for n in ("ada", "grace")] == [5, 3]
        assert lab.result("ada")["finished"] is not None and lab.result("ada")["graded"] == 5
        sheet = lab.exam.sheet("ada", lab.room.seats.names())
        assert sheet["over"] is None and sheet["score"] is None and sheet["graded"] is None
        assert {(a["right"], a["correct"], a["void"], a["outcome"]) for a in sheet["answers"]} == {
            (None, None, None, None)
        }, "a finished student's sheet grades nothing while the class's exam runs"

        # The students' copies say they hold no grades; their records have none yet.
        copy = json.loads(results["ada"].read_text())
        assert copy["withheld"] == 5 and "the one that counts" in copy["note"]
        assert {a["correct"] for a in copy["answers"]} == {None}
        assert "It holds no grades" in out
        assert open_record(tmp_path / "ada" / "progress.db").answers() == []

        # The teacher ends it: no answer is taken any more, and every sheet is graded.
        ended = lab.end()
        assert ended.status_code == 200 and ended.json()["exam"]["over"] == "teacher"
        assert lab.end().json()["exam"]["over"] == "teacher"  # ending twice changes nothing
        sheet = lab.exam.sheet("ada", lab.room.seats.names())
        assert sheet["score"] == 5 and sheet["left"] == 0
        for answer in sheet["answers"]:
            if answer["question"].startswith("predict-"):
                paths = [hop["path"] for hop in answer["outcome"]["hops"]]
                assert paths[0].startswith("/redirect/30") and paths[-1] == "/echo"
                assert lab.journal.chain(answer["outcome"]["hops"][0]["chain"])  # live, here

        # Drawn by the seed and the lab's secret: the seed alone draws another exam at home.
        def drawn(seed: int) -> list[tuple[str, list[str]]]:
            local = draw(COURSE, Plan(seed=seed, count=5), {}, 0.0, seed)
            return [(item.key, [c.id for c in item.choices]) for item in local]

        shown_items = [(i["question"], i["choices"]) for i in sheet["items"]]
        assert shown_items == drawn(drawing_seed(42, lab_secret())) != drawn(42)
        secret = learner_home / SECRET_FILE
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600

        # The same command again shows the lab's grades and the review; the record takes them
        # once, however often it is run; the copy holds the real grades.
        for _ in range(2):
            again = {
                name: take(tmp_path / name, lab.url, name, "", "--result", str(results[name]))
                for name in results
            }
            assert "Quiz over: 5 right of 5 graded (5/5 asked)." in again["ada"].stdout
            review = again["grace"].stdout
            assert (
                "Quiz over: 3 right of 5 graded (5/5 asked)." in review and "To review:" in review
            )
        copy = json.loads(results["grace"].read_text())
        assert copy["score"] == 3 and "withheld" not in copy
        assert [(a["question"], a["shown"]) for a in copy["answers"]] == [
            (i["question"], i["choices"]) for i in sheet["items"]
        ]
        answers = open_record(tmp_path / "ada" / "progress.db").answers()
        assert len(answers) == 5 and all(a.correct for a in answers)
        (session,) = {a.session for a in answers}
        assert session.startswith("class exam ada seed 42 begun ")

        # The teacher's class view shows each student's exam, and that it is over.
        view = httpx.get(
            f"{lab.url}/teacher/class", headers={"authorization": f"Bearer {KEY}"}
        ).json()
        scores = {row["name"]: row["exam"]["score"] for row in view["students"]}
        assert scores == {"ada": 5, "grace": 3}
        assert view["exam"] == {
            "seed": 42,
            "count": 5,
            "time": None,
            "questions": 5,
            "over": "teacher",
        }


def test_an_exam_over_takes_no_answer_and_no_latecomer(tmp_path: Path) -> None:
    with teacher() as lab:
        ada = seat(lab.url, "ada", tmp_path / "ada").seat
        first = lab.exam.items[0]
        answer = {"number": 1, "question": first.key, "chosen": RIGHT[first.key]}
        took = post(lab.url, "/class/exam/answer", answer, ada).json()
        assert (took["right"], took["correct"], took["score"], took["over"]) == (
            None,
            None,
            None,
            None,
        )
        assert lab.end().status_code == 200
        second = lab.exam.items[1]
        late = {"number": 2, "question": second.key, "chosen": RIGHT[second.key]}
        refused = post(lab.url, "/class/exam/answer", late, ada)
        assert refused.status_code == 400
        assert refused.json()["error"] == (
            "The exam is over (the teacher ended it), so this answer is not counted."
        )
        resent = post(lab.url, "/class/exam/answer", answer, ada).json()
        assert resent["again"] is True and resent["correct"] is True and resent["score"] == 1

        # A name that joins now cannot begin it (it could have read a classmate's grades).
        done = take(tmp_path / "hedy", lab.url, "hedy", "1\n")
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert done.stderr.strip() == (
            "The class's exam is over (the teacher ended it) and you had not begun it: the class "
            "lab takes no answer to it now."
        )
        assert "hedy" not in lab.exam.results()


# 2. Killed mid-exam, a student resumes; an answer is never counted twice.


def test_a_student_killed_mid_exam_resumes_where_they_were(tmp_path: Path) -> None:
    with teacher() as lab:
        run = Typing(tmp_path, lab.url, "ada")
        run.type(*lab.numbers(RIGHT).splitlines(keepends=True)[:2])
        deadline = time.monotonic() + 60
        while lab.exam.results().get("ada", {}).get("answered", 0) < 2:
            assert time.monotonic() < deadline, "the lab never counted two answers"
            time.sleep(0.05)
        run.process.send_signal(signal.SIGKILL)
        run.process.wait(timeout=10)

        again = take(tmp_path, lab.url, "ada", lab.numbers(RIGHT, first=3))
        assert again.returncode == 0, again.stderr
        assert "Resumed: 2 answered before.\n" in again.stdout
        assert "Question 1/5" not in again.stdout and "Question 3/5" in again.stdout
        assert again.stdout.count(RECORDED) == 3 and GRADES_LATER in again.stdout

        # Sent again (a reply lost on the way), even with another choice: the first one counts.
        link = seat(lab.url, "ada", tmp_path)
        first = lab.exam.items[0]
        other = next(c.id for c in first.choices if c.id not in RIGHT[first.key])
        kept = link.call(
            "POST", "/class/exam/answer", {"number": 1, "question": first.key, "chosen": [other]}
        )
        assert kept["again"] is True and kept["chosen"] == RIGHT[first.key]
        assert kept["correct"] is None, "sent again, an answer is still not graded for her"
        assert lab.result("ada")["score"] == 5 and lab.result("ada")["answered"] == 5

        # Once the teacher ends it, the same command shows the grades, each counted once.
        assert lab.end().status_code == 200
        shown = take(tmp_path, lab.url, "ada", "")
        assert "Resumed: 5 answered before (Score 5/5 · streak 5 (best 5))." in shown.stdout
        assert "Quiz over: 5 right of 5 graded (5/5 asked)." in shown.stdout
        assert len(open_record(tmp_path / "progress.db").answers()) == 5


# 3. Each student's clock starts at their first question; a late answer is not counted.


def test_the_time_limit_is_the_lab_s_and_the_grades_come_when_every_student_s_time_is_up() -> None:
    with teacher({"seed": 42, "count": 5, "time": 2}) as lab:
        assert lab.exam.describe() == "seed 42, 5 questions, 2 seconds each"
        grace = seat(lab.url, "grace")  # joined, not begun: the exam is not over for the class
        session = joined(lab.url, "ada")
        try:
            quiz, problem = session.quiz(Plan())
            assert quiz is not None, problem
            assert quiz.graded_by and quiz.deadline is not None and not quiz.scored
            item = quiz.current
            assert item is not None
            assert isinstance(quiz.answer(RIGHT[item.key]), Withheld)
            time.sleep(2.2)
            with pytest.raises(TimeUp):  # the tutor's own clock says so first
                quiz.answer(RIGHT[quiz.items[1].key])
            assert quiz.timed_out
            assert not quiz.settle(), "grace may still begin: ada's grade must wait"
            assert session.record is not None and session.record.answers() == []

            # A tutor that would not check: the lab refuses it, and counts nothing.
            link = seat(lab.url, "ada")
            assert session.course is not None
            exam = ClassExam.open(link, session.course)
            assert exam.left == 0 and exam.over is None
            assert [type(each) for each in exam.answered] == [Withheld]
            with pytest.raises(TimeUp, match="after the time limit"):
                exam.grade(exam.items[1], RIGHT[exam.items[1].key])
            assert lab.result("ada")["answered"] == 1 and lab.result("ada")["finished"]

            # Grace begins; once her time is up too, the exam is over for everyone.
            assert grace.call("GET", "/class/exam")["over"] is None
            time.sleep(2.2)
            assert quiz.settle() and quiz.score == 1 and quiz.grades[0].correct
            assert len(session.record.answers()) == 1
            assert ClassExam.open(link, session.course).over == "time"
            with pytest.raises(TimeUp, match="every student's time is up"):
                exam.grade(exam.items[1], RIGHT[exam.items[1].key])
        finally:
            session.close()


# 4. Malformed and forged answers: refused, nothing counted.


def test_malformed_and_forged_answers_are_refused(tmp_path: Path) -> None:
    with teacher() as lab:
        ada = seat(lab.url, "ada", tmp_path).seat  # as her own tutor
        grace = seat(lab.url, "grace").seat
        first = lab.exam.items[0]
        single = next(i for i in lab.exam.items if i.question.kind != "multiple")
        number = lab.exam.items.index(single) + 1
        two = [c.id for c in single.question.choices][:2]
        malformed: Sequence[object] = [
            {"number": 0, "question": first.key, "chosen": RIGHT[first.key]},
            {"number": 6, "question": first.key, "chosen": RIGHT[first.key]},
            {"number": "1", "question": first.key, "chosen": RIGHT[first.key]},
            {"number": True, "question": first.key, "chosen": RIGHT[first.key]},
            {"number": 1, "question": "another", "chosen": RIGHT[first.key]},
            {"number": 1, "question": first.key, "chosen": ["no-such-choice"]},
            {"number": 1, "question": first.key, "chosen": RIGHT[first.key][0]},
            {"number": 1, "question": first.key, "chosen": []},
            {"number": number, "question": single.key, "chosen": two},
        ]
        for body in malformed:
            answer = post(lab.url, "/class/exam/answer", body, ada)
            assert answer.status_code == 400, (body, answer.text)
            assert answer.json()["error"].endswith(".")
        assert "ada" not in lab.exam.results()  # refused before her clock even started

        # Without a seat, or with a score: nothing. A name in the body is not whose answer it is.
        right = {"number": 1, "question": first.key, "chosen": RIGHT[first.key]}
        assert post(lab.url, "/class/exam/answer", right).status_code == 403
        forged = {"name": "ada", "score": 5, "graded": 5, "questions": 5, "answers": []}
        for path in ("/class/exam/result", "/class/result", "/class/exam"):
            assert post(lab.url, path, forged, ada).status_code in (404, 405)
        assert post(lab.url, "/teacher/exam", SETTINGS, ada).status_code == 403
        assert post(lab.url, "/class/exam/answer", {**right, "name": "ada"}, grace).is_success
        assert "ada" not in lab.exam.results()
        assert lab.result("grace")["answered"] == 1

        # A student's edited result file changes nothing: the lab keeps its own grades.
        copy_path = tmp_path / "ada.json"
        done = take(tmp_path, lab.url, "ada", lab.numbers(WRONG), "--result", str(copy_path))
        assert done.returncode == 0, done.stderr
        copy = json.loads(copy_path.read_text())
        ada = seat(lab.url, "ada", tmp_path).seat  # her tutor's seat key
        copy["score"] = 5
        for answer in copy["answers"]:
            answer["correct"], answer["chosen"] = True, RIGHT[answer["question"]]
        assert post(lab.url, "/class/exam/answer", copy, ada).status_code == 400
        for answer in copy["answers"]:
            resent = {k: answer[k] for k in ("number", "question", "chosen")}
            assert post(lab.url, "/class/exam/answer", resent, ada).json()["again"] is True
        assert lab.result("ada")["score"] == 3


# 5. The lab restarts with the same settings: every answer is still there.


def test_a_restarted_lab_with_the_same_settings_keeps_every_answer(tmp_path: Path) -> None:
    lab = Teacher()
    port = int(lab.url.rsplit(":", 1)[1])
    lines = lab.numbers(RIGHT).splitlines(keepends=True)
    ada, grace = (
        Typing(tmp_path / "ada", lab.url, "ada"),
        Typing(tmp_path / "grace", lab.url, "grace"),
    )
    ada.type(*lines[:2])
    grace.type(lines[0])
    ada.wait_for("Question 3/5")
    grace.wait_for("Question 2/5")
    lab.stop()

    # The lab restarts while Ada's answer waits: her tutor sends it again, the lab counts it.
    ada.type(lines[2])
    time.sleep(1.5)
    again = Teacher(port=port)
    try:
        assert again.result("ada")["answered"] >= 2 and again.result("grace")["answered"] == 1
        ada.type(*lines[3:])
        done = ada.end()
        assert done.returncode == 0, done.stderr
        assert done.stdout.count(RECORDED) == 5 and GRADES_LATER in done.stdout
        assert again.result("ada")["score"] == 5 and again.result("ada")["answered"] == 5
        assert Exam.set(COURSE, again.journal, SETTINGS, previous=again.exam) is again.exam
    finally:
        again.stop()

    # Gone for good while Grace answers: one sentence, nothing counted, the exam waits for her.
    grace.type(lines[1])
    lost = grace.end()
    assert lost.returncode == 1 and "Traceback" not in lost.stderr
    said = lost.stderr.strip()
    assert said.startswith("That answer was not counted: the class lab at") and "\n" not in said
    back = Teacher(port=port)
    try:
        assert back.result("grace")["answered"] == 1
        resumed = take(tmp_path / "grace", back.url, "grace", back.numbers(RIGHT, first=2))
        assert resumed.returncode == 0, resumed.stderr
        assert "Resumed: 1 answered before" in resumed.stdout
        assert back.result("grace")["score"] == 5
        assert back.end().status_code == 200
    finally:
        back.stop()

    # Over, it stays over when the lab starts again with the same settings.
    over = Teacher(port=port)
    try:
        assert over.exam.summary()["over"] == "teacher"
        shown = take(tmp_path / "grace", over.url, "grace", "")
        assert "Quiz over: 5 right of 5 graded (5/5 asked)." in shown.stdout, shown.stderr
    finally:
        over.stop()

    other = Exam.set(COURSE, Journal(), {**SETTINGS, "time": 600})  # another exam: its own
    assert other.results() == {} and other.describe() == "seed 42, 5 questions, 10 minutes each"


def test_a_full_disk_loses_no_answer_and_says_so_once(
    learner_home: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (learner_home / "class-exams").write_text("in the way")  # like a disk that refuses
    with teacher() as lab:
        link = seat(lab.url, "ada")
        exam = ClassExam.open(link, COURSE)
        for item in exam.items[:2]:
            exam.grade(item, RIGHT[item.key])
        assert capfd.readouterr().err.count("cannot be written") == 1
        assert lab.result("ada")["answered"] == 2
        (learner_home / "class-exams").unlink()
        exam.grade(exam.items[2], RIGHT[exam.items[2].key])
        assert "written to" in capfd.readouterr().err
        again = Exam.set(COURSE, Journal(), SETTINGS)
        assert again.results()["ada"]["answered"] == 3


# 6. The settings, and what a tutor without the exam's questions says.


def test_exam_settings_are_checked_in_one_sentence() -> None:
    for settings in (
        {},
        {"seed": "42"},
        {"seed": True},
        {"seed": 1, "count": 0},
        {"seed": 1, "count": 201},
        {"seed": 1, "time": 0},
        {"seed": 1, "time": 1.5},
    ):
        with pytest.raises(ExamError) as error:
            Exam.set(COURSE, Journal(), settings)
        assert str(error.value).endswith(".") and "\n" not in str(error.value)
    exam = Exam.set(COURSE, Journal(), {"seed": 7})
    assert exam.summary() == {"seed": 7, "count": 10, "time": None, "questions": 5, "over": None}
    assert exam.describe() == "seed 7, 5 questions, no time limit"


def test_a_tutor_without_the_exam_s_questions_names_the_pack(tmp_path: Path) -> None:
    with teacher() as lab:
        command = [sys.executable, "-m", "tutor", "quiz", "--plain", "--join", lab.url]
        done = subprocess.run(
            [*command, "--name", "ada"],
            input="1\n",
            capture_output=True,
            text=True,
            env=env(tmp_path),
            timeout=60,
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "“Fixture questions, one of every kind” (quiz-fixture)" in done.stderr
        assert "--lessons" in done.stderr and done.stderr.count("\n") == 1


def test_without_an_exam_a_joined_quiz_is_practice_on_the_class_lab() -> None:
    with teacher() as lab:
        lab.room.exam = None
        session = joined(lab.url, "ada")
        try:
            quiz, problem = session.quiz(Plan(count=50))
            assert quiz is not None and quiz.graded_by is None, problem
            while quiz.current is not None and quiz.current.question.kind != "predict":
                quiz.answer([quiz.current.choices[0].id])
            assert quiz.current is not None
            graded = quiz.answer([quiz.current.choices[0].id])
            assert graded.outcome is not None and graded.outcome.hops[0].path.startswith("/s/ada/")
        finally:
            session.close()


def test_a_quiz_for_a_class_that_cannot_be_reached_is_not_taken_alone(tmp_path: Path) -> None:
    """A mistyped URL, a lab that is down: ten minutes of answers that count for nothing would
    be worse than one sentence."""
    done = take(tmp_path, "http://127.0.0.1:9", "ada", "1\n", "--lesson", "quiz-lesson")
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "Not in the class: the class lab at http://127.0.0.1:9 cannot be reached (connection "
        "refused). A quiz with --join runs only on the teacher's lab: check its URL and your "
        "name, or ask your teacher.\n"
    )
    assert "Quiz:" not in done.stdout


# 7. The TUI takes the same exam.


async def answer_in_the_tui(pilot: Pilot[None], screen: QuizScreen, chosen: list[str]) -> None:
    """Press the numbers the current question shows `chosen` under (Enter after a multiple
    question's ticks), then wait for the lab's reply."""
    item = screen.quiz.current if screen.quiz else None
    assert item is not None
    numbers = [str([c.id for c in item.choices].index(id_) + 1) for id_ in chosen]
    await pilot.press(*numbers, *(["enter"] if item.question.kind == "multiple" else []))
    await settle(pilot)


def shown(screen: QuizScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_the_tui_records_each_answer_and_shows_the_lab_s_grades_once_it_is_over() -> None:
    with teacher() as lab:
        session = make_session([QUIZ_FIXTURES], builtin=False, join=Join(lab.url, "ada"))
        async with build_app(session, quiz=Plan()).run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = pilot.app.screen
            assert isinstance(screen, QuizScreen) and screen.quiz is not None
            assert (screen.title, screen.sub_title) == ("Exam", "graded by the class lab")
            for number, item in enumerate(lab.exam.items, 1):
                wrong = [next(c.id for c in item.choices if c.id not in RIGHT[item.key])]
                await answer_in_the_tui(pilot, screen, wrong if number == 1 else RIGHT[item.key])
                feedback = shown(screen, "#quiz-feedback")
                assert feedback.startswith(RECORDED), feedback
                choices = "\n".join(str(o.prompt) for o in screen.query_one(ChoiceList).options)
                assert "✓" not in choices and "✗" not in choices and "•" in choices
                status = shown(screen, "#quiz-status")
                assert f"Question {number}/5 · {number} recorded" == status, status
                await pilot.press("n")
                await settle(pilot)
            end = shown(screen, "#quiz-feedback")
            assert "Exam over for you: 5 of 5 answered." in end and "Your answers are in" in end
            assert "Quiz over" not in end and "Score" not in shown(screen, "#quiz-status")
        session.close()
        assert lab.result("ada")["score"] == 4

        assert lab.end().status_code == 200  # the teacher ends it; ada opens the quiz again
        session = make_session([QUIZ_FIXTURES], builtin=False, join=Join(lab.url, "ada"))
        async with build_app(session, quiz=Plan()).run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = pilot.app.screen
            assert isinstance(screen, QuizScreen)
            end = shown(screen, "#quiz-feedback")
            assert "Quiz over: 4 right of 5 graded (5/5 asked)." in end and "To review:" in end
            assert shown(screen, "#quiz-status").startswith("Question 5/5 · Score 4/5")
        session.close()
