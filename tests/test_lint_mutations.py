"""Broken lessons made from the real course (fixed seed): each one is refused at a file:line:col,
with no traceback, in under 2 s and 64 MB (issue 13's mutation test).

Every mutation breaks the lesson for certain, so a mutant that loads is a hole in the checks: a
file cut before its steps or right after a required key, bytes that are never text in a lesson,
a value of the wrong type, a required key deleted, an id given twice, alias bombs, nesting past
the limit, huge strings, fields no experiment can send, a misspelt key, a YAML tag. Mutations
are placed with the help of the composed YAML, so they hit keys, never prose that looks like one.
"""

from __future__ import annotations

import random
import re
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tutor.course.files import builtin_lessons_dir
from tutor.course.lint import lint
from tutor.course.loader import load_file

SEED = 13
PER_LESSON = 20
SECONDS = 2.0
"""Most one file may take to be refused (it is usually a few milliseconds)."""
MEGABYTES = 64
"""Most memory one file's check may allocate at its peak (tracemalloc)."""
LINE = re.compile(r"^(?P<path>[ -~]+):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<message>.+)$")


@dataclass(frozen=True)
class Key:
    """A key of the lesson as composed: its name, the keys above it, and its value's span."""

    name: str
    parents: tuple[str, ...]
    key: ScalarNode
    value: Node


def composed_keys(text: str) -> list[Key]:
    """Every key of every mapping in `text`, in the file's order (PyYAML's own composer, whose
    marks count characters)."""
    found: list[Key] = []

    def walk(node: Node, parents: tuple[str, ...]) -> None:
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    found.append(Key(key.value, parents, key, value))
                    walk(value, (*parents, key.value))
        elif isinstance(node, SequenceNode):
            for item in node.value:
                walk(item, parents)

    walk(yaml.compose(text, Loader=yaml.SafeLoader), ())
    found.sort(key=lambda k: k.key.start_mark.index)
    return found


def replace(text: str, node: Node, new: str) -> str:
    return text[: node.start_mark.index] + new + text[node.end_mark.index :]


def insert_after(text: str, key: Key, line: str) -> str:
    """`text` with `line` after the line on which `key`'s value ends."""
    end = text.index("\n", key.value.end_mark.index - 1) + 1
    return text[:end] + line + "\n" + text[end:]


def one_line(key: Key) -> bool:
    return (
        isinstance(key.value, ScalarNode) and key.value.start_mark.line == key.key.start_mark.line
    )


Mutation = Callable[[str, list[Key], random.Random], str]

STRICT_TYPES = {
    "str": (
        {"id", "title", "label", "summary", "explanation", "prompt", "client", "experiment"},
        ["12", "true", "[x]", "{a: 1}", "2024-01-01", "3.5", "~"],
    ),
    "int": ({"minutes", "code", "repeat"}, ['"8"', "true", "8.5", "[8]", "{a: 1}", "yes"]),
    "format": ({"format"}, ["true", '"1"', "1.0", "2", "[1]"]),
    "bool": ({"correct", "loop", "stream"}, ['"yes"', "1", "[true]", "{a: 1}", '"true"']),
}
"""Keys of the strict models (never of a claim's `expect`, read by another model), by type,
and values of another type."""
REQUIRED = {"format", "id", "title", "summary", "text", "cite", "label", "url", "explanation"}
REQUIRED |= {"prompt", "experiment", "choices", "code"}
"""Keys a lesson cannot do without where they appear (a step without `cite` is an error too)."""
UNFIT = [
    '{indent}headers: {{"X A": "1"}}',
    '{indent}headers: {{"@/etc/passwd": ""}}',
    '{indent}headers: {{"X-A": "a\\r\\nX-B: c"}}',
    '{indent}headers: {{"X-A": " a"}}',
    '{indent}headers: {{"": "x"}}',
    '{indent}to: "/\\\\evil"',
    '{indent}to: "/echo\\v"',
    '{indent}to: "/echo\\r\\nX: y"',
    '{indent}to: "/{long}"',
    "{indent}cache: private",
    "{indent}repeat: 4",
    "{indent}location: sideways",
    "{indent}fragment: a b",
    "{indent}start: /nowhere",
]
"""What an experiment cannot ask for (issue 13, item 12)."""


def truncate_before_steps(text: str, _: list[Key], rng: random.Random) -> str:
    return text[: rng.randrange(text.index("\nsteps:") + len("\nsteps:"))]


def truncate_after_key(text: str, keys: list[Key], rng: random.Random) -> str:
    chosen = rng.choice([k for k in keys if k.name in REQUIRED - {"cite"} and "steps" in k.parents])
    return text[: chosen.key.end_mark.index + 1]  # "key:", then nothing


def never_text(text: str, _: list[Key], rng: random.Random) -> str:
    data = bytearray(text.encode())
    for _ in range(rng.randint(1, 4)):
        data[rng.randrange(len(data))] = rng.choice(b"\x00\x01\x08\x1b\x7f\xc0\xc1\xf5\xfe\xff")
    return data.decode("utf-8", "surrogateescape")  # written back byte for byte


