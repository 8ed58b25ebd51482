"""Load course files (lesson, quiz, card, edges) into a Course, skipping broken ones and clashes."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from tutor.course.aggregate import Content, Course
from tutor.course.base import Loc
from tutor.course.cards import Card
from tutor.course.document import Document, byte_position, parse
from tutor.course.edges import EdgeCases
from tutor.course.files import Problem, builtin_lessons_dir, course_files, reason
from tutor.course.limits import FILE_BYTES as MAX_BYTES
from tutor.course.models import Lesson
from tutor.course.questions import Bank
from tutor.course.wording import NOUNS, describe, explain
from tutor.validated import names, required, validate

__all__ = [
    "MAX_BYTES",
    "Checked",
    "Checker",
    "Loaded",
    "check_file",
    "each_file",
    "load_course",
    "load_file",
    "load_paths",
]


SHOWN = 100
"""Problems listed for one file: thousands of lines help no one, and would cost the tutor's
screen (and lint its time) on a file that is wrong throughout."""

_MODELS: dict[str, type[Lesson] | type[Bank] | type[Card] | type[EdgeCases]] = {
    "lesson": Lesson,
    "quiz": Bank,
    "card": Card,
    "edges": EdgeCases,
}
"""The model that validates each `kind:` of file (a file without one is a lesson)."""


def load_file(path: Path) -> tuple[Content | None, list[Problem]]:
    """The lesson, bank, card or edge cases in `path`, or None and the problems that stop it.
    Never raises."""
    content, problems, _ = _read(path)
    return content, problems


def load_course(extra_dirs: Sequence[Path] = (), *, builtin: bool = True) -> Course:
    """The built-in lessons (unless `builtin` is false), then those in `extra_dirs`."""
    return load_paths([*([builtin_lessons_dir()] if builtin else []), *extra_dirs])


def load_paths(paths: Sequence[Path]) -> Course:
    """Everything in `paths`: files, or directories whose .yaml/.yml files (subfolders too) load
    by name; what each file holds and all their problems, as `each_file` reads them."""
    course = Course()
    banks: dict[Path, Bank] = {}
    for loaded in each_file(paths):
        course.problems += loaded.problems
        if loaded.withdrawn:
            course.banks.remove(banks.pop(loaded.file))
        elif loaded.content is not None:
            course.add(loaded.content)
            if isinstance(loaded.content, Bank):
                banks[loaded.file] = loaded.content
    return course


class Loaded(NamedTuple):
    """One course file as it loaded: its content (None: skipped) and its problems."""

    file: Path
    content: Content | None
    problems: list[Problem]
    withdrawn: bool = False
    """A bank that loaded earlier is skipped after all: a question names a lesson that did not
    load (known only once every file is read)."""


class Checked(NamedTuple):
    """One file read, parsed and validated on its own, with what the checks across files need
    of it: what it claims, the lesson it is, the lessons it names."""

    content: Content | None
    """None when it did not load, or when it was not kept (check_file's `keep`)."""
    problems: list[Problem]
    claims: list[tuple[tuple[str, object], Problem]] | None
    """What the file claims for itself alone (its id, a card's code, a question's id, an edge's
    id), each with where and how it says so; None: it did not load."""
    lesson: str | None = None
    """A lesson's id."""
    named: frozenset[str] | None = None
    """The lessons a bank names."""


Checker = Callable[[Sequence[Path]], Iterator[Checked]]
"""Checks files, each on its own, handing back each as it is checked, in their order."""


def check_file(file: Path, *, keep: bool = True) -> Checked:
    """`file` checked on its own; its content dropped unless `keep`. Never raises."""
    content, problems, document = _read(file)
    if content is None or document is None:
        return Checked(None, problems, None)
    claims = [(key, document.problem(place, what)) for key, place, what in _claims(content)]
    return Checked(
        content if keep else None,
        problems,
        claims,
        lesson=content.id if isinstance(content, Lesson) else None,
        named=_named_lessons(content) if isinstance(content, Bank) else None,
    )


def _one_by_one(files: Sequence[Path]) -> Iterator[Checked]:
    return map(check_file, files)


def each_file(paths: Sequence[Path], checker: Checker = _one_by_one) -> Iterator[Loaded]:
    """Each file in `paths` (files, or directories whose .yaml/.yml files, subfolders too, load by
    name) as it loads, then each bank withdrawn; the one check both the tutor and `lint` run
    (lint's `checker` checks files in a pool and keeps no content: tutor.course.checked).

    Broken files are skipped with their problems; so is a file whose id (or, for a card, whose
    code; for a bank, a question's id; for edge cases, an edge's id) an earlier file already
    uses, and a bank whose questions name a lesson that did not load. Only what those checks
    across files need is kept (ids, codes, the lessons a bank names), never a file's content or
    its YAML, so a course of any size is read in bounded memory.
    """
    listed: list[Path | Loaded] = []  # each file, or a path's own problems, in order
    seen: set[str] = set()
    for path in paths:
        files, problems = course_files(path)
        if problems:
            listed.append(Loaded(path, None, problems))
        for file in files:
            real = os.path.realpath(file)
            if real not in seen:
                seen.add(real)
                listed.append(file)
    checked = checker([entry for entry in listed if isinstance(entry, Path)])
    owners: dict[tuple[str, object], Path] = {}
    lessons: set[str] = set()
    banks: list[tuple[Path, frozenset[str]]] = []
    for entry in listed:
        if isinstance(entry, Loaded):
            yield entry
            continue
        file, found = entry, next(checked)
        if found.claims is None:
            yield Loaded(file, None, found.problems)
            continue
        if clashes := [(key, at) for key, at in found.claims if key in owners]:
            skipped = [
                replace(at, message=f"{at.message} is already used by {owners[key]}: file skipped")
                for key, at in clashes
            ]
            yield Loaded(file, None, skipped)
            continue
        owners.update(dict.fromkeys((key for key, _ in found.claims), file))
        if found.lesson is not None:
            lessons.add(found.lesson)
        if found.named is not None:
            banks.append((file, found.named))
        yield Loaded(file, found.content, found.problems)
    for file, named in banks:
        if not named <= lessons:
            yield Loaded(file, None, _unknown_lessons(file, lessons), withdrawn=True)


def _named_lessons(bank: Bank) -> frozenset[str]:
    return frozenset(
        lesson for lesson in (bank.lesson, *(q.lesson for q in bank.questions)) if lesson
    )


def _unknown_lessons(file: Path, lessons: set[str]) -> list[Problem]:
    """A bank's problems at each lesson it names that did not load: the file is read again, for
    the places (a course's good files are never kept)."""
    bank, _, document = _read(file)
    issues = bank.unknown_lessons(lessons) if isinstance(bank, Bank) else []
    if document is None or not issues:
        return [Problem(file, 1, 1, "changed while the course loaded: file skipped")]
    return [document.problem(loc, f"{text}: file skipped") for loc, text in issues]


def _claims(content: Content) -> list[tuple[tuple[str, object], Loc, str]]:
    """What a file claims for itself alone: its id among its kind, and a card its code."""
    claims: list[tuple[tuple[str, object], Loc, str]] = [
        ((content.kind, content.id), ("id",), f"{NOUNS[content.kind]} id {content.id!r}")
    ]
    if isinstance(content, Card):
        claims.append((("code", content.code), ("code",), f"a card for {content.code}"))
    if isinstance(content, Bank):  # progress records answers by question id, across all banks
        claims += [
            (("question", q.id), ("questions", i, "id"), f"question id {q.id!r}")
            for i, q in enumerate(content.questions)
        ]
    if isinstance(content, EdgeCases):  # the lab lists every file's edges as one
        claims += [
            (("edge", edge.id), ("edges", i, "id"), f"edge case id {edge.id!r}")
            for i, edge in enumerate(content.edges)
        ]
    return claims


class _Unreadable(Exception):
    pass


_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
"""Open without waiting: a pipe named like a lesson must not hang the tutor (what was opened is
checked before a byte is read)."""


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, or _Unreadable saying why not (a folder, a pipe, a broken or looping
    link, no permission, too big)."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise _Unreadable(_unopenable(path, error)) from error
    except ValueError as error:  # a NUL in the name
        raise _Unreadable(f"cannot read this file: {error}") from error
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _Unreadable("a directory, not a lesson file")
        if not stat.S_ISREG(mode):
            raise _Unreadable("not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise _Unreadable(f"cannot read this file: {reason(error)}") from error
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise _Unreadable(f"over {MAX_BYTES:,} bytes: a course file is at most 128 KiB")
    return data


def _unopenable(path: Path, error: OSError) -> str:
    """Why `path` cannot be opened, in the words of what it is."""
    if error.errno == errno.ELOOP:
        return "a loop of symbolic links: following it leads back to itself"
    if error.errno == errno.ENOENT and os.path.islink(path):
        with contextlib.suppress(OSError):
            return f"a broken link: {os.readlink(path)} does not exist"
    if error.errno == errno.ENOENT:
        return "no such file"
    if error.errno in (errno.ENXIO, errno.ENODEV, errno.EOPNOTSUPP):  # a socket, a device
        return "not a regular file"
    return f"cannot read this file: {reason(error)}"


def _read(path: Path) -> tuple[Content | None, list[Problem], Document | None]:
    """Read, parse and validate one file. Any problem at all means no content."""
    try:
        data = _read_bytes(path)
    except _Unreadable as error:
        return None, [Problem(path, 1, 1, str(error))], None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, col = byte_position(data, error.start)
        message = f"not UTF-8 text (byte 0x{data[error.start]:02x}): save the lesson as UTF-8"
        return None, [Problem(path, line, col, message)], None
    document, value, problems = parse(path, text)
    if document is None:
        return None, problems, None
    kind = value.get("kind", "lesson") if isinstance(value, dict) else "lesson"
    if not isinstance(kind, str) or kind not in _MODELS:
        message = f"kind: unknown kind {describe(kind)}: use one of {', '.join(_MODELS)}"
        line, col = document.where(("kind",))
        return None, [Problem(path, line, col, message), *problems], None
    model = _MODELS[kind]
    if isinstance(value, dict) and not {str(key) for key in value} & set(names(model)):
        keys = ", ".join(required(model))
        message = f"not a {NOUNS[kind]}: it has none of {keys}"
        return None, [Problem(path, 1, 1, message), *problems], None
    content: Content | None
    errors: list[Any] = []
    try:
        content = validate(model, value)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        problems += [problem for e in errors[:SHOWN] for problem in explain(e, document, model)]
        content = None
    problems.sort(key=lambda problem: (problem.line, problem.col))
    more = len(errors) > SHOWN or len(problems) > SHOWN
    return (content if not problems else None), _first(problems, more=more), document


def _first(problems: list[Problem], *, more: bool) -> list[Problem]:
    """The first SHOWN problems, then (if `more` follow) one line that says so."""
    if not more:
        return problems
    last = problems[min(len(problems), SHOWN) - 1]
    message = (
        f"and more: the first {SHOWN} problems of a file are listed; fix them, then lint again"
    )
    return [*problems[:SHOWN], Problem(last.path, last.line, last.col, message)]
