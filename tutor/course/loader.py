"""Load lessons from YAML (safe loading only), each problem pointing at the file's line:col."""

from __future__ import annotations

import datetime
import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.course.models import CrossCheckError, Lesson, Loc, loc_text

__all__ = [
    "MAX_BYTES",
    "SUFFIXES",
    "Course",
    "Problem",
    "builtin_lessons_dir",
    "load_course",
    "load_lesson",
    "load_paths",
]

SUFFIXES = (".yaml", ".yml")
MAX_BYTES = 1_000_000
"""Largest lesson file read; a lesson is a few kilobytes, so more is surely the wrong file."""

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a lesson file, at a 1-based line and column."""

    path: Path
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


@dataclass
class Course:
    """The lessons that loaded, in order, and the problems of the files that did not."""

    lessons: list[Lesson] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)


def builtin_lessons_dir() -> Path:
    """The course shipped with the tutor: inside the wheel, or lessons/ in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "lessons"
    return shipped if shipped.is_dir() else package.parent / "lessons"


def load_lesson(path: Path) -> tuple[Lesson | None, list[Problem]]:
    """The lesson in `path`, or None and the problems that stop it loading. Never raises."""
    lesson, problems, _ = _read(path)
    return lesson, problems


def load_course(extra_dirs: Sequence[Path] = (), *, builtin: bool = True) -> Course:
    """The built-in lessons (unless `builtin` is false), then those in `extra_dirs`."""
    return load_paths([*([builtin_lessons_dir()] if builtin else []), *extra_dirs])


def load_paths(paths: Sequence[Path]) -> Course:
    """Every lesson in `paths`: files, or directories whose .yaml/.yml files load by name.

    Broken files are skipped with their problems; so is a file whose lesson id an earlier file
    already uses. The one check both the tutor and `lint` run.
    """
    course = Course()
    seen: set[str] = set()
    owners: dict[str, Path] = {}
    for path in paths:
        files, problems = _lesson_files(path)
        course.problems += problems
        for file in files:
            real = os.path.realpath(file)
            if real in seen:
                continue
            seen.add(real)
            lesson, problems, document = _read(file)
            course.problems += problems
            if lesson is None or document is None:
                continue
            if lesson.id in owners:
                message = f"lesson id {lesson.id!r} is already used by {owners[lesson.id]}"
                course.problems.append(document.problem(("id",), f"{message}: file skipped"))
                continue
            owners[lesson.id] = file
            course.lessons.append(lesson)
    return course


def _lesson_files(path: Path) -> tuple[list[Path], list[Problem]]:
    """The lesson files `path` names: itself, or a directory's .yaml/.yml files by name."""
    try:
        if not path.is_dir():
            if path.exists():
                return [path], []
            return [], [Problem(path, 1, 1, "no such file or directory")]
        files = [
            child
            for child in path.iterdir()
            if child.suffix in SUFFIXES and not child.name.startswith(".") and not child.is_dir()
        ]
    except (OSError, ValueError) as error:
        return [], [Problem(path, 1, 1, f"cannot read this directory: {_reason(error)}")]
    if not files:
        return [], [Problem(path, 1, 1, f"no lesson files ({', '.join(SUFFIXES)}) here")]
    return sorted(files, key=_by_name), []


