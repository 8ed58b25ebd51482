"""Course files checked each on its own, in a pool of processes for a large course: parsing the
YAML is nearly all of lint's time, and one process parses on one core only.

A file is read, parsed and validated by the loader's own check (check_file); what comes back is
small (its problems, and for a file that loaded what the checks across files need, never its
content), so memory stays flat for a course of any size, and the checks across files stay in
the loader (each_file), in the one process that sees every file.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

from tutor.course.loader import Checked, check_file

__all__ = ["POOL_FROM", "each_checked"]

POOL_FROM = 200
"""Files from which a pool pays for its start: below, a course is checked in this process."""

_CHUNK = 16
"""Files handed to a worker at a time: few enough that the workers end together, enough that
handing them out costs little."""


def each_checked(files: Sequence[Path]) -> Iterator[Checked]:
    """Each of `files` checked without its content (a tutor.course.loader.Checker), in their
    order, as soon as it is: from POOL_FROM files on, by a pool of a worker per core, handed out
    a few files at a time."""
    check = partial(check_file, keep=False)
    workers = os.cpu_count() or 1
    if len(files) < POOL_FROM or workers < 2:
        yield from map(check, files)
        return
    # fork copies this process's imports (no worker starts Python afresh); it is only safe
    # while no other thread may hold a lock the copy would inherit held
    fork = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with context.Pool(workers, initializer=_ignore_interrupt) as pool:
        yield from pool.imap(check, files, _CHUNK)


def _ignore_interrupt() -> None:
    """Ctrl+C reaches every process of the terminal's group: the parent stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
