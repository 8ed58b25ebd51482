"""The Textual app and its one factory, shared by the command line and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.message import Message
from textual.screen import Screen

from tutor.experiments import notices
from tutor.progress.settings import Settings, read_settings
from tutor.session.lab import LabUnavailable
from tutor.ui.literal import printable
from tutor.ui.palette import TutorCommands, with_keys
from tutor.ui.preferences import Preferences
from tutor.ui.screens.help import HELP_BINDING, help_command, toggle_help
from tutor.ui.screens.lessons import LessonsScreen
from tutor.ui.widgets.footer import FOOTER_BREAKPOINTS

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.progress.record import LessonState, Record
    from tutor.quiz.plan import Plan
    from tutor.session.study import StudySession
    from tutor.ui.screens.reader import ReaderScreen
    from tutor.ui.widgets.reader.exercise import ExercisePanel
    from tutor.ui.widgets.reader.prediction import PredictionGraded

__all__ = ["INDEX_FILE", "TutorApp", "build_app"]

INDEX_FILE = "course-index.json"
"""The cached lesson index, in the learner's data folder beside the record."""
LAB_AFTER = 1.0
"""Seconds after the course is shown that a lab of the tutor's own starts: not during the first
lesson's first render, which it would only slow."""


class TutorApp(App[None]):
    """The tutor: lessons, their live experiments, and the lab that witnesses them."""

    CSS_PATH = "tutor.tcss"
    TITLE = "redirect-tutor"
    HORIZONTAL_BREAKPOINTS = FOOTER_BREAKPOINTS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="Quit the tutor"),
        HELP_BINDING,
    ]
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {TutorCommands}

    class CourseLoaded(Message, bubble=False):
        """The course has loaded: the app hears it, then every screen open (those that show the
        course, like the Lab's edge cases, handle it)."""

        def __init__(self, course: Course) -> None:
            super().__init__()
            self.course = course

    class BuiltinLoaded(Message):
        """The built-in lessons, the learner's place in each and the lesson they saw last,
        while lesson packs still load: the lesson list opens them at once."""

        def __init__(
            self, course: Course, states: Mapping[str, LessonState], last: str | None
        ) -> None:
            super().__init__()
            self.course = course
            self.states = states
            self.last = last

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

    class LabSettled(Message):
        """The session's lab has started, or failed to (it starts when first needed)."""

    class Failed(Message):
        """Something in the background failed; `title` and `text` are for the learner."""

        def __init__(self, title: str, text: str) -> None:
            super().__init__()
            self.title = title
            self.text = text

    class RecordNews(Message):
        """What the learner must hear about their record now (it cannot be saved, or is saved
        again): posted from whichever thread met it."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(
        self, session: StudySession, *, quiz: Plan | None = None, settings: Settings | None = None
    ) -> None:
        super().__init__()
        self.preferences = Preferences(self, settings or Settings())
        self.session = session
        self.quiz_plan = quiz
        self._reopened = False
        """The lesson left unfinished has been reopened, or need not be."""
        self.lessons_screen = LessonsScreen(session)
        session.listen(lambda text: self.post_message(self.RecordNews(text)))

    def get_default_screen(self) -> Screen:
        return self.lessons_screen

    def on_mount(self) -> None:
        from tutor.course.index import index_key, read_index
        from tutor.progress.location import home

        # Asked to stop by the system (a closed terminal, kill): quit as ctrl+q does, so the
        # terminal is given back as it was and the session closes, rather than die mid-screen.
        loop = asyncio.get_running_loop()
        for stop in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(stop, self.exit)

        self.sub_title = self.session.lab.name
        self.session.lab.on_settle(lambda: self.post_message(self.LabSettled()))
        self.preferences.start()
        self._stop_notices = notices.listen(self._notice)
        # The cached index costs a millisecond or two, so the first paint already lists the
        # lessons; parsing and validating the course starts now, in a worker, and a lesson
        # chosen from the index before it is done opens as soon as it is (LessonsScreen).
        key = index_key(self.session.course_paths)  # before the load: a change misses next time
        entries = read_index(key, home() / INDEX_FILE)
        if entries:
            self.lessons_screen.show_index(entries)
        self._load_course(key)

    def on_unmount(self) -> None:
        self._stop_notices()
        self.session.close()

    def _notice(self, text: str) -> None:
        """What an experiment said once (the Go client built on first use), from any thread."""
        if threading.current_thread() is threading.main_thread():
            self.notify(text, timeout=8)
        else:
            self.call_from_thread(self.notify, text, timeout=8)

    @work(exclusive=True, thread=True, group="course", description="Loading the lessons")
    def _load_course(self, key: str) -> None:
        # Start-up allocates much and frees little: collections meanwhile would walk a growing
        # heap for nothing (~100 ms). They resume once the course and the record are here, and
        # never walk what start-up made (modules, the course): it lives as long as the tutor.
        gc.disable()
        try:
            self._load(key)
        finally:
            gc.freeze()
            gc.enable()

    def _load(self, key: str) -> None:
        """Load the course while the record opens (SQLite waits on the disk, not on the course);
        announce both together, so that the UI takes them at once. With lesson packs, the
        built-in lessons and the record are announced first: they open while the packs load."""
        from tutor.course.index import write_index
        from tutor.progress.location import home

        session = self.session
        opening = threading.Thread(target=session.open_record, name="Opening the record")
        opening.start()
        course: Course | None = None
        try:
            if session.builtin and session.lesson_dirs:  # its lessons open while packs load
                builtin = session.load_course(builtin_only=True)
                opening.join()
                if (record := session.record) is not None:
                    states, last = record.lessons(), record.last_lesson()
                    self.post_message(self.BuiltinLoaded(builtin, states, last))
            course = session.load_course()
        except Exception as error:  # shown to the learner, never as a traceback
            self.post_message(self.Failed("The lessons could not be loaded", str(error)))
        opening.join()
        record = session.record
        opened = None
        if course is not None and record is not None:
            opened = self.RecordOpened(record, record.lessons(), record.last_lesson())
        if course is not None:
            self.post_message(self.CourseLoaded(course))
        if opened is not None:
            self.post_message(opened)
        # The teacher expects a joined student now; a lab of our own starts once the first
        # screen is drawn (or sooner, when something needs it), so the header soon says where.
        if session.lab.joins:
            self.call_from_thread(self._start_lab)
        else:
            self.call_from_thread(self.set_timer, LAB_AFTER, self._start_lab)
        if course is not None:
            write_index(key, course.lessons, home() / INDEX_FILE)  # the learner waits on none
            import tutor.ui.screens.reader  # noqa: F401  # while the list is read, not on Enter

    @work(exclusive=True, thread=True, group="lab", description="Starting the lab server")
    def _start_lab(self) -> None:
        try:
            self.session.lab.start()
        except LabUnavailable as error:
            self.post_message(self.Failed("The lab server did not start", str(error)))

    def on_lessons_screen_open_asked(self) -> None:
        self.lessons_screen.open_highlighted()

    def on_tutor_app_builtin_loaded(self, message: BuiltinLoaded) -> None:
        self.lessons_screen.show_builtin(message.course, message.states)
        self._reopen(message.states, message.last)

    def on_tutor_app_course_loaded(self, message: CourseLoaded) -> None:
        self.lessons_screen.show_course(message.course)
        for screen in self.screen_stack:
            if screen is not self.lessons_screen:
                screen.post_message(self.CourseLoaded(message.course))

    def on_tutor_app_record_opened(self, message: RecordOpened) -> None:
        """Start the quiz asked for on the command line, or reopen the lesson left unfinished."""
        record = message.record
        if record.notice:
            notice = printable(record.notice)
            self.notify(notice, title="Your progress", severity="warning", timeout=30, markup=False)
        states, last = message.states, message.last
        self.lessons_screen.show_progress(states)
        if self.quiz_plan is not None:
            from tutor.ui.screens.quiz import QuizScreen

            self.push_screen(QuizScreen(self.session, self.quiz_plan))
            return
        self._reopen(states, last)

    def _reopen(self, states: Mapping[str, LessonState], last: str | None) -> None:
        """Reopen the lesson left unfinished, once, as soon as the record says which (with
        lesson packs, before they have loaded): unless the learner chose one meanwhile, or
        the command line asked for a quiz."""
        if self._reopened or self.quiz_plan is not None:
            return
        self._reopened = True
        opened = self.screen is not self.lessons_screen  # a lesson chosen while it all loaded
        if not opened and last is not None and last in states and not states[last].ended:
            self.lessons_screen.resume(last, states[last].step_id)

    def on_reader_screen_step_shown(self, message: ReaderScreen.StepShown) -> None:
        self.session.show_step(message.lesson_id, message.step_id, last=message.last)
        self._save_progress()

    def on_prediction_graded(self, message: PredictionGraded) -> None:
        self.session.use_hints(message.lesson_id, message.step_id, message.hints_used)
        self.session.meet(message.lesson_id, message.step_id, "prediction")
        self._save_progress()

    def on_exercise_panel_met(self, message: ExercisePanel.Met) -> None:
        lesson_id, _, step_id = message.exercise_id.partition("/")
        self.session.meet(lesson_id, step_id, "exercise")
        self._save_progress()

    def on_tutor_app_progress_saved(self, message: ProgressSaved) -> None:
        self.lessons_screen.show_progress(message.states)

    @work(thread=True, group="record", description="Saving your progress")
    def _save_progress(self) -> None:
        """Write to the learner's record off the UI thread (SQLite may wait on the disk)."""
        states = self.session.save()
        if states is not None:
            self.post_message(self.ProgressSaved(states))

    def on_tutor_app_lab_settled(self) -> None:
        self.sub_title = self.session.lab.name
        notice = self.session.lab.notice  # asked to join a class that is not this lab
        if notice and self.quiz_plan is None:  # a class's quiz says so itself, and stops
            text = printable(notice)
            self.notify(text, title="The class", severity="warning", timeout=30, markup=False)

    def on_tutor_app_failed(self, message: Failed) -> None:
        self.sub_title = self.session.lab.name
        text = printable(message.text)
        self.notify(text, title=message.title, severity="error", timeout=30, markup=False)

    def on_tutor_app_record_news(self, message: RecordNews) -> None:
        text = printable(message.text)
        self.notify(text, title="Your progress", severity="warning", timeout=30, markup=False)

    def action_help(self) -> None:
        toggle_help(self)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The tutor's keys on the screen, then the few Textual commands a learner needs; "keys"
        finds the help screen too (Textual's keys panel is not offered)."""
        yield from with_keys(self, screen, super().get_system_commands(screen))
        yield help_command(self)


def build_app(session: StudySession, *, quiz: Plan | None = None) -> TutorApp:
    """The tutor app on `session` (tutor.session.factory.make_session), for `redirect-tutor`
    and for tests.

    The app loads the session's course and record as it starts (its lab starts when first
    needed, or at once to join a class), and closes the session on exit. With `quiz` it opens
    on that quiz; otherwise it reopens the lesson the learner left unfinished, at its step. The
    learner's settings (tutor.progress.settings: theme, keymap) are read here, so every way in
    starts the same.
    """
    return TutorApp(session, quiz=quiz, settings=read_settings())
