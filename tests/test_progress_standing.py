"""What "done" means: the last step reached, every prediction answered (not skipped with n) and
every exercise met, decided in one place (tutor.progress.standing) from ids the record keeps; a
record from before parts were kept (version 1) opens, migrated, with its progress."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tutor.course.loader import load_course
from tutor.course.models import Lesson
from tutor.progress.changes import PartMet, from_data, to_data
from tutor.progress.record import _MIGRATIONS, SCHEMA_VERSION, open_record
from tutor.progress.standing import asked, standing
from tutor.progress.summary import summarize


@pytest.fixture(scope="module")
def found() -> Lesson:
    """Lesson 3 (302 Found): a prediction and an exercise, on different steps."""
    lesson = load_course().lessons[2]
    parts = {part for _, part in asked(lesson)}
    assert parts == {"prediction", "exercise"}, parts
    return lesson


def test_reaching_the_last_step_is_not_done_until_every_part_is_met(
    tmp_path: Path, found: Lesson
) -> None:
    record = open_record(tmp_path / "progress.db")
    record.show_step(found.id, found.steps[-1].id, last=True)
    ended = standing(found, record.lessons()[found.id])
    assert ended.ended and not ended.done
    assert ended.place == f"{ended.steps}/{ended.steps} steps, prediction not answered, " + (
        "exercise not met"
    )
    first_unmet = asked(found)[0][0]
    assert ended.unmet[0][0] == first_unmet
    for step_id, part in asked(found)[:-1]:
        record.meet(found.id, step_id, part)
    assert not standing(found, record.lessons()[found.id]).done
    step_id, part = asked(found)[-1]
    record.meet(found.id, step_id, part)
    record.meet(found.id, step_id, part)  # met again: kept once
    record.show_step(found.id, found.steps[0].id)  # reopened: still done
    done = standing(found, record.lessons()[found.id])
    assert done.done and done.place == "done" and done.reached == 1
    record.close()


def test_met_parts_without_the_end_are_not_done(tmp_path: Path, found: Lesson) -> None:
    record = open_record(tmp_path / "progress.db")
    for step_id, part in asked(found):
        record.meet(found.id, step_id, part)
    record.show_step(found.id, found.steps[1].id)
    stands = standing(found, record.lessons()[found.id])
    assert not stands.done and stands.place == f"2/{stands.steps} steps"
    assert standing(found, None).place == f"0/{stands.steps} steps"
    record.close()


def test_the_summary_says_what_keeps_a_lesson_from_done(tmp_path: Path) -> None:
    course = load_course()
    first, second = course.lessons[:2]
    record = open_record(tmp_path / "progress.db")
    for lesson in (first, second):
        record.show_step(lesson.id, lesson.steps[-1].id, last=True)
    for step_id, part in asked(first):
        record.meet(first.id, step_id, part)
    summary = summarize(record, course)
    assert summary.lessons_done == 1
    report = "\n".join(summary.report())
    assert f"{len(second.steps)}/{len(second.steps)} steps, prediction not answered" in report
    record.close()


def test_a_part_met_survives_the_file_of_unsaved_changes() -> None:
    change = PartMet("found-302", "post-302", "exercise", 1_700_000_000.0)
    assert from_data(to_data(change)) == change
    fields = dict(to_data(change)["part_met"])  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"part_met\.part"):
        from_data({"part_met": {**fields, "part": "quiz"}})


def test_a_version_1_record_opens_with_its_lessons_and_keeps_parts_from_now_on(
    tmp_path: Path, found: Lesson
) -> None:
    path = tmp_path / "progress.db"
    db = sqlite3.connect(path)
    for statement in _MIGRATIONS[1]:
        db.execute(statement)
    db.execute("INSERT INTO lessons VALUES (?, ?, 1.0, 2.0)", (found.id, found.steps[-1].id))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()

    record = open_record(path)
    assert record.notice is None
    state = record.lessons()[found.id]
    assert state.ended and state.step_id == found.steps[-1].id and not state.met
    assert not standing(found, state).done  # parts were never kept: not done until met
    for step_id, part in asked(found):
        record.meet(found.id, step_id, part)
    assert standing(found, record.lessons()[found.id]).done
    record.close()
    with sqlite3.connect(path) as again:
        assert again.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
