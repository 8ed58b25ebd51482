"""The built-in course reads at 80x24: code blocks fit the reader, titles fit the header, and
every "lesson N" points at a lesson the course has (file number = lesson number)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tutor.course.files import builtin_lessons_dir
from tutor.course.loader import load_course

COURSE_DIR = builtin_lessons_dir()
FILES = sorted(COURSE_DIR.rglob("*.yaml"))
CODE_WIDTH = 72
"""The reader at 80 columns: a margin, the code block's padding and a scrollbar leave 72."""
TITLE_WIDTH = 44
"""The header at 80 columns also names the lab ("— lab 127.0.0.1:PORT")."""
LESSON_REFERENCE = re.compile(r"\b[Ll]essons? (\d+)(?:(?:, | and | or |-)(\d+))*")


def strings(node: object) -> Iterator[str]:
    """Every text in a loaded YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def code_lines(text: str) -> Iterator[str]:
    """The lines inside the text's fenced code blocks."""
    inside = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            yield line


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_code_blocks_fit_the_reader_at_80_columns(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    wide = [
        line
        for text in strings(document)
        for line in code_lines(text)
        if len(line.rstrip()) > CODE_WIDTH
    ]
    assert wide == []


def test_lesson_titles_fit_the_header_at_80_columns() -> None:
    long = [lesson.title for lesson in load_course().lessons if len(lesson.title) > TITLE_WIDTH]
    assert long == []


def test_every_lesson_number_in_the_text_is_a_lesson_of_the_course() -> None:
    lessons = sorted(COURSE_DIR.glob("[0-9][0-9]-*.yaml"))
    numbers = [int(path.name[:2]) for path in lessons]
    assert numbers == list(range(1, len(lessons) + 1))  # the number a learner sees in the list
    wrong = []
    for path in FILES:
        for text in strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            for match in LESSON_REFERENCE.finditer(text):
                cited = [int(n) for n in re.findall(r"\d+", match.group(0))]
                wrong += [f"{path.name}: {match.group(0)}" for n in cited if n > len(lessons)]
    assert wrong == []