def _by_name(path: Path) -> list[Any]:
    """Sort key: the file name, numbers compared as numbers (9-x before 10-x)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def _reason(error: Exception) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


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
        raise _Unreadable(f"cannot read this file: {_reason(error)}") from error
    if len(data) > MAX_BYTES:
        raise _Unreadable(f"over {MAX_BYTES} bytes: not a lesson file")
    return data


class _Document:
    """A composed YAML file: maps a place in the lesson to the line and column it came from."""

    def __init__(self, path: Path, root: Node) -> None:
        self.path = path
        self.root = root

    def problem(self, loc: Loc, message: str, *, at_key: bool = False) -> Problem:
        """A problem at `loc`, or at the deepest part of it the file has."""
        shown = tuple(part for part in loc if part != "[key]")
        line, col = self.where(loc, at_key=at_key)
        return Problem(self.path, line, col, f"{loc_text(shown)}: {message}" if shown else message)

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


def _read(path: Path) -> tuple[Lesson | None, list[Problem], _Document | None]:
    """Read, parse and validate one file. Any problem at all means no lesson."""
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
    if isinstance(value, dict) and not {str(key) for key in value} & set(Lesson.model_fields):
        keys = ", ".join(name for name, info in Lesson.model_fields.items() if info.is_required())
        return None, [Problem(path, 1, 1, f"not a lesson: it has none of {keys}"), *problems], None
    try:
        lesson = Lesson.model_validate(value)
    except ValidationError as error:
        problems += [p for e in error.errors(include_url=False) for p in _explain(e, document)]
        lesson = None
    problems.sort(key=lambda problem: (problem.line, problem.col))
    return (lesson if not problems else None), problems, document


def _parse(path: Path, text: str) -> tuple[_Document | None, Any, list[Problem]]:
    """Compose and construct the YAML (safe tags only): the document, its data, and problems."""
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
    stack, visited = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[tuple[str, str], Node] = {}
            for key, value in node.value:
                stack += [key, value]
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
        elif isinstance(node, SequenceNode):
            stack += node.value
    return problems


def _unreadable_value(path: Path, root: Node | None) -> Problem:
    """The first value that YAML's constructors fail on (a date like 2024-02-30, a bad !!int)."""
    stack, visited = [root] if root else [], set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node)
            except Exception as error:  # the same constructors, one value at a time
                mark, tag = node.start_mark, node.tag.replace("tag:yaml.org,2002:", "!!")
                message = f"YAML cannot read {node.value!r} as {tag} ({error})"
                return Problem(path, mark.line + 1, mark.column + 1, message)
        elif isinstance(node, MappingNode):
            stack += [part for pair in reversed(node.value) for part in reversed(pair)]
        elif isinstance(node, SequenceNode):
            stack += reversed(node.value)
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


def _explain(error: Any, document: _Document) -> list[Problem]:
    """One pydantic error as problems at their lines, in words a teacher uses."""
    loc = tuple(error["loc"])
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, CrossCheckError):
        return [document.problem((*loc, *place), message) for place, message in cause.issues]
    if error["type"] == "missing":
        return [document.problem(loc[:-1], f"missing required key {loc[-1]!r}")]
    at_key = error["type"] == "extra_forbidden"
    return [document.problem(loc, _message(error, loc), at_key=at_key)]


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


def _message(error: Any, loc: Loc) -> str:
    """The words for one pydantic error (cross-checks aside)."""
    kind, value = error["type"], error.get("input")
    if not loc and kind in ("model_type", "model_attributes_type"):
        return f"a lesson is a mapping (format: 1, id: ..., steps: ...), not {_describe(value)}"
    if kind == "extra_forbidden":
        return f"unknown key: {_suggest(loc)}"
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


def _suggest(loc: Loc) -> str:
    """For an unknown key: the likely intended key, or the keys allowed there."""
    allowed = _keys_at(loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"allowed here: {', '.join(allowed)}" if allowed else "not allowed here"


def _keys_at(loc: Loc) -> list[str]:
    """The keys the lesson format allows in the mapping at `loc`."""
    annotation: Any = Lesson
    for part in loc:
        if isinstance(part, int):
            annotation = get_args(annotation)[0] if get_origin(annotation) is list else None
            continue
        model = _model_in(annotation)
        if model is None or part not in model.model_fields:
            return []
        annotation = model.model_fields[part].annotation
    model = _model_in(annotation)
    return list(model.model_fields) if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model `annotation` is, or holds as an option (`Model | None`)."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
