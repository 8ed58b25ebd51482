"""Hand the journal's hops to a slow reader (a terminal) without slowing the lab down.

The journal calls its listeners on the lab's event loop; `Watch.hear` only queues the hop
there (no lock, and a wake-up only when the reader's thread is idle), and a daemon thread does
the formatting and the writing. The queue is bounded: a paused terminal or a full pipe must not
make the lab keep every request (bodies and all) in memory, so past the bound hops are dropped
and counted, and the reader hears how many. With `per_second`, the reader also hears at most
that many hops a second (a burst of one second's worth at once): at thousands of requests a
second nobody reads the lines, and formatting each would cost the lab more than answering it;
the hops past the rate are counted with the dropped ones. What is not shown is reported after a
batch, at most once a second (and at the latest a second after), so a flood makes one
summary line a second, not one per burst.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from tutor.lab.journal import Hop

__all__ = ["GATHER", "SUMMARY_EVERY", "Watch"]

GATHER = 0.02
"""Seconds the thread lets hops gather once woken: a busy lab then hands over a batch, rather
than waking the thread (and taking turns with it at the interpreter) for every request."""

SUMMARY_EVERY = 1.0
"""Seconds between two reports of hops not shown."""


class Watch:
    """Calls `reader(hop)` for every hop it hears, in order, on its own thread; when more than
    `limit` wait, or (with `per_second`) past that rate, it skips hops and then calls
    `dropped(count)`. `idle()`, when given, runs after each batch (what waited when the
    thread looked): a reader that buffers its lines writes them there, in one write."""

    def __init__(
        self,
        reader: Callable[[Hop], None],
        dropped: Callable[[int], None],
        limit: int,
        *,
        per_second: int | None = None,
        idle: Callable[[], None] | None = None,
    ) -> None:
        self._reader = reader
        self._on_dropped = dropped
        self._idle = idle
        self._limit = limit
        self._rate = per_second
        self._allowance = float(per_second or 0)
        self._refilled = time.monotonic()
        self._waiting: deque[Hop] = deque()
        self._dropped = 0
        """Hops the lab's loop could not queue; only `hear` writes it."""
        self._unshown = 0
        """Hops dropped or over the rate that no report has counted yet; only the thread's."""
        self._reported_dropped = 0
        self._reported_at = float("-inf")
        self._stopping = False
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._drain, name="journal-watch", daemon=True)
        self._thread.start()

    def hear(self, hop: Hop) -> None:
        """A journal listener: returns at once."""
        if len(self._waiting) >= self._limit:
            self._dropped += 1
        else:
            self._waiting.append(hop)
        if not self._wake.is_set():
            self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Read the hops already heard, say what was not shown, then end the thread."""
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)

    def _drain(self) -> None:
        while True:
            due = self._reported_at + SUMMARY_EVERY - time.monotonic()
            self._wake.wait(max(due, 0.0) if self._unshown else None)
            if not self._stopping:
                time.sleep(GATHER)  # one wake-up per batch, not one per request
            self._wake.clear()
            stopping = self._stopping  # read before the queue: what came before is read
            for _ in range(len(self._waiting)):  # a batch: a flood still gets written
                hop = self._waiting.popleft()
                if self._shown():
                    self._reader(hop)
                else:
                    self._unshown += 1
            dropped = self._dropped
            self._unshown += dropped - self._reported_dropped
            self._reported_dropped = dropped
            now = time.monotonic()
            if self._unshown and (stopping or now - self._reported_at >= SUMMARY_EVERY):
                self._on_dropped(self._unshown)
                self._unshown = 0
                self._reported_at = now
            if self._idle is not None:
                self._idle()
            if stopping:
                return

    def _shown(self) -> bool:
        """Whether the next hop is within the rate (always, without one)."""
        if self._rate is None:
            return True
        now = time.monotonic()
        self._allowance = min(
            float(self._rate), self._allowance + (now - self._refilled) * self._rate
        )
        self._refilled = now
        if self._allowance < 1.0:
            return False
        self._allowance -= 1.0
        return True
