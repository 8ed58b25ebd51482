"""A version number that long-polling readers wait on: the class view hears of a change as soon
as it happens, without asking over and over."""

from __future__ import annotations

import asyncio
import threading

__all__ = ["Beacon"]


class Beacon:
    """Counts changes; `bump` may be called from any thread, `wait` from the lab's loop."""

    def __init__(self) -> None:
        self.version = 0
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def bump(self) -> None:
        with self._lock:
            self.version += 1
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            loop.call_soon_threadsafe(_settle, future)

    async def wait(self, since: int, timeout: float) -> int:
        """The version once it is past `since`, or after `timeout` seconds, whichever first."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self.version > since:
                return self.version
            self._waiters.append((loop, future))
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            with self._lock:
                if (loop, future) in self._waiters:
                    self._waiters.remove((loop, future))
        return self.version


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