def swap_type(text: str, keys: list[Key], rng: random.Random) -> str:
    candidates = [
        (k, values)
        for names, values in STRICT_TYPES.values()
        for k in keys
        if k.name in names and one_line(k) and not {"expect", "goal"} & set(k.parents)
    ]
    chosen, values = rng.choice(candidates)
    return replace(text, chosen.value, rng.choice(values))


def delete_key(text: str, keys: list[Key], rng: random.Random) -> str:
    chosen = rng.choice([k for k in keys if k.name in REQUIRED and "expect" not in k.parents])
    start, end = chosen.key.start_mark, chosen.value.end_mark
    if text[start.index - 2 : start.index] == "- ":  # the item stays, without this key
        return text[: start.index] + text[end.index :].lstrip(" ")
    lines = text.splitlines(keepends=True)
    last = end.line if end.column else end.line - 1
    return "".join(lines[: start.line] + lines[last + 1 :])


def duplicate_id(text: str, keys: list[Key], rng: random.Random) -> str:
    lists: dict[tuple[str, ...], list[Key]] = {}
    for k in keys:
        if k.name == "id" and k.parents and k.parents[-1] in ("citations", "steps", "experiments"):
            lists.setdefault(k.parents[-1:], []).append(k)
    ids = rng.choice([found for found in lists.values() if len(found) > 1])
    first, later = sorted(rng.sample(range(len(ids)), 2))
    return replace(text, ids[later].value, str(ids[first].value.value))


def _step_cite(keys: list[Key], rng: random.Random) -> Key:
    return rng.choice([k for k in keys if k.name == "cite" and k.parents == ("steps",)])


def alias_bomb(text: str, keys: list[Key], rng: random.Random) -> str:
    shape = rng.randrange(4)
    if shape == 0:  # a billion laughs inside a step's citations
        levels = [f"&l0 [{', '.join(['lol'] * 10)}]"]
        levels += [f"&l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
        return replace(text, _step_cite(keys, rng).value, f"[{', '.join(levels)}]")
    if shape == 1:  # merge keys that merge each other, ten times a level
        maps = ["&m0 {a: 1}"]
        maps += [f"&m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 10)}]}}" for i in range(1, 6)]
        cite = _step_cite(keys, rng)
        indent = " " * cite.key.start_mark.column
        return insert_after(text, cite, f"{indent}<<: [{', '.join(maps)}]")
    if shape == 2:  # one long string, named 22,000 times
        anchor = f"&s {'x' * 50}"
        return replace(
            text, _step_cite(keys, rng).value, f"[{anchor}, {', '.join(['*s'] * 22_000)}]"
        )
    lines = text.splitlines(keepends=True)  # a top-level key that is all bomb
    bomb = ["x-bomb:\n", f"  - &b0 [{', '.join(['ha'] * 10)}]\n"]
    bomb += [f"  - &b{i} [{', '.join([f'*b{i - 1}'] * 10)}]\n" for i in range(1, 9)]
    return "".join([lines[0], *bomb, *lines[1:]])


def too_deep(text: str, keys: list[Key], rng: random.Random) -> str:
    depth = rng.choice([21, 30, 100, 999, 1001, 5000])
    if rng.random() < 0.5:
        return replace(text, _step_cite(keys, rng).value, "[" * depth + "]" * depth)
    lines = text.splitlines(keepends=True)
    nested = ["x-deep:\n"] + [" " * (2 * i) + "- \n" for i in range(1, min(depth, 60))]
    return "".join([lines[0], *nested, *lines[1:]])


def huge_string(text: str, keys: list[Key], rng: random.Random) -> str:
    name, size = rng.choice([("title", 201), ("label", 201), ("text", 10_001), ("title", 70_000)])
    if rng.random() < 0.2:
        size = 200_000  # past the file's limit too
    chosen = rng.choice([k for k in keys if k.name == name and "steps" in k.parents])
    return replace(text, chosen.value, f'"{"x" * size}"')


def unfit_experiment(text: str, keys: list[Key], rng: random.Random) -> str:
    chosen = rng.choice([k for k in keys if k.name == "id" and k.parents[-1:] == ("experiments",)])
    line = rng.choice(UNFIT).format(indent=" " * chosen.key.start_mark.column, long="a" * 70_000)
    return insert_after(text, chosen, line)


def misspelt_key(text: str, keys: list[Key], rng: random.Random) -> str:
    chosen = rng.choice([k for k in keys if k.name in REQUIRED and "expect" not in k.parents])
    name = chosen.name
    return replace(
        text, chosen.key, name[:-2] + name[-1] + name[-2] if len(name) > 2 else "x" + name
    )


def python_tag(text: str, keys: list[Key], rng: random.Random) -> str:
    chosen = rng.choice([k for k in keys if one_line(k) and k.name in ("title", "label", "id")])
    tag = rng.choice(['!!python/object/apply:os.system ["touch pwned"]', "!!binary x", "!custom x"])
    return replace(text, chosen.value, tag)


MUTATIONS: dict[str, Mutation] = {
    "truncate-before-steps": truncate_before_steps,
    "truncate-after-key": truncate_after_key,
    "never-text": never_text,
    "swap-type": swap_type,
    "delete-key": delete_key,
    "duplicate-id": duplicate_id,
    "alias-bomb": alias_bomb,
    "too-deep": too_deep,
    "huge-string": huge_string,
    "unfit-experiment": unfit_experiment,
    "misspelt-key": misspelt_key,
    "python-tag": python_tag,
}


@dataclass(frozen=True)
class Mutant:
    path: Path
    kind: str
    source: str


def write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


def make_mutants(folder: Path) -> list[Mutant]:
    """PER_LESSON mutants of each built-in lesson, the kinds taken in turn. Each lesson id is
    first renamed (to one of the same length, so the composed marks still hold): beside the
    built-in course, only the mutation can be what is wrong."""
    rng = random.Random(SEED)
    made: list[Mutant] = []
    for source in sorted(builtin_lessons_dir().glob("*.yaml")):
        original = source.read_text(encoding="utf-8")
        lesson_id = re.search(r"^id: (.*)$", original, flags=re.MULTILINE)
        assert lesson_id is not None
        keys = composed_keys(original)
        for _ in range(PER_LESSON):
            number = len(made)
            renamed = f"m{number:03}".ljust(len(lesson_id[1]), "-")
            text = original[: lesson_id.start(1)] + renamed + original[lesson_id.end(1) :]
            kind = list(MUTATIONS)[number % len(MUTATIONS)]
            path = folder / f"{number:03}-{kind}.yaml"
            write(path, MUTATIONS[kind](text, keys, rng))
            made.append(Mutant(path, kind, source.name))
    return made


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory) -> list[Mutant]:
    return make_mutants(tmp_path_factory.mktemp("mutants"))


