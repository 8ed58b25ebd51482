"""A lesson step's, a card's or the lab's live experiments: a note over the list; Enter runs one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tutor.ui.literal import literal

if TYPE_CHECKING:
    from tutor.course.models import Experiment

__all__ = ["ExperimentList"]


class ExperimentList(Vertical):
    """The experiments to run (the screen's `r` runs the highlighted one); hidden when none."""

    class Chosen(Message):
        """The learner picked an experiment with Enter: the screen runs `highlighted`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.experiments: list[Experiment] = []

    def _parts(self) -> tuple[Static, OptionList]:
        """The heading and the list, made when first needed: many steps have no experiment."""
        if not self.children:
            self.mount_all((Static(), OptionList(compact=True)))
        return self.query_one(Static), self.query_one(OptionList)

    def show(
        self,
        experiments: Sequence[Experiment],
        *,
        note: str | None = None,
        prompt: Callable[[Experiment], Content] | None = None,
    ) -> None:
        """List `experiments` under `note` (by default: how to run one with r; "": none), each
        as `prompt` draws it (by default: its label)."""
        self.experiments = list(experiments)
        self.display = bool(experiments)
        if not experiments and not self.children:
            return  # nothing to list: nothing to make yet
        heading, listing = self._parts()
        listing.display = True
        listing.set_options(
            Option(prompt(e) if prompt else literal(f"▶ {e.label}")) for e in experiments
        )
        listing.highlighted = 0 if experiments else None
        if note is None:
            note = (
                "Try it live: press r"
                if len(experiments) == 1
                else "Try it live: press r, or Tab to the list and pick one with ↑ ↓ Enter"
            )
        heading.display = bool(note)
        heading.update(Content(note))

    def wait(self, note: str) -> None:
        """Hide the list, saying `note` instead (e.g. "predict first")."""
        heading, listing = self._parts()
        listing.display = False
        heading.display = True
        heading.update(Content(note))

    @property
    def highlighted(self) -> Experiment | None:
        """The experiment under the cursor (the first when the list has no cursor)."""
        if not self.experiments:
            return None
        return self.experiments[self.query_one(OptionList).highlighted or 0]

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen())
