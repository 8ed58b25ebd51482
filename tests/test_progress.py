"""The learner's record: it persists, survives a broken file, is shared, reads against a course."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pytest

from tutor.course.loader import load_paths
from tutor.progress.leitner import INTERVALS, Slot, after
from tutor.progress.location import HOME_VARIABLE, database_path
from tutor.progress.record import Answer, open_record
from tutor.progress.summary import summarize

QUIZ_FIXTURES = Path(__file__).parent / "fixtures" / "quiz"


def answer(question: str, correct: bool, at: float = 1000.0) -> Answer:
    return Answer(question, "quiz-lesson", "single", ("a",), correct, at, "test")


def test_a_known_question_climbs_and_a_missed_one_drops_to_box_1() -> None:
    first = after(None, True, now=0.0)
    assert first == Slot(2, INTERVALS[2])
    assert after(first, True, now=10.0) == Slot(3, 10.0 + INTERVALS[3])
    assert after(Slot(5, 0.0), True, now=10.0).box == 5
    missed = after(Slot(4, 0.0), False, now=10.0)
    assert missed == Slot(1, 10.0)
    assert not missed.known and first.known
    assert after(None, False, now=10.0) == Slot(1, 10.0)


def test_the_home_variable_moves_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOME_VARIABLE, str(tmp_path / "home"))
    assert database_path() == tmp_path / "home" / "progress.db"
    record = open_record()
    assert record.path == tmp_path / "home" / "progress.db" and record.notice is None
    record.close()


def test_the_record_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    record = open_record(path)
    record.show_step("quiz-lesson", "second")
    record.show_step("other", "end", last=True)
    record.use_hints("quiz-lesson", "second", 2)
    record.use_hints("quiz-lesson", "second", 1)
    record.answer(answer("b/q1", False), Slot(1, 1000.0))
    record.answer(answer("b/q1", True, at=2000.0), Slot(2, 9000.0))
    record.close()

    again = open_record(path)
    assert again.notice is None
    assert again.lessons()["quiz-lesson"].step_id == "second"
    assert not again.lessons()["quiz-lesson"].ended
    assert again.lessons()["other"].ended
    assert again.last_lesson() == "other"
    assert again.hints_used() == {"quiz-lesson": 2}
    assert [(a.question, a.correct) for a in again.answers()] == [("b/q1", False), ("b/q1", True)]
    assert again.slots() == {"b/q1": Slot(2, 9000.0)}
    again.reset()
    assert again.answers() == [] and again.lessons() == {} and again.slots() == {}
    again.close()


def test_a_lesson_once_read_to_the_end_stays_so_when_reopened(tmp_path: Path) -> None:
    record = open_record(tmp_path / "progress.db")
    record.show_step("quiz-lesson", "third", last=True)
    record.show_step("quiz-lesson", "first")
    assert record.lessons()["quiz-lesson"].ended
    assert record.lessons()["quiz-lesson"].step_id == "first"
    record.close()


def test_a_garbage_file_is_moved_aside_and_a_fresh_record_started(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    garbage = b"this is not SQLite at all\x00\xff" * 100
    path.write_bytes(garbage)

    record = open_record(path)

    assert record.notice is not None and "fresh record" in record.notice
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("progress.db.broken-")]
    assert len(kept) == 1 and kept[0].read_bytes() == garbage
    assert str(kept[0]) in record.notice
    record.show_step("quiz-lesson", "first")
    record.close()
    assert open_record(path).lessons()["quiz-lesson"].step_id == "first"


def test_a_folder_that_cannot_hold_a_record_leaves_one_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    record = open_record(blocker / "progress.db")

    assert not record.saved and record.notice and "cannot be written" in record.notice
    record.answer(answer("b/q1", True), Slot(2, 0.0))
    assert len(record.answers()) == 1
    assert any(f"progress --import {tmp_path}" in line for line in record.close())


def test_two_copies_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    copies = [open_record(path), open_record(path)]

    def write(copy: int) -> None:
        for n in range(50):
            key = f"c{copy}-q{n}"
            copies[copy].answer(answer(key, n % 2 == 0), Slot(1, 0.0))
            copies[copy].show_step(f"lesson-{copy}", f"step-{n}")

    threads = [threading.Thread(target=write, args=(copy,)) for copy in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for copy in copies:
        copy.close()

    record = open_record(path)
    assert record.notice is None
    assert len(record.answers()) == 100 and len(record.slots()) == 100
    assert record.lessons()["lesson-1"].step_id == "step-49"


def test_the_summary_counts_only_what_the_course_still_has(tmp_path: Path) -> None:
    course = load_paths([QUIZ_FIXTURES])
    assert not course.problems
    record = open_record(tmp_path / "progress.db")
    record.show_step("quiz-lesson", "second")
    record.show_step("a-removed-lesson", "x", last=True)
    known = Slot(2, 10_000.0)
    record.answer(answer("single-307", True), known)
    record.answer(answer("truefalse-303", False), Slot(1, 50.0))
    record.answer(answer("gone", True), known)

    summary = summarize(record, course, now=100.0)

    assert summary.line() == "0/1 lessons, 1/5 questions known, 1 due for review"
    (lesson,) = summary.lessons
    assert (lesson.reached, lesson.steps, lesson.questions, lesson.known) == (2, 3, 5, 1)
    assert summary.boxes == {1: 1, 2: 1, 3: 0, 4: 0, 5: 0}
