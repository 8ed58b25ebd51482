"""The result file a teacher collects after an exam: JSON, or CSV rows that concatenate."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import time
from pathlib import Path

from tutor.atomic import write_text_atomically
from tutor.progress.export import local_time
from tutor.progress.faults import why
from tutor.quiz.plan import Plan
from tutor.quiz.session import Quiz, Withheld

__all__ = ["CSV_FIELDS", "hand_in", "result", "write_result"]

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
    "partial",
)


def _answers(quiz: Quiz) -> list[dict[str, object]]:
    """Every question in the order asked, its choices (ids) in the order shown; the unanswered
    ones too (chosen None), and those whose grade is withheld (right and correct None)."""
    rows: list[dict[str, object]] = []
    for number, item in enumerate(quiz.items, 1):
        taken = quiz.taken[number - 1] if number <= quiz.position else None
        grade = None if isinstance(taken, Withheld) else taken
        rows.append(
            {
                "number": number,
                "question": item.key,
                "kind": item.question.kind,
                "shown": [c.id for c in item.choices],
                "chosen": [c.id for c in taken.chosen] if taken else None,
                "right": [c.id for c in grade.right] if grade else None,
                "correct": grade.correct if grade else None,
                "graded": bool(grade and grade.void is None),
            }
        )
    return rows


def result(quiz: Quiz, plan: Plan) -> dict[str, object]:
    """The whole run: who, which seed (the exam's; `choice_seed` shuffled the choices, the
    exam's too, else a new one per quiz), the score, whether it is `partial` (ended before the
    last question; `interrupted` when broken off), and every question in the order asked. A
    class exam's says who graded it: this file is only the student's copy."""
    graded_by: dict[str, object] = {}
    if quiz.graded_by:
        graded_by = {
            "graded_by": quiz.graded_by,
            "note": f"The student's copy: the grade kept by {quiz.graded_by} is the one that "
            "counts; a change here changes nothing there.",
        }
    if quiz.withheld:
        graded_by["withheld"] = len(quiz.withheld)
        graded_by["note"] = f"{graded_by['note']} {_WITHHELD}"
    return {
        **graded_by,
        "name": plan.name,
        "seed": plan.seed,
        "choice_seed": quiz.seed,
        "started_at": local_time(quiz.started),
        "finished_at": local_time(time.time()),
        "time_limit": plan.time_limit,
        "timed_out": quiz.timed_out,
        "partial": quiz.partial,
        "interrupted": quiz.interrupted,
        "score": quiz.score,
        "graded": quiz.graded,
        "questions": len(quiz.items),
        "answers": _answers(quiz),
    }


def write_result(path: Path, quiz: Quiz, plan: Plan) -> None:
    """Write the result to `path`: CSV when it ends in .csv (one row per question, each saying
    whether the run was partial, and for a class exam who graded it), else JSON."""
    if path.suffix.lower() != ".csv":
        text = json.dumps(result(quiz, plan), indent=2, ensure_ascii=False)
        write_text_atomically(path, text + "\n")
        return
    out = io.StringIO()
    graded_by = {"graded_by": quiz.graded_by} if quiz.graded_by else {}
    writer = csv.DictWriter(out, [*CSV_FIELDS, *graded_by], lineterminator="\n")
    writer.writeheader()
    for row in _answers(quiz):
        flat = {k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()}
        writer.writerow(
            {"name": plan.name, "seed": plan.seed, **flat, "partial": quiz.partial, **graded_by}
        )
    write_text_atomically(path, out.getvalue())


def hand_in(path: Path, quiz: Quiz, plan: Plan) -> tuple[str, bool]:
    """Write the result to `path`, else (a full disk, a read-only folder) under its name in the
    temporary folder: what happened, for the learner, and whether it was written at all."""
    try:
        write_result(path, quiz, plan)
    except OSError as error:
        failed = f"The result could not be written to {path} ({why(path, error)})"
    else:
        return _written(path, quiz), True
    spare = Path(tempfile.gettempdir()) / path.name
    try:
        write_result(spare, quiz, plan)
    except OSError as error:
        return f"{failed}, nor to {spare} ({why(spare, error)}).", False
    return f"{failed}. {_written(spare, quiz)}", True


_WITHHELD = (
    "The lab withholds the grades until the teacher ends the exam: this copy has none; take the "
    "quiz again then with --result for one that has them."
)


def _written(path: Path, quiz: Quiz) -> str:
    """E.g. "Result written to ada.json."; a partial one says so, and why; one without grades
    (the class lab withholds them) too."""
    said = f"Result written to {path}."
    if quiz.partial:
        why_partial = (
            "; interrupted" if quiz.interrupted else "; time ran out" if quiz.timed_out else ""
        )
        answered = f"{quiz.position} of {len(quiz.items)} questions answered{why_partial}"
        said = f"Partial result written to {path} ({answered}): the file marks it as partial."
    if quiz.withheld:
        said += " It holds no grades: the lab shows them when the exam is over."
    return said
