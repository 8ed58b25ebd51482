"""Hand the journal's hops to a slow reader (a terminal) without slowing the lab down.

The journal calls its listeners on the lab's event loop; `Watch.hear` only queues the hop
there, and a daemon thread does the formatting and the writing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from tutor.lab.journal import Hop

__all__ = ["Watch"]


class Watch:
    """Calls `reader(hop)` for every hop it hears, in order, on its own thread."""

    def __init__(self, reader: Callable[[Hop], None]) -> None:
        self._reader = reader
        self._hops: queue.SimpleQueue[Hop | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._drain, name="journal-watch", daemon=True)
        self._thread.start()

    def hear(self, hop: Hop) -> None:
        """A journal listener: returns at once."""
        self._hops.put(hop)

    def stop(self, timeout: float = 5.0) -> None:
        """Read the hops already heard, then end the thread."""
        self._hops.put(None)
        self._thread.join(timeout)

    def _drain(self) -> None:
        while (hop := self._hops.get()) is not None:
            self._reader(hop)
