"""What `web` prints on the teacher's console: each log record on one line, without its
traceback, and few of them.

Anything in the process that logs (aiohttp, asyncio, textual-serve, the door, warnings) goes
through one handler. A malformed request is not worth a line; a record of a kind already
printed in the last LOG_EVERY seconds is counted, and the next one printed says how many were
left out. Otherwise one student could fill the projected screen: a thousand dribbling
connections once made asyncio print 41,502 tracebacks about running out of open files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp.http_exceptions import HttpProcessingError

from tutor.lab.guard import LOG_EVERY
from tutor.lab.printable import one_line

__all__ = ["Console", "print_to_console"]


class Console(logging.StreamHandler):  # type: ignore[type-arg]
    """One line per record, at most one per kind (logger, and message template's first line)
    per `every` seconds."""

    def __init__(self, every: float = LOG_EVERY, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.setLevel(logging.WARNING)
        self.every = every
        self._clock = clock
        self._printed: dict[tuple[str, str], tuple[float, int]] = {}
        """Per kind: when one was last printed, and how many were left out since."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], HttpProcessingError):
            return False
        now = self._clock()
        quiet = [
            k for k, (at, held) in self._printed.items() if not held and at + self.every <= now
        ]
        for kind in quiet:
            del self._printed[kind]
        kind = (record.name, str(record.msg).partition("\n")[0])
        at, left_out = self._printed.get(kind, (-self.every, 0))
        if at + self.every > now:
            self._printed[kind] = (at, left_out + 1)
            return False
        self._printed[kind] = (now, 0)
        record.left_out = left_out  # type: ignore[attr-defined]
        return True

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage().partition("\n")[0]
        except Exception:  # a malformed record: its template is still worth a line
            message = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message = f"{message} ({type(error).__name__}: {error})"
        if left_out := getattr(record, "left_out", 0):
            message = f"{message} (and {left_out} more like it not shown)"
        return one_line(f"web {record.levelname.lower()}: {message}")


def print_to_console() -> None:
    """Every logger in this process, and Python's warnings, print through one Console."""
    root = logging.getLogger()
    root.handlers = [Console()]
    root.setLevel(logging.WARNING)
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.handlers = []
            logger.propagate = True
    logging.captureWarnings(True)
