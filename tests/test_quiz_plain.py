"""The plain quiz and `progress` as a learner's shell runs them: piped, killed, restarted."""

from __future__ import annotations

import codecs
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tutor.course.loader import load_paths
from tutor.progress.location import HOME_VARIABLE
from tutor.progress.record import open_record

QUIZ_FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
QUIZ = [sys.executable, "-m", "tutor", "--lessons", str(QUIZ_FIXTURES), "quiz", "--plain"]
ALL_RIGHT = (
    ["It stays POST"],
    ["307", "308"],
    ["t"],
    ["The POST with its body"],
    ["A GET without the body"],
)
"""The fixture lesson's questions answered right, by the text of the choices."""


def env(home: Path) -> dict[str, str]:
    return {**os.environ, HOME_VARIABLE: str(home), "PYTHONUNBUFFERED": "1"}


def quiz(home: Path, answers: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The fixture lesson's quiz with all of `answers` piped in at once."""
    return subprocess.run(
        [*QUIZ, "--lesson", "quiz-lesson", *args],
        input=answers,
        capture_output=True,
        text=True,
        env=env(home),
        timeout=120,
    )


class Learner:
    """A plain quiz of the fixture lesson in its own process, answered the way a person reads
    it: by the text of the choices shown, whatever numbers the shuffle gave them."""

    def __init__(self, home: Path, *args: str, stderr: int = subprocess.PIPE) -> None:
        self.process = subprocess.Popen(
            [*QUIZ, "--lesson", "quiz-lesson", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env(home),
        )
        self.out = ""
        """Everything the quiz printed so far."""
        self.typed = 0
        self._ended = False
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")()
        while chunk := os.read(self.process.stdout.fileno(), 4096):
            with self._changed:
                self.out += decoder.decode(chunk)
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait_for(self, text: str, times: int = 1) -> None:
        """Until `text` has been printed `times` times (the test fails after a minute)."""
        with self._changed:
            seen = self._changed.wait_for(
                lambda: self.out.count(text) >= times or self._ended, timeout=60
            )
            assert seen and self.out.count(text) >= times, f"never printed {text!r}:\n{self.out}"

    def type(self, line: str) -> None:
        """Type `line` at the next "Your answer:"."""
        self.wait_for("Your answer: ", self.typed + 1)
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()
        self.typed += 1

    def answer(self, texts: list[str]) -> None:
        """Answer the question asked with the choices of these texts (t, f: as they are)."""
        self.wait_for("Your answer: ", self.typed + 1)
        asked = self.out[self.out.rindex("\nQuestion ") :]
        numbers = {text: number for number, text in re.findall(r"^  (\d+)\. (.*)$", asked, re.M)}
        self.type(",".join(numbers.get(text, text) for text in texts))

    def finish(self) -> str:
        """End the input, wait for the quiz to end; all it printed."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=120) == 0
        self.wait_for("Quiz over: ")
        return self.out


def progress(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tutor", "--lessons", str(QUIZ_FIXTURES), "progress", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env(home), timeout=60)


def test_a_quiz_runs_to_its_review_and_is_remembered(tmp_path: Path) -> None:
    learner = Learner(tmp_path)
    learner.answer(["It becomes GET"])
    for answer in (["307", "308"], ["f"], ["The POST with its body"], ["The POST with its body"]):
        learner.answer(answer)
    out = learner.finish()

    single = re.search(
        r"Question 1/5 \(one answer\)\nWhat does a 307 do to a POST's method\?\n"
        r"  1\. (.*)\n  2\. (.*)\n",
        out,
    )
    assert single and {single[1], single[2]} == {"It becomes GET", "It stays POST"}
    wrong = 1 + [single[1], single[2]].index("It becomes GET")
    assert f"Your answer: {wrong}\n✗ Wrong. The answer: “It stays POST”" in out
    assert "Running the experiment live…" in out
    assert "  2. POST /echo (8 B) → 200 OK" in out
    assert "Quiz over: 2 right of 5 graded (5/5 asked)." in out
    assert "To review:\n1. What does a 307 do to a POST's method?" in out
    assert learner.process.stderr is not None
    assert "Traceback" not in learner.process.stderr.read().decode()

    again = progress(tmp_path)
    assert again.returncode == 0
    lines = again.stdout.splitlines()  # the built-in course counts too
    assert lines[0].endswith(" questions known, 3 due for review")
    assert any(line.endswith(" 2/5 known  A lesson the quiz tests lean on") for line in lines)
    due = quiz(tmp_path, "2\n", "--due")
    assert (
        "Quiz: 3 questions (lesson “A lesson the quiz tests lean on”, due for review)" in due.stdout
    )


def test_piped_answers_name_the_choices_as_numbered(tmp_path: Path) -> None:
    """Answers piped all at once (a script): each number is the choice printed beside it."""
    typed = ["1", "2,3", "2", "1", "2"]
    done = quiz(tmp_path, "".join(line + "\n" for line in typed))

    assert done.returncode == 0, done.stderr
    asked = [part.split("Your answer: ")[0] for part in done.stdout.split("\nQuestion ")[1:]]
    numbered = [dict(re.findall(r"^  (\d+)\. (.*)$", question, re.M)) for question in asked]
    picked = [
        {shown[number] for number in line.split(",")}
        for shown, line in zip(numbered, typed, strict=True)
    ]
    texts = {c.id: c.text for _, q in load_paths([QUIZ_FIXTURES]).questions for c in q.choices}
    record = open_record(tmp_path / "progress.db")
    assert [{texts[c] for c in answer.chosen} for answer in record.answers()] == picked


def test_end_of_input_ends_the_quiz_gracefully(tmp_path: Path) -> None:
    learner = Learner(tmp_path)
    learner.answer(["It stays POST"])
    learner.type("seven")
    out = learner.finish()

    assert "Answer with a number from 1 to 3 (several as 1,3)." in out
    assert "Input ended.\n\nQuiz over: 1 right of 1 graded (1/5 asked)." in out
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
    asked = [[(a["question"], a["shown"]) for a in run["answers"]] for run in runs]
    assert asked[0] == asked[1]  # the same questions, each with its choices in the same order
    assert [r["name"] for r in runs] == ["ada", "grace"] and runs[0]["seed"] == 42
    csv_file = tmp_path / "ada.csv"
    quiz(tmp_path / "ada", "1\n", "--seed", "42", "--count", "4", "--result", str(csv_file))
    header, first, *_ = csv_file.read_text().splitlines()
    assert header == "name,seed,number,question,kind,shown,chosen,right,correct,graded,partial"
    assert first.split(",")[3] == runs[0]["answers"][0]["question"]


def test_progress_exports_and_resets(tmp_path: Path) -> None:
    learner = Learner(tmp_path)
    learner.answer(["It stays POST"])
    learner.finish()
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


def test_kill_9_while_answering_loses_no_committed_answer(tmp_path: Path) -> None:
    learner = Learner(tmp_path, stderr=subprocess.DEVNULL)
    try:
        for answer, seen in zip(ALL_RIGHT, ("Score 1/1", "Score 2/2", "Score 3/3"), strict=False):
            learner.answer(answer)
            learner.wait_for(seen)  # the feedback is out: the answer must be in the record
        learner.answer(["The POST with its body"])  # the prediction: killed while it runs
        learner.wait_for("Running the experiment live")
    finally:
        learner.process.send_signal(signal.SIGKILL)
        learner.process.wait(timeout=30)
    assert learner.process.returncode == -signal.SIGKILL

    with sqlite3.connect(tmp_path / "progress.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    record = open_record(tmp_path / "progress.db")
    assert record.notice is None
    answers = [(a.question, a.correct) for a in record.answers()]
    assert answers[:3] == [("single-307", True), ("multiple-keep", True), ("truefalse-303", True)]
    assert len(answers) <= 4
    assert record.slots()["truefalse-303"].box == 2


def _all_right(home: Path) -> str:
    learner = Learner(home)
    for answer in ALL_RIGHT:
        learner.answer(answer)
    out = learner.finish()
    assert learner.process.stderr is not None
    assert "Traceback" not in learner.process.stderr.read().decode()
    return out


def test_four_copies_answering_at_once_share_one_record(tmp_path: Path) -> None:
    """Four tutor processes on one record at once: every answer is kept, the file stays sound."""
    with ThreadPoolExecutor(4) as pool:
        outputs = list(pool.map(_all_right, [tmp_path] * 4))
    assert all("Quiz over: 5 right of 5 graded" in out for out in outputs)
    record = open_record(tmp_path / "progress.db")
    try:
        assert len(record.answers()) == 4 * 5
    finally:
        record.close()
    with sqlite3.connect(tmp_path / "progress.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not list(tmp_path.glob("progress.db.broken-*"))
