"""Wrong access codes counted per address, so that guessing the code takes far longer than a class.

Each address may get the code wrong WRONG_PER_WINDOW times in any WINDOW seconds; after that it is
refused, right code or not, until the oldest of those guesses is WINDOW seconds old. That is at
most 300 guesses an hour from one address against 887 million codes (see code.LENGTH). An IPv6
client usually owns a whole /64, so its addresses are counted together (`counted_as`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from tutor.lab.addresses import counted_as

__all__ = ["WINDOW", "WRONG_PER_WINDOW", "WrongGuesses"]

WRONG_PER_WINDOW = 5
WINDOW = 60.0


class WrongGuesses:
    """Recent wrong guesses per address; forgets an address once its guesses are old."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._times: dict[str, deque[float]] = {}

    def wait(self, address: str) -> float:
        """Seconds before `address` may try a code again; 0 when it may now."""
        self._forget_old()
        recent = self._times.get(counted_as(address))
        if recent is None or len(recent) < WRONG_PER_WINDOW:
            return 0.0
        return max(0.0, recent[0] + WINDOW - self._clock())

    def wrong(self, address: str) -> None:
        recent = self._times.setdefault(counted_as(address), deque(maxlen=WRONG_PER_WINDOW))
        recent.append(self._clock())

    def _forget_old(self) -> None:
        old = self._clock() - WINDOW
        for who in [who for who, recent in self._times.items() if recent[-1] <= old]:
            del self._times[who]
