"""How often a client may do something that costs the teacher's machine: token buckets.

A bucket holds up to `burst` tokens and gains `rate` a second; each action spends some. A burst
is served at once (a class arriving, a paste), a flood only at the bucket's rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tutor.lab.addresses import counted_as

__all__ = ["Bucket", "Buckets"]


class Bucket:
    """`burst` tokens at most, refilled at `rate` a second."""

    def __init__(
        self, burst: float, rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst = burst
        self.rate = rate
        self._clock = clock
        self._tokens = burst
        self._at = clock()

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return self._tokens

    def wait(self, cost: float = 1.0) -> float:
        """Seconds until `cost` tokens are there (at most `burst`); 0 when they are now."""
        return max(0.0, (min(cost, self.burst) - self._refill()) / self.rate)

    def take(self, cost: float = 1.0) -> None:
        """Spends `cost` tokens, below zero if need be: the next wait is then longer."""
        self._tokens = self._refill() - cost

    def full(self) -> bool:
        return self._refill() >= self.burst


class Buckets:
    """A Bucket per client (an address, an IPv6 /64: see `counted_as`), forgotten once full."""

    def __init__(
        self, burst: float, rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._make = lambda: Bucket(burst, rate, clock)
        self._buckets: dict[str, Bucket] = {}

    def __getitem__(self, address: str) -> Bucket:
        for who in [who for who, bucket in self._buckets.items() if bucket.full()]:
            del self._buckets[who]
        return self._buckets.setdefault(counted_as(address), self._make())
