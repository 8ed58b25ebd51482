"""The keys a screen offers, for the command palette and the help screen: a learner or a teacher
who does not know a key finds it by name (ctrl+p) or on the help screen (F1).

The tutor's own keys come first and Textual's generic ones (Down, First, Focus Next, Copy selected
text) are left out: the tutor gives every binding of its own an id, Textual gives its own none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hits
from textual.dom import DOMNode
from textual.screen import Screen
from textual.system_commands import SystemCommandsProvider

__all__ = ["SYSTEM_COMMANDS", "Offered", "TutorCommands", "offered", "with_keys"]

SYSTEM_COMMANDS = frozenset({"Theme", "Quit", "Screenshot"})
"""Textual's own palette commands a learner may want; the rest (Keys, Maximize) are not offered:
the help screen replaces the keys panel."""


@dataclass(frozen=True)
class Offered:
    """One binding active on a screen, with every key that calls it."""

    binding: Binding
    node: DOMNode
    """Where the action runs: a widget, the screen or the app."""
    keys: tuple[str, ...]
    """The keys as the footer shows them (`⏎`, `^r`, `?`)."""

    @property
    def app_wide(self) -> bool:
        return isinstance(self.node, App)

    @property
    def own(self) -> bool:
        """One of the tutor's bindings (they have ids), not one of Textual's."""
        return self.binding.id is not None


def offered(app: App[Any], screen: Screen[Any]) -> list[Offered]:
    """The enabled, described bindings of `screen` (its focused widget's, its own, then the
    app's), one per binding however many keys call it."""
    found: dict[tuple[int, str, str], Offered] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not (binding.description and active.enabled):
            continue
        slot = (id(active.node), binding.action, binding.description)
        key = app.get_key_display(binding)
        if slot in found:
            known = found[slot]
            if key not in known.keys:
                found[slot] = Offered(known.binding, known.node, (*known.keys, key))
        else:
            found[slot] = Offered(binding, active.node, (key,))
    local = [item for item in found.values() if not item.app_wide]
    return local + [item for item in found.values() if item.app_wide]


def with_keys(
    app: App[Any], screen: Screen[Any], commands: Iterable[SystemCommand]
) -> Iterator[SystemCommand]:
    """The tutor's keys on `screen` (the screen's first, the app's after), then those of
    Textual's `commands` a learner may want (SYSTEM_COMMANDS) that no key already names."""
    seen: set[str] = set()
    for item in offered(app, screen):
        binding = item.binding
        if not item.own or binding.description in seen:
            continue
        seen.add(binding.description)
        yield SystemCommand(
            binding.description,
            f"{binding.tooltip or binding.description} (key: {' '.join(item.keys)})",
            partial(app.run_action, binding.action, item.node),
        )
    for command in commands:
        if command.title in SYSTEM_COMMANDS and command.title not in seen:
            seen.add(command.title)
            yield command


class TutorCommands(SystemCommandsProvider):
    """The app's system commands in their own order (Textual's provider sorts them by name, which
    would put Copy or Theme among the tutor's keys); a search still ranks by match."""

    async def discover(self) -> Hits:
        for title, text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(title, callback, help=text)
