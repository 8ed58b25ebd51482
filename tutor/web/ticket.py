"""The cookie a visitor gets at the door: their name, signed by this server, so that no later
request (the websocket above all) needs the code again or can claim a name it was not given.

A browser sends a host's cookies to every port of it (RFC 6265 §8.5), the lab's too, where a
classmate may read them. So the signature also covers the address the ticket was given to, and
the name's key (names.py): shown from another computer, or after the teacher freed the name, a
ticket is worthless. The signing key lives only in this process: stopping `web` sends everyone
back to the door.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from tutor.web.learners import learner_name
from tutor.web.names import Names

__all__ = ["COOKIE", "Tickets"]

COOKIE = "tutor_ticket"


class Tickets:
    """Issues and checks tickets ("NAME.SIGNATURE") with a key made at start."""

    def __init__(self, names: Names) -> None:
        self._names = names
        self._key = secrets.token_bytes(32)

    def _signature(self, name: str, name_key: str, address: str) -> str:
        signed = "\0".join((name, name_key, address)).encode()
        return hmac.new(self._key, signed, hashlib.sha256).hexdigest()

    def issue(self, name: str, name_key: str, address: str) -> str:
        return f"{name}.{self._signature(name, name_key, address)}"

    def holder(self, ticket: str | None, address: str) -> str | None:
        """The learner a ticket was issued to at `address`, or None if it is missing, not ours,
        from another address, or for a name whose key has changed."""
        name, _, signature = (ticket or "").partition(".")
        if learner_name(name) != name or (name_key := self._names.key(name)) is None:
            return None
        expected = self._signature(name, name_key, address).encode()
        return name if secrets.compare_digest(signature.encode(), expected) else None
