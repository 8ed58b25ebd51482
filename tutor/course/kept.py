"""The validated course, kept between starts under a digest of what it was validated from.

Parsing and validating the course is most of a start's work. A course validated once is the
same course for as long as its files hold the same bytes and the code that validates them is
the same, so the result is kept in the learner's data folder (0600), under a digest of both:
every course file's path and bytes, and the tutor's version, the size and modification time of
each of its source files, the version of Python and the files of pydantic. Any change misses,
and the full load, which keeps its result anew, runs. A course the loader alone can judge (a folder
that cannot be read, a file too large or not a regular file) is never kept.

The file is a pickle, trusted as Python trusts its own `__pycache__`: it is written by this
tutor, for this learner, in their own folder; what anyone else can write there could as well be
their shell's start-up file.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from tutor import __version__
from tutor.course.aggregate import Course
from tutor.course.files import course_files
from tutor.course.limits import FILE_BYTES

__all__ = ["course_digest", "keep", "load_kept", "read_kept"]

_SOURCE = Path(__file__).resolve().parent.parent
"""The tutor package: its code decides what a valid course is."""


def load_kept(paths: Sequence[Path], file: Path) -> Course:
    """The course in `paths` (tutor.course.loader.load_paths), from `file` when it was kept
    there for these very bytes and this code; otherwise loaded in full and kept. Never raises
    for the cache's sake: a file that cannot be read or written only costs the full load."""
    digest = course_digest(paths)
    course = read_kept(digest, file) if digest else None
    if course is None:
        from tutor.course.loader import load_paths  # only now: YAML is for a course not kept

        course = load_paths(paths)
        if digest:
            keep(digest, course, file)
    return course


_VALIDATORS = ("pydantic", "pydantic_core")
"""What validates a course besides the tutor's own code."""


def _installed(package: str) -> str:
    """Where `package` is installed, and the size and time of each file at its top: another
    version is other files. Read without importing it, which a kept course never needs."""
    spec = importlib.util.find_spec(package)
    folder = os.path.dirname(spec.origin) if spec is not None and spec.origin else ""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        return "".join(sorted(_stamp(e.path, e.stat()) for e in entries if e.is_file()))
    return f"{package} not found\n"


def _stamp(path: str, status: os.stat_result) -> str:
    """A file as the digest knows code: where it is, its size and when it last changed."""
    return f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n"


def course_digest(paths: Sequence[Path]) -> str | None:
    """What a course loaded from `paths` depends on, or None when it is not to be kept."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version}\n".encode())
    for validator in _VALIDATORS:
        digest.update(_installed(validator).encode())
    for root, _, names in sorted(os.walk(_SOURCE)):
        for name in sorted(names):
            if name.endswith(".py"):
                source = os.path.join(root, name)
                digest.update(_stamp(source, os.stat(source)).encode())
    for path in paths:
        files, problems = course_files(path)
        if problems:
            return None
        for course_file in files:
            text = _read(course_file)
            if text is None:
                return None
            real = os.path.realpath(course_file)
            digest.update(f"{course_file}\0{real}\0{len(text)}\n".encode(errors="surrogateescape"))
            digest.update(text)
    return digest.hexdigest()


def _read(path: Path) -> bytes | None:
    """The bytes of a regular course file within the size limit; None for anything else."""
    try:
        with open(path, "rb") as course_file:
            if not stat.S_ISREG(os.fstat(course_file.fileno()).st_mode):
                return None
            text = course_file.read(FILE_BYTES + 1)
    except OSError:
        return None
    return text if len(text) <= FILE_BYTES else None


def read_kept(digest: str, file: Path) -> Course | None:
    """The course kept in `file` for `digest`; None when there is none for it (or it is
    unreadable: a half-written or foreign file is a miss, never an error)."""
    try:
        with open(file, "rb") as kept:
            if kept.readline().rstrip(b"\n") != digest.encode():
                return None
            course = pickle.load(kept)  # the learner's own file: see above
    except Exception:  # any failure to read it back is a miss: the course loads in full
        return None
    return course if isinstance(course, Course) else None


def keep(digest: str, course: Course, file: Path) -> None:
    """Keep `course` in `file` for `digest`, whole or not at all; a failure is only a miss
    next time."""
    partial = file.with_name(f".{file.name}.{os.getpid()}.partial")
    with contextlib.suppress(OSError, pickle.PicklingError, RecursionError):
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as kept:
            kept.write(digest.encode() + b"\n")
            pickle.dump(course, kept, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, file)
    with contextlib.suppress(OSError):
        partial.unlink(missing_ok=True)
