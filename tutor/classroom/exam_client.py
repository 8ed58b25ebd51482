"""The class's exam from a student's tutor: the lab's sheet read in the student's own course, each
answer sent to the lab, and the grade shown exactly as the lab gave it (tutor.classroom.exam).

Nothing here decides a score: the tutor only shows what the lab graded, and the lab shows it only
once the exam is over for the class; until then each answer is only recorded (Withheld). An
answer may be sent as often as the network needs: the lab counts it once, and hands back the
answer it kept.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tutor.classroom.exam import ENDS, LONGEST
from tutor.classroom.runs import outcome_from_wire
from tutor.classroom.student import ClassLink, ClassRefused, ClassUnreachable
from tutor.lab.printable import one_line
from tutor.lab.wire import WireError
from tutor.quiz.draw import Item
from tutor.quiz.grading import Grade
from tutor.quiz.session import TimeUp, Withheld

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.course.models import Choice

__all__ = ["ANSWER_TIMEOUT", "ClassExam", "ExamProblem"]

ANSWER_TIMEOUT = 60.0
"""Seconds an answer may take: a prediction's experiment runs on the lab first."""
RETRY_FOR = 10.0
"""Seconds an answer is sent again while the lab does not answer (a restart takes a few)."""
RETRY_EVERY = 1.0


class ExamProblem(Exception):
    """This tutor cannot take the class's exam (a question it has not loaded); the message says
    why, for the student."""


@dataclass(frozen=True, slots=True)
class ClassExam:
    """The exam the teacher set, as this student takes it: `items` in the lab's order, the
    `answered` ones already taken (a resumed exam: graded once the exam is over), the seconds
    `left` (None: no limit), when the lab began the student's sheet (None: never), and why the
    exam is `over` (a key of tutor.classroom.exam.ENDS; None while it runs)."""

    link: ClassLink
    seed: int
    time: int | None
    """Each student's seconds, as the teacher set them (None: no limit)."""
    items: list[Item]
    answered: list[Grade | Withheld]
    left: float | None
    started: float | None
    over: str | None

    @property
    def graded_by(self) -> str:
        """Who grades, for the learner and the result file."""
        return f"the class lab at {self.link.join_asked.base}"  # the seed alone draws nothing

    @classmethod
    def open(cls, link: ClassLink, course: Course) -> ClassExam:
        """Start (or resume) the student's exam on the lab, its questions found in `course`.
        ExamProblem when one is missing; ClassUnreachable or ClassRefused from the lab."""
        document = link.call("GET", "/class/exam")
        try:
            items = _resolved(course, _objects(document["items"]))
            seed, limit, left = _whole(document["seed"]), document["time"], document["left"]
            limit = None if limit is None else int(_seconds(limit))
            left = None if left is None else _seconds(left)
            started, over = document.get("started"), _over(document)
            started = None if started is None else _moment(started)
        except (KeyError, TypeError, ValueError):
            raise _unreadable(link, "an exam") from None
        answered = _taken(link, items, document)
        return cls(link, seed, limit, items, answered, left, started, over)

    def grade(self, item: Item, chosen: Sequence[str]) -> Grade | Withheld:
        """The lab's grade of this answer, or Withheld while the exam runs (a `Grader` for
        tutor.quiz.session.Quiz). TimeUp when the lab says the time is up or the exam is over;
        ClassUnreachable when it did not answer for RETRY_FOR seconds; ClassRefused with the
        lab's sentence when it refused the answer."""
        number = self.items.index(item) + 1
        answer = {"number": number, "question": item.key, "chosen": list(chosen)}
        return _grade(self.link, item, self._send(number, answer))

    def reveal(self) -> list[Grade] | None:
        """The lab's grades of the student's answers, in order, once the exam is over (a
        `Reveal` for the Quiz); None while it runs, or when the lab cannot say now."""
        try:
            document = self.link.call("GET", "/class/exam")
            taken = _taken(self.link, self.items, document)
        except (ClassUnreachable, ClassRefused):
            return None
        graded = [each for each in taken if isinstance(each, Grade)]
        return graded if len(graded) == len(taken) else None

    def _send(self, number: int, answer: Mapping[str, object]) -> Mapping[str, Any]:
        """The lab's answer, sending again while it does not answer (a lab that restarted is
        joined again by the link). Refused, the sheet says whether the answer was counted
        before, or the time is up, or the exam is over."""
        give_up = time.monotonic() + RETRY_FOR
        while True:
            try:
                return self.link.call("POST", "/class/exam/answer", answer, timeout=ANSWER_TIMEOUT)
            except ClassUnreachable:
                if time.monotonic() + RETRY_EVERY > give_up:
                    raise
                time.sleep(RETRY_EVERY)
            except ClassRefused:
                sheet = self.link.call("GET", "/class/exam")
                try:
                    earlier, over = _graded(sheet).get(number), _over(sheet)
                except (KeyError, TypeError, ValueError):
                    raise _unreadable(self.link, "an exam") from None
                if earlier is not None:
                    return earlier
                if over is not None:
                    raise TimeUp(
                        f"the class's exam is over ({ENDS[over]}), and this answer is not counted"
                    ) from None
                if sheet.get("left") == 0:
                    raise TimeUp(
                        "by the class lab's clock this answer came after the time limit, and it "
                        "is not counted"
                    ) from None
                raise


