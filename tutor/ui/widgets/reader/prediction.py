"""Predict, then run: the learner's pick, hints one at a time, and the live run's judgement.

The lab's witness grades the prediction (tutor.experiments.prediction), never a stored answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tutor.ui.widgets.experiment.verdict import VerdictLine
from tutor.ui.widgets.inline import labelled

if TYPE_CHECKING:
    from tutor.course.models import Choice, Prediction
    from tutor.experiments.outcome import Outcome

__all__ = ["PredictionGraded", "PredictionPanel", "PredictionState"]


class PredictionGraded(Message):
    """A prediction was graded by a live run: for the learner's record."""

    def __init__(
        self, lesson_id: str, step_id: str, choice_id: str, correct: bool, hints_used: int
    ) -> None:
        super().__init__()
        self.lesson_id = lesson_id
        self.step_id = step_id
        self.choice_id = choice_id
        self.correct = correct
        self.hints_used = hints_used


@dataclass
class PredictionState:
    """Where the learner is with one step's prediction."""

    order: tuple[Choice, ...]
    """The choices as shown and numbered: shuffled, so that a position says nothing."""
    hints: int = 0
    """Hints shown so far."""
    chosen: str | None = None
    """The id of the picked choice, once picked (then the experiment runs)."""
    outcome: Outcome | None = None
    right: tuple[str, ...] | None = None
    """The ids of the choices the live outcome matches (exactly one when the content is right)."""

    @property
    def chosen_index(self) -> int | None:
        """Where the picked choice is shown."""
        ids = [choice.id for choice in self.order]
        return ids.index(self.chosen) if self.chosen is not None else None

    problem: str | None = None
    """Why the run could not grade the prediction (the lab is down, a client is missing)."""
    install: str | None = None
    """How to install the client the run needs, when that is what is missing."""


class Choices(OptionList):
    """The prediction's choices: ↑ ↓ and Enter pick one, and the page keys still read the lesson
    (a short list has no pages of its own)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            key,
            f"read('{how}')",
            description,
            id=f"reader.{how}",
            tooltip=f"{description} in the lesson while the choices are open",
            show=False,
        )
        for key, how, description in (
            ("pagedown", "page_down", "Page down"),
            ("pageup", "page_up", "Page up"),
            ("end", "end", "End"),
            ("home", "home", "Top"),
        )
    ]

    def action_read(self, how: str) -> None:
        body = next(node for node in self.ancestors if isinstance(node, ScrollableContainer))
        getattr(body, f"scroll_{how}")(animate=False)


class PredictionPanel(Vertical):
    """The prompt, the numbered choices, the hints so far, then the result."""

    def show(self, prediction: Prediction, state: PredictionState) -> None:
        """Render `state` of `prediction`; the choices stay open until one is picked. The parts
        are made for the first prediction shown: most steps ask for none."""
        if not self.children:
            self.mount_all(
                (
                    Static(id="predict-prompt"),
                    Choices(id="predict-choices", compact=True),
                    Static(id="predict-hints"),
                    VerdictLine(id="predict-verdict"),
                    Static(id="predict-result"),
                )
            )
        self.query_one("#predict-prompt", Static).update(
            labelled("[b]Predict:[/b] ", prediction.prompt)
        )
        choices = self.query_one("#predict-choices", OptionList)
        choices.set_options(
            Option(_choice_label(i, choice, state), disabled=state.chosen is not None)
            for i, choice in enumerate(state.order)
        )
        choices.highlighted = state.chosen_index or 0
        hints = self.query_one("#predict-hints", Static)
        shown = prediction.hints[: state.hints]
        hints.display = bool(shown)
        hints.update(
            Content("\n").join(
                labelled("[b]Hint $n/$total:[/b] ", hint, n=n, total=len(prediction.hints))
                for n, hint in enumerate(shown, 1)
            )
        )
        verdict = self.query_one(VerdictLine)
        result = self.query_one("#predict-result", Static)
        # The grade is the one signal (✓ or ✗, on the learner's pick); what the lab saw follows
        # it as a plain fact, never in the colours of a grade: the verdict line only runs or fails.
        verdict.display = state.chosen is not None and (
            state.outcome is None or state.problem is not None
        )
        result.display = state.chosen is not None
        if state.chosen is None:
            return
        if state.problem is not None:
            verdict.problem(state.problem)
            result.update(_retry(state))
        elif state.outcome is None:
            verdict.running("running the experiment live, on the lab…")
            result.update("")
        else:
            result.update(_explain(prediction, state, state.outcome))


def _choice_label(index: int, choice: Choice, state: PredictionState) -> Content:
    mark = " "
    if state.right is not None and choice.id in state.right:
        mark = "✓"
    elif state.chosen == choice.id:
        mark = "✗" if state.right is not None else "▸"
    return labelled("$mark $n. ", choice.text, mark=mark, n=index + 1)


def _retry(state: PredictionState) -> Content:
    """What to do about a run that could not grade: install the missing client, or wait for
    the lab."""
    if state.install is not None:
        return labelled(
            "The lab is running, but the client this prediction runs is not installed here. "
            "Install it with ",
            f"`{state.install}`, then press 1-9 to pick again.",
        )
    return Content("Press 1-9 to try again once the lab runs.")


def _explain(prediction: Prediction, state: PredictionState, outcome: Outcome) -> Content:
    """The grade of the learner's pick first; then, introduced as such, the answer and what
    the lab saw."""
    assert state.chosen is not None and state.right is not None
    by_id = {choice.id: choice for choice in prediction.choices}
    chosen = by_id[state.chosen]
    saw = labelled("[dim]The lab saw:[/] ", f"{outcome.verdict.text.rstrip('.')}.")
    if len(state.right) != 1:
        return Content("\n").join(
            [
                Content(
                    "None of the choices matches what arrived, or more than one does: the "
                    "lesson needs updating for this client."
                ),
                saw,
            ]
        )
    right = by_id[state.right[0]]
    lines = []
    if right is chosen:
        lines.append(labelled("[b $text-success]✓ You predicted it.[/] ", chosen.why))
    else:
        lines.append(labelled("[b $text-error]✗ Not this time.[/] ", chosen.why))
        if chosen.misconception:
            lines.append(labelled("[dim]The belief behind it:[/] ", chosen.misconception))
        lines.append(labelled("[b]The answer:[/b] ", f"{right.text.strip()}. {right.why}"))
    lines += [saw, Content("Press r for the ladder of this run.")]
    return Content("\n").join(lines)
