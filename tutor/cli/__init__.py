"""The command line: `redirect-tutor` opens the tutor; subcommands serve scripts and classrooms.

One module per family of commands, each registering on the group in tutor.cli.group, which
imports it when one of its commands is asked for (COMMANDS there). Heavy modules (Textual,
uvicorn, httpx, pydantic) are imported inside the commands that use them, so `--version` and
`--help` answer at once and the tutor opens without any of the commands.
"""

from __future__ import annotations

import gc
import sys

from tutor.cli.group import INTERRUPTED, cli

__all__ = ["cli", "main"]


def main() -> None:
    """The console script: the CLI, with Ctrl+C ending quietly rather than in a traceback.

    When a command ends, everything it keeps is saved and the process exits, so the heap is
    frozen: the interpreter's last collection over every object would free nothing the system
    does not, and delayed the tutor's exit by ~130 ms and `try`'s by ~50 ms."""
    try:
        cli.main(prog_name="redirect-tutor")
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    finally:
        gc.freeze()
