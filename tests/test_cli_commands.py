"""The command line's commands are imported when asked for: the list of them is complete."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import tutor.cli
from tutor.cli.group import COMMANDS, cli


def test_every_command_is_listed_with_the_module_that_registers_it() -> None:
    for module in pkgutil.iter_modules(tutor.cli.__path__):
        importlib.import_module(f"tutor.cli.{module.name}")
    registered = {name: command.callback.__module__ for name, command in cli.commands.items()}
    assert registered == {name: f"tutor.cli.{module}" for name, module in COMMANDS.items()}


def test_the_tutor_opens_without_importing_a_command() -> None:
    code = (
        "import sys, tutor.cli; print(sorted(m for m in sys.modules if m.startswith('tutor.cli.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "['tutor.cli.group']"
