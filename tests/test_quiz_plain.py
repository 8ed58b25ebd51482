"""The plain quiz and `progress` as a learner's shell runs them: piped, killed, restarted."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from tutor.progress.location import HOME_VARIABLE
from tutor.progress.record import open_record

QUIZ_FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
QUIZ = [sys.executable, "-m", "tutor", "--lessons", str(QUIZ_FIXTURES), "quiz", "--plain"]
ALL_RIGHT = "2\n1,3\nt\n2\n2\n"


def env(home: Path) -> dict[str, str]:
    return {**os.environ, HOME_VARIABLE: str(home), "PYTHONUNBUFFERED": "1"}


def quiz(home: Path, answers: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*QUIZ, "--lesson", "quiz-lesson", *args],
        input=answers,
        capture_output=True,
        text=True,
        env=env(home),
        timeout=120,
    )


def start_quiz(home: Path, stderr: int = subprocess.PIPE) -> subprocess.Popen[str]:
    """A plain quiz of the fixture lesson, running: answers go to its stdin as it asks."""
    return subprocess.Popen(
        [*QUIZ, "--lesson", "quiz-lesson"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env=env(home),
    )


def progress(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tutor", "--lessons", str(QUIZ_FIXTURES), "progress", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env(home), timeout=60)


def test_a_piped_quiz_runs_to_its_review_and_is_remembered(tmp_path: Path) -> None:
    done = quiz(tmp_path, "1\n1,3\nf\n2\n1\n")

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert (
        "Question 1/5 (one answer)\nWhat does a 307 do to a POST's method?\n  1. It becomes GET"
        in out
    )
    assert "Your answer: 1\n✗ Wrong. The answer: “It stays POST”" in out
    assert "Running the experiment live…" in out
    assert "  2. POST /echo (8 B) → 200 OK" in out
    assert "Quiz over: 2 right of 5 graded (5/5 asked)." in out
    assert "To review:\n1. What does a 307 do to a POST's method?" in out
    assert "Traceback" not in done.stderr

    again = progress(tmp_path)
    assert again.returncode == 0
    lines = again.stdout.splitlines()  # the built-in course counts too
    assert lines[0].endswith(" questions known, 3 due for review")
    assert any(line.endswith(" 2/5 known  A lesson the quiz tests lean on") for line in lines)
    due = quiz(tmp_path, "2\n", "--due")
    assert (
        "Quiz: 3 questions (lesson “A lesson the quiz tests lean on”, due for review)" in due.stdout
    )


def test_end_of_input_ends_the_quiz_gracefully(tmp_path: Path) -> None:
    done = quiz(tmp_path, "2\nseven\n")

    assert done.returncode == 0
    assert "Answer with a number from 1 to 3 (several as 1,3)." in done.stdout
    assert "Input ended.\n\nQuiz over: 1 right of 1 graded (1/5 asked)." in done.stdout
    assert len(open_record(tmp_path / "progress.db").answers()) == 1


def test_an_exam_asks_the_same_questions_in_the_same_order(tmp_path: Path) -> None:
    runs = []
    for student in ("ada", "grace"):
        result = tmp_path / f"{student}.json"
        exam = ["--seed", "42", "--count", "4", "--name", student, "--result", str(result)]
        done = quiz(tmp_path / student, "1\n1\n1\n1\n", *exam)
        assert done.returncode == 0, done.stderr
        assert f"Result written to {result}" in done.stdout
        runs.append(json.loads(result.read_text()))
    assert [a["question"] for a in runs[0]["answers"]] == [
        a["question"] for a in runs[1]["answers"]
    ]
    assert [r["name"] for r in runs] == ["ada", "grace"] and runs[0]["seed"] == 42
    csv_file = tmp_path / "ada.csv"
    quiz(tmp_path / "ada", "1\n", "--seed", "42", "--count", "4", "--result", str(csv_file))
    header, first, *_ = csv_file.read_text().splitlines()
    assert header == "name,seed,number,question,kind,chosen,right,correct,graded"
    assert first.split(",")[3] == runs[0]["answers"][0]["question"]


def test_progress_exports_and_resets(tmp_path: Path) -> None:
    quiz(tmp_path, "2\n")
    exported = json.loads(progress(tmp_path, "--export", "json").stdout)
    assert [a["question"] for a in exported["answers"]] == ["single-307"]
    assert exported["boxes"]["single-307"]["box"] == 2
    rows = progress(tmp_path, "--export", "csv").stdout.splitlines()
    assert rows[0] == "answered_at,session,question,lesson_id,kind,chosen,correct"
    assert len(rows) == 2

    refused = subprocess.run(
        [sys.executable, "-m", "tutor", "progress", "--reset"],
        input="n\n",
        capture_output=True,
        text=True,
        env=env(tmp_path),
        timeout=60,
    )
    assert "Forget all progress in" in refused.stdout
    assert len(open_record(tmp_path / "progress.db").answers()) == 1
    assert "Progress forgotten." in progress(tmp_path, "--reset", "--yes").stdout
    assert open_record(tmp_path / "progress.db").answers() == []


def test_a_garbage_record_is_moved_aside_and_the_quiz_goes_on(tmp_path: Path) -> None:
    (tmp_path / "progress.db").write_bytes(b"garbage, not a database " * 50)

    done = quiz(tmp_path, "2\n")

    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "could not be read" in done.stderr and "fresh record started" in done.stderr
    assert len(list(tmp_path.glob("progress.db.broken-*"))) == 1
    assert len(open_record(tmp_path / "progress.db").answers()) == 1


def _lines(stream) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], text: str) -> None:
    while text not in lines.get(timeout=60):
        pass


def test_kill_9_while_answering_loses_no_committed_answer(tmp_path: Path) -> None:
    learner = start_quiz(tmp_path, stderr=subprocess.DEVNULL)
    assert learner.stdin is not None and learner.stdout is not None
    lines = _lines(learner.stdout)
    try:
        for answer, seen in (("2", "Score 1/1"), ("1,3", "Score 2/2"), ("f", "Score 2/3")):
            learner.stdin.write(answer + "\n")
            learner.stdin.flush()
            _wait_for(lines, seen)  # the feedback is out: the answer must be in the record
        learner.stdin.write("2\n")  # the prediction: killed while its experiment runs
        learner.stdin.flush()
        _wait_for(lines, "Running the experiment live")
    finally:
        learner.send_signal(signal.SIGKILL)
        learner.wait(timeout=30)
    assert learner.returncode == -signal.SIGKILL

    with sqlite3.connect(tmp_path / "progress.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    record = open_record(tmp_path / "progress.db")
    assert record.notice is None
    answers = [(a.question, a.correct) for a in record.answers()]
    assert answers[:3] == [("single-307", True), ("multiple-keep", True), ("truefalse-303", False)]
    assert len(answers) <= 4
    assert record.slots()["truefalse-303"].box == 1


def test_four_copies_answering_at_once_share_one_record(tmp_path: Path) -> None:
    """Four tutor processes on one record at once: every answer is kept, the file stays sound."""
    runs = [start_quiz(tmp_path) for _ in range(4)]
    outputs = [run.communicate(ALL_RIGHT, timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "Quiz over: 5 right of 5 graded" in out
        assert "Traceback" not in err
    record = open_record(tmp_path / "progress.db")
    try:
        assert len(record.answers()) == 4 * 5
    finally:
        record.close()
    with sqlite3.connect(tmp_path / "progress.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not list(tmp_path.glob("progress.db.broken-*"))
