"""The class table as a file: one row per student; for each exercise whether they met it and
their attempts; their latest verdict; their exam score and answers. CSV for a spreadsheet,
JSON for a script. The lab judged every cell; this only writes down what it said.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from tutor.atomic import write_text_atomically
from tutor.classroom.teacher import ClassState, Exercise

__all__ = ["FORMATS", "csv_text", "default_name", "json_text", "write_export"]

FORMATS = (".csv", ".json")

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet recognises a formula: a text cell starting so is written with a leading
apostrophe, which shows it as the text it is (OWASP, "CSV Injection")."""


def default_name(now: datetime | None = None) -> str:
    """E.g. "class-20250114-1035.csv": sorts by time, one per minute."""
    return f"class-{(now or datetime.now()):%Y%m%d-%H%M}.csv"


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA) else value


def csv_text(state: ClassState, columns: Sequence[Exercise]) -> str:
    """name, `<id> met` and `<id> attempts` for each exercise, latest verdict, exam score,
    exam graded, exam answers ("1:a;2:b,c")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    heads = [f"{c.id} {part}" for c in columns for part in ("met", "attempts")]
    writer.writerow(["name", *heads, "latest verdict", "exam score", "exam graded", "exam answers"])
    for student in state.students:
        cells = [student.cell(c.id) for c in columns]
        exam = student.exam
        writer.writerow(
            [
                _text(student.name),
                *(
                    value
                    for cell in cells
                    for value in ("yes" if cell.met else "no", cell.attempts)
                ),
                _text(student.verdict or ""),
                exam.score if exam else "",
                exam.graded if exam else "",
                _text(exam.answers_text) if exam else "",
            ]
        )
    return out.getvalue()


def json_text(state: ClassState, columns: Sequence[Exercise], lab_url: str) -> str:
    """The same table for a script: the exercises, the exam set, and one object per student."""
    document = {
        "lab": lab_url,
        "exercises": [
            c.model_dump(include={"id", "lesson", "step", "title", "kind"}) for c in columns
        ],
        "exam": state.exam.model_dump() if state.exam else None,
        "students": [
            {
                "name": student.name,
                "exercises": {
                    c.id: student.cell(c.id).model_dump(include={"met", "attempts"})
                    for c in columns
                },
                "verdict": student.verdict,
                "requests": student.requests,
                "exam": student.exam.model_dump() if student.exam else None,
            }
            for student in state.students
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_export(path: Path, state: ClassState, columns: Sequence[Exercise], lab_url: str) -> None:
    """Write the table, as its suffix says (FORMATS), so that no reader sees half, readable by
    the teacher only (it holds every student's answers); OSError."""
    text = (
        json_text(state, columns, lab_url)
        if path.suffix.lower() == ".json"
        else csv_text(state, columns)
    )
    write_text_atomically(path, text, mode=0o600)
