"""The help screen's rows: a family of digit keys is one row (`1-9 Answer`), a long description
wraps under itself instead of being cut, the Lab's Escape says where it goes back to, and a
modal dialog's help has no empty "Everywhere" heading."""

from __future__ import annotations

import io
from typing import ClassVar

from rich.console import Console
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.ui.palette import Offered
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.help import HELP_BINDING, HelpScreen, key_table
from tutor.ui.widgets.quiz.choices import ChoiceList


def test_a_long_description_wraps_under_itself() -> None:
    long = "The student's chains at this exercise (on the name they joined with), newest first"
    binding = Binding("s", "show", "Chains", id="x.chains", tooltip=long)
    console = Console(width=60, record=True, file=io.StringIO())
    console.print(key_table([Offered(binding, App(), ("s",))], len("Chains")))
    lines = console.export_text().splitlines()
    assert len(lines) == 2 and "…" not in "".join(lines)
    column = lines[0].index("The student's")
    assert lines[1][:column].strip() == "" and lines[1][column] != " "


def test_the_labs_escape_says_where_it_goes() -> None:
    [back] = [
        b for b in ExperimentScreen.BINDINGS if isinstance(b, Binding) and b.id == "experiment.back"
    ]
    assert "lesson" in (back.tooltip or "") and "list" in (back.tooltip or "")


class _Choices(App[None]):
    def compose(self) -> ComposeResult:
        yield ChoiceList()


async def test_the_quiz_digits_are_one_row() -> None:
    app = _Choices()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(ChoiceList).focus()
        await pilot.pause()
        shown = HelpScreen(app.screen)
        names = [item.binding.description for item in shown.local]
        assert names.count("Answer") == 1 and not any(n.startswith("Answer ") for n in names)


class _Dialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        HELP_BINDING,
        Binding("escape", "dismiss", "Cancel", id="dialog.cancel"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("A dialog")


async def test_a_dialogs_help_has_no_empty_heading() -> None:
    app = App[None]()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(_Dialog())
        await pilot.pause()
        shown = HelpScreen(app.screen)
        assert shown.everywhere == []
        await app.push_screen(shown)
        await pilot.pause()
        headings = [str(s.visual) for s in app.screen.query(".help-heading").results(Static)]
        assert headings == ["On this screen"]
