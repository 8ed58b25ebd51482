"""The layer order of tutor's packages, read statically from every import in the source."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "tutor"

LEVEL = {
    "tutor": 0,  # tutor/__init__.py: the version, nothing of tutor
    "atomic": 0,  # tutor/atomic.py: imports nothing of tutor; course and quiz write with it
    "validated": 0,  # tutor/validated.py: the content models' base, checked by pydantic on demand
    "lab": 1,
    "experiments": 2,
    "course": 3,
    "progress": 4,
    "quiz": 5,
    "classroom": 6,  # the class on a shared lab: ledger, exam, the teacher's and students' links
    "session": 7,
    "ui": 8,
    "web": 8,  # the tutor in a browser: textual-serve behind a door; it runs the TUI as a process
    "cli": 8,  # `redirect-tutor` opens the TUI: cli may import ui and web, never the reverse
    "__main__": 9,  # `python -m tutor` runs the CLI
}
"""Each part of tutor and its layer: a module may import only from its own layer or lower."""

SIDEWAYS = {("cli", "ui"), ("cli", "web")}
"""Imports between parts of one layer that are allowed (importer, imported)."""

CORE = {
    "tutor",
    "atomic",
    "validated",
    "lab",
    "experiments",
    "course",
    "progress",
    "quiz",
    "classroom",
    "session",
}
"""The parts that serve every front end: never Textual."""


@dataclass(frozen=True, slots=True)
class Import:
    file: str
    """Relative to the project, e.g. "tutor/lab/app.py"."""
    line: int
    module: str
    """The imported module's dotted name, e.g. "tutor.lab.journal" or "textual.app"."""


def _part(dotted: str) -> str:
    """The part of tutor a dotted module name is in: a package, a module at the top ("atomic",
    "validated", "__main__") or "tutor"."""
    names = dotted.split(".")
    return names[1] if len(names) > 1 else "tutor"


def _file_part(path: Path) -> str:
    relative = path.relative_to(SOURCE)
    return relative.parts[0].removesuffix(".py") if relative.parts[0] != "__init__.py" else "tutor"


def _module_name(path: Path) -> list[str]:
    names = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    return names[:-1] if names[-1] == "__init__" else names


def _is_module(name: str) -> bool:
    """Whether tutor has a module or package of this name."""
    return (SOURCE / f"{name}.py").is_file() or (SOURCE / name / "__init__.py").is_file()


def _dynamic(node: ast.Call) -> str | None:
    """The module an `import_module("...")` or `__import__("...")` call names, as far as its
    leading literal text tells."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values:
        head = arg.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value.rstrip(".")
    return None


def imports_of(path: Path) -> Iterator[Import]:
    """Every import in a file, wherever it is: top level, in functions, under TYPE_CHECKING."""
    file = path.relative_to(SOURCE.parent).as_posix()
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=file)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(file, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module == "tutor":
                # `from tutor import lab` imports a package; `from tutor import __version__` not
                for alias in node.names:
                    sub = _is_module(alias.name)
                    yield Import(file, node.lineno, f"tutor.{alias.name}" if sub else module)
            else:
                yield Import(file, node.lineno, module)
        elif isinstance(node, ast.Call) and (dynamic := _dynamic(node)):
            yield Import(file, node.lineno, dynamic)


def _sources() -> list[Path]:
    return sorted(SOURCE.rglob("*.py"))


def _tutor_imports() -> list[tuple[str, Import]]:
    """(the importing part, the import) for every import of tutor's own modules."""
    found = []
    for path in _sources():
        for imported in imports_of(path):
            if imported.module == "tutor" or imported.module.startswith("tutor."):
                found.append((_file_part(path), imported))
    return found


def _allowed(importer: str, imported: str) -> bool:
    if importer == imported or (importer, imported) in SIDEWAYS:
        return True
    return LEVEL[imported] < LEVEL[importer]


