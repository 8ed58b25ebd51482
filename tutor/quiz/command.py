"""`redirect-tutor quiz --plain` from start to end: course, record, questions, lab, result file."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tutor.quiz.draw import Item, draw
from tutor.quiz.plan import Plan

if TYPE_CHECKING:
    from tutor.course.loader import Course
    from tutor.progress.record import Record

__all__ = ["choose", "plain_quiz"]


def choose(course: Course, plan: Plan, record: Record) -> tuple[list[Item], str | None]:
    """The questions to ask, or none and why, in words for the learner."""
    owners = (bank.lesson_of(question) for bank, question in course.questions)
    lessons = {lesson.id for lesson in course.lessons} | {owner for owner in owners if owner}
    if plan.lesson is not None and plan.lesson not in lessons:
        known = ", ".join(sorted(lessons)) or "none"
        return [], f"No lesson {plan.lesson!r} in the course (lessons: {known})."
    items = draw(course, plan, record.slots(), time.time())
    if items:
        return items, None
    if plan.due:
        return [], "Nothing is due for review now: well done. Try a lesson's quiz instead."
    return [], f"No questions for {plan.describe(course.lesson_titles)}."


def plain_quiz(
    plan: Plan, lesson_dirs: Sequence[Path], read: TextIO, out: TextIO, err: TextIO
) -> int:
    """Run the plain quiz; the exit status (0: it ran, 1: nothing to ask or no lab)."""
    from tutor.course.loader import load_course
    from tutor.lab.server import LabError
    from tutor.progress.record import open_record
    from tutor.quiz.live import lab_runner
    from tutor.quiz.plain import run_plain
    from tutor.quiz.result import write_result
    from tutor.quiz.session import Quiz

    course = load_course(lesson_dirs)
    record = open_record()
    if record.notice:
        err.write(record.notice + "\n")
    items, problem = choose(course, plan, record)
    if problem:
        err.write(problem + "\n")
        return 1
    asked = plan.describe(course.lesson_titles)
    out.write(
        f"Quiz: {len(items)} question{'s' if len(items) != 1 else ''} ({asked}). "
        "Answer with a choice's number; several as 1,3. End of input ends the quiz.\n\n"
    )
    try:
        with lab_runner(items) as run:
            session = plan.session(time.time())
            quiz = Quiz(items, record, session=session, run=run, time_limit=plan.time_limit)
            run_plain(quiz, read, out)
    except LabError as error:
        err.write(f"The lab server did not start: {error}\n")
        return 1
    finally:
        record.close()
    if plan.result is not None:
        write_result(plan.result, quiz, plan)
        out.write(f"Result written to {plan.result}\n")
    return 0
