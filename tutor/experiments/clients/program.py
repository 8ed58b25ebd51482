"""Clients that are real programs: found on PATH, run from argv lists (never a shell), timed out."""

from __future__ import annotations

import shutil
import subprocess
from abc import abstractmethod
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import ClassVar

from tutor.experiments.clients.base import Attempt, Client, Request

__all__ = ["PARALLEL", "ProgramClient", "complaint", "run_program"]

PARALLEL = 8
"""Runs of one program at a time when a batch is sent."""


def run_program(
    argv: Sequence[str], *, timeout: float, input: bytes = b""
) -> subprocess.CompletedProcess[bytes] | str:
    """Run `argv` (argv[0] found on PATH) and return what it did, or why it could not run."""
    program = shutil.which(argv[0])
    if program is None:
        return f"{argv[0]} is not installed"
    try:
        return subprocess.run(
            [program, *argv[1:]],
            input=input,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"{argv[0]} did not finish within {timeout:g} s"
    except OSError as error:
        return f"{argv[0]} could not start: {error}"


def complaint(done: subprocess.CompletedProcess[bytes], fallback: str) -> str:
    """The last line the program wrote to stderr, or `fallback` when it wrote nothing there."""
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else fallback


class ProgramClient(Client):
    """A client that is a program: its version comes from `version_argv`, its runs from `argv`."""

    program: str
    version_argv: ClassVar[tuple[str, ...]] = ("--version",)
    version_word: ClassVar[int] = 1
    """Which word of the first line of `program --version` is the version."""

    @cache  # noqa: B019 - a few instances, living as long as the process
    def version(self) -> str | None:
        done = run_program([self.program, *self.version_argv], timeout=10)
        if isinstance(done, str) or done.returncode:
            return None
        words = done.stdout.decode(errors="replace").split()
        return words[self.version_word].removeprefix("v") if len(words) > self.version_word else "?"

    @abstractmethod
    def attempt(self, request: Request, timeout: float) -> Attempt:
        """Run the program once for `request`."""

    def send(self, request: Request, timeout: float) -> Attempt:
        if self.version() is None:
            return Attempt(error=f"{self.program} is not installed")
        return self.attempt(request, timeout)

    def send_many(self, requests: Sequence[Request], timeout: float) -> list[Attempt]:
        """Each request in its own run of the program, a few runs at a time."""
        with ThreadPoolExecutor(PARALLEL, thread_name_prefix=self.name) as pool:
            return list(pool.map(lambda request: self.send(request, timeout), requests))
