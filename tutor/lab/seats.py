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

import contextlib
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tutor.atomic import write_text_atomically
from tutor.lab.addresses import counted_as

__all__ = [
    "CODE_LENGTH",
    "KEPT_FOR",
    "NAME",
    "NAMES_PER_CLIENT",
    "WRONG_CODES",
    "Seats",
    "Taken",
    "TooManyCodes",
]

NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
"""A student's name, as their /s/NAME prefix takes it (tutor.lab.journal.STUDENT)."""

NAMES_PER_CLIENT = 64
"""Names one computer may hold: more than `web`'s 40 tutors, so a class in the browser fits,
and few enough that nobody can take every name the class might pick."""


class Taken(Exception):
    """The name cannot be used from here; the message says why, for the student."""


class TooManyCodes(Taken):
    """A freed name was tried with too many wrong codes: it waits for the teacher."""


@dataclass
class _Seat:
    name: str
    """As its holder writes it."""
    client: str | None
    """Who holds it (see `counted_as`); None while it waits for `code`, or for its tutor to join
    again after the lab restarted."""
    key_digest: str | None = None
    since: int = 0
    """The journal's count of hops when its key was made: what came under the name before is
    not its tutor's to read (another computer may have used the name first, from one NAT)."""
    code: str | None = None
    """Set when the teacher freed the name: only a join with it takes the name."""
    wrong_codes: int = 0


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""A claim code's letters: none that reads as another (0/O, 1/I)."""
CODE_LENGTH = 8
"""Letters of a claim code: 40 bits, and at most WRONG_CODES guesses a name."""
KEPT_FOR = 12 * 3600
"""Seconds the names of a class outlive its last join: a lab restarted within a class (or a
day) keeps them; the next class starts with every name free."""
WRONG_CODES = 10
"""Wrong codes a freed name takes; then it waits for the teacher to free it again."""


