"""A question's choices, numbered in the order shown: a digit answers with that choice (in a
multiple question it ticks it, and Enter answers), t and f answer a true/false question."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tutor.ui.widgets.quiz.marked import marked

if TYPE_CHECKING:
    from tutor.quiz.draw import Item

__all__ = ["ChoiceList"]

_PICK = "Answer with the choice of that number (a question with several answers: tick it)"


class ChoiceList(OptionList):
    """The choices of the question asked, numbered as the quiz shuffled them (`Item.choices`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pick(0)", "Answer", key_display="1-9", id="quiz.pick", tooltip=_PICK),
        *[
            Binding(
                str(n),
                f"pick({n - 1})",
                f"Answer {n}",
                show=False,
                id=f"quiz.pick-{n}",
                tooltip=f"Answer with choice {n} (a question with several answers: tick it)",
            )
            for n in range(2, 10)
        ],
        Binding("t", "truth('true')", "True", id="quiz.true", tooltip="Answer true"),
        Binding("f", "truth('false')", "False", id="quiz.false", tooltip="Answer false"),
        Binding("space", "tick", "Tick", id="quiz.tick", tooltip="Tick or untick this choice"),
        Binding(
            "enter",
            "select",
            "Hand in",
            id="quiz.hand-in",
            tooltip="Answer with the ticked choices, or else the highlighted one",
        ),
    ]

    class Answered(Message):
        """The learner committed to these choices (ids)."""

        def __init__(self, chosen: list[str]) -> None:
            super().__init__()
            self.chosen = chosen

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.item: Item | None = None
        self.ticked: set[int] = set()
        """Positions (from 0, as shown) ticked in a multiple question."""

    @property
    def kind(self) -> str | None:
        return None if self.item is None else self.item.question.kind

    @property
    def multiple(self) -> bool:
        return self.kind == "multiple"

    def ask(self, item: Item) -> None:
        self.item = item
        self.ticked = set()
        self._show(0)

    def reveal(self, chosen: Collection[str], right: Collection[str]) -> None:
        """After the answer: ✓ at the right choices, ✗ at the wrong ones picked."""
        self._show(self.highlighted or 0, chosen, right)

    def record(self, chosen: Collection[str]) -> None:
        """After an answer whose grade is withheld: • at the choices picked, nothing right or
        wrong."""
        self._show(self.highlighted or 0, chosen, graded=False)

    def _show(
        self,
        highlighted: int,
        chosen: Collection[str] = (),
        right: Collection[str] = (),
        *,
        graded: bool = True,
    ) -> None:
        if self.item is None:
            return
        options = []
        picked = "✗ " if graded else "• "
        for index, choice in enumerate(self.item.choices):
            box = ("[x] " if index in self.ticked else "[ ] ") if self.multiple else ""
            # Two columns for a mark on every line, marked or not, before and after the answer:
            # the numbers stay in one column and do not move when the marks appear.
            mark = "✓ " if choice.id in right else picked if choice.id in chosen else "  "
            style = "$text-success" if mark == "✓ " else "$text-error" if mark == "✗ " else ""
            number = Content(f"{box}{index + 1}. ")
            options.append(Option(Content.styled(mark, style) + number + marked(choice.text)))
        self.set_options(options)
        self.highlighted = highlighted

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keep the footer to the keys this question takes (False hides a key)."""
        if self.item is None or self.disabled:
            return action not in ("pick", "truth", "tick", "select")
        if action == "pick":
            index = parameters[0]
            return isinstance(index, int) and index < len(self.item.choices)
        if action == "truth":
            return self.kind == "truefalse"
        if action == "tick":
            return self.multiple
        return True

    def action_pick(self, index: int) -> None:
        """Answer with the choice numbered `index + 1`; in a multiple question, tick it."""
        if self.item is None or self.disabled or index >= len(self.item.choices):
            return
        if self.multiple:
            self.highlighted = index
            self.action_tick()
        else:
            self._answer([index])

    def action_truth(self, value: str) -> None:
        if self.item is not None and self.kind == "truefalse" and not self.disabled:
            self._answer([[choice.id for choice in self.item.choices].index(value)])

    def action_tick(self) -> None:
        if self.multiple and self.highlighted is not None:
            self.ticked ^= {self.highlighted}
            self._show(self.highlighted)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: the highlighted choice, or in a multiple question the ticked ones if any."""
        event.stop()
        ticked = self.multiple and self.ticked
        self._answer(sorted(self.ticked) if ticked else [event.option_index])

    def _answer(self, positions: list[int]) -> None:
        if self.item is not None:
            self.highlighted = positions[0]
            self.post_message(self.Answered([self.item.choices[i].id for i in positions]))
