"""Deadlines of one length on one timer of the loop's: a bound that every request pays for.

A timer of the loop's per request (made, then cancelled a few microseconds later) is a good part
of what a short request costs the lab. Deadlines of one length end in the order they began, so
a single timer, set for the earliest one still pending, serves them all: a request then costs a
dictionary entry, and each deadline still passes on time, to the loop's precision.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable

__all__ = ["Deadlines"]


class Deadlines:
    """Each key started here is given `seconds`: if it is not stopped by then, its `expire`
    runs (on the loop) and `stop` says so. Use it from one event loop at a time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._due: dict[Hashable, tuple[float, Callable[[], object]]] = {}
        """Pending deadlines, earliest first (one length: insertion order is the order due)."""
        self._passed: set[Hashable] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(
        self, key: Hashable, expire: Callable[[], object], loop: asyncio.AbstractEventLoop
    ) -> None:
        """Give `key` `seconds` from now; `expire()` runs on `loop`, the running one, if they
        pass before `stop(key)`. (The caller knows its loop: asking for the running one is a
        system call per request on Python 3.11.)"""
        due = loop.time() + self.seconds
        self._due.pop(key, None)  # started again: its place is at the end
        self._due[key] = (due, expire)
        if self._timer is None or self._loop is not loop:  # none yet, or a closed loop's
            self._loop = loop
            self._timer = loop.call_at(due, self._expire)

    def stop(self, key: Hashable) -> bool:
        """Forget `key`'s deadline; whether it had passed (its `expire` has run)."""
        if self._due.pop(key, None) is not None:
            return False
        if key in self._passed:
            self._passed.discard(key)
            return True
        return False

    def _expire(self) -> None:
        self._timer = None
        loop = self._loop
        assert loop is not None
        now = loop.time()
        while self._due:
            key, (due, expire) = next(iter(self._due.items()))
            if due > now:
                self._timer = loop.call_at(due, self._expire)
                return
            del self._due[key]
            self._passed.add(key)
            expire()