def _resolved(course: Course, entries: Sequence[Mapping[str, Any]]) -> list[Item]:
    """The lab's questions as this tutor's items, each with its choices in the lab's order;
    TypeError or KeyError for an entry that is not one."""
    questions = {question.id: (bank, question) for bank, question in course.questions}
    items = []
    for entry in entries:
        key, bank, shown = _text(entry["question"]), _object(entry["bank"]), entry["choices"]
        found = questions.get(key)
        title, bank_id = one_line(_text(bank["title"])), one_line(_text(bank["id"]))
        pack = f"the question bank “{title}” ({bank_id})"
        if found is None:
            raise ExamProblem(
                f"This exam asks question {one_line(key)!r} of {pack}, which this tutor has not "
                "loaded: start it with the teacher's lesson pack that holds it (--lessons FOLDER)."
            )
        own_bank, question = found
        by_id = {choice.id: choice for choice in question.choices}
        if sorted(_texts(shown)) != sorted(by_id) or entry["kind"] != question.kind:
            raise ExamProblem(
                f"Question {one_line(key)!r} of {pack} is not the same here as on the class "
                "lab: load the version of the lesson pack the teacher's lab has."
            )
        items.append(Item(own_bank, question, tuple(by_id[id_] for id_ in shown)))
    return items


def _graded(sheet: Mapping[str, Any]) -> dict[int, Mapping[str, Any]]:
    """The answers the lab kept on a sheet, by question number (each read by `_grade`)."""
    return {_whole(kept["number"]): kept for kept in _objects(sheet["answers"])}


def _taken(link: ClassLink, items: list[Item], sheet: Mapping[str, Any]) -> list[Grade | Withheld]:
    """The answers on a sheet from the first question on, as long as they follow each other."""
    try:
        kept = _graded(sheet)
    except (KeyError, TypeError, ValueError):
        raise _unreadable(link, "an exam") from None
    taken: list[Grade | Withheld] = []
    while (number := len(taken) + 1) in kept and number <= len(items):
        taken.append(_grade(link, items[number - 1], kept[number]))
    return taken


def _grade(link: ClassLink, item: Item, document: Mapping[str, Any]) -> Grade | Withheld:
    """The lab's grade (tutor.classroom.exam's answer document) of an answer to `item`; Withheld
    when the lab sent none ("correct" null: the exam runs)."""
    spec = item.question.experiment
    try:
        chosen = _chosen(item, _texts(document["chosen"]))
        correct = document["correct"]
        if correct is None:
            return Withheld(item, chosen)
        right, void, kept = _texts(document["right"]), document["void"], document["outcome"]
        if not (isinstance(correct, bool) and isinstance(void, str | None)):
            raise TypeError("a grade's 'correct' or 'void'")
        outcome = None if kept is None or spec is None else outcome_from_wire(spec, kept)
    except (KeyError, TypeError, WireError):
        raise _unreadable(link, "a grade") from None
    return Grade(item, chosen, _chosen(item, right), correct, outcome, void)


def _chosen(item: Item, ids: Sequence[str]) -> tuple[Choice, ...]:
    """The question's choices named by `ids`, in the question's order."""
    return tuple(choice for choice in item.question.choices if choice.id in ids)


def _over(sheet: Mapping[str, Any]) -> str | None:
    """Why the exam is over (a key of ENDS), None while it runs; ValueError for anything else."""
    over = sheet.get("over")
    if over is not None and over not in ENDS:
        raise ValueError("not why an exam is over")
    return over


# What the lab's JSON must hold, or TypeError: the other end may be anyone's program.


def _object(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("not a JSON object")
    return value


def _objects(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(each, dict) for each in value):
        raise TypeError("not a list of JSON objects")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _texts(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(each, str) for each in value):
        raise TypeError("not a list of strings")
    return value


def _whole(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not a whole number")
    return value


def _moment(value: object) -> float:
    """A time on the lab's clock, in seconds since the epoch."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value < 2**40:
        raise ValueError("not a time")
    return float(value)


def _seconds(value: object) -> float:
    """Seconds of an exam: from 0 to the longest time a lab lets a teacher set."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError("not a number")
    if not 0 <= value <= LONGEST:  # NaN too: no comparison holds for it
        raise ValueError("not an exam's time")
    return float(value)


def _unreadable(link: ClassLink, what: str) -> ClassUnreachable:
    return ClassUnreachable(
        f"the class lab at {link.join_asked.base} sent {what} this tutor cannot read: is it "
        "the same version of redirect-tutor?"
    )
