"""A visitor's name and the folder of their own record: a name is checked, never trusted as a path.

Names are folded to lower case, so "Ada" and "ada" are one learner on every file system.
"""

from __future__ import annotations

import re
from pathlib import Path

from tutor.progress.location import home

__all__ = ["NAME_RULE", "learner_name", "records_folder"]

NAME_RULE = "letters, digits, - and _, at most 32"
_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
_DEVICES = {"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(10))}
"""Names Windows reserves for devices in every folder."""


def learner_name(text: str) -> str | None:
    """The learner's name as their folder is called, or None if `text` breaks NAME_RULE."""
    name = text.strip()
    if not _NAME.fullmatch(name) or name.lower() in _DEVICES:
        return None
    return name.lower()


def records_folder() -> Path:
    """Where the visitors' folders live: beside the teacher's own record, never in it."""
    return home() / "web"
