"""The result file a teacher collects after an exam: JSON, or CSV rows that concatenate."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

from tutor.atomic import write_text_atomically
from tutor.progress.export import local_time
from tutor.quiz.plan import Plan
from tutor.quiz.session import Quiz

__all__ = ["CSV_FIELDS", "result", "write_result"]

CSV_FIELDS = (
    "name",
    "seed",
    "number",
    "question",
    "kind",
    "shown",
    "chosen",
    "right",
    "correct",
    "graded",
)


def _answers(quiz: Quiz) -> list[dict[str, object]]:
    """Every question in the order asked, its choices (ids) in the order shown; the unanswered
    ones too (chosen None)."""
    rows: list[dict[str, object]] = []
    for number, item in enumerate(quiz.items, 1):
        grade = quiz.grades[number - 1] if number <= len(quiz.grades) else None
        rows.append(
            {
                "number": number,
                "question": item.key,
                "kind": item.question.kind,
                "shown": [c.id for c in item.choices],
                "chosen": [c.id for c in grade.chosen] if grade else None,
                "right": [c.id for c in grade.right] if grade else None,
                "correct": grade.correct if grade else None,
                "graded": bool(grade and grade.void is None),
            }
        )
    return rows


def result(quiz: Quiz, plan: Plan) -> dict[str, object]:
    """The whole run: who, which seed (the exam's; `choice_seed` shuffled the choices, the
    exam's too, else a new one per quiz), the score, and every question in the order asked."""
    return {
        "name": plan.name,
        "seed": plan.seed,
        "choice_seed": quiz.seed,
        "started_at": local_time(quiz.started),
        "finished_at": local_time(time.time()),
        "time_limit": plan.time_limit,
        "timed_out": quiz.timed_out,
        "score": quiz.score,
        "graded": quiz.graded,
        "questions": len(quiz.items),
        "answers": _answers(quiz),
    }


def write_result(path: Path, quiz: Quiz, plan: Plan) -> None:
    """Write the result to `path`: CSV when it ends in .csv (one row per question), else JSON."""
    if path.suffix.lower() != ".csv":
        text = json.dumps(result(quiz, plan), indent=2, ensure_ascii=False)
        write_text_atomically(path, text + "\n")
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in _answers(quiz):
        flat = {k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()}
        writer.writerow({"name": plan.name, "seed": plan.seed, **flat})
    write_text_atomically(path, out.getvalue())
