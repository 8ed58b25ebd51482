"""Load course files from YAML (safe loading only), each problem pointing at the file's line:col.

A file says what it holds with `kind:` (lesson, the default; quiz, a question bank; card, a
reference card), and is validated by that kind's model.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.course.base import CrossCheckError, Loc, loc_text
from tutor.course.cards import Card
from tutor.course.files import SUFFIXES, Problem, builtin_lessons_dir, course_files, reason
from tutor.course.models import Lesson
from tutor.course.questions import Bank, Question

__all__ = [
    "MAX_BYTES",
    "SUFFIXES",
    "Content",
    "Course",
    "Problem",
    "builtin_lessons_dir",
    "load_course",
    "load_file",
    "load_paths",
]

MAX_BYTES = 1_000_000
"""Largest lesson file read; a lesson is a few kilobytes, so more is surely the wrong file."""

_MERGE_TAG = "tag:yaml.org,2002:merge"

Content = Lesson | Bank | Card
_MODELS: dict[str, type[Lesson] | type[Bank] | type[Card]] = {
    "lesson": Lesson,
    "quiz": Bank,
    "card": Card,
}
_NOUNS = {"lesson": "lesson", "quiz": "question bank", "card": "reference card"}


@dataclass
class Course:
    """What loaded, in file order (lessons, question banks, cards), and the problems of the rest."""

    lessons: list[Lesson] = field(default_factory=list)
    banks: list[Bank] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    @property
    def lesson_titles(self) -> dict[str, str]:
        return {lesson.id: lesson.title for lesson in self.lessons}

    def card(self, code: int) -> Card | None:
        return next((card for card in self.cards if card.code == code), None)

    @property
    def questions(self) -> list[tuple[Bank, Question]]:
        """Every question with the bank it comes from, in file order."""
        return [(bank, question) for bank in self.banks for question in bank.questions]

    def add(self, content: Content) -> None:
        if isinstance(content, Lesson):
            self.lessons.append(content)
        elif isinstance(content, Bank):
            self.banks.append(content)
        else:
            self.cards.append(content)


def load_file(path: Path) -> tuple[Content | None, list[Problem]]:
    """The lesson, bank or card in `path`, or None and the problems that stop it. Never raises."""
    content, problems, _ = _read(path)
    return content, problems


def load_course(extra_dirs: Sequence[Path] = (), *, builtin: bool = True) -> Course:
    """The built-in lessons (unless `builtin` is false), then those in `extra_dirs`."""
    return load_paths([*([builtin_lessons_dir()] if builtin else []), *extra_dirs])


def load_paths(paths: Sequence[Path]) -> Course:
    """Everything in `paths`: files, or directories whose .yaml/.yml files (subfolders too) load
    by name.

    Broken files are skipped with their problems; so is a file whose id (or, for a card, whose
    code; for a bank, a question's id) an earlier file already uses, and a bank whose questions
    name a lesson that did not load. The one check both the tutor and `lint` run.
    """
    course = Course()
    seen: set[str] = set()
    owners: dict[tuple[str, object], Path] = {}
    banks: list[tuple[Bank, _Document]] = []
    for path in paths:
        files, problems = course_files(path)
        course.problems += problems
        for file in files:
            real = os.path.realpath(file)
            if real in seen:
                continue
            seen.add(real)
            content, problems, document = _read(file)
            course.problems += problems
            if content is None or document is None:
                continue
            clashes = _clashes(content, owners)
            if clashes:
                course.problems += [
                    document.problem(place, f"{message}: file skipped")
                    for place, message in clashes
                ]
                continue
            owners.update({key: file for key, _, _ in _claims(content)})
            course.add(content)
            if isinstance(content, Bank):
                banks.append((content, document))
    lessons = {lesson.id for lesson in course.lessons}
    for bank, document in banks:
        if issues := bank.unknown_lessons(lessons):
            course.problems += [
                document.problem(loc, f"{text}: file skipped") for loc, text in issues
            ]
            course.banks.remove(bank)
    return course


def _claims(content: Content) -> list[tuple[tuple[str, object], Loc, str]]:
    """What a file claims for itself alone: its id among its kind, and a card its code."""
    claims: list[tuple[tuple[str, object], Loc, str]] = [
        ((content.kind, content.id), ("id",), f"{_NOUNS[content.kind]} id {content.id!r}")
    ]
    if isinstance(content, Card):
        claims.append((("code", content.code), ("code",), f"a card for {content.code}"))
    if isinstance(content, Bank):  # progress records answers by question id, across all banks
        claims += [
            (("question", q.id), ("questions", i, "id"), f"question id {q.id!r}")
            for i, q in enumerate(content.questions)
        ]
    return claims


def _clashes(content: Content, owners: dict[tuple[str, object], Path]) -> list[tuple[Loc, str]]:
    """Where and how `content` claims what an earlier file already has."""
    return [
        (place, f"{what} is already used by {owners[key]}")
        for key, place, what in _claims(content)
        if key in owners
    ]


class _Unreadable(Exception):
    pass


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, or _Unreadable saying why not (a directory, a device, too big)."""
    try:
        if path.is_dir():
            raise _Unreadable("a directory, not a lesson file")
        if not path.is_file():
            raise _Unreadable("not a regular file" if path.exists() else "no such file")
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except (OSError, ValueError) as error:
        raise _Unreadable(f"cannot read this file: {reason(error)}") from error
    if len(data) > MAX_BYTES:
        raise _Unreadable(f"over {MAX_BYTES} bytes: not a lesson file")
    return data


class _Document:
    """A composed YAML file: maps a place in it to the line and column it came from."""

    def __init__(self, path: Path, root: Node) -> None:
        self.path = path
        self.root = root

    def problem(self, loc: Loc, message: str, *, at_key: bool = False) -> Problem:
        """A problem at `loc`, or at the deepest part of it the file has."""
        shown = tuple(part for part in loc if part != "[key]")
        line, col = self.where(loc, at_key=at_key)
        return Problem(self.path, line, col, f"{loc_text(shown)}: {message}" if shown else message)

    def untag(self, loc: Loc) -> Loc:
        """`loc` without the tags pydantic adds for a `kind:` union (steps.0.exercise.configure)."""
        node, kept = self.root, []
        for part in loc:
            found = _child(node, part)
            if found is None and isinstance(node, MappingNode):
                kind = _child(node, "kind")
                if kind is not None and isinstance(kind[1], ScalarNode) and kind[1].value == part:
                    continue
            kept.append(part)
            if found is not None:
                node = found[1]
        return tuple(kept)

    def where(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int]:
        """The 1-based line and column of `loc`: its value, or its key if `at_key` or empty."""
        node, key = self.root, None
        for part in loc:
            found = _child(node, part)
            if found is None:
                if part == "[key]":  # pydantic rejected this key of a mapping: point at it
                    node = key or node
                at_key = False  # `loc` itself is not in the file: point at what holds it
                break
            key, node = found
        if key is not None and (at_key or _is_empty(node)):
            node = key
        return node.start_mark.line + 1, node.start_mark.column + 1


def _child(node: Node, part: str | int) -> tuple[Node, Node] | None:
    """The (key, value) nodes under `node` for `part`; for a list item, the item twice."""
    if isinstance(node, SequenceNode) and isinstance(part, int):
        return (node.value[part], node.value[part]) if 0 <= part < len(node.value) else None
    if isinstance(node, MappingNode):
        for key, value in reversed(node.value):  # the last of duplicate keys is the one kept
            if isinstance(key, ScalarNode) and key.value == str(part):
                return key, value
    return None


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == "" and not node.style


def _read(path: Path) -> tuple[Content | None, list[Problem], _Document | None]:
    """Read, parse and validate one file. Any problem at all means no content."""
    try:
        data = _read_bytes(path)
    except _Unreadable as error:
        return None, [Problem(path, 1, 1, str(error))], None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, col = _byte_position(data, error.start)
        message = f"not UTF-8 text (byte 0x{data[error.start]:02x}): save the lesson as UTF-8"
        return None, [Problem(path, line, col, message)], None
    document, value, problems = _parse(path, text)
    if document is None:
        return None, problems, None
    kind = value.get("kind", "lesson") if isinstance(value, dict) else "lesson"
    if not isinstance(kind, str) or kind not in _MODELS:
        message = f"kind: unknown kind {_describe(kind)}: use one of {', '.join(_MODELS)}"
        line, col = document.where(("kind",))
        return None, [Problem(path, line, col, message), *problems], None
    model = _MODELS[kind]
    if isinstance(value, dict) and not {str(key) for key in value} & set(model.model_fields):
        keys = ", ".join(name for name, info in model.model_fields.items() if info.is_required())
        message = f"not a {_NOUNS[kind]}: it has none of {keys}"
        return None, [Problem(path, 1, 1, message), *problems], None
    content: Content | None
    try:
        content = model.model_validate(value)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        problems += [problem for e in errors for problem in _explain(e, document, model)]
        content = None
    problems.sort(key=lambda problem: (problem.line, problem.col))
    return (content if not problems else None), problems, document


_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)
"""libyaml's safe loader, ten times faster, when PyYAML was built with it."""


