"""The course, the learner's record and the lab together: the use cases that need all three.

Checking an exercise, grading a prediction or a quiz answer by a live run, keeping the steps a
learner saw and the hints they used. Everything here may block (SQLite, the lab, a client
program): front ends call it from worker threads, never from a UI thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.session.lab import LabSession

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.course.checks import Check
    from tutor.course.exercises import Answer, BringYourOwn, Configure
    from tutor.course.models import Prediction
    from tutor.experiments.clients.base import Cancel
    from tutor.experiments.outcome import Outcome
    from tutor.experiments.spec import ExperimentSpec
    from tutor.progress.record import LessonState, Record
    from tutor.quiz.plan import Plan
    from tutor.quiz.session import Quiz

__all__ = ["Graded", "StudySession"]

Write = Callable[["Record"], object]


@dataclass(frozen=True, slots=True)
class Graded:
    """A prediction graded by its live run: the outcome, and the choices it bore out (by id);
    or why it could not be graded (`problem`)."""

    outcome: Outcome | None
    right: tuple[str, ...] = ()
    problem: str | None = None


class StudySession:
    """One learner's tutor: the course they study, their record, and the lab that witnesses."""

    def __init__(self, lab: LabSession, lesson_dirs: Sequence[Path] = (), *, builtin: bool = True):
        self.lab = lab
        self.lesson_dirs = tuple(lesson_dirs)
        self.builtin = builtin
        self.course: Course | None = None
        self.record: Record | None = None
        self._writes: queue.SimpleQueue[Write] = queue.SimpleQueue()
        self._write_lock = threading.Lock()
        """Held while writes are made: they happen one at a time, in the order they came."""

    # The course and the record.

    @property
    def course_paths(self) -> list[Path]:
        """The folders the course loads from, built-in first."""
        from tutor.course.files import builtin_lessons_dir

        return [*([builtin_lessons_dir()] if self.builtin else []), *self.lesson_dirs]

    def load_course(self, *, builtin_only: bool = False) -> Course:
        """Load (and keep) the course; `builtin_only` the built-in lessons alone, a first quick
        look while the packs still load."""
        from tutor.course.loader import load_course, load_paths

        if builtin_only:
            return load_course()
        self.course = load_paths(self.course_paths)
        return self.course

    def open_record(self) -> Record:
        from tutor.progress.record import open_record

        self.record = open_record()
        return self.record

    def keep(self, write: Write) -> None:
        """Queue a write to the record; `save` makes it."""
        self._writes.put(write)

    def show_step(self, lesson_id: str, step_id: str, *, last: bool) -> None:
        self.keep(lambda record: record.show_step(lesson_id, step_id, last=last))

    def use_hints(self, lesson_id: str, step_id: str, hints: int) -> None:
        self.keep(lambda record: record.use_hints(lesson_id, step_id, hints))

    def save(self) -> Mapping[str, LessonState] | None:
        """Make the queued writes, in order; each lesson's place after them (None: no writes,
        or no record yet)."""
        if self.record is None:
            return None
        with self._write_lock:
            wrote = False
            while True:
                try:
                    write = self._writes.get_nowait()
                except queue.Empty:
                    break
                write(self.record)
                wrote = True
            return self.record.lessons() if wrote else None

    def close(self) -> None:
        """Make the queued writes, close the record, stop a lab the session started."""
        try:
            if self.record is not None:
                self.save()
                self.record.close()
        finally:
            self.lab.stop()

    # Exercises and predictions, judged by the lab.

    def check_attempt(self, exercise: BringYourOwn, student: str) -> Check | None:
        """The check of `student`'s newest attempt; None before their first request arrives."""
        from tutor.course.checks import check_attempt

        found = self.lab.attempts(student, exercise.route())
        return check_attempt(exercise, found[-1]) if found else None

    def check_answer(
        self, exercise: Configure, answer: Answer, cancel: Cancel | None = None
    ) -> Check:
        """Run the exercise's client live against the lab answering `answer`, and judge it."""
        from tutor.course.checks import check_configured

        return check_configured(exercise, self.lab.run(exercise.spec(answer), cancel))

    def grade_prediction(
        self, prediction: Prediction, experiment: ExperimentSpec, cancel: Cancel | None = None
    ) -> Graded:
        """Run the prediction's experiment live: the choices whose claimed outcome it shows."""
        from tutor.experiments.prediction import matching

        outcome = self.lab.run(experiment, cancel)
        if outcome.client_version is None:
            return Graded(outcome, problem=outcome.error)
        right = matching(prediction.choices, outcome)
        return Graded(outcome, tuple(choice.id for choice in right))

    # The quiz.

    def quiz(self, plan: Plan, cancel: Cancel | None = None) -> tuple[Quiz | None, str | None]:
        """The quiz `plan` asks for, its choices shuffled by the exam's seed (a new seed for a
        practice quiz), its predictions run live on the lab (started here if need be:
        LabUnavailable when it cannot); or None and why not. Call it from a worker."""
        from tutor.quiz.draw import choose
        from tutor.quiz.order import new_seed
        from tutor.quiz.session import Quiz

        if self.course is None or self.record is None:
            return None, "The course has not loaded yet."
        seed = plan.seed if plan.seed is not None else new_seed()
        items, problem = choose(self.course, plan, self.record, seed)
        if problem:
            return None, problem
        if any(item.question.kind == "predict" for item in items):
            self.lab.start()  # LabUnavailable when it cannot
        started = time.time()
        quiz = Quiz(
            items,
            self.record,
            session=plan.session(started),
            run=lambda spec: self.lab.run(spec, cancel),
            time_limit=plan.time_limit,
            seed=seed,
        )
        return quiz, None

    def hand_in(self, quiz: Quiz, plan: Plan) -> str:
        """Write an exam's result file; what happened, in words for the learner."""
        from tutor.quiz.result import write_result

        if plan.result is None:
            return ""
        try:
            write_result(plan.result, quiz, plan)
        except OSError as error:
            return f"The result could not be written to {plan.result}: {error}"
        return f"Result written to {plan.result}."
