"""Pydantic's validation errors in the words a teacher uses, each at the line of its cause."""

from __future__ import annotations

import datetime
import difflib
from typing import Any, get_args, get_origin, get_type_hints

from tutor.course.base import ID_PATTERN, CrossCheckError, Loc
from tutor.course.cards import LANGUAGE_PATTERN
from tutor.course.document import Document
from tutor.course.files import Problem, shown
from tutor.course.models import URL_PATTERN
from tutor.experiments.spec import FRAGMENT_PATTERN
from tutor.validated import Strict, names

__all__ = ["NOUNS", "describe", "explain"]

NOUNS = {
    "lesson": "lesson",
    "quiz": "question bank",
    "card": "reference card",
    "edges": "lab edge-case list",
}
"""What a teacher calls each `kind:` of course file."""


def explain(error: Any, document: Document, model: type[Strict]) -> list[Problem]:
    """One pydantic error as problems at their lines, in words a teacher uses."""
    loc = document.untag(tuple(error["loc"]))
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, CrossCheckError):
        return [document.problem((*loc, *place), message) for place, message in cause.issues]
    if error["type"] == "missing":
        return [document.problem(loc[:-1], f"missing required key {loc[-1]!r}")]
    at_key = error["type"] == _UNKNOWN_KEY
    return [document.problem(loc, _message(error, loc, model), at_key=at_key)]


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (key: value lines)",
    "dataclass_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}
_UNKNOWN_KEY = "unexpected_keyword_argument"
"""pydantic's error for a key that no field of a model has."""


def _message(error: Any, loc: Loc, model: type[Strict]) -> str:
    """The words for one pydantic error (cross-checks aside)."""
    kind, value = error["type"], error.get("input")
    if not loc and kind in ("dataclass_type", "model_attributes_type"):
        return f"a lesson is a mapping (format: 1, id: ..., steps: ...), not {describe(value)}"
    if kind == _UNKNOWN_KEY:
        return f"unknown key: {_suggest(loc, model)}"
    if loc == ("format",):
        return f"this tutor reads lesson format 1, not {describe(value)}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in _EXPECTED:
        hint = ' (put it in quotes: "...")' if kind == "string_type" and _scalar(value) else ""
        return f"expected {_EXPECTED[kind]}, not {describe(value)}{hint}"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern")
        return f"{describe(value)} is not {_PATTERNS.get(pattern, f'of the form {pattern}')}"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    if kind in ("string_too_long", "too_long"):
        most, unit = error["ctx"]["max_length"], "characters" if kind == "string_too_long" else ""
        size = f", not {len(value):,}" if isinstance(value, str | list | dict) else ""
        return f"at most {most:,} {unit or _items(value)}{size} (the limits: TEACHING.md)"
    if kind == "string_unicode":
        return "holds a lone surrogate (a YAML escape like \\ud800): text here is printable"
    return f"{str(error['msg']).removeprefix('Input ')}, not {describe(value)}"


_PATTERNS = {
    ID_PATTERN: "an id: use a-z, 0-9, '-' and '.', starting a-z or 0-9",
    URL_PATTERN: "a link: http:// or https://, then visible ASCII (percent-encode spaces)",
    LANGUAGE_PATTERN: "a language name for highlighting: a-z, 0-9, '+', '#' and '-'",
    FRAGMENT_PATTERN: "a fragment: letters, digits, '-' and '_'",
}
"""What a value of each pattern is, in words."""


def _items(value: object) -> str:
    return "entries" if isinstance(value, dict) else "items"


def _scalar(value: object) -> bool:
    return isinstance(value, bool | int | float | datetime.date)


def describe(value: object) -> str:
    """A short description of a YAML value, never its whole contents."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}" if abs(value) < 10**15 else "a huge number"
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    return f"a value of type {type(value).__name__}"


def _suggest(loc: Loc, model: type[Strict]) -> str:
    """For an unknown key: the likely intended key, or the keys allowed there."""
    allowed = _keys_at(loc[:-1], model)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"allowed here: {', '.join(allowed)}" if allowed else "not allowed here"


def _keys_at(loc: Loc, model: type[Strict]) -> list[str]:
    """The keys the file's format allows in the mapping at `loc`."""
    annotation: Any = model
    for part in loc:
        if isinstance(part, int):
            annotation = get_args(annotation)[0] if get_origin(annotation) is list else None
            continue
        inner = _model_in(annotation)
        if inner is None or part not in names(inner):
            return []
        annotation = get_type_hints(inner)[part]
    found = _model_in(annotation)
    return names(found) if found else []


def _model_in(annotation: Any) -> type[Strict] | None:
    """The model `annotation` is, or holds as an option (`Model | None`)."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Strict):
            return candidate
    return None
