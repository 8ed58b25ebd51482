"""The help screen (F1 or ?): what the screen under it is for, and every key it offers, the
screen's own before the app-wide ones. It replaces Textual's keys panel, which lists generic
keys first, wraps descriptions word by word at 80 columns and does not close on Escape."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tutor.ui.palette import Offered
from tutor.ui.widgets.footer import TutorFooter

__all__ = [
    "HELP_BINDING",
    "HelpScreen",
    "Listed",
    "help_command",
    "listed",
    "purpose",
    "toggle_help",
]

HELP_BINDING = Binding(
    "f1,question_mark",
    "app.help",
    "Help",
    id="app.help",
    tooltip="What this screen is for, and its keys",
)
"""Every app's help key (the tutor's and the class view's): their action_help calls toggle_help.
A modal screen, which hides the app's keys, lists it in its own BINDINGS too."""

KEY_WIDTH = 9
"""Room for the keys of one binding (`f1 ?`, `ctrl+r`, `⏎`)."""


def purpose(screen: Screen[Any]) -> str:
    """What `screen` is for: its HELP, else the first paragraph of its docstring."""
    if screen.HELP:
        return screen.HELP
    doc = inspect.getdoc(type(screen)) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def name(binding: Binding) -> str:
    """The binding's name as the footer shows it, capitalised (Textual's is `palette`)."""
    description = binding.description
    return description[:1].upper() + description[1:]


@dataclass(frozen=True)
class Listed(Offered):
    """A key of the screen for the help: `enabled` False when it does nothing at this moment
    (`p` on the first step), so that it is listed, dimmed, rather than left out."""

    enabled: bool = True


def listed(screen: Screen[Any]) -> list[Listed]:
    """Every described binding of the tutor's own (they have ids) on `screen`: its focused
    widget's, its own, then the app's, shown in the footer or not, available now or not; one
    row per binding however many keys call it, and one per family of digit keys (`1-9`)."""
    app, active = screen.app, screen.active_bindings
    on = {(id(a.node), a.binding.action) for a in active.values() if a.enabled}
    found: dict[tuple[int, str, str], Listed] = {}
    for node, bindings in screen._modal_binding_chain:
        for _, binding in bindings:
            if not (binding.id and binding.description):
                continue
            family = binding.action.split("(", 1)[0] if binding.key.isdigit() else None
            slot = (id(node), family or binding.action, "" if family else binding.description)
            key, enabled = app.get_key_display(binding), (id(node), binding.action) in on
            if slot not in found:
                found[slot] = Listed(binding, node, (key,), enabled)
            elif family is None and key not in found[slot].keys:
                known = found[slot]
                found[slot] = Listed(known.binding, node, (*known.keys, key), known.enabled)
    return list(found.values())


def key_table(keys: Sequence[Offered], name_width: int) -> Table:
    """Key, name, what it does: one line each, a long description wrapped under itself; a key
    that does nothing at this moment dimmed."""
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1, 0, 0))
    table.add_column(style="bold", no_wrap=True, width=KEY_WIDTH)
    table.add_column(no_wrap=True, width=name_width)
    table.add_column(overflow="fold", ratio=1)
    for item in keys:
        binding = item.binding
        what = binding.tooltip if binding.tooltip != binding.description else ""
        style = "" if getattr(item, "enabled", True) else "dim"
        table.add_row(Text(" ".join(item.keys)), Text(name(binding)), Text(what or ""), style=style)
    return table


class HelpScreen(ModalScreen[None]):
    """Help on the screen under it, read once when opened."""

    HELP = "What each screen is for, and its keys. Escape, F1 or ? closes it."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,f1,question_mark",
            "close",
            "Close",
            id="help.close",
            tooltip="Back to the screen",
        ),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self._purpose = purpose(screen)
        keys = listed(screen)
        self.local = [item for item in keys if not item.app_wide]
        """The screen's keys (and its focused widget's): the tutor's own, never Textual's."""
        self.everywhere = [item for item in keys if item.app_wide]
        """The app's keys, the same on every screen."""

    def compose(self) -> ComposeResult:
        width = max(len(item.binding.description) for item in self.local + self.everywhere)
        with VerticalScroll(id="help") as box:
            box.border_title = "Help"
            box.border_subtitle = "Esc closes"
            yield Static(self._purpose, id="help-purpose", markup=False)
            if self.local:
                yield Static("On this screen", classes="help-heading")
                yield Static(key_table(self.local, width), classes="help-keys")
            if self.everywhere:  # a modal dialog hides the app's keys: no empty heading
                yield Static("Everywhere", classes="help-heading")
                yield Static(key_table(self.everywhere, width), classes="help-keys")
            if not all(item.enabled for item in self.local + self.everywhere):
                yield Static("Dimmed: does nothing at this moment.", classes="help-note")
        yield TutorFooter()

    def action_close(self) -> None:
        self.dismiss()


def toggle_help(app: App[Any]) -> None:
    """Open the help screen on the screen in front (F1 or ? again closes it)."""
    if isinstance(app.screen, HelpScreen):
        app.screen.dismiss()
    else:
        app.push_screen(HelpScreen(app.screen))


def help_command(app: App[Any]) -> SystemCommand:
    """The palette's way to the help screen: typing "keys" finds it (Textual's keys panel is not
    offered)."""
    text = "Every key of this screen, and what the screen is for (key: f1 ?)"
    return SystemCommand("Keys", text, lambda: toggle_help(app), discover=False)
