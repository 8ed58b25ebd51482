"""What an experiment says once, beside its results: a slow first-time step the learner should
know about (the Go client built on first use), heard by whichever front end runs it.

The command line hears it on stderr; the TUI listens and shows it as a notification. Never what
a client sent: these are the tutor's own words.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

__all__ = ["listen", "say"]

_LISTENERS: list[Callable[[str], None]] = []
_LOCK = threading.Lock()


def listen(listener: Callable[[str], None]) -> Callable[[], None]:
    """Hear every notice from now on (from any thread); the answer stops it."""
    with _LOCK:
        _LISTENERS.append(listener)

    def stop() -> None:
        with _LOCK:
            if listener in _LISTENERS:
                _LISTENERS.remove(listener)

    return stop


def say(text: str) -> None:
    """Tell `text` to the listeners, or on stderr when nobody listens."""
    with _LOCK:
        listeners = list(_LISTENERS)
    if not listeners:
        print(f"redirect-tutor: {text}", file=sys.stderr, flush=True)
    for listener in listeners:
        listener(text)
