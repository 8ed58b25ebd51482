"""A name belongs to the browser that entered it first, so no classmate can take over a tutor or
a record by typing its name.

At a name's first entry `web` makes a random key for it, keeps it in the name's folder
(KEY_FILE) and gives it to the browser in a cookie that only the door's form is sent with
(`key_cookie`, path /enter); a later entry with the name must bring it. The teacher frees a name
by deleting its folder, or only KEY_FILE in it (which keeps the record): the next to enter the
name then owns it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["KEY_FILE", "Names", "key_cookie"]

KEY_FILE = "web-key"


def key_cookie(name: str) -> str:
    """The cookie holding a name's key: one per name, so a shared computer keeps each one."""
    return f"tutor_key_{name}"


class Names:
    """The names entered so far: each one's folder under `records`, and its key there."""

    def __init__(self, records: Path) -> None:
        self.records = records

    def key(self, name: str) -> str | None:
        """The key `name` was given at its first entry, or None if it has none (yet, or again)."""
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return (self.records / name / KEY_FILE).read_text(encoding="ascii").strip() or None
        return None

    def claim(self, name: str, shown: str | None) -> str | None:
        """The key of `name` for a browser that shows it `shown`: the key itself when it is the
        one shown, a new one when the name has none, None when the name is someone else's.
        OSError when the name's folder cannot be made."""
        key = self.key(name)
        if key is None:
            made = self._make_key(name)
            if made is not None:
                return made
            key = self.key(name)  # another entry made it a moment ago
        if key is None or shown is None:
            return None
        return key if secrets.compare_digest(shown.encode(), key.encode()) else None

    def _make_key(self, name: str) -> str | None:
        """A new key for `name`, or None if another entry made one first."""
        folder = self.records / name
        folder.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        try:
            made = os.open(folder / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return None
        try:
            with os.fdopen(made, "w", encoding="ascii") as file:
                file.write(key)
        except OSError:
            (folder / KEY_FILE).unlink(missing_ok=True)
            raise
        return key
