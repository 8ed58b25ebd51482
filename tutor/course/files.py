"""Where course files are and in which order they load; light, so the lesson list can show early.

Nothing here imports YAML or pydantic: the cached index (tutor.course.index) and the loader
both find files through this module.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "SUFFIXES",
    "Problem",
    "builtin_lessons_dir",
    "course_files",
    "printable",
    "reason",
    "shown",
]

SUFFIXES = (".yaml", ".yml")

_NOT_UTF8 = "this name is not UTF-8 text: rename it (the tutor shows and keeps names as UTF-8)"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a lesson file, at a 1-based line and column."""

    path: Path
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        """One line a terminal shows as it is: whatever a file name or a file's text holds
        (bytes that are not UTF-8, line breaks, escape sequences) is written escaped."""
        return f"{printable(str(self.path))}:{self.line}:{self.col}: {printable(self.message)}"


def printable(text: str) -> str:
    """`text` with each character a terminal would act on or cannot show written as an escape:
    a byte of a name that is not UTF-8 as \\xff, a control or bidi character as \\x1b, \\u202e."""
    return "".join(char if char.isprintable() else _escaped(char) for char in text)


def shown(text: str) -> str:
    """`text` quoted for a message, cut short: a file may hold 100 KB where a word was due."""
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _escaped(char: str) -> str:
    if "\udc80" <= char <= "\udcff":  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def builtin_lessons_dir() -> Path:
    """The course shipped with the tutor: inside the wheel, or lessons/ in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "lessons"
    return shipped if shipped.is_dir() else package.parent / "lessons"


def course_files(path: Path) -> tuple[list[Path], list[Problem]]:
    """The course files `path` names: itself, or a directory's .yaml/.yml files (subfolders too,
    and folders a link leads to, each once; a link back to a folder that holds it is a problem).

    Every name with a course suffix is listed, whatever it is (a folder, a pipe, a broken link):
    the loader says what is wrong with it. A name that is not UTF-8 is a problem, not a file.
    """
    if not _utf8(str(path)):
        return [], [Problem(path, 1, 1, _NOT_UTF8)]
    if not _is_dir(path):
        if os.path.lexists(path):
            return [path], []
        return [], [Problem(path, 1, 1, "no such file or directory")]
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[tuple[int, int]] = set()
    folders: list[tuple[Path, tuple[tuple[int, int], ...]]] = [(path, ())]
    while folders:
        folder, holders = folders.pop()
        try:
            ident = _identity(folder)
            if ident in holders:
                message = "a link to a folder that holds it (a loop): not followed"
                problems.append(Problem(folder, 1, 1, message))
                continue
            if ident in seen:  # reached again through another link: its files are listed
                continue
            seen.add(ident)
            with os.scandir(folder) as scan:
                entries = sorted(entry.name for entry in scan if not entry.name.startswith("."))
        except OSError as error:
            problems.append(Problem(folder, 1, 1, f"cannot read this folder: {reason(error)}"))
            continue
        for name in entries:
            child = folder / name
            if child.suffix in SUFFIXES:
                if _utf8(str(child)):  # its folders' names too
                    files.append(child)
                else:
                    problems.append(Problem(child, 1, 1, _NOT_UTF8))
            elif _is_dir(child):
                folders.append((child, (*holders, ident)))
    if not files and not problems:
        return [], [Problem(path, 1, 1, f"no lesson files ({', '.join(SUFFIXES)}) here")]
    return sorted(files, key=lambda file: _by_name(file.relative_to(path))), problems


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_dir(path: Path) -> bool:
    """Whether `path` is a folder or a link to one; False for a broken or looping link."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _identity(folder: Path) -> tuple[int, int]:
    stat = folder.stat()
    return stat.st_dev, stat.st_ino


def _by_name(path: Path) -> tuple[bool, list[list[Any]]]:
    """Sort key: a folder's own files first, then its subfolders'; numbers compared as numbers
    (9-x before 10-x)."""
    natural = [
        [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", part)] for part in path.parts
    ]
    return len(path.parts) > 1, natural


def reason(error: Exception) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)