def _parse(path: Path, text: str) -> tuple[_Document | None, Any, list[Problem]]:
    """Compose and construct the YAML (safe tags only): the document, its data, and problems.

    libyaml reads a good file fast; any file it fails on is read again by PyYAML's own parser,
    whose messages (and positions) are the ones a teacher sees.
    """
    if _FAST_LOADER is not None:
        fast = _FAST_LOADER(text)
        try:
            root = fast.get_single_node()
            if root is not None:
                return (
                    _Document(path, root),
                    fast.construct_document(root),
                    _duplicate_keys(path, root),
                )
        except Exception:
            pass  # the careful parser below says what is wrong
        finally:
            fast.dispose()
    loader, root = None, None
    try:
        loader = yaml.SafeLoader(text)
        root = loader.get_single_node()
        if root is None:
            return None, None, [Problem(path, 1, 1, "empty file: a lesson starts with 'format: 1'")]
        problems = _duplicate_keys(path, root)
        return _Document(path, root), loader.construct_document(root), problems
    except yaml.MarkedYAMLError as error:
        return None, None, [_yaml_problem(path, error)]
    except yaml.reader.ReaderError as error:
        line, col = _text_position(text, error.position)
        return None, None, [Problem(path, line, col, _character_message(error.character))]
    except RecursionError:
        return None, None, [Problem(path, 1, 1, "nested too deeply to be a lesson")]
    except Exception:  # PyYAML's constructors raise anything on odd values, e.g. an empty !!int
        return None, None, [_unreadable_value(path, root)]
    finally:
        if loader is not None:
            loader.dispose()


