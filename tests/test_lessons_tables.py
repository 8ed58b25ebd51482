"""Every Markdown table in the built-in lessons has one source line per row (a row whose cell
wraps onto a second line renders as two rows: lesson 07 had one) and as many cells in each row
as in its header."""

from __future__ import annotations

import pytest

from tutor.course.loader import load_course
from tutor.course.models import Lesson

LESSONS = load_course().lessons


def _tables(text: str) -> list[list[str]]:
    """The runs of lines that belong to a table: from a "|" line to the first blank line."""
    tables: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if not line.strip():
            inside = False
        elif line.lstrip().startswith("|") or inside:
            if not inside:
                tables.append([])
            inside = True
            tables[-1].append(line.strip())
    return tables


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_each_table_row_is_one_line_with_every_cell(lesson: Lesson) -> None:
    for step in lesson.steps:
        for table in _tables(step.text):
            cells = table[0].count("|")
            for row in table:
                assert row.startswith("|") and row.endswith("|"), (step.id, row)
                assert row.count("|") == cells, (step.id, row)


def test_the_lessons_have_tables_to_check() -> None:
    assert sum(len(_tables(step.text)) for lesson in LESSONS for step in lesson.steps) >= 2
