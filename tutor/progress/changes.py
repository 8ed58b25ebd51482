"""What a learner did, as data: written to the record in one transaction, or kept (in memory, in
a file beside it) while the record cannot take it, and written when it can.

Each change carries its own time, so that writing it later writes what happened then.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from tutor.progress.leitner import BOXES, Slot

__all__ = [
    "MOST_HINTS",
    "PARTS",
    "Answer",
    "Answered",
    "Change",
    "HintsUsed",
    "PartMet",
    "StepShown",
    "from_data",
    "to_data",
    "write",
]


@dataclass(frozen=True, slots=True)
class Answer:
    """One quiz answer as the record keeps it."""

    question: str
    """The question's id: ids are unique across banks, so a question may move to another bank."""
    lesson_id: str | None
    kind: str
    chosen: tuple[str, ...]
    """The ids of the choices picked."""
    correct: bool
    answered_at: float
    session: str
    """Which quiz run it belongs to (an exam's name and seed, or a practice run's id)."""


@dataclass(frozen=True, slots=True)
class StepShown:
    """The learner saw `step_id` of `lesson_id` at `at`; `last`: the lesson's last step (its
    first time is kept as done_at; done also asks for the parts met, see progress.standing)."""

    lesson_id: str
    step_id: str
    at: float
    last: bool


@dataclass(frozen=True, slots=True)
class HintsUsed:
    """The learner had seen the first `count` hints of a step's prediction by `at`."""

    lesson_id: str
    step_id: str
    count: int
    at: float


@dataclass(frozen=True, slots=True)
class PartMet:
    """At `at`, the learner met a part of a step that a lesson's "done" asks for: its
    `part` is "prediction" (picked and graded by a live run, not skipped) or "exercise" (met)."""

    lesson_id: str
    step_id: str
    part: str
    at: float


@dataclass(frozen=True, slots=True)
class Answered:
    """A quiz answer, and the Leitner slot it moved its question to."""

    answer: Answer
    slot: Slot


Change = StepShown | HintsUsed | PartMet | Answered

PARTS = ("prediction", "exercise")
"""The parts of a step a lesson's "done" asks for (PartMet.part)."""

MOST_HINTS = 100
"""More hints than any step has: a file claiming more is not one this tutor wrote."""


def write(db: sqlite3.Connection, change: Change) -> None:
    """Make `change` inside the caller's transaction."""
    if isinstance(change, StepShown):
        done = change.at if change.last else None
        db.execute(
            "INSERT INTO lessons (lesson_id, step_id, opened_at, done_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (lesson_id) DO UPDATE SET step_id = excluded.step_id,"
            " opened_at = excluded.opened_at, done_at = COALESCE(done_at, excluded.done_at)",
            (change.lesson_id, change.step_id, change.at, done),
        )
        db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_lesson', ?)",
            (change.lesson_id,),
        )
    elif isinstance(change, PartMet):
        db.execute(
            "INSERT OR IGNORE INTO met (lesson_id, step_id, part, met_at) VALUES (?, ?, ?, ?)",
            (change.lesson_id, change.step_id, change.part, change.at),
        )
    elif isinstance(change, HintsUsed):
        db.executemany(
            "INSERT OR IGNORE INTO hints (lesson_id, step_id, hint, used_at) VALUES (?, ?, ?, ?)",
            [(change.lesson_id, change.step_id, hint, change.at) for hint in range(change.count)],
        )
    else:
        answer, slot = change.answer, change.slot
        db.execute(
            "INSERT INTO answers (question, lesson_id, kind, chosen, correct, answered_at,"
            " session) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                answer.question,
                answer.lesson_id,
                answer.kind,
                json.dumps(list(answer.chosen)),
                int(answer.correct),
                answer.answered_at,
                answer.session,
            ),
        )
        db.execute(
            "INSERT OR REPLACE INTO boxes (question, box, due_at) VALUES (?, ?, ?)",
            (answer.question, slot.box, slot.due_at),
        )


def to_data(change: Change) -> dict[str, object]:
    """`change` as JSON-ready data: one key naming what happened, its fields as the classes
    name them (an answer's slot beside the answer's own)."""
    if isinstance(change, Answered):
        slot = {"box": change.slot.box, "due_at": change.slot.due_at}
        return {"answered": {**asdict(change.answer), "chosen": list(change.answer.chosen), **slot}}
    names = {StepShown: "step_shown", HintsUsed: "hints_used", PartMet: "part_met"}
    return {names[type(change)]: asdict(change)}


def from_data(data: object) -> Change:
    """The change `to_data` made; ValueError, saying what is wrong, for anything else."""
    if not isinstance(data, Mapping) or len(data) != 1:
        raise ValueError("a change is an object with one key")
    ((kind, fields),) = data.items()
    if not isinstance(fields, Mapping):
        raise ValueError(f"{kind!r} is not an object")
    read = _Fields(kind, fields)
    if kind == "step_shown":
        return StepShown(
            read.text("lesson_id"), read.text("step_id"), read.time("at"), read.flag("last")
        )
    if kind == "hints_used":
        count = read.whole("count", most=MOST_HINTS)
        return HintsUsed(read.text("lesson_id"), read.text("step_id"), count, read.time("at"))
    if kind == "part_met":
        part = read.text("part")
        if part not in PARTS:
            raise ValueError(f"part_met.part is not one of {list(PARTS)}")
        return PartMet(read.text("lesson_id"), read.text("step_id"), part, read.time("at"))
    if kind != "answered":
        raise ValueError(f"unknown change {kind!r}")
    chosen = fields.get("chosen")
    if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
        raise ValueError("answered.chosen is not a list of choice ids")
    lesson = fields.get("lesson_id")
    if lesson is not None and not isinstance(lesson, str):
        raise ValueError("answered.lesson_id is neither text nor null")
    box = read.whole("box", most=BOXES[-1])
    if box not in BOXES:
        raise ValueError(f"answered.box is not one of {list(BOXES)}")
    answer = Answer(
        read.text("question"),
        lesson,
        read.text("kind"),
        tuple(chosen),
        read.flag("correct"),
        read.time("answered_at"),
        read.text("session"),
    )
    return Answered(answer, Slot(box, read.time("due_at")))


class _Fields:
    """Reads one change's fields, each of one type; ValueError names the one that is not."""

    def __init__(self, kind: str, fields: Mapping[str, object]) -> None:
        self._kind = kind
        self._fields = fields

    def _get(self, name: str, kind: type | tuple[type, ...], what: str) -> object:
        value = self._fields.get(name)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ValueError(f"{self._kind}.{name} is not {what}")
        return value

    def text(self, name: str) -> str:
        return str(self._get(name, str, "text"))

    def flag(self, name: str) -> bool:
        return bool(self._get(name, bool, "true or false"))

    def whole(self, name: str, *, most: int) -> int:
        value = self._get(name, int, "a whole number")
        assert isinstance(value, int)
        if not 0 <= value <= most:
            raise ValueError(f"{self._kind}.{name} is not from 0 to {most}")
        return value

    def time(self, name: str) -> float:
        value = self._get(name, (int, float), "a time in seconds")
        assert isinstance(value, int | float)
        if not math.isfinite(value):
            raise ValueError(f"{self._kind}.{name} is not a finite time")
        return float(value)
