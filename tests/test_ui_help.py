"""The help screen (F1 or ?) and the command palette, driven by Pilot at 80x24: help opens on
every screen a learner meets first and Escape closes it; the palette lists the tutor's own
commands first and none of Textual's generic ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pilot import SIZE, fixture_dir, settle, tutor_app
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen

from tutor.lab.server import LabError, LabServer
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.help import HelpScreen
from tutor.ui.screens.lessons import LessonsScreen
from tutor.ui.screens.reader import ReaderScreen

HOST, PORT = "127.0.0.83", 8316
"""The snapshot's lab: a fixed address, because the header shows it."""

GENERIC = {"Copy selected text", "Focus Next", "Focus Previous", "Down", "Up", "First", "Last"}
"""Textual's own keys and commands that a learner never needs in the palette."""


async def help_opens_and_closes(pilot: Pilot[None], key: str, under: type[Screen[None]]) -> None:
    """`key` opens the help screen over `under`, which it explains; Escape closes it."""
    app = pilot.app
    assert isinstance(app.screen, under)
    await pilot.press(key)
    await pilot.pause()
    help_screen = app.screen
    assert isinstance(help_screen, HelpScreen)
    assert str(help_screen.query_one("#help-purpose").visual) == under.HELP
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, under)


@pytest.mark.parametrize("key", ["f1", "question_mark"])
async def test_help_opens_on_lessons_reader_and_lab(
    key: str, lab: LabServer, tmp_path: Path
) -> None:
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await help_opens_and_closes(pilot, key, LessonsScreen)
        await pilot.press("enter")
        await settle(pilot)
        await help_opens_and_closes(pilot, key, ReaderScreen)
        await pilot.press("escape", "e")
        await settle(pilot)
        await help_opens_and_closes(pilot, key, ExperimentScreen)


async def test_help_lists_the_screens_keys_then_the_app_wide_ones(
    lab: LabServer, tmp_path: Path
) -> None:
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        local = [(item.keys, item.binding.description) for item in help_screen.local]
        # Hidden from the footer (j, u) but listed here, in the screen's order.
        assert local[:2] == [(("⏎",), "Open"), (("e",), "Lab")]
        assert (("j",), "Journal") in local and (("u",), "Review due") in local
        everywhere = [(item.keys, item.binding.description) for item in help_screen.everywhere]
        assert everywhere[:2] == [(("^q",), "Quit"), (("f1", "?"), "Help")]
        names = {name for _, name in local + everywhere}
        assert not GENERIC & names
        # F1 and ? close it as well as Escape.
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)
        await pilot.press("question_mark", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)


async def palette_prompts(pilot: Pilot[None], query: str = "") -> list[str]:
    """The commands the palette shows for `query`, in order."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    if query:
        await pilot.press(*query)
    await pilot.pause(0.3)  # the palette gathers its hits in the background
    commands = pilot.app.screen.query_one(CommandList)
    prompts = [str(commands.get_option_at_index(n).prompt) for n in range(commands.option_count)]
    await pilot.press("escape")
    await pilot.pause()
    return [prompt.splitlines()[0] for prompt in prompts]


async def test_the_palette_lists_the_tutors_commands_first(lab: LabServer, tmp_path: Path) -> None:
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = await palette_prompts(pilot)
        assert titles[:3] == ["Open", "Lab", "Cards"]
        assert titles.index("Journal") < titles.index("Theme")
        assert {"Quit", "Help", "Theme"} <= set(titles)
        assert not GENERIC & set(titles)
        assert "Keys" not in titles  # Textual's keys panel: the help screen replaces it
        # On a lesson too, where the focused widgets bring Textual's scrolling keys.
        await pilot.press("enter")
        await settle(pilot)
        offered = [command.title for command in app.get_system_commands(app.screen)]
        assert offered[:2] == ["Next", "Lessons"]
        assert not GENERIC & set(offered)
        assert not {"Maximize", "Minimize"} & set(offered)


@pytest.mark.parametrize("query", ["help", "keys"])
async def test_the_palette_finds_the_help_screen(
    query: str, lab: LabServer, tmp_path: Path
) -> None:
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = await palette_prompts(pilot, query)
        assert titles[0] == query.capitalize()
        await pilot.press("ctrl+p", *query)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


@pytest.fixture(scope="module")
def fixed_lab() -> Iterator[LabServer]:
    server = LabServer(HOST, PORT)
    try:
        server.start()
    except LabError as error:
        pytest.fail(f"The snapshot needs the lab on {HOST}:{PORT}: {error}", pytrace=False)
    yield server
    server.stop()


def test_help_over_the_lessons(
    snap_compare: Callable[..., bool], fixed_lab: LabServer, tmp_path: Path
) -> None:
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=fixed_lab)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HelpScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
