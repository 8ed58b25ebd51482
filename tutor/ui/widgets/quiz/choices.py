"""A question's choices, numbered: Enter answers; for a multiple one, space ticks several first."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from tutor.course.questions import Question

__all__ = ["ChoiceList"]


class ChoiceList(OptionList):
    """The choices of the question asked; a digit key jumps to (and ticks) that choice."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "Tick", id="quiz.tick", tooltip="Tick or untick this choice"),
    ]

    class Answered(Message):
        """The learner committed to these choices (ids, in the question's order)."""

        def __init__(self, chosen: list[str]) -> None:
            super().__init__()
            self.chosen = chosen

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.question: Question | None = None
        self.ticked: set[int] = set()

    @property
    def multiple(self) -> bool:
        return self.question is not None and self.question.kind == "multiple"

    def ask(self, question: Question) -> None:
        self.question = question
        self.ticked = set()
        self._show(0)

    def reveal(self, chosen: Collection[str], right: Collection[str]) -> None:
        """After the answer: ✓ at the right choices, ✗ at the wrong ones picked."""
        self._show(self.highlighted or 0, chosen, right)

    def _show(
        self, highlighted: int, chosen: Collection[str] = (), right: Collection[str] = ()
    ) -> None:
        if self.question is None:
            return
        options = []
        for index, choice in enumerate(self.question.choices):
            box = ("[x] " if index in self.ticked else "[ ] ") if self.multiple else ""
            mark = "✓ " if choice.id in right else "✗ " if choice.id in chosen else ""
            style = "$text-success" if mark == "✓ " else "$text-error" if mark else ""
            text = Content(f"{box}{index + 1}. {choice.text}")
            options.append(Option(Content.styled(mark, style) + text if mark else text))
        self.set_options(options)
        self.highlighted = highlighted

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tick":  # hidden from the footer unless the question takes several
            return self.multiple and not self.disabled
        return True

    def action_tick(self) -> None:
        if self.multiple and self.highlighted is not None:
            self.ticked ^= {self.highlighted}
            self._show(self.highlighted)

    def on_key(self, event: events.Key) -> None:
        """1-9 jump to a choice (and tick it); t and f to True and False."""
        question, key = self.question, event.character
        if question is None or not key:
            return
        ids = [choice.id for choice in question.choices]
        truth = {"t": "true", "f": "false"}.get(key) if question.kind == "truefalse" else None
        index = ids.index(truth) if truth else int(key) - 1 if key.isdigit() else -1
        if 0 <= index < len(ids):
            event.stop()
            self.highlighted = index
            self.action_tick()

    @on(OptionList.OptionSelected)
    def _answer(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.question is None:
            return
        picked = sorted(self.ticked) if self.multiple and self.ticked else [event.option_index]
        self.post_message(self.Answered([self.question.choices[i].id for i in picked]))