def test_every_part_of_tutor_has_a_layer() -> None:
    parts = {_file_part(path) for path in _sources()}
    assert parts - set(LEVEL) == set(), "place each new package in LEVEL"
    imported = {_part(imp.module) for _, imp in _tutor_imports()}
    assert imported - set(LEVEL) == set(), "an import of a part of tutor that does not exist"


def test_the_reader_sees_imports_everywhere_in_a_file() -> None:
    """The test is only as good as its reader: it must see the imports that matter."""
    seen = {(imp.file, imp.module) for _, imp in _tutor_imports()}
    assert ("tutor/__main__.py", "tutor.cli") in seen  # from tutor.cli import main
    assert ("tutor/cli/group.py", "tutor.ui.app") in seen  # inside a function
    assert ("tutor/session/lab.py", "tutor.lab.server") in seen  # under TYPE_CHECKING
    assert ("tutor/quiz/result.py", "tutor.atomic") in seen
    assert ("tutor/experiments/clients/__init__.py", "tutor.experiments.clients") in seen


def test_the_modules_at_the_bottom_import_nothing_of_tutor() -> None:
    """Why they may sit at the bottom: they depend on nothing above them."""
    for name in ("__init__.py", "atomic.py", "validated.py"):
        own = [imp.module for imp in imports_of(SOURCE / name) if imp.module.startswith("tutor")]
        assert own == [], f"tutor/{name} imports {own}"
    for module in ("tutor.atomic", "tutor.validated"):
        users = sorted({imp.file for _, imp in _tutor_imports() if imp.module == module})
        assert users, f"nothing imports {module} any more: drop it from LEVEL"


def test_packages_import_only_downward() -> None:
    violations = [
        f"{imp.file}:{imp.line} imports {imp.module} ({importer} may not import {imported})"
        for importer, imp in _tutor_imports()
        if not _allowed(importer, imported := _part(imp.module))
    ]
    layers = sorted(set(LEVEL.values()))
    order = " < ".join(", ".join(p for p in LEVEL if LEVEL[p] == layer) for layer in layers)
    assert violations == [], f"layers: {order}\n" + "\n".join(violations)


def test_the_packages_import_one_another_without_a_cycle() -> None:
    graph: dict[str, set[str]] = {part: set() for part in LEVEL}
    where: dict[tuple[str, str], str] = {}
    for importer, imp in _tutor_imports():
        imported = _part(imp.module)
        if imported != importer:
            graph[importer].add(imported)
            where.setdefault((importer, imported), f"{imp.file}:{imp.line}")
    cycle = _find_cycle(graph)
    shown = [
        f"{a} -> {b} ({where[a, b]})" for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True)
    ]
    assert cycle == [], "a cycle between packages:\n" + "\n".join(shown)


def _find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """The nodes of one cycle in `graph`, in order; empty when it has none."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = "done"
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_find_cycle_finds_one() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c"]
    assert _find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


@pytest.mark.parametrize("part", sorted(CORE))
def test_the_core_never_imports_textual(part: str) -> None:
    paths = [path for path in _sources() if _file_part(path) == part]
    assert paths, part
    violations = [
        f"{imp.file}:{imp.line} imports {imp.module} ({part} may not import textual)"
        for path in paths
        for imp in imports_of(path)
        if imp.module.split(".")[0] == "textual" or imp.module.startswith("textual_")
    ]
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize(
    ("importer", "imported", "allowed"),
    [
        ("session", "lab", True),
        ("course", "experiments", True),
        ("cli", "ui", True),
        ("ui", "cli", False),
        ("cli", "web", True),
        ("web", "cli", False),
        ("web", "ui", False),
        ("lab", "experiments", False),
        ("experiments", "course", False),
        ("session", "ui", False),
        ("atomic", "lab", False),
        ("lab", "atomic", True),
        ("cli", "__main__", False),
    ],
    ids=lambda value: str(value),
)
def test_the_rule_itself(importer: str, imported: str, allowed: bool) -> None:
    assert _allowed(importer, imported) is allowed
