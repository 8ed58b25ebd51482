"""The latest of a stream of values, passed on at most once every `interval` seconds.

A browser may send a quarter of a million resizes in five seconds, and each one makes the tutor
lay its screen out again; passed on through `Latest`, they cost it ten layouts a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["Latest"]

T = TypeVar("T")


class Latest(Generic[T]):
    """Passes a value to `apply` at once, then only the latest of those offered during the next
    `interval` seconds; a value equal to the last one passed on is dropped."""

    def __init__(self, apply: Callable[[T], Awaitable[object]], interval: float) -> None:
        self._apply = apply
        self._interval = interval
        self._next: T | None = None
        self._last: T | None = None
        self._task: asyncio.Task[None] | None = None

    def offer(self, value: T) -> None:
        self._next = value
        if self._task is None:
            self._task = asyncio.create_task(self._pass_on())

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _pass_on(self) -> None:
        try:
            while self._next is not None:
                value, self._next = self._next, None
                if value != self._last:
                    self._last = value
                    await self._apply(value)
                    await asyncio.sleep(self._interval)
        finally:
            self._task = None
