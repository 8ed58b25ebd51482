"""The yardstick for start-up: a bare Textual app, run in a terminal the way the tutor is.

Run by benchmarks/startup.py in tmux, never by hand: `python -m benchmarks.probe`. A Header, an
OptionList of a few lessons and a Footer; Enter pushes a screen naming the lesson, Escape pops
it, ctrl+q quits (Textual's own binding). What any Textual app with that much costs.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static

__all__ = ["LESSONS", "BareApp"]

LESSONS = ("one", "two", "three", "four")


class LessonScreen(Screen[None]):
    """What Enter opens: the lesson's first step."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Lessons")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.lesson = title

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Step 1/1 · {self.lesson}")
        yield Footer()


class BareApp(App[None]):
    """The list; Enter opens the highlighted lesson."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield OptionList(*(f"{n:02d} · {title}" for n, title in enumerate(LESSONS, 1)))
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.push_screen(LessonScreen(LESSONS[event.option_index]))


if __name__ == "__main__":
    BareApp().run()
