"""The Textual app and its one factory, shared by the command line and the tests."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from tutor.ui.lab import LabGate
from tutor.ui.screens.lessons import LessonsScreen

if TYPE_CHECKING:
    from tutor.course.loader import Course
    from tutor.lab.server import LabServer
    from tutor.progress.record import LessonState, Record
    from tutor.quiz.plan import Plan
    from tutor.ui.screens.reader import ReaderScreen
    from tutor.ui.widgets.reader.prediction import PredictionGraded

__all__ = ["INDEX_FILE", "TutorApp", "build_app"]

INDEX_FILE = "course-index.json"
"""The cached lesson index, in the learner's data folder beside the record."""


class TutorApp(App[None]):
    """The tutor: lessons, their live experiments, and the lab that witnesses them."""

    CSS_PATH = "tutor.tcss"
    TITLE = "redirect-tutor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="Quit the tutor"),
    ]

    class CourseLoaded(Message):
        def __init__(self, course: Course) -> None:
            super().__init__()
            self.course = course

    class RecordOpened(Message):
        """The learner's record is open (after the course loaded): resume, or start the quiz."""

        def __init__(self, record: Record, states: Mapping[str, LessonState], last: str | None):
            super().__init__()
            self.record = record
            self.states = states
            """The learner's place in each lesson."""
            self.last = last
            """The lesson the learner saw last."""

    class ProgressSaved(Message):
        """The record took a write; `states` is each lesson's place after it."""

        def __init__(self, states: Mapping[str, LessonState]) -> None:
            super().__init__()
            self.states = states

    class LabStarted(Message):
        """The app's own lab is running; `lab_gate` has it."""

    class Failed(Message):
        """Something in the background failed; `title` and `text` are for the learner."""

        def __init__(self, title: str, text: str) -> None:
            super().__init__()
            self.title = title
            self.text = text

    def __init__(
        self,
        lesson_dirs: Sequence[Path] = (),
        *,
        builtin: bool = True,
        lab: LabServer | None = None,
        quiz: Plan | None = None,
    ) -> None:
        super().__init__()
        self.lesson_dirs = tuple(lesson_dirs)
        self.quiz_plan = quiz
        self.course: Course | None = None
        self.record: Record | None = None
        self.builtin = builtin
        self.lab_gate = LabGate(lab)
        self._owns_lab = lab is None
        self.lessons_screen = LessonsScreen()
        self._record_writes: queue.SimpleQueue[Callable[[Record], object]] = queue.SimpleQueue()
        self._record_lock = threading.Lock()
        """Held while writes are made: they happen one at a time, in the order they came."""

    def get_default_screen(self) -> Screen:
        return self.lessons_screen

    def on_mount(self) -> None:
        from tutor.course.files import builtin_lessons_dir
        from tutor.course.index import index_key, read_index
        from tutor.progress.location import home

        self.sub_title = self.lab_gate.name
        # The cached index costs a millisecond or two, so the first paint already lists the
        # lessons; parsing and validating the course waits until after it, in a worker.
        paths = [*([builtin_lessons_dir()] if self.builtin else []), *self.lesson_dirs]
        key = index_key(paths)  # before the load: a file changed meanwhile misses next time
        entries = read_index(key, home() / INDEX_FILE)
        if entries:
            self.lessons_screen.show_index(entries)
        self.call_after_refresh(self._load_course, key, bool(entries))

    def on_unmount(self) -> None:
        if self._owns_lab and self.lab_gate.lab is not None:
            self.lab_gate.lab.stop()
        if self.record is not None:
            with self._record_lock:
                self._write_pending(self.record)
                self.record.close()

    @work(exclusive=True, thread=True, group="course", description="Loading the lessons")
    def _load_course(self, key: str, indexed: bool) -> None:
        from tutor.course.index import write_index
        from tutor.course.loader import load_course
        from tutor.progress.location import home

        try:
            if self.builtin and self.lesson_dirs and not indexed:  # built-in first, packs later
                self.post_message(self.CourseLoaded(load_course()))
            course = load_course(self.lesson_dirs, builtin=self.builtin)
        except Exception as error:  # shown to the learner, never as a traceback
            self.post_message(self.Failed("The lessons could not be loaded", str(error)))
            loaded = False
        else:
            self.post_message(self.CourseLoaded(course))
            write_index(key, course.lessons, home() / INDEX_FILE)
            loaded = True
        if self._owns_lab:  # after the lessons: its start-up would only delay them
            self.call_from_thread(self._start_lab)
        if not loaded:
            return
        from tutor.progress.record import open_record

        record = open_record()
        self.post_message(self.RecordOpened(record, record.lessons(), record.last_lesson()))

    @work(exclusive=True, thread=True, group="lab", description="Starting the lab server")
    def _start_lab(self) -> None:
        from tutor.lab.server import LabServer

        try:
            lab = LabServer().start()
        except Exception as error:  # LabError, or anything else: a message, never a traceback
            self.lab_gate.fail(str(error))
            self.post_message(self.Failed("The lab server did not start", str(error)))
            return
        if get_current_worker().is_cancelled:
            lab.stop()
            return
        self.lab_gate.open(lab)
        self.post_message(self.LabStarted())

    def on_tutor_app_course_loaded(self, message: CourseLoaded) -> None:
        self.course = message.course
        self.lessons_screen.show_course(message.course)

    def on_tutor_app_record_opened(self, message: RecordOpened) -> None:
        """Start the quiz asked for on the command line, or reopen the lesson left unfinished."""
        record = self.record = message.record
        if record.notice:
            self.notify(record.notice, title="Your progress", severity="warning", timeout=30)
        states, last = message.states, message.last
        self.lessons_screen.show_progress(states)
        if self.quiz_plan is not None:
            from tutor.ui.screens.quiz import QuizScreen

            self.push_screen(QuizScreen(self.quiz_plan))
            return
        if last is not None and last in states and not states[last].done:
            self.lessons_screen.resume(last, states[last].step_id)

    def on_reader_screen_step_shown(self, message: ReaderScreen.StepShown) -> None:
        lesson_id, step_id, last = message.lesson_id, message.step_id, message.last
        self._keep(lambda record: record.show_step(lesson_id, step_id, last=last))

    def on_prediction_graded(self, message: PredictionGraded) -> None:
        lesson_id, step_id, hints = message.lesson_id, message.step_id, message.hints_used
        self._keep(lambda record: record.use_hints(lesson_id, step_id, hints))

    def on_tutor_app_progress_saved(self, message: ProgressSaved) -> None:
        self.lessons_screen.show_progress(message.states)

    def _keep(self, write: Callable[[Record], object]) -> None:
        """Write to the learner's record off the UI thread (SQLite may wait on the disk)."""
        if self.record is not None:
            self._record_writes.put(write)
            self._save_progress(self.record)

    @work(thread=True, group="record", description="Saving your progress")
    def _save_progress(self, record: Record) -> None:
        with self._record_lock:  # the order of the writes, and of the states posted after them
            if self._write_pending(record):
                self.post_message(self.ProgressSaved(record.lessons()))

    def _write_pending(self, record: Record) -> bool:
        """Make the writes waiting in the queue, in order; False when there were none."""
        wrote = False
        while True:
            try:
                write = self._record_writes.get_nowait()
            except queue.Empty:
                return wrote
            write(record)
            wrote = True

    def on_tutor_app_lab_started(self) -> None:
        self.sub_title = self.lab_gate.name

    def on_tutor_app_failed(self, message: Failed) -> None:
        self.sub_title = self.lab_gate.name
        self.notify(message.text, title=message.title, severity="error", timeout=30)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands, then every key the screen offers, so the palette lists them all."""
        commands = list(super().get_system_commands(screen))
        yield from commands
        seen = {command.title for command in commands}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not (binding.description and active.enabled):
                continue
            if binding.description in seen:
                continue
            seen.add(binding.description)
            key = self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip or binding.description} (key: {key})",
                partial(self.run_action, binding.action, active.node),
            )


def build_app(
    lesson_dirs: Sequence[Path] = (),
    *,
    builtin: bool = True,
    lab: LabServer | None = None,
    quiz: Plan | None = None,
) -> TutorApp:
    """The tutor app, for `redirect-tutor` and for tests.

    `lesson_dirs` add lesson packs to the built-in course (`builtin=False` leaves it out). Without
    `lab` the app starts its own lab on 127.0.0.1 (a free port) after the first paint and stops
    it on exit; a given `lab` is used as it is and left running. With `quiz` the app opens on
    that quiz; otherwise it reopens the lesson the learner left unfinished, at its step. The
    learner's record is tutor.progress's (REDIRECT_TUTOR_HOME moves it).
    """
    return TutorApp(lesson_dirs, builtin=builtin, lab=lab, quiz=quiz)
