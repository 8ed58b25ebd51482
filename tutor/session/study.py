"""The course, the learner's record and the lab together: the use cases that need all three.

Checking an exercise, grading a prediction or a quiz answer by a live run, keeping the steps a
learner saw and the hints they used, handing in an exam. Everything here may block (SQLite, the
lab, a client program): front ends call it from worker threads, never from a UI thread.

What the learner must hear about their record (it cannot be written now, or can again) reaches
the front end through `listen`; what is left to say when the session closes (where unsaved
changes are kept, an exam's partial result) is in `farewell`, for the front end to show after.
"""

from __future__ import annotations

import contextlib
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

__all__ = ["BUILTIN_FILE", "COURSE_FILE", "Graded", "StudySession"]

COURSE_FILE = "course.pickle"
"""The validated course kept for the next start (tutor.course.kept), in the learner's folder."""
BUILTIN_FILE = "course-builtin.pickle"
"""The built-in lessons alone, kept beside the whole course for a start with lesson packs."""

Write = Callable[["Record"], object]
Listener = Callable[[str], object]


@dataclass(frozen=True, slots=True)
class Graded:
    """A prediction graded by its live run: the outcome, and the choices it bore out (by id);
    or why it could not be graded (`problem`)."""

    outcome: Outcome | None
    right: tuple[str, ...] = ()
    problem: str | None = None
    install: str | None = None
    """How to install the client the run needs, when it is not installed (the lab runs)."""


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
        self._listener: Listener | None = None
        self._exam: tuple[Quiz, Plan] | None = None
        self._handed_in: int | None = None
        """How many answers the exam's result file holds (None: not written yet)."""
        self._hand_in_lock = threading.Lock()
        self._closed = False
        self.farewell: list[str] = []
        """What the learner must still read once the session has closed, one sentence each."""
        self.lost = False
        """Something the learner did could not be kept anywhere: an exam's result file, or
        progress the record could not take and no file could keep."""

    # The course and the record.

    @property
    def course_paths(self) -> list[Path]:
        """The folders the course loads from, built-in first."""
        from tutor.course.files import builtin_lessons_dir

        return [*([builtin_lessons_dir()] if self.builtin else []), *self.lesson_dirs]

    def load_course(self, *, builtin_only: bool = False) -> Course:
        """Load (and keep) the course; `builtin_only` the built-in lessons alone (kept apart),
        which open while a large pack still loads. Only the whole course is `course`."""
        from tutor.course.files import builtin_lessons_dir
        from tutor.course.kept import load_kept
        from tutor.progress.location import home

        if builtin_only:
            return load_kept([builtin_lessons_dir()], home() / BUILTIN_FILE)
        self.course = load_kept(self.course_paths, home() / COURSE_FILE)
        return self.course

    def open_record(self) -> Record:
        """Open the learner's record; its `notice` says what went wrong opening it."""
        from tutor.progress.record import open_record

        self.record = open_record()
        if self._listener is not None:
            self.record.listen(self._listener)
        return self.record

    def listen(self, listener: Listener) -> None:
        """Tell `listener`, once each, what the learner must hear about their record during the
        session, as a sentence (e.g. "Your progress cannot be saved in … now (the disk is full):
        …"), from whichever thread met it: it must return at once."""
        self._listener = listener
        if self.record is not None:
            self.record.listen(listener)

    def keep(self, write: Write) -> None:
        """Queue a write to the record; `save` makes it."""
        self._writes.put(write)

    def show_step(self, lesson_id: str, step_id: str, *, last: bool) -> None:
        self.keep(lambda record: record.show_step(lesson_id, step_id, last=last))

    def use_hints(self, lesson_id: str, step_id: str, hints: int) -> None:
        self.keep(lambda record: record.use_hints(lesson_id, step_id, hints))

    def meet(self, lesson_id: str, step_id: str, part: str) -> None:
        """The learner met `part` of a step: "prediction" (graded live) or "exercise"."""
        self.keep(lambda record: record.meet(lesson_id, step_id, part))

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
        """Hand in an exam broken off, make the queued writes, close the record, stop a lab the
        session started; `farewell` then says what the learner must still read. Closing twice
        does nothing more."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._exam is not None:
                quiz, plan = self._exam
                if self._handed_in != quiz.position:
                    if quiz.partial:
                        quiz.stop(interrupted=True)
                    self.farewell.append(self.hand_in(quiz, plan))
            if self.record is not None:
                self.save()
                self.farewell += self.record.close()
                self.lost = self.lost or self.record.lost
        finally:
            self.lab.stop()

    # Exercises and predictions, judged by the lab.

    def check_attempt(self, exercise: BringYourOwn, student: str) -> Check | None:
        """The check of `student`'s newest attempt; None before their first request arrives."""
        from tutor.course.checks import check_attempt

        found = self.lab.attempts(student, exercise.route())
        return check_attempt(exercise, found[-1]) if found else None

    def check_answer(
        self,
        exercise: Configure,
        answer: Answer,
        cancel: Cancel | None = None,
        *,
        exercise_id: str = "",
    ) -> Check:
        """Run the exercise's client live against the lab answering `answer`, and judge it; on
        a class lab, the lab runs it and judges it for the teacher too (`exercise_id`:
        "lesson/step")."""
        from tutor.course.checks import check_configured

        spec = exercise.spec(answer)
        if exercise_id:
            outcome = self.lab.configure(exercise_id, answer, spec, cancel)
        else:
            outcome = self.lab.run(spec, cancel)
        return check_configured(exercise, outcome)

    def grade_prediction(
        self, prediction: Prediction, experiment: ExperimentSpec, cancel: Cancel | None = None
    ) -> Graded:
        """Run the prediction's experiment live: the choices whose claimed outcome it shows."""
        from tutor.experiments import clients
        from tutor.experiments.prediction import matching

        outcome = self.lab.run(experiment, cancel)
        if outcome.client_version is None:
            hint = clients.get(experiment.client).install_hint
            return Graded(outcome, problem=outcome.error, install=hint)
        right = matching(prediction.choices, outcome)
        return Graded(outcome, tuple(choice.id for choice in right))

    # The quiz.

    def quiz(self, plan: Plan, cancel: Cancel | None = None) -> tuple[Quiz | None, str | None]:
        """The quiz `plan` asks for, its choices shuffled by the exam's seed (a new seed for a
        practice quiz), its predictions run live on the lab (started here if need be:
        LabUnavailable when it cannot); or None and why not. Call it from a worker.

        On a class lab (the front end joined it first, with `lab.start()`) whose teacher set an
        exam, a quiz that narrows nothing (no lesson, tag or due) is that exam, graded by the
        lab and resumed where the student left it: while it runs the lab only records each
        answer, and `Quiz.settle` asks for the grades at the end."""
        from tutor.quiz.draw import choose
        from tutor.quiz.order import new_seed
        from tutor.quiz.session import Quiz

        if self.course is None or self.record is None:
            return None, "The course has not loaded yet."
        if self.lab.not_joined is not None:  # a quiz meant for the class is not taken alone
            return None, (
                f"Not in the class: {self.lab.not_joined}. A quiz with --join runs only on the "
                "teacher's lab: check its URL and your name, or ask your teacher."
            )
        if self.lab.joined is not None and not (plan.lesson or plan.tag or plan.due):
            taken = self._class_exam(plan, self.course, self.record)
            if taken is not None:
                return taken
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
        if plan.result is not None:
            self._exam, self._handed_in = (quiz, plan), None
        return quiz, None

    def _class_exam(
        self, plan: Plan, course: Course, record: Record
    ) -> tuple[Quiz | None, str | None] | None:
        """The exam the class lab's teacher set, as a quiz graded there (or why it cannot be
        taken); None when the teacher set none. Its answers go to the record under a session
        named by the lab's sheet, so that grades heard again (resumed, or shown at the end)
        count once."""
        from dataclasses import replace

        from tutor.classroom.exam import ENDS
        from tutor.classroom.exam_client import ClassExam, ExamProblem
        from tutor.classroom.student import ClassRefused, ClassUnreachable, JoinedLab
        from tutor.progress.export import local_time
        from tutor.quiz.session import Quiz

        lab = self.lab.wait()
        if not isinstance(lab, JoinedLab):
            return None
        with contextlib.suppress(ClassUnreachable, ClassRefused):
            lab.link.join()  # the exam the teacher set since the tutor joined, if any
        if lab.link.exam is None:
            return None
        try:
            exam = ClassExam.open(lab.link, course)
        except ExamProblem as problem:
            return None, str(problem)
        except (ClassUnreachable, ClassRefused) as error:
            why = str(error).rstrip(".")
            return None, f"The class's exam cannot be opened now: {why}. Start it again."
        if exam.over is not None and not exam.answered:
            return None, (
                f"The class's exam is over ({ENDS[exam.over]}) and you had not begun it: the "
                "class lab takes no answer to it now."
            )
        asked = replace(
            plan, seed=exam.seed, count=len(exam.items), time_limit=exam.time, name=lab.join.name
        )
        begun = local_time(exam.started or time.time())
        quiz = Quiz(
            exam.items,
            record,
            session=f"class {asked.session(time.time())} begun {begun}",
            grader=exam.grade,
            reveal=exam.reveal,
            graded_by=exam.graded_by,
            answered=exam.answered,
            time_limit=exam.left,
            seed=exam.seed,
        )
        if exam.over == "teacher":
            quiz.stop()
            quiz.closed = "ended by the teacher"
        elif exam.left == 0 and not quiz.finished:
            quiz.stop(timed_out=True)
        if plan.result is not None:
            self._exam, self._handed_in = (quiz, asked), None
        return quiz, None

    def hand_in(self, quiz: Quiz, plan: Plan) -> str:
        """Write an exam's result file (marked partial when the quiz ended early; in the
        temporary folder when its own cannot take it); what happened, in words for the learner.
        A class exam's file is the student's copy, by the lab's settings. An exam not handed in
        by the time the session closes is handed in then (see close)."""
        from tutor.quiz.result import hand_in

        path = plan.result
        if path is None:
            return ""
        with self._hand_in_lock:
            exam = self._exam if self._exam is not None and self._exam[0] is quiz else None
            if exam is not None:
                plan = exam[1]  # for a class exam, the lab's settings
            said, kept = hand_in(path, quiz, plan)
            self.lost = self.lost or not kept
            if kept and exam is not None:
                self._handed_in = quiz.position
        return said
