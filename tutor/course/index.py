"""A cached index of the lessons (id, title, summary, minutes, step ids) for a fast first screen.

Parsing and validating the course takes longer than drawing the first screen, so the lesson
list first shows this index, written by the previous start, and the full course replaces it a
moment later. The key covers every course file's path, size and modification time, and the
tutor's version: any change to the course misses the cache, and the full load writes it anew.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tutor import __version__
from tutor.atomic import write_text_atomically
from tutor.course.files import course_files

__all__ = ["Entry", "Listed", "index_key", "read_index", "write_index"]


class Listed(Protocol):
    """What the lesson list shows of a lesson: a full Lesson and an index Entry both qualify."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def minutes(self) -> int: ...
    @property
    def step_ids(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    summary: str
    minutes: int
    step_ids: tuple[str, ...]


def index_key(paths: Sequence[Path]) -> str:
    """The state of the course files under `paths`; take it before loading them."""
    digest = hashlib.sha256(__version__.encode())
    for path in paths:
        for file in course_files(path)[0]:
            try:
                stat = file.stat()
            except OSError:
                continue
            digest.update(os.fsencode(file) + f"\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read_index(key: str, cache: Path) -> list[Entry] | None:
    """The cached entries when `cache` was written for `key`; otherwise None. Never raises."""
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data["key"] != key:
            return None
        entries = [
            Entry(e["id"], e["title"], e["summary"], e["minutes"], tuple(e["step_ids"]))
            for e in data["lessons"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return entries if all(map(_well_formed, entries)) else None


def _well_formed(entry: Entry) -> bool:
    """Whether a cached entry has the types a lesson's would: the file may have been edited."""
    texts = (entry.id, entry.title, entry.summary, *entry.step_ids)
    return all(isinstance(text, str) for text in texts) and type(entry.minutes) is int


def write_index(key: str, lessons: Sequence[Listed], cache: Path) -> None:
    """Write the index for `key`, atomically; a cache that cannot be written is no loss."""
    data = {
        "key": key,
        "lessons": [
            {
                "id": lesson.id,
                "title": lesson.title,
                "summary": lesson.summary,
                "minutes": lesson.minutes,
                "step_ids": list(lesson.step_ids),
            }
            for lesson in lessons
        ],
    }
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(cache, json.dumps(data))
