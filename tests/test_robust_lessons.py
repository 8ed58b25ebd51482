"""Lesson files mutated at random (fixed seed): lint never shows a traceback, the app still starts.

Mutations: a key dropped, a value's type changed, indentation broken, bytes flipped, a YAML tag
(`!!python/object` and friends) or a truncation. Good lessons beside the mutants still load.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pilot import SIZE, settle, tutor_app

from tutor.course.files import builtin_lessons_dir
from tutor.lab.server import LabServer
from tutor.ui.widgets.course.lesson_list import LessonList
from tutor.ui.widgets.course.problems import Problems

MUTANTS = 40
TAGS = (
    '!!python/object/apply:os.system ["touch pwned"]',
    "!!python/object:builtins.dict {}",
    "!!python/name:os.system",
    "!!binary not-base64",
    "!!int twelve",
    "!!timestamp 2024-02-30",
    "!!set {a, b}",
    "!custom value",
)


def _drop_key(lines: list[str], rng: random.Random) -> None:
    keyed = [i for i, line in enumerate(lines) if ":" in line]
    del lines[rng.choice(keyed)]


def _change_type(lines: list[str], rng: random.Random) -> None:
    keyed = [
        i for i, line in enumerate(lines) if line.rstrip().endswith(":") is False and ": " in line
    ]
    i = rng.choice(keyed)
    key = lines[i].split(": ", 1)[0]
    lines[i] = f"{key}: {rng.choice(['[1, 2]', '{a: 1}', '12', 'true', 'null', '3.5', ''])}"


def _break_indentation(lines: list[str], rng: random.Random) -> None:
    i = rng.randrange(len(lines))
    lines[i] = rng.choice([" ", "   ", "\t", ""]) + lines[i].lstrip(" ")


def _tag(lines: list[str], rng: random.Random) -> None:
    keyed = [i for i, line in enumerate(lines) if ": " in line]
    i = rng.choice(keyed)
    lines[i] = f"{lines[i].split(': ', 1)[0]}: {rng.choice(TAGS)}"


def _truncate(lines: list[str], rng: random.Random) -> None:
    del lines[rng.randrange(len(lines)) :]


LINE_MUTATIONS: list[Callable[[list[str], random.Random], None]] = [
    _drop_key,
    _change_type,
    _break_indentation,
    _tag,
    _truncate,
]


def _flip_bytes(data: bytes, rng: random.Random) -> bytes:
    flipped = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    return bytes(flipped)


def mutants(folder: Path, seed: int = 2026) -> tuple[Path, list[str]]:
    """MUTANTS broken copies of built-in lessons, and two good ones (their ids returned)."""
    rng = random.Random(seed)
    sources = sorted(builtin_lessons_dir().glob("*.yaml"))
    good = []
    for number in range(MUTANTS + 2):
        text = rng.choice(sources).read_text(encoding="utf-8")
        lines = text.splitlines()
        lines[1] = f"id: robust-{number:02}"  # line 2 is each lesson's id
        if number < 2:
            good.append(f"robust-{number:02}")
            data = "\n".join(lines).encode()
        elif number % 6 == 0:
            data = _flip_bytes("\n".join(lines).encode(), rng)
        else:
            rng.choice(LINE_MUTATIONS)(lines, rng)
            data = "\n".join(lines).encode()
        (folder / f"mutant-{number:02}.yaml").write_bytes(data)
    return folder, good


def test_lint_never_shows_a_traceback(tmp_path: Path) -> None:
    folder, _ = mutants(tmp_path)
    lint = [str(Path(sys.executable).with_name("redirect-tutor")), "lint", str(folder)]
    done = subprocess.run(lint, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "pwned").exists()
    problems = [line for line in done.stdout.splitlines() if line.startswith(str(folder))]
    assert len({line.split(":", 1)[0] for line in problems}) >= MUTANTS // 2


async def test_the_app_starts_beside_the_mutants(lab: LabServer, tmp_path: Path) -> None:
    folder, good = mutants(tmp_path)
    app = tutor_app([folder], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listed = {lesson.id for lesson in app.screen.query_one(LessonList).lessons}
        assert set(good) <= listed
        assert "mutant-" in app.screen.query_one(Problems).text
