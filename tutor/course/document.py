"""YAML read safely with positions kept, so every problem can point at the file's line:col."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.course.base import Loc, loc_text
from tutor.course.files import Problem, shown
from tutor.course.limits import FILE_DEPTH, FILE_VALUES

__all__ = ["Document", "byte_position", "parse"]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = (f"{_TAG}{name}" for name in ("str", "seq", "map"))


class Document:
    """A composed YAML file: maps a place in it to the line and column it came from."""

    def __init__(self, path: Path, root: Node) -> None:
        self.path = path
        self.root = root
        self._keys: dict[int, dict[str, tuple[Node, Node]]] = {}

    def problem(self, loc: Loc, message: str, *, at_key: bool = False) -> Problem:
        """A problem at `loc`, or at the deepest part of it the file has."""
        shown = tuple(part for part in loc if part != "[key]")
        line, col = self.where(loc, at_key=at_key)
        return Problem(self.path, line, col, f"{loc_text(shown)}: {message}" if shown else message)

    def untag(self, loc: Loc) -> Loc:
        """`loc` without the tags pydantic adds for a `kind:` union (steps.0.exercise.configure)."""
        node, kept = self.root, []
        for part in loc:
            found = self._child(node, part)
            if found is None and isinstance(node, MappingNode):
                kind = self._child(node, "kind")
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
            found = self._child(node, part)
            if found is None:
                if part == "[key]":  # pydantic rejected this key of a mapping: point at it
                    node = key or node
                at_key = False  # `loc` itself is not in the file: point at what holds it
                break
            key, node = found
        if key is not None and (at_key or _is_empty(node)):
            node = key
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _child(self, node: Node, part: str | int) -> tuple[Node, Node] | None:
        """The (key, value) nodes under `node` for `part`; for a list item, the item twice. A
        mapping's keys are indexed once: a file may have thousands, each with a problem."""
        if isinstance(node, SequenceNode) and isinstance(part, int):
            return (node.value[part], node.value[part]) if 0 <= part < len(node.value) else None
        if not isinstance(node, MappingNode):
            return None
        keys = self._keys.get(id(node))
        if keys is None:  # the last of duplicate keys is the one kept, as YAML does
            keys = {
                key.value: (key, value) for key, value in node.value if isinstance(key, ScalarNode)
            }
            self._keys[id(node)] = keys
        return keys.get(str(part))


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
                return _construct(path, root, fast)
        except yaml.MarkedYAMLError as error:
            if "maximum nesting depth" in (error.problem or "") and error.problem_mark:
                mark = error.problem_mark  # over libyaml's 1,000 levels: PyYAML would recurse
                return None, None, [Problem(path, mark.line + 1, mark.column + 1, _TOO_DEEP)]
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
        return _construct(path, root, loader)
    except yaml.MarkedYAMLError as error:
        return None, None, [_yaml_problem(path, error)]
    except yaml.reader.ReaderError as error:
        line, col = _text_position(text, error.position)
        return None, None, [Problem(path, line, col, _character_message(error.character))]
    except RecursionError:
        return None, None, [Problem(path, 1, 1, _TOO_DEEP)]
    except Exception:  # PyYAML's constructors raise anything on odd values, e.g. an empty !!int
        return None, None, [_unreadable_value(path, root)]
    finally:
        if loader is not None:
            loader.dispose()


def _construct(
    path: Path, root: Node, loader: yaml.SafeLoader | yaml.CSafeLoader
) -> tuple[Document | None, Any, list[Problem]]:
    """The data of a composed file, checked and built in one quick pass (_Plain); failing that,
    once it is within the limits (checked before anything expands an alias). Duplicate keys are
    looked for first: constructing merges each `<<:` into its mapping, and a key that overrides
    a merged one is no duplicate."""
    try:
        return Document(path, root), _Plain().data(root, 1), []
    except _NotPlain:
        pass
    if too_big := _over_limits(path, root):
        return None, None, [too_big]
    problems = _duplicate_keys(path, root)
    return Document(path, root), loader.construct_document(root), problems


class _NotPlain(Exception):
    """The quick pass has no verdict on this file: the exact checks say what, if anything, is
    wrong, and where, and PyYAML constructs it."""


