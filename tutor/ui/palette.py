"""The command palette lists every key a screen offers, beside Textual's own commands: a learner
or a teacher who does not know a key finds it by name (ctrl+p)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen

__all__ = ["with_keys"]


def with_keys(
    app: App[Any], screen: Screen[Any], commands: Iterable[SystemCommand]
) -> Iterator[SystemCommand]:
    """`commands`, then one per key `screen` offers that they do not already name."""
    commands = list(commands)
    yield from commands
    seen = {command.title for command in commands}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not (binding.description and active.enabled) or binding.description in seen:
            continue
        seen.add(binding.description)
        yield SystemCommand(
            binding.description,
            f"{binding.tooltip or binding.description} (key: {app.get_key_display(binding)})",
            partial(app.run_action, binding.action, active.node),
        )
