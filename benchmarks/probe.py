"""The yardstick for start-up: a bare Textual app, run in a terminal the way the tutor is.

Run by benchmarks/startup.py in tmux, never by hand: `python -m benchmarks.probe`. A Header, an
OptionList of a few lessons and a Footer; Enter pushes a screen naming the lesson, Escape pops
it, ctrl+q quits (Textual's own binding). What any Textual app with that much costs.

With `--markdown FILE`, the screen Enter opens shows FILE's text in Textual's Markdown widget
too, as the tutor's lesson screen shows a step: what rendering a lesson costs any Textual app.
With `--reopen` as well, it starts on lesson three's screen, as the tutor reopens the lesson a
returning learner left.
"""

from __future__ import annotations

import sys
from pathlib import Path
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

    def __init__(self, title: str, text: str | None) -> None:
        super().__init__()
        self.lesson = title
        self.text = text

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Step 1/1 · {self.lesson}")
        if self.text is not None:  # imported here: the bare app itself never loads Markdown
            from textual.widgets import Markdown

            yield Markdown(self.text)
        yield Footer()


class BareApp(App[None]):
    """The list; Enter opens the highlighted lesson, with `text` as its step's Markdown."""

    def __init__(self, text: str | None = None, reopen: bool = False) -> None:
        super().__init__()
        self.text = text
        self.reopen = reopen

    def compose(self) -> ComposeResult:
        yield Header()
        yield OptionList(*(f"{n:02d} · {title}" for n, title in enumerate(LESSONS, 1)))
        yield Footer()

    def on_mount(self) -> None:
        if self.reopen:
            self.push_screen(LessonScreen(LESSONS[2], self.text))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.push_screen(LessonScreen(LESSONS[event.option_index], self.text))


if __name__ == "__main__":
    markdown = sys.argv[2] if sys.argv[1:2] == ["--markdown"] else None
    text = Path(markdown).read_text(encoding="utf-8") if markdown else None
    BareApp(text, reopen="--reopen" in sys.argv[3:]).run()
