"""A step's exercise in the reader: the URL and goal, then "met" or "not yet" with what arrived."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from tutor.lab.printable import one_line
from tutor.ui.journal_feed import FEED, HopHeard, JournalFeed
from tutor.ui.literal import literal, printable
from tutor.ui.live import LabDone, on_lab
from tutor.ui.widgets.inline import labelled
from tutor.validated import names, validate

if TYPE_CHECKING:
    from tutor.course.checks import Check
    from tutor.course.exercises import Exercise
    from tutor.experiments.clients.base import Cancel
    from tutor.session.study import StudySession

__all__ = ["ExercisePanel"]

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_ATTEMPT = "exercise-attempt"
"""The LabDone key of reading the student's newest attempt."""
_OFFERS = (
    ("code", "Code", "codes"),
    ("location", "Location", "locations"),
    ("cache", "Cache", "caches"),
)
"""Each drop-down of a configure exercise: the Answer field it sets, its label, and the
exercise's field that says what it offers."""


def _options(label: str, values: Sequence[object]) -> list[tuple[Text, object]]:
    return [(Text(f"{label}: {value}"), value) for value in values]


class ExercisePanel(Vertical):
    """Shows one exercise; checks bring-your-own from the journal, configure by a live run."""

    class Met(Message):
        """The exercise shown was met: for the learner's record (a lesson is done only then)."""

        def __init__(self, exercise_id: str) -> None:
            super().__init__()
            self.exercise_id = exercise_id
            """The exercise's "lesson/step"."""

    def __init__(self, session: StudySession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.exercise: Exercise | None = None
        self.feed = JournalFeed(self, session.lab)
        self.lab_problem: str | None = None
        """Why there is no lab to send to, when it did not start."""
        self.hints_shown = 0
        self.exercise_id = ""
        """The exercise's "lesson/step", as a class lab names it."""
        self.told_met = False
        """Met was posted for the exercise shown (a bring-your-own one is checked again at
        every request)."""
        self.name_input = Input("me", id="exercise-name", max_length=32, compact=True)
        """The student's name, for a bring-your-own exercise (in its row once one is shown)."""

    def compose(self) -> ComposeResult:
        # The rows of a form (a name, or the answer's drop-downs) come with the first exercise
        # that needs them (_form): most steps have none, and they are most of a step's widgets.
        yield Static(id="exercise-task")
        yield Static(id="exercise-hints")
        yield Static(id="exercise-url")
        yield Static(id="exercise-result")

    def _form(self, exercise: Exercise) -> bool:
        """Show the form row `exercise` needs and hide the other; whether it was built now (for
        `exercise`, offering what it offers)."""
        from tutor.course.exercises import BringYourOwn

        byo = isinstance(exercise, BringYourOwn)
        row_id = "exercise-byo" if byo else "exercise-configure"
        built = not self.query(f"#{row_id}")
        if built:
            parts = self._byo() if byo else self._configure(exercise)
            self.mount(Horizontal(*parts, id=row_id), before="#exercise-url")
        for row in self.query("#exercise-byo, #exercise-configure"):
            row.display = row.id == row_id
        return built

    def _byo(self) -> tuple[Widget, ...]:
        return Static("Your name:", classes="form-label"), self.name_input

    @staticmethod
    def _configure(exercise: Exercise) -> tuple[Widget, ...]:
        """A drop-down per field of the answer, offering what `exercise` offers (never blank:
        an answer always has a code, a Location form and a cache header)."""
        offered = (
            Select(
                _options(label, getattr(exercise, offer)),
                allow_blank=False,
                id=f"exercise-{name}",
                compact=True,
            )
            for name, label, offer in _OFFERS
        )
        return *offered, Button("Check", id="exercise-check", compact=True)

    def on_unmount(self) -> None:
        self.feed.stop()

    def show(self, exercise: Exercise | None, exercise_id: str = "") -> None:
        from tutor.course.exercises import BringYourOwn

        self.exercise = exercise
        self.exercise_id = exercise_id
        self.told_met = False
        self.display = exercise is not None
        self.hints_shown = 0
        if exercise is None:
            return
        self._show_hints()
        built = self._form(exercise)
        byo = isinstance(exercise, BringYourOwn)
        hint = f" (with {exercise.client})" if byo and exercise.client else ""
        kind = "Your own client" if byo else f"Choose the lab's answer for {exercise.client}"
        self.query_one("#exercise-task", Static).update(
            labelled("[b]$kind:[/b] ", f"{exercise.task.strip()}{hint}", kind=kind)
        )
        self.query_one("#exercise-result", Static).update("")
        if isinstance(exercise, BringYourOwn):
            self.feed.start()  # only a bring-your-own exercise watches the journal
            self._refresh_byo()
        else:
            for name, label, offer in _OFFERS if not built else ():
                values = getattr(exercise, offer)
                select = self.query_one(f"#exercise-{name}", Select)
                select.set_options(_options(label, values))
                select.value = values[0]
            self.query_one("#exercise-url", Static).update(
                literal(
                    f"Then Check: the tutor sends {exercise.method} {exercise.body!r} with "
                    f"{exercise.client} to your answer, live."
                )
            )

    @property
    def more_hints(self) -> bool:
        return self.exercise is not None and self.hints_shown < len(self.exercise.hints)

    def next_hint(self) -> None:
        """Show one more of the exercise's hints (the reader's `h`)."""
        if self.more_hints:
            self.hints_shown += 1
            self._show_hints()

    def _show_hints(self) -> None:
        hints = self.exercise.hints if self.exercise is not None else []
        shown = self.query_one("#exercise-hints", Static)
        shown.display = self.hints_shown > 0
        shown.update(
            Content("\n").join(
                labelled("[b]Hint $n/$total:[/b] ", hint, n=n, total=len(hints))
                for n, hint in enumerate(hints[: self.hints_shown], 1)
            )
        )

    @property
    def student(self) -> str:
        joined = self.session.lab.joined
        if joined is not None:  # on the class lab, the name the student joined with
            return joined.name
        name = self.name_input.value.strip()
        return name if _NAME.match(name) else ""

    @on(Input.Changed, "#exercise-name")
    def _name_changed(self) -> None:
        self._refresh_byo()

    def on_hop_heard(self, message: HopHeard) -> None:
        from tutor.lab.journal import TUTORS

        hop = message.hop  # a tutor's own run is never an attempt: no need to read them again
        if hop.student and hop.student == self.student and not hop.chain.startswith(TUTORS):
            self._refresh_byo()

    def _refresh_byo(self) -> None:
        from tutor.course.exercises import BringYourOwn

        exercise = self.exercise
        if not isinstance(exercise, BringYourOwn):
            return
        url = self.query_one("#exercise-url", Static)
        if not self.student:
            url.update("Type a name: letters, digits, - or _ (it keeps your requests apart).")
            return
        lab_url = self.session.lab.base_url
        joined, name = self.session.lab.joined, self.name_input
        if joined is not None and (name.value, name.disabled) != (joined.name, True):
            name.value, name.disabled = joined.name, True  # the class knows the student by it
        if not self.feed.following or lab_url is None:
            url.update(literal(self.lab_problem or "Waiting for the lab…"))
            return
        url.update(
            Content.from_markup(
                "Send $method to [b]$url[/b]",
                method=exercise.method,
                url=exercise.url(lab_url, self.student),
            )
        )
        session, student = self.session, self.student

        def attempt(_cancel: Cancel) -> Check | None:  # a class lab's journal is a call away
            return session.check_attempt(exercise, student)

        on_lab(self, attempt, key=_ATTEMPT, description="Reading your attempts")

    def _show_check(self, check: Check | None, waiting: str) -> None:
        result = self.query_one("#exercise-result", Static)
        if check is None:
            result.update(literal(waiting))
            return
        if check.met and self.exercise_id and not self.told_met:
            self.told_met = True
            self.post_message(self.Met(self.exercise_id))
        mark = "[green]✓ Met[/]" if check.met else "[yellow]Not yet[/]"
        missing = "" if check.met else "\n" + "\n".join(f"• {p}" for p in check.problems)
        result.update(  # what arrived, and who sent it (a User-Agent), as the lab saw them
            Content.from_markup(
                f"{mark} · $verdict\n$story\nfrom $client$missing",
                verdict=printable(check.verdict),
                story=printable(check.story),
                client=one_line(check.client),
                missing=printable(missing),
            )
        )

    @on(Button.Pressed, "#exercise-check")
    def check_answer(self) -> None:
        from tutor.course.exercises import Answer, Configure

        answer = validate(
            Answer,
            {name: self.query_one(f"#exercise-{name}", Select).value for name in names(Answer)},
        )
        self.query_one("#exercise-result", Static).update("Running it live…")

        exercise, session = self.exercise, self.session
        assert isinstance(exercise, Configure)

        exercise_id = self.exercise_id

        def check(cancel: Cancel) -> Check:
            return session.check_answer(exercise, answer, cancel, exercise_id=exercise_id)

        on_lab(self, check, key="exercise", description="Checking the answer")

    def on_lab_done(self, message: LabDone[Check | None]) -> None:
        if message.key == FEED:  # following the journal now, or why not (said where the URL is)
            self.lab_problem = message.problem
            self._refresh_byo()
        elif message.key == _ATTEMPT:
            waiting = "Not yet: nothing has arrived from you. Waiting…"
            self._show_check(message.result, message.problem or waiting)
        else:
            self._show_check(message.result, message.problem or "")
