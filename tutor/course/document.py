"""YAML read safely with positions kept, so every problem can point at the file's line:col."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.course.base import Loc, loc_text
from tutor.course.files import Problem

__all__ = ["Document", "byte_position", "parse"]

_MERGE_TAG = "tag:yaml.org,2002:merge"


class Document:
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


_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)
"""libyaml's safe loader, ten times faster, when PyYAML was built with it."""


def parse(path: Path, text: str) -> tuple[Document | None, Any, list[Problem]]:
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
                    Document(path, root),
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
        return Document(path, root), loader.construct_document(root), problems
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


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column of byte `offset` in UTF-8 `data` (for a decoding error)."""
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace"))
    return data.count(b"\n", 0, offset) + 1, column + 1


def _text_position(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