def checked(mutant: Mutant) -> Iterator[str]:
    """The mutant's problems as lint prints them, after checking it was refused."""
    content, problems = load_file(mutant.path)
    assert content is None and problems, f"{mutant} loaded"
    lines = len(mutant.path.read_bytes().splitlines()) + 1
    for problem in problems:
        assert problem.path == mutant.path and 1 <= problem.line <= lines, problem
        shown = str(problem)
        assert LINE.match(shown), shown
        yield shown


def test_there_are_three_hundred_mutants_of_every_kind(mutants: list[Mutant]) -> None:
    kinds = Counter(mutant.kind for mutant in mutants)
    print(f"\n{len(mutants)} mutants: {dict(kinds)}")
    assert len(mutants) >= 300
    assert set(kinds) == set(MUTATIONS) and min(kinds.values()) >= 20


def test_every_mutant_is_refused_at_its_lines_fast(mutants: list[Mutant]) -> None:
    slowest = (0.0, "")
    for mutant in mutants:
        started = time.perf_counter()
        list(checked(mutant))
        took = time.perf_counter() - started
        assert took < SECONDS, (mutant, took)
        slowest = max(slowest, (took, mutant.path.name))
    print(f"\nslowest: {slowest[1]} in {slowest[0] * 1000:.0f} ms")


def test_no_mutant_takes_much_memory_to_refuse(mutants: list[Mutant]) -> None:
    heaviest = (0.0, "")
    tracemalloc.start()
    try:
        for mutant in mutants:
            tracemalloc.reset_peak()
            load_file(mutant.path)
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            assert peak < MEGABYTES, (mutant, peak)
            heaviest = max(heaviest, (peak, mutant.path.name))
    finally:
        tracemalloc.stop()
    print(f"\nheaviest: {heaviest[1]} at {heaviest[0]:.1f} MB")


def test_lint_names_every_mutant_and_nothing_else(mutants: list[Mutant]) -> None:
    folder = mutants[0].path.parent
    problems = lint([folder])
    assert {problem.path for problem in problems} == {mutant.path for mutant in mutants}
    assert all(LINE.match(str(problem)) for problem in problems)


def _memory_bound() -> None:
    limit = 2 * 1024**3  # address space: the interpreter with pydantic maps well under it
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_the_command_refuses_a_mutant_of_each_kind(mutants: list[Mutant]) -> None:
    chosen = {mutant.kind: mutant for mutant in reversed(mutants)}
    command = [str(Path(sys.executable).with_name("redirect-tutor")), "lint"]
    command += [str(mutant.path) for mutant in chosen.values()]
    started = time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=False, preexec_fn=_memory_bound
    )
    assert time.monotonic() - started < 5 + SECONDS * len(chosen)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    assert {line.split(":")[0] for line in lines} == {str(m.path) for m in chosen.values()}