class _Plain:
    """Checks and constructs a file in one pass, the way nearly every course file is: plain
    mappings, lists and scalars, within FILE_DEPTH and FILE_VALUES (an alias counted as the copy
    it stands for; the pass stops past either limit, before anything grows), no key repeated.
    Strings are taken as written, other scalars built by PyYAML's safe constructors (a fresh
    one: one that failed is left half-way); anything else (a merge, a tag like !!set, a key not
    a scalar) is _NotPlain. Every file is read this way, so it does the least per value."""

    def __init__(self) -> None:
        self.constructor = SafeConstructor()
        self.values = 1

    def data(self, node: Node, level: int) -> Any:
        children = node.value
        if isinstance(node, ScalarNode):
            return children if node.tag == _STR else self._scalar(node)
        if children and level >= FILE_DEPTH:  # its values are a level deeper
            raise _NotPlain
        self.values += len(children) * (2 if isinstance(node, MappingNode) else 1)
        if self.values > FILE_VALUES:
            raise _NotPlain
        if isinstance(node, SequenceNode) and node.tag == _SEQ:
            return [self.data(child, level + 1) for child in children]
        if not isinstance(node, MappingNode) or node.tag != _MAP:
            raise _NotPlain
        keys = {(key.tag, key.value) for key, _ in children if isinstance(key, ScalarNode)}
        if len(keys) < len(children):  # a key repeated, or one not a scalar
            raise _NotPlain
        data = {
            key.value if key.tag == _STR else self._scalar(key): self.data(child, level + 1)
            for key, child in children
        }
        if len(data) < len(children):  # keys written apart that are one value (1 and 0x1)
            raise _NotPlain
        return data

    def _scalar(self, node: Node) -> Any:
        """A scalar that is not a string; a merge key `<<` or a `=` has no constructor of its
        own, and so is _NotPlain too."""
        try:
            return self.constructor.construct_object(node)
        except Exception as error:  # a bad !!int: said after the limits, by the exact pass
            raise _NotPlain from error


_TOO_DEEP = f"nested more than {FILE_DEPTH} levels deep: a lesson needs fewer than 10"


def _over_limits(path: Path, root: Node) -> Problem | None:
    """A problem at the value that contains itself, or that takes the file past FILE_DEPTH
    levels or FILE_VALUES values; an alias counts as a copy of all it names."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node): (values, levels), aliases expanded
    entered: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if id(node) in sizes:
            continue
        children = [child for _, child in _children(node)]
        if leaving:
            inner = [sizes[id(child)] for child in children]
            levels = 1 + max((levels for _, levels in inner), default=0)
            sizes[id(node)] = (1 + sum(values for values, _ in inner), levels)
        elif id(node) in entered:  # entered and not left: it is its own descendant
            mark = node.start_mark
            message = "this value contains itself (an alias to its own anchor): it never ends"
            return Problem(path, mark.line + 1, mark.column + 1, message)
        else:
            entered.add(id(node))
            stack.append((node, True))
            stack += [(child, False) for child in reversed(children)]
    values, levels = sizes[id(root)]
    if levels > FILE_DEPTH:
        node, loc = _descend(
            root,
            lambda child, level: (
                level + sizes[id(child)][1] > FILE_DEPTH + 1 and level <= FILE_DEPTH + 1
            ),
        )
        message = _TOO_DEEP
    elif values > FILE_VALUES:
        node, loc = _descend(root, lambda child, _: sizes[id(child)][0] > FILE_VALUES)
        message = (
            f"{sizes[id(node)][0]:,} values (aliases expanded): a course file holds at most"
            f" {FILE_VALUES:,}"
        )
    else:
        return None
    mark = node.start_mark
    return Problem(
        path, mark.line + 1, mark.column + 1, f"{loc_text(loc)}: {message}" if loc else message
    )


def _descend(root: Node, over: Callable[[Node, int], bool]) -> tuple[Node, Loc]:
    """The deepest node on the first path from `root` whose every node is `over` (given its
    level, the root's being 1), and its place."""
    node, level = root, 1
    loc: Loc = ()
    while True:
        level += 1
        found = next(((part, child) for part, child in _children(node) if over(child, level)), None)
        if found is None:
            return node, loc
        part, node = found
        loc = loc if part is None else (*loc, part)


def _children(node: Node) -> list[tuple[str | int | None, Node]]:
    """A node's keys and values in the file's order, each value with its key or index (a key
    itself has None)."""
    if isinstance(node, SequenceNode):
        return list(enumerate(node.value))
    if isinstance(node, MappingNode):
        return [
            pair
            for key, value in node.value
            for pair in ((None, key), (key.value if isinstance(key, ScalarNode) else None, value))
        ]
    return []


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
                line = earlier.start_mark.line + 1
                message = (
                    f"duplicate key {shown(key.value)} (also at line {line}):"
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
            message = f"YAML cannot read {shown(node.value)} as {tag} ({error})"
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
