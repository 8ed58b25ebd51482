"""The record as a file a learner keeps or hands in: everything as JSON, or the answers as CSV."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict

from tutor.progress.record import Record

__all__ = ["ANSWER_FIELDS", "export", "local_time"]

ANSWER_FIELDS = ("answered_at", "session", "question", "lesson_id", "kind", "chosen", "correct")


def local_time(at: float) -> str:
    """`at` (seconds since the epoch) as an ISO 8601 local time with its offset."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(at))


def export(record: Record, fmt: str) -> str:
    """`fmt` "json": lessons, hints, boxes and answers; "csv": one row per answer, oldest first."""
    answers = [
        {**asdict(a), "answered_at": local_time(a.answered_at), "chosen": list(a.chosen)}
        for a in record.answers()
    ]
    if fmt == "json":
        data = {
            "lessons": {
                k: {"step_id": v.step_id, "ended": v.ended, "met": sorted(map(list, v.met))}
                for k, v in record.lessons().items()
            },
            "last_lesson": record.last_lesson(),
            "hints_used": record.hints_used(),
            "boxes": {
                k: {"box": s.box, "due_at": local_time(s.due_at)} for k, s in record.slots().items()
            },
            "answers": answers,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}: json or csv")
    out = io.StringIO()
    writer = csv.DictWriter(out, ANSWER_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({**row, "chosen": ";".join(row["chosen"])} for row in answers)
    return out.getvalue()
