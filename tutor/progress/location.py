"""Where the learner's record lives: the platform's user data folder, or REDIRECT_TUTOR_HOME."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATABASE_NAME", "HOME_VARIABLE", "database_path", "home"]

HOME_VARIABLE = "REDIRECT_TUTOR_HOME"
"""Set it to a folder to keep the record there instead (tests, a USB stick, a shared lab PC)."""
DATABASE_NAME = "progress.db"


def home() -> Path:
    """The folder that holds the record; $REDIRECT_TUTOR_HOME when set and not empty."""
    moved = os.environ.get(HOME_VARIABLE, "").strip()
    if moved:
        return Path(moved).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("redirect-tutor", appauthor=False))


def database_path() -> Path:
    return home() / DATABASE_NAME
