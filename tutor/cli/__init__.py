"""The command line: `redirect-tutor` opens the tutor; subcommands serve scripts and classrooms.

One module per family of commands, each registering on the group in tutor.cli.group. Heavy
modules (Textual, uvicorn, httpx, pydantic) are imported inside the commands that use them, so
`--version` and `--help` answer at once.
"""

from __future__ import annotations

import sys

from tutor.cli import course, experiments, lab, learner, teacher, web  # each registers its commands
from tutor.cli.group import INTERRUPTED, cli

__all__ = ["cli", "course", "experiments", "lab", "learner", "main", "teacher", "web"]


def main() -> None:
    """The console script: the CLI, with Ctrl+C ending quietly rather than in a traceback."""
    try:
        cli.main(prog_name="redirect-tutor")
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
