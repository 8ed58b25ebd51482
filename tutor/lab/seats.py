"""Names on a shared lab: each belongs to the computer that first used it.

On a classroom lab `/s/NAME/...` is a student's prefix, and the teacher's class view credits
what arrives under it to NAME. So a name is bound to the client (an address; an IPv6 /64) that
first sent a request under it: the same name from another computer is refused, and nobody can
do, spoil or read another's work by typing their name. Names differ by more than case ("Ada" is
"ada"): a teacher reading the class, and a disk that ignores case, would take them for one.

A tutor that joins the class gets a seat key for the name, which its calls to the class routes
carry and which it keeps: a name already joined is joined again only with its key (several
students may share one address: those behind one NAT, those `web` serves from the teacher's
machine), and the key follows the student to a new address. The teacher frees a name for a
student on another computer: the name is then kept for whoever joins with the code the teacher
was given, so that nobody waiting for it can take it first.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
    name: str
    """As its holder writes it."""
    client: str | None
    """Who holds it (see `counted_as`); None while it waits for `code`."""
    key: str | None = None
    code: str | None = None
    """Set when the teacher freed the name: only a join with it takes the name."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""A claim code's letters: none that reads as another (0/O, 1/I)."""


class Seats:
    """Who holds each name. Thread-safe: the lab's loop and the class routes both ask."""

    def __init__(self, per_client: int = NAMES_PER_CLIENT) -> None:
        self._seats: dict[str, _Seat] = {}
        """By the name in lower case."""
        self._by_key: dict[str, str] = {}
        self._per_client = per_client
        self._vouched: set[str] = set()
        self._lock = threading.Lock()

    def admit(self, name: str, address: str, token: str | None = None) -> None:
        """Let a request from `address` use `name`, binding the name to it on first use; Taken
        when another computer holds it, or this one holds too many. A request of a chain the
        lab itself runs for the student (`vouching`) is let through."""
        client = counted_as(address)
        with self._lock:
            if token is not None and token in self._vouched:
                return
            seat = self._seats.get(name.lower())
            if seat is None:
                self._bind(name, client)
            elif seat.code is not None:
                raise Taken(
                    f"The teacher freed the name {seat.name} for the student who joins with its "
                    "code: redirect-tutor --join URL --name NAME --code CODE."
                )
            elif seat.name != name:
                raise Taken(_case(seat.name))
            elif seat.client != client:
                raise Taken(_in_use(seat.name))

    def join(self, name: str, address: str, key: str | None = None, code: str | None = None) -> str:
        """The seat key of `name` for a tutor joining from `address`: made at the first join,
        and the same after, for a tutor that brings it (a student's tutor and quiz may both be
        joined; a laptop may change address). A name freed by the teacher is taken with its
        `code`. Taken otherwise, as `admit` says."""
        client = counted_as(address)
        with self._lock:
            seat = self._seats.get(name.lower())
            if seat is None:
                seat = self._bind(name, client)
            elif seat.code is not None:
                if code is None or not hmac.compare_digest(code.upper(), seat.code):
                    raise Taken(
                        f"The teacher freed the name {seat.name} for the student who joins with "
                        "its code (--code): this is not it."
                    )
                seat.name, seat.client, seat.code = name, client, None
            elif seat.name != name:
                raise Taken(_case(seat.name))
            elif seat.key is not None:
                if key is None or not hmac.compare_digest(key, seat.key):
                    raise Taken(
                        f"The name {name} has joined this lab from another tutor. If it is "
                        "yours, use that tutor (its key is kept in its data folder), or ask the "
                        "teacher to free the name."
                    )
                seat.client = client
            elif seat.client != client:
                raise Taken(_in_use(name))
            if seat.key is None:
                seat.key = key if key and len(key) >= 32 else secrets.token_urlsafe(24)
                self._by_key[_digest(seat.key)] = name
            return seat.key

    def _bind(self, name: str, client: str) -> _Seat:
        held = sum(1 for seat in self._seats.values() if seat.client == client)
        if held >= self._per_client:
            raise Taken(
                f"This computer already uses {held} names on this lab, its limit: use one of "
                "them, or ask the teacher to free some."
            )
        seat = self._seats[name.lower()] = _Seat(name, client)
        return seat

    @contextmanager
    def vouching(self, token: str) -> Iterator[None]:
        """While a run the lab makes for a student (under their name, from the lab's own
        address) lasts, its chain `token` passes `admit`."""
        with self._lock:
            self._vouched.add(token)
        try:
            yield
        finally:
            with self._lock:
                self._vouched.discard(token)

    def holder(self, key: str) -> str | None:
        """The name whose seat key `key` is, or None."""
        with self._lock:
            return self._by_key.get(_digest(key))

    def free(self, name: str) -> str | None:
        """Free `name` (the teacher's call) for the student who joins with the code returned;
        None when nobody held it."""
        with self._lock:
            seat = self._seats.get(name.lower())
            if seat is None:
                return None
            if seat.key is not None:
                self._by_key.pop(_digest(seat.key), None)
            seat.client, seat.key = None, None
            seat.code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(6))
            return seat.code

    def names(self) -> list[str]:
        """The names held now (not those freed, waiting for their code)."""
        with self._lock:
            return sorted(seat.name for seat in self._seats.values() if seat.client is not None)


def _in_use(name: str) -> str:
    return (
        f"The name {name} is in use on this lab from another computer. Pick another name, or "
        "ask the teacher to free it if it is yours."
    )


def _case(name: str) -> str:
    return (
        f"The name {name} is in use on this lab, and names differ by more than case: pick "
        "another name."
    )
