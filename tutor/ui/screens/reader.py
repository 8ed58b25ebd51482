"""The lesson reader: one step at a time, its sources, and a key to run its experiments."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.widgets.reader.sources import Sources

if TYPE_CHECKING:
    from tutor.course.models import Lesson, Step

__all__ = ["ReaderScreen"]


class ReaderScreen(Screen[None]):
    """A lesson, step by step; `r` runs the highlighted experiment of the step."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next step", id="reader.next", tooltip="Go to the next step"),
        Binding("p", "step(-1)", "Prev step", id="reader.previous", tooltip="Previous step"),
        Binding("r", "run", "Run experiment", id="reader.run", tooltip="Run it live on the lab"),
        Binding("escape", "back", "Lessons", id="reader.back", tooltip="Back to the lessons"),
    ]

    index: reactive[int] = reactive(0, init=False)
    """The step shown, from 0."""

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson
        self.title = lesson.title

    @property
    def step(self) -> Step:
        return self.lesson.steps[self.index]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="step-indicator")
        with VerticalScroll(id="step-body"):
            yield Markdown(id="step-text")
            yield Static(id="experiments-title")
            yield OptionList(id="experiments", compact=True)
            yield Sources(id="sources")
        yield Footer()

    def on_mount(self) -> None:
        self._show_step()

    def watch_index(self) -> None:
        self._show_step()

    def _show_step(self) -> None:
        step = self.step
        total = len(self.lesson.steps)
        self.query_one("#step-indicator", Static).update(
            Content.from_markup(
                "[b]Step $number/$total[/b] · $title",
                number=self.index + 1,
                total=total,
                title=step.title,
            )
        )
        self.query_one(Markdown).update(step.text)
        experiments = self.query_one("#experiments", OptionList)
        experiments.set_options(Option(Content(f"▶ {e.label}")) for e in step.experiments)
        experiments.highlighted = 0 if step.experiments else None
        experiments.display = bool(step.experiments)
        title = self.query_one("#experiments-title", Static)
        title.display = bool(step.experiments)
        if len(step.experiments) == 1:
            title.update("Try it live: press r")
        else:
            title.update("Try it live: press r, or Tab to the list and pick one with ↑ ↓ Enter")
        cited = [c for c in self.lesson.citations if c.id in step.cite]
        self.query_one(Sources).show(cited)
        self.query_one("#step-body").scroll_home(animate=False)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim the keys that would do nothing here (None shows them disabled in the footer)."""
        if action == "step":
            target = self.index + cast(int, parameters[0])
            return True if 0 <= target < len(self.lesson.steps) else None
        if action == "run":
            return True if self.step.experiments else None
        return True

    def action_step(self, delta: int) -> None:
        self.index = max(0, min(self.index + delta, len(self.lesson.steps) - 1))

    def action_run(self) -> None:
        experiments = self.step.experiments
        if experiments:
            chosen = self.query_one("#experiments", OptionList).highlighted or 0
            self.app.push_screen(ExperimentScreen(experiments[chosen], run_now=True))

    def action_back(self) -> None:
        self.dismiss()

    @on(OptionList.OptionSelected, "#experiments")
    def _run_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_run()
