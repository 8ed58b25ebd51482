"""What one client (an address, or an IPv6 /64: see `counted_as`) may make `web` hold or do,
as `web --help` lists it. Students behind one shared address (NAT, a proxy) share its limits.
"""

from __future__ import annotations

from tutor.lab.bounds import Bounds
from tutor.web.guesses import WINDOW, WRONG_PER_WINDOW

__all__ = [
    "DOOR",
    "INPUT_RATE",
    "MESSAGE_BYTES",
    "MESSAGE_COST",
    "RESIZE_EVERY",
    "STARTS",
    "START_EVERY",
    "lines",
]

DOOR = Bounds()
"""The lab's default bounds, of which `web` takes the connections per client and the time to
send a request head: a browser opens six connections per page, and sends a head at once."""
STARTS = 4
START_EVERY = 3.0
"""A client may start STARTS tutors at once, then one every START_EVERY seconds: each start costs
about a second of CPU, and a tab opened and closed in a loop would otherwise take all of it."""
MESSAGE_BYTES = 64 * 1024
"""The largest websocket message: a keystroke, a resize, a paste of a page of text."""
INPUT_RATE = 16 * 1024
"""Bytes a second a browser may send its tutor, after a burst of one largest message (a paste).
A flood is read no faster."""
MESSAGE_COST = 64
"""Bytes each message counts as at least: at most INPUT_RATE / MESSAGE_COST (256) messages a
second, far more than typing, a held key or a moving mouse make."""
RESIZE_EVERY = 0.1
"""Seconds between two resizes passed to a tutor: each one lays its whole screen out again."""


def lines() -> list[str]:
    """Each limit as a teacher reads it."""
    return [
        f"open connections: {DOOR.connections_per_address} (then 503); "
        f"{DOOR.head_timeout:g} s to send a request head (then 408)",
        f"tutors open: --per-address; {STARTS} started at once, then one every "
        f"{START_EVERY:g} s (then 429)",
        f"wrong access codes: {WRONG_PER_WINDOW} in {WINDOW:g} s (then 429)",
        f"input to a tutor: {INPUT_RATE // 1024} KiB and {INPUT_RATE // MESSAGE_COST} "
        "messages a second,",
        f"  after a burst of {MESSAGE_BYTES // 1024} KiB (faster input waits)",
        f"resizes passed to a tutor: {1 / RESIZE_EVERY:g} a second (the latest wins)",
    ]
