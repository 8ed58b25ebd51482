"""Hand the journal's hops to a slow reader (a terminal) without slowing the lab down.

The journal calls its listeners on the lab's event loop; `Watch.hear` only queues the hop
there, and a daemon thread does the formatting and the writing. The queue is bounded: a paused
terminal or a full pipe must not make the lab keep every request (bodies and all) in memory,
so past the bound hops are dropped and counted, and the reader hears how many.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from tutor.lab.journal import Hop

__all__ = ["Watch"]


class Watch:
    """Calls `reader(hop)` for every hop it hears, in order, on its own thread; when more than
    `limit` wait, it drops the newest and then calls `dropped(count)`."""

    def __init__(
        self, reader: Callable[[Hop], None], dropped: Callable[[int], None], limit: int
    ) -> None:
        self._reader = reader
        self._on_dropped = dropped
        self._limit = limit
        self._waiting: deque[Hop] = deque()
        self._dropped = 0
        self._stopping = False
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._drain, name="journal-watch", daemon=True)
        self._thread.start()

    def hear(self, hop: Hop) -> None:
        """A journal listener: returns at once."""
        with self._ready:
            if len(self._waiting) >= self._limit:
                self._dropped += 1
                return
            self._waiting.append(hop)
            self._ready.notify()

    def stop(self, timeout: float = 5.0) -> None:
        """Read the hops already heard, then end the thread."""
        with self._ready:
            self._stopping = True
            self._ready.notify()
        self._thread.join(timeout)

    def _drain(self) -> None:
        while True:
            with self._ready:
                self._ready.wait_for(lambda: self._waiting or self._dropped or self._stopping)
                hop = self._waiting.popleft() if self._waiting else None
                dropped = 0
                if hop is None:  # what waited is written: now say what could not wait
                    dropped, self._dropped = self._dropped, 0
                    if not dropped:
                        return  # stopping, and nothing is left
            if hop is not None:
                self._reader(hop)
            else:
                self._on_dropped(dropped)
