"""Where course files are and in which order they load; light, so the lesson list can show early.

Nothing here imports YAML or pydantic: the cached index (tutor.course.index) and the loader
both find files through this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SUFFIXES", "Problem", "builtin_lessons_dir", "course_files", "reason"]

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a lesson file, at a 1-based line and column."""

    path: Path
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


def builtin_lessons_dir() -> Path:
    """The course shipped with the tutor: inside the wheel, or lessons/ in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "lessons"
    return shipped if shipped.is_dir() else package.parent / "lessons"


def course_files(path: Path) -> tuple[list[Path], list[Problem]]:
    """The course files `path` names: itself, or a directory's .yaml/.yml files (subfolders too)."""
    try:
        if not path.is_dir():
            if path.exists():
                return [path], []
            return [], [Problem(path, 1, 1, "no such file or directory")]
        files = [
            child
            for child in path.rglob("*")
            if child.suffix in SUFFIXES
            and not any(part.startswith(".") for part in child.relative_to(path).parts)
            and not child.is_dir()
        ]
    except (OSError, ValueError) as error:
        return [], [Problem(path, 1, 1, f"cannot read this directory: {reason(error)}")]
    if not files:
        return [], [Problem(path, 1, 1, f"no lesson files ({', '.join(SUFFIXES)}) here")]
    return sorted(files, key=lambda file: _by_name(file.relative_to(path))), []


def _by_name(path: Path) -> tuple[bool, list[list[Any]]]:
    """Sort key: a folder's own files first, then its subfolders'; numbers compared as numbers
    (9-x before 10-x)."""
    natural = [
        [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", part)] for part in path.parts
    ]
    return len(path.parts) > 1, natural


def reason(error: Exception) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)
