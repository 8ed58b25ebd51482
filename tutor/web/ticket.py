"""The cookie a visitor gets at the door: their name, signed by this server, so that no later
request (the websocket above all) needs the code again or can claim a name it was not given.

The key lives only in this process: stopping `web` sends everyone back to the door.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from tutor.web.learners import learner_name

__all__ = ["COOKIE", "Tickets"]

COOKIE = "tutor_ticket"


class Tickets:
    """Issues and checks tickets ("NAME.SIGNATURE") with a key made at start."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def _signature(self, name: str) -> str:
        return hmac.new(self._key, name.encode(), hashlib.sha256).hexdigest()

    def issue(self, name: str) -> str:
        return f"{name}.{self._signature(name)}"

    def holder(self, ticket: str | None) -> str | None:
        """The learner a ticket was issued to, or None if it is missing or not ours."""
        name, _, signature = (ticket or "").partition(".")
        if learner_name(name) != name:
            return None
        expected = self._signature(name).encode()
        return name if secrets.compare_digest(signature.encode(), expected) else None