class Seats:
    """Who holds each name. Thread-safe: the lab's loop and the class routes both ask.

    With `path`, the names that have a seat key or wait for a code are kept there (mode 0600)
    and taken back when the lab starts again (within KEPT_FOR): a restart must not hand a name,
    and its exam, to whoever joins first. A name only ever used by hand (curl) is not kept: next
    time it is free.
    """

    def __init__(self, per_client: int = NAMES_PER_CLIENT, path: Path | None = None) -> None:
        self._seats: dict[str, _Seat] = {}
        """By the name in lower case."""
        self._by_key: dict[str, str] = {}
        self._per_client = per_client
        self._vouched: set[str] = set()
        self._lock = threading.Lock()
        self._path = path
        if path is not None:
            self._load(path)

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
                    f"code: redirect-tutor --join URL --name {seat.name} --code CODE; with curl "
                    f'only: curl -d \'{{"name": "{seat.name}", "code": "CODE"}}\' '
                    f"URL/class/join, then /s/{seat.name}/ works from that computer."
                )
            elif seat.name != name:
                raise Taken(_case(seat.name))
            elif seat.client != client:
                raise Taken(_in_use(seat.name))

    def join(
        self,
        name: str,
        address: str,
        key: str | None = None,
        code: str | None = None,
        since: int = 0,
    ) -> str:
        """The seat key of `name` for a tutor joining from `address`: made at the first join
        (`since`: the journal's count of hops then), and the same after, for a tutor that
        brings it (a student's tutor and quiz may both be joined; a laptop may change address).
        A name freed by the teacher is taken with its `code`. Taken otherwise, as `admit` says.
        `key` and `code` are ASCII (the caller checks)."""
        client = counted_as(address)
        with self._lock:
            seat = self._seats.get(name.lower())
            if seat is None:
                seat = self._bind(name, client)
            elif seat.code is not None:
                self._claim(seat, code)
                seat.name, seat.client, seat.code, seat.wrong_codes = name, client, None, 0
            elif seat.name != name:
                raise Taken(_case(seat.name))
            elif seat.key_digest is not None:
                if key is None or not hmac.compare_digest(_digest(key), seat.key_digest):
                    raise Taken(
                        f"The name {name} has joined this lab from another tutor. If it is "
                        "yours, use that tutor (its key is kept in its data folder), or ask the "
                        "teacher to free the name."
                    )
                if seat.client != client:  # a new address, or the first join after a restart
                    seat.client = client
                    self._save()
                return key
            elif seat.client != client:
                raise Taken(_in_use(name))
            key = secrets.token_urlsafe(24)
            seat.key_digest, seat.since = _digest(key), since
            self._by_key[seat.key_digest] = seat.name
            self._save()
            return key

    def _claim(self, seat: _Seat, code: str | None) -> None:
        """Take a freed name with its code; Taken for a wrong one, and for any once WRONG_CODES
        were tried."""
        if seat.wrong_codes >= WRONG_CODES:
            raise TooManyCodes(
                f"Too many wrong codes for the name {seat.name}: ask the teacher to free it "
                "again, for a new code."
            )
        if code is None or not hmac.compare_digest(code.upper(), seat.code or ""):
            seat.wrong_codes += 1
            raise Taken(
                f"The teacher freed the name {seat.name} for the student who joins with its "
                "code (--code): this is not it."
            )

    def since(self, name: str) -> int:
        """The journal's count of hops when `name`'s seat key was made (see `_Seat.since`)."""
        with self._lock:
            seat = self._seats.get(name.lower())
            return seat.since if seat is not None else 0

    def _bind(self, name: str, client: str) -> _Seat:
        held = sum(1 for seat in self._seats.values() if seat.client == client)
        if held >= self._per_client:
            raise Taken(
                f"This computer already uses {held} names on this lab, its limit: use one of "
                "them, or ask the teacher to free some."
            )
        seat = self._seats[name.lower()] = _Seat(name, client)
        return seat

    def _save(self) -> None:
        """Keep the names with a key or a code (under the lock). A disk that will not take it
        costs only this: after a restart those names are free again."""
        if self._path is None:
            return
        kept = [
            {"name": seat.name, "key": seat.key_digest, "code": seat.code, "client": seat.client}
            for seat in self._seats.values()
            if seat.key_digest is not None or seat.code is not None
        ]
        text = json.dumps({"format": 1, "names": kept}, indent=1) + "\n"
        with contextlib.suppress(OSError):
            write_text_atomically(self._path, text, mode=0o600)

    def _load(self, path: Path) -> None:
        """Take back the names of the class this lab served last, unless that class is over:
        kept longer, a name would wait next week for a school computer that has forgotten its
        key."""
        with contextlib.suppress(OSError, ValueError, RecursionError, TypeError, KeyError):
            if time.time() - path.stat().st_mtime > KEPT_FOR:
                return
            for kept in json.loads(path.read_text(encoding="utf-8"))["names"]:
                name, digest, code = str(kept["name"]), kept["key"], kept["code"]
                if not NAME.fullmatch(name):
                    continue
                seat = _Seat(name, None, digest if isinstance(digest, str) else None)
                seat.code = code if isinstance(code, str) else None
                client = kept.get("client")  # its computer: its runs go on before it rejoins
                seat.client = client if isinstance(client, str) and seat.code is None else None
                self._seats[name.lower()] = seat
                if seat.key_digest is not None:
                    self._by_key[seat.key_digest] = name

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
        if not key.isascii():
            return None
        with self._lock:
            return self._by_key.get(_digest(key))

    def free(self, name: str) -> str | None:
        """Free `name` (the teacher's call) for the student who joins with the code returned;
        None when nobody held it."""
        with self._lock:
            seat = self._seats.get(name.lower())
            if seat is None:
                return None
            if seat.key_digest is not None:
                self._by_key.pop(seat.key_digest, None)
            seat.client, seat.key_digest, seat.wrong_codes = None, None, 0
            seat.code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(CODE_LENGTH))
            self._save()
            return seat.code

    def names(self) -> list[str]:
        """The names held (by a computer now, or by a tutor's key kept from before a
        restart), not those freed and waiting for their code."""
        with self._lock:
            return sorted(seat.name for seat in self._seats.values() if seat.code is None)


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