def _duplicate_keys(path: Path, root: Node) -> list[Problem]:
    """A problem at each key repeated in its mapping (YAML would silently keep the last one)."""
    problems: list[Problem] = []
    for node in _nodes(root):
        if not isinstance(node, MappingNode):
            continue
        first: dict[tuple[str, str], Node] = {}
        for key, _ in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
                continue
            earlier = first.setdefault((key.tag, key.value), key)
            if earlier is not key:
                message = (
                    f"duplicate key {key.value!r} (also at line {earlier.start_mark.line + 1}):"
                    " YAML would keep only the last one"
                )
                mark = key.start_mark
                problems.append(Problem(path, mark.line + 1, mark.column + 1, message))
    return problems


def _nodes(root: Node) -> Iterator[Node]:
    """Every node under `root`, in the file's order; a node an alias shares, once."""
    stack, visited = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        yield node
        if isinstance(node, MappingNode):
            stack += [part for pair in reversed(node.value) for part in reversed(pair)]
        elif isinstance(node, SequenceNode):
            stack += reversed(node.value)


def _unreadable_value(path: Path, root: Node | None) -> Problem:
    """The first value that YAML's constructors fail on (a date like 2024-02-30, a bad !!int)."""
    for node in _nodes(root) if root else ():
        if not isinstance(node, ScalarNode):
            continue
        try:
            yaml.SafeLoader("").construct_object(node)
        except Exception as error:  # the same constructors, one value at a time
            mark, tag = node.start_mark, node.tag.replace("tag:yaml.org,2002:", "!!")
            message = f"YAML cannot read {node.value!r} as {tag} ({error})"
            return Problem(path, mark.line + 1, mark.column + 1, message)
    return Problem(path, 1, 1, "YAML cannot read a value in this file")


