"""The teacher's key and where the lab is: a file in the teacher's data folder, readable only by
the teacher, that `serve` writes as it starts and `class` reads. The key never reaches the
projected console: it goes to the file, and the teacher's own commands find it there."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from tutor.atomic import write_text_atomically
from tutor.progress.location import home

__all__ = [
    "LAB_FILE",
    "NAMES_FILE",
    "LabCard",
    "lab_file",
    "new_key",
    "read_card",
    "remove_card",
    "write_card",
]

LAB_FILE = "class-lab.json"
NAMES_FILE = "class-names.json"
"""Who holds each name on the teacher's lab (tutor.lab.seats), kept across its restarts."""


@dataclass(frozen=True, slots=True)
class LabCard:
    """How the teacher's commands reach the running lab: its URL on this machine and the key."""

    url: str
    key: str
    pid: int

    @property
    def alive(self) -> bool:
        """Whether the `serve` that wrote it still runs."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def new_key() -> str:
    return secrets.token_urlsafe(32)


def lab_file() -> Path:
    return home() / LAB_FILE


def write_card(card: LabCard, path: Path | None = None) -> Path:
    """Write the card (mode 0600, its folder 0700 when made here); OSError when it cannot."""
    path = path or lab_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    document = {"url": card.url, "key": card.key, "pid": card.pid}
    write_text_atomically(path, json.dumps(document) + "\n", mode=0o600)
    return path


def read_card(path: Path | None = None) -> LabCard | None:
    """The card a running `serve` wrote, or None (none, unreadable, or its lab stopped)."""
    path = path or lab_file()
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        document = json.loads(path.read_text(encoding="utf-8"))
        card = LabCard(str(document["url"]), str(document["key"]), int(document["pid"]))
        return card if card.alive else None
    return None


def remove_card(card: LabCard, path: Path | None = None) -> None:
    """Remove the card as its lab stops, unless another `serve` has written its own since."""
    path = path or lab_file()
    if read_card(path) == card:
        with contextlib.suppress(OSError):
            path.unlink()
