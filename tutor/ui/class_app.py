"""The teacher's class view (`redirect-tutor class`): one long poll follows the lab, and every
screen shows the `state` it brings."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.reactive import var
from textual.screen import Screen

from tutor.classroom.teacher import Access, ClassState, TeacherLink
from tutor.progress.settings import Settings, read_settings
from tutor.ui.palette import TutorCommands, with_keys
from tutor.ui.preferences import Preferences
from tutor.ui.screens.class_view import ClassScreen
from tutor.ui.screens.help import HELP_BINDING, help_command, toggle_help
from tutor.ui.widgets.footer import FOOTER_BREAKPOINTS

__all__ = ["ClassApp"]

RETRY = 2.0
"""Seconds before asking a lab that did not answer again."""


class ClassApp(App[None]):
    """The class of the lab at `access`, with the exercises of `lessons` (all when none), in the
    teacher's theme and keymap (`settings`, else the settings file: tutor.progress.settings)."""

    CSS_PATH = "tutor.tcss"
    TITLE = "redirect-tutor class"
    HORIZONTAL_BREAKPOINTS = FOOTER_BREAKPOINTS
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {TutorCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="class.quit",
            priority=True,
            tooltip="Close the class view (the lab runs on)",
        ),
        HELP_BINDING,
    ]

    state: var[ClassState | None] = var(None)
    """The class as the lab last told it."""
    problem: var[str | None] = var(None)
    """Why the lab is not answering now; None while it is."""

    def __init__(
        self,
        access: Access,
        lessons: Sequence[str] = (),
        state: ClassState | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.preferences = Preferences(self, settings or read_settings())
        self.link = TeacherLink(access)
        self.lessons = tuple(lessons)
        self.set_reactive(ClassApp.state, state)

    def get_default_screen(self) -> Screen:
        return ClassScreen(self.link, self.lessons)

    async def on_mount(self) -> None:
        # Asked to stop by the system (a closed terminal, kill): quit as ctrl+q does.
        loop = asyncio.get_running_loop()
        for stop in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(stop, self.exit)
        self.preferences.start()
        await self.link.__aenter__()
        self._follow()

    async def on_unmount(self) -> None:
        await self.link.__aexit__()

    @work(exclusive=True, group="class", description="Following the class")
    async def _follow(self) -> None:
        """Long-poll the lab for as long as the view is open; quitting cancels the wait."""
        while True:
            try:
                async for state in self.link.changes():
                    self.state, self.problem = state, None
            except Exception as error:  # shown in the view, never as a traceback; then again
                self.problem = str(error)
                await asyncio.sleep(RETRY)

    def action_help(self) -> None:
        toggle_help(self)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The keys the screen offers, then the few Textual commands a teacher needs, and the
        help screen ("keys")."""
        yield from with_keys(self, screen, super().get_system_commands(screen))
        yield help_command(self)
