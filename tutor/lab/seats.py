"""Names on a shared lab: each belongs to the computer that first used it.

On a classroom lab `/s/NAME/...` is a student's prefix, and the teacher's class view credits
what arrives under it to NAME. So a name is bound to the client (an address; an IPv6 /64) that
first sent a request under it: the same name from another computer is refused, and nobody can
do, spoil or read another's work by typing their name. A tutor that joins the class also gets a
seat key for the name, which its calls to the class routes carry (several students' tutors may
share one address: those `web` runs on the teacher's machine). The teacher frees a name for a
student who moved to another computer.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass

from tutor.lab.addresses import counted_as

__all__ = ["NAME", "NAMES_PER_CLIENT", "Seats", "Taken"]

NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
"""A student's name, as their /s/NAME prefix takes it (tutor.lab.journal.STUDENT)."""

NAMES_PER_CLIENT = 64
"""Names one computer may hold: more than `web`'s 40 tutors, so a class in the browser fits,
and few enough that nobody can take every name the class might pick."""


class Taken(Exception):
    """The name cannot be used from here; the message says why, for the student."""


@dataclass
class _Seat:
    client: str
    key: str | None = None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Seats:
    """Who holds each name. Thread-safe: the lab's loop and the class routes both ask."""

    def __init__(self, per_client: int = NAMES_PER_CLIENT) -> None:
        self._seats: dict[str, _Seat] = {}
        self._by_key: dict[str, str] = {}
        self._per_client = per_client
        self._lock = threading.Lock()

    def admit(self, name: str, address: str) -> None:
        """Let a request from `address` use `name`, binding the name to it on first use; Taken
        when another computer holds it, or this one holds too many."""
        client = counted_as(address)
        with self._lock:
            seat = self._seats.get(name)
            if seat is None:
                held = sum(1 for s in self._seats.values() if s.client == client)
                if held >= self._per_client:
                    raise Taken(
                        f"This computer already uses {held} names on this lab, its limit: "
                        "use one of them, or ask the teacher to free some."
                    )
                self._seats[name] = _Seat(client)
            elif seat.client != client:
                raise Taken(
                    f"The name {name} is in use on this lab from another computer. Pick "
                    "another name, or ask the teacher to free it if it is yours."
                )

    def join(self, name: str, address: str) -> str:
        """The seat key of `name` for a tutor joining from `address`, made at the first join
        (the same key after: a student's tutor and quiz may both be joined); Taken as `admit`
        says."""
        self.admit(name, address)
        with self._lock:
            seat = self._seats[name]
            if seat.key is None:
                seat.key = secrets.token_urlsafe(24)
                self._by_key[_digest(seat.key)] = name
            return seat.key

    def holder(self, key: str) -> str | None:
        """The name whose seat key `key` is, or None."""
        with self._lock:
            return self._by_key.get(_digest(key))

    def free(self, name: str) -> bool:
        """Forget who holds `name` (the teacher's call); whether anyone did."""
        with self._lock:
            seat = self._seats.pop(name, None)
            if seat is not None and seat.key is not None:
                self._by_key.pop(_digest(seat.key), None)
            return seat is not None

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._seats)
