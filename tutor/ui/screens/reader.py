"""The lesson reader: one step at a time, its sources, and a key to run its experiments."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Markdown, OptionList, Static

from tutor.quiz import order
from tutor.ui.literal import printable
from tutor.ui.live import LabDone, on_lab
from tutor.ui.widgets.course.lesson_list import numbered
from tutor.ui.widgets.experiment.listing import ExperimentList
from tutor.ui.widgets.footer import TutorFooter
from tutor.ui.widgets.reader.exercise import ExercisePanel
from tutor.ui.widgets.reader.prediction import PredictionGraded, PredictionPanel, PredictionState
from tutor.ui.widgets.reader.sources import Sources

if TYPE_CHECKING:
    from tutor.course.models import Experiment, Lesson, Step
    from tutor.experiments.clients.base import Cancel
    from tutor.session.study import Graded, StudySession

__all__ = ["ReaderScreen"]


class ReaderScreen(Screen[str | None]):
    """A lesson, step by step; `r` runs the highlighted experiment of the step. Dismissed with
    the id of the next lesson when the learner asks for it on the last step (`n`)."""

    HELP = (
        "A lesson, one step at a time: read, predict what a client will do when asked, "
        "then run the step's experiment live on the lab (r) and see who was right."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next", id="reader.next", tooltip="Go to the next step"),
        # The same key on the last step: only one of the two is ever enabled.
        Binding(
            "n",
            "next_lesson",
            "Next lesson",
            id="reader.next_lesson",
            tooltip="On the last step: open the next lesson",
        ),
        Binding("p", "step(-1)", "Prev", id="reader.previous", tooltip="Previous step"),
        Binding(
            "r",
            "run",
            "Run",
            id="reader.run",
            tooltip="Run the experiment live on the lab; after a prediction, show its run",
        ),
        Binding(
            "1", "pick(0)", "Predict", key_display="1-9", id="reader.pick", tooltip="Pick a choice"
        ),
        *[Binding(str(n), f"pick({n - 1})", show=False) for n in range(2, 10)],
        Binding(
            "h",
            "hint",
            "Hint",
            id="reader.hint",
            tooltip="One more hint, for the prediction or the exercise",
        ),
        Binding("escape", "back", "Lessons", id="reader.back", tooltip="Back to the lessons"),
        # Tried when the key above is off here: say why instead of doing nothing (no id: they
        # are not keys of their own).
        *[Binding(key, f"why('{key}')", show=False) for key in ("n", "p", "r")],
    ]

    index: reactive[int] = reactive(0, init=False)
    """The step shown, from 0."""

    class StepShown(Message):
        """The learner sees a step (the `last` one finishes the lesson); the record keeps it."""

        def __init__(self, lesson_id: str, step_id: str, last: bool) -> None:
            super().__init__()
            self.lesson_id = lesson_id
            self.step_id = step_id
            self.last = last

    def __init__(self, session: StudySession, lesson: Lesson, step_id: str | None = None) -> None:
        """`step_id`: open at that step (where the learner left off); the first if it is gone."""
        super().__init__()
        self.session = session
        self.lesson = lesson
        self.title = printable(lesson.title)
        self._predictions: dict[str, PredictionState] = {}
        """Each predict step's state, by step id, so that going back keeps it."""
        self._seed = order.new_seed()
        """Shuffles each prediction's choices: a position says nothing about the answer."""
        ids = [step.id for step in lesson.steps]
        self.set_reactive(ReaderScreen.index, ids.index(step_id) if step_id in ids else 0)

    @property
    def step(self) -> Step:
        return self.lesson.steps[self.index]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="step-indicator")
        with VerticalScroll(id="step-body"):
            yield Markdown(id="step-text")
            yield PredictionPanel(id="prediction")
            yield ExercisePanel(self.session, id="exercise")
            yield ExperimentList(id="experiments")
            yield Sources(id="sources")
        yield Static(id="next-lesson")
        yield TutorFooter()

    def on_mount(self) -> None:
        self._show_step()

    def watch_index(self) -> None:
        self._show_step()

    def _show_step(self) -> None:
        step = self.step
        total = len(self.lesson.steps)
        self.post_message(self.StepShown(self.lesson.id, step.id, self.index == total - 1))
        self.query_one("#step-indicator", Static).update(
            Content.from_markup(
                "[b]Step $number/$total[/b] · $title",
                number=self.index + 1,
                total=total,
                title=printable(step.title),
            )
        )
        self.query_one(Markdown).update(printable(step.text))
        self._show_runs()
        self.query_one(ExercisePanel).show(step.exercise, f"{self.lesson.id}/{step.id}")
        cited = [c for c in self.lesson.citations if c.id in step.cite]
        self.query_one(Sources).show(cited)
        self._show_next_lesson()
        self.query_one("#step-body").scroll_home(animate=False)
        self._focus_step()
        self.refresh_bindings()

    @property
    def _next_lesson(self) -> tuple[int, Lesson] | None:
        """The lesson after this one in the course, with its number (as the list numbers it)."""
        lessons = self.session.course.lessons if self.session.course else []
        ids = [lesson.id for lesson in lessons]
        if self.lesson.id not in ids or ids.index(self.lesson.id) + 1 == len(ids):
            return None
        at = ids.index(self.lesson.id) + 1
        return at + 1, lessons[at]

    @property
    def _last_step(self) -> bool:
        return self.index == len(self.lesson.steps) - 1

    def on_tutor_app_course_loaded(self) -> None:
        """The whole course is here (the lesson was opened before a pack had loaded): the
        lesson after this one may be one of the pack's."""
        self._show_next_lesson()
        self.refresh_bindings()

    def _show_next_lesson(self) -> None:
        """On the last step, the line that offers the next lesson (`n`)."""
        line, following = self.query_one("#next-lesson", Static), self._next_lesson
        line.display = self._last_step and following is not None
        if line.display and following is not None:
            number, lesson = following
            line.update(
                Content.assemble(
                    "Next: ", numbered(number, lesson.title).stylize("bold"), " — press n"
                )
            )

    def _show_runs(self) -> None:
        """The step's prediction, and its experiments, which wait until the prediction is graded."""
        state, experiments = self._prediction_state, self.step.experiments
        note = None  # how to run one with r
        if state is not None and state.outcome is not None:  # r shows the prediction's own run
            note = (
                "To run any of them live: Tab to the list, then ↑ ↓ and Enter"
                if len(experiments) > 1
                else "To run it again live: Tab to it, then Enter"
            )
        self.query_one(ExperimentList).show(experiments, note=note)
        self._show_prediction()

    def _focus_step(self) -> None:
        """Focus the open prediction's choices, or else the step's text, so that ↑ ↓ and PageDown
        read on (a hidden widget keeps no focus worth having); never scrolled to, so that every
        step opens at its top."""
        state = self._prediction_state
        choosing = state is not None and state.chosen is None
        self.query_one("#predict-choices" if choosing else "#step-body").focus(scroll_visible=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim the keys that would do nothing here (None shows them disabled in the footer)."""
        if action == "next_lesson":
            return self._last_step and self._next_lesson is not None
        if action == "step":
            target = self.index + cast(int, parameters[0])
            if target == len(self.lesson.steps) and self._next_lesson is not None:
                return False  # `n` offers the next lesson instead
            return True if 0 <= target < len(self.lesson.steps) else None
        if action == "run":
            return bool(self.step.experiments and not self._predicting)
        if action == "hint" and self.step.predict is None and self.step.exercise is not None:
            return True if self.query_one(ExercisePanel).more_hints else None
        if action in ("pick", "hint") and self.step.predict is None:
            return False  # no prediction on this step: keep the footer short
        if action in ("pick", "hint") and (graded := self._prediction_state) and graded.right:
            return False  # graded for good: the footer makes room for Run
        if action == "pick":
            state = self._prediction_state
            open_ = state is not None and (state.chosen is None or state.problem is not None)
            prediction = self.step.predict
            fits = prediction is not None and cast(int, parameters[0]) < len(prediction.choices)
            return True if open_ and fits else None
        if action == "hint":
            state, prediction = self._prediction_state, self.step.predict
            more = (
                prediction is not None and state is not None and state.hints < len(prediction.hints)
            )
            return True if more and state is not None and state.chosen is None else None
        return True

    def action_step(self, delta: int) -> None:
        self.index = max(0, min(self.index + delta, len(self.lesson.steps) - 1))

    def action_run(self) -> None:
        """After a graded prediction, the prediction's own run; otherwise the highlighted
        experiment, run now."""
        state, prediction = self._prediction_state, self.step.predict
        if prediction is not None and state is not None and state.outcome is not None:
            ran = next(e for e in self.step.experiments if e.id == prediction.experiment)
            self._open(ran)
        else:
            self._open(self.query_one(ExperimentList).highlighted)

    def _open(self, chosen: Experiment | None) -> None:
        """`chosen`: its run of the prediction if it had one, or else a new run."""
        from tutor.ui.screens.experiment import ExperimentScreen  # not needed to read a step

        if chosen is None:
            return
        state, prediction = self._prediction_state, self.step.predict
        predicted = prediction is not None and chosen.id == prediction.experiment
        if predicted and state is not None and state.outcome is not None:
            self.app.push_screen(ExperimentScreen(self.session, chosen, outcome=state.outcome))
        else:
            self.app.push_screen(ExperimentScreen(self.session, chosen, run_now=True))

    def action_why(self, key: str) -> None:
        """Say why `key` does nothing here."""
        if key == "p":
            why = "This is the first step."
        elif key == "n":
            why = "This is the last step of the last lesson."
        elif not self.step.experiments:
            why = "This step has no experiment to run."
        elif (prediction := self.step.predict) is not None:
            state = self._prediction_state
            running = state is not None and state.chosen is not None and state.problem is None
            why = (
                "The prediction is running…"
                if running
                else (f"Predict first: 1-{len(prediction.choices)}.")
            )
        else:
            return
        self.notify(why, timeout=3)

    def action_next_lesson(self) -> None:
        following = self._next_lesson
        if self._last_step and following is not None:
            self.dismiss(following[1].id)

    def action_back(self) -> None:
        self.dismiss(None)

    @on(ExperimentList.Chosen)
    def _run_chosen(self) -> None:
        self._open(self.query_one(ExperimentList).highlighted)

    # Predict, then run: pick (1-9, or arrows and Enter), hints on request, then the live run.

    @property
    def _prediction_state(self) -> PredictionState | None:
        if self.step.predict is None:
            return None
        if self.step.id not in self._predictions:
            key = f"{self.lesson.id}/{self.step.id}"
            shown = order.shuffled(self.step.predict.choices, key, self._seed)
            self._predictions[self.step.id] = PredictionState(shown)
        return self._predictions[self.step.id]

    @property
    def _predicting(self) -> bool:
        """The step asks for a prediction that the live run has not graded yet."""
        state = self._prediction_state
        return state is not None and state.right is None

    def _show_prediction(self) -> None:
        panel = self.query_one(PredictionPanel)
        state, prediction = self._prediction_state, self.step.predict
        panel.display = prediction is not None
        if prediction is None or state is None:
            return
        panel.show(prediction, state)
        if self._predicting:
            self.query_one(ExperimentList).wait(
                f"Predict first: press 1-{len(prediction.choices)}, or ↑ ↓ and Enter"
                + (
                    f"; h for a hint ({left} left)"
                    if (left := len(prediction.hints) - state.hints)
                    else ""
                )
            )

    def action_hint(self) -> None:
        if self.step.predict is None and self.step.exercise is not None:
            self.query_one(ExercisePanel).next_hint()
            self.refresh_bindings()
            return
        state = self._prediction_state
        if state is not None and self.check_action("hint", ()):
            state.hints += 1
            self._show_step_prediction()

    def action_pick(self, index: int) -> None:
        state, prediction = self._prediction_state, self.step.predict
        if state is None or prediction is None or not self.check_action("pick", (index,)):
            return
        state.chosen, state.problem, state.outcome = state.order[index].id, None, None
        state.right = None
        self._show_step_prediction()
        experiment = next(e for e in self.step.experiments if e.id == prediction.experiment)
        session = self.session

        def grade(cancel: Cancel) -> Graded:
            return session.grade_prediction(prediction, experiment, cancel)

        on_lab(self, grade, key=self.step.id, description="Running the prediction")

    def _show_step_prediction(self) -> None:
        self._show_prediction()
        self._reveal_result()
        self.refresh_bindings()

    def _reveal_result(self) -> None:
        """Scroll the prediction to the top of the view: its prompt, the choices marked, and
        under them the result, whose new height is not laid out yet."""
        self.query_one(PredictionPanel).scroll_visible(animate=False, top=True)

    @on(OptionList.OptionSelected, "#predict-choices")
    def _pick_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(event.option_index)

    def on_lab_done(self, message: LabDone[Graded]) -> None:
        """A prediction's live run is over (the key is its step's id), or could not happen."""
        state = self._predictions[message.key]
        step = next(s for s in self.lesson.steps if s.id == message.key)
        assert step.predict is not None and state.chosen is not None
        graded = message.result
        state.outcome = graded.outcome if graded is not None else None
        state.problem = message.problem or (graded.problem if graded is not None else None)
        state.install = graded.install if graded is not None and not message.problem else None
        if graded is not None and state.problem is None:
            state.right = graded.right
            if len(graded.right) == 1:
                right = state.chosen == graded.right[0]
                self.post_message(
                    PredictionGraded(self.lesson.id, step.id, state.chosen, right, state.hints)
                )
        if step is self.step:  # the text stays: drawn again, it would scroll back to the top
            self._show_runs()
            self._focus_step()
            self._reveal_result()
            self.refresh_bindings()
