"""Why a record cannot be used, in words; and the one kind of failure that means a damaged file.

Only a file SQLite itself finds damaged may be moved aside. A full disk, a read-only file, folder
or file system, another program's lock: the file is good, and the learner is told which it is.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

__all__ = ["LOW_SPACE", "Damaged", "damaged", "why"]

LOW_SPACE = 1024 * 1024
"""Bytes free below which a failed write is put down to a full disk."""

_DAMAGE = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_LOCKED = ("SQLITE_BUSY", "SQLITE_LOCKED")
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)
_IN_THE_WAY = (errno.ENOTDIR, errno.EEXIST)
"""What making the record's folder says when a file has the name of one of its folders."""


class Damaged(sqlite3.DatabaseError):
    """SQLite's own check of the file (PRAGMA quick_check) found it damaged."""


def damaged(error: BaseException) -> bool:
    """Whether SQLite said the file is damaged: corrupt, not a database, or a failed check."""
    name = getattr(error, "sqlite_errorname", None) or ""
    return isinstance(error, Damaged) or name.startswith(_DAMAGE)


def why(path: Path, error: BaseException) -> str:
    """What stops `path` being written, in words: e.g. "the disk is full"; else what was said."""
    name = getattr(error, "sqlite_errorname", None) or ""
    number = getattr(error, "errno", None)
    if name.startswith(_LOCKED):
        return "another program is holding it locked"
    disk = _disk(path)
    if disk is not None and disk.f_flag & os.ST_RDONLY:
        return "the disk it is on is read-only"
    low = disk is not None and disk.f_bavail * disk.f_frsize < LOW_SPACE
    if name == "SQLITE_FULL" or number == errno.ENOSPC or (low and name.startswith("SQLITE_IOERR")):
        return "the disk is full"
    refused = name.startswith("SQLITE_READONLY") or number in _READ_ONLY
    if refused or (number is None and not _writable(path)):
        return "it or its folder is read-only"
    blocker = _existing(path.parent)
    if number in _IN_THE_WAY and blocker is not None and not blocker.is_dir():
        return f"{blocker} is a file, not a folder"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[:1].lower() + error.strerror[1:]
    return str(error) or type(error).__name__


def _existing(path: Path) -> Path | None:
    """`path`, or the nearest folder above it that exists."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return None


def _disk(path: Path) -> os.statvfs_result | None:
    found = _existing(path)
    try:
        return os.statvfs(found) if found is not None else None
    except OSError:
        return None


def _writable(path: Path) -> bool:
    """Whether this user may write the file (when it exists) and create files in its folder."""
    found = _existing(path)
    if found is None:
        return False
    if found == path and not os.access(path, os.W_OK):
        return False
    folder = path.parent if found == path else found
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