def _yaml_problem(path: Path, error: yaml.MarkedYAMLError) -> Problem:
    """A YAML error as a teacher reads it, at the place the parser stopped."""
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    tag = re.search(r"constructor for the tag '([^']*)'", error.problem or "")
    if tag:
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        return Problem(path, line, col, f"the tag {name} is not allowed: a lesson is plain data")
    message = error.problem or error.context or "not valid YAML"
    if error.context and error.problem:
        message += f" ({error.context}"
        near = error.context_mark
        message += f" at line {near.line + 1})" if near and near.line + 1 != line else ")"
    hint = next((hint for start, hint in _YAML_HINTS.items() if message.startswith(start)), "")
    return Problem(path, line, col, f"not valid YAML: {message}{hint}")


_YAML_HINTS = {
    "mapping values are not allowed here": "; a ':' inside a value? Put the value in quotes",
    "found character '\\t'": "; indent with spaces, never tabs",
    "expected '<document start>'": "; is this file YAML at all?",
}


def _character_message(code: int) -> str:
    if code == 0:
        return "binary data (a NUL byte): a lesson is a UTF-8 text file"
    return f"control character U+{code:04X} is not allowed in YAML: is this a text file?"


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace"))
    return data.count(b"\n", 0, offset) + 1, column + 1


def _text_position(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _explain(error: Any, document: _Document, model: type[BaseModel]) -> list[Problem]:
    """One pydantic error as problems at their lines, in words a teacher uses."""
    loc = document.untag(tuple(error["loc"]))
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, CrossCheckError):
        return [document.problem((*loc, *place), message) for place, message in cause.issues]
    if error["type"] == "missing":
        return [document.problem(loc[:-1], f"missing required key {loc[-1]!r}")]
    at_key = error["type"] == "extra_forbidden"
    return [document.problem(loc, _message(error, loc, model), at_key=at_key)]


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}


def _message(error: Any, loc: Loc, model: type[BaseModel]) -> str:
    """The words for one pydantic error (cross-checks aside)."""
    kind, value = error["type"], error.get("input")
    if not loc and kind in ("model_type", "model_attributes_type"):
        return f"a lesson is a mapping (format: 1, id: ..., steps: ...), not {_describe(value)}"
    if kind == "extra_forbidden":
        return f"unknown key: {_suggest(loc, model)}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if loc == ("format",):
        return f"this tutor reads lesson format 1, not {_describe(value)}"
    if kind in _EXPECTED:
        hint = ' (put it in quotes: "...")' if kind == "string_type" and _scalar(value) else ""
        return f"expected {_EXPECTED[kind]}, not {_describe(value)}{hint}"
    if kind == "string_pattern_mismatch" and loc[-1] == "id":
        return f"{_describe(value)} is not an id: use a-z, 0-9, '-' and '.', starting a-z or 0-9"
    if kind == "string_pattern_mismatch" and loc[-1] == "url":
        return f"{_describe(value)} is not a link: it must start with http:// or https://"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    return f"{str(error['msg']).removeprefix('Input ')}, not {_describe(value)}"


def _scalar(value: object) -> bool:
    return isinstance(value, bool | int | float | datetime.date)


def _describe(value: object) -> str:
    """A short description of a YAML value, never its whole contents."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}" if abs(value) < 10**15 else "a huge number"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    return f"a value of type {type(value).__name__}"


def _suggest(loc: Loc, model: type[BaseModel]) -> str:
    """For an unknown key: the likely intended key, or the keys allowed there."""
    allowed = _keys_at(loc[:-1], model)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"allowed here: {', '.join(allowed)}" if allowed else "not allowed here"


def _keys_at(loc: Loc, model: type[BaseModel]) -> list[str]:
    """The keys the file's format allows in the mapping at `loc`."""
    annotation: Any = model
    for part in loc:
        if isinstance(part, int):
            annotation = get_args(annotation)[0] if get_origin(annotation) is list else None
            continue
        inner = _model_in(annotation)
        if inner is None or part not in inner.model_fields:
            return []
        annotation = inner.model_fields[part].annotation
    found = _model_in(annotation)
    return list(found.model_fields) if found else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model `annotation` is, or holds as an option (`Model | None`)."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
