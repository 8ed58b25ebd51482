"""What a learner or a teacher asked the quiz for: which questions, and the rules of an exam."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Plan"]


@dataclass(frozen=True, slots=True)
class Plan:
    """The options of `redirect-tutor quiz`, shared by the plain quiz and the Quiz screen.

    A `seed` makes it an exam: for everyone with that seed, the same questions (spread across
    lessons and kinds) in the same order, each with its choices in the same order. Without one,
    a quiz shuffles the choices by a seed of its own (tutor.quiz.order).
    """

    lesson: str | None = None
    tag: str | None = None
    due: bool = False
    seed: int | None = None
    count: int | None = None
    time_limit: float | None = None
    """Seconds; an answer given later is not counted and the quiz ends."""
    name: str | None = None
    """The student's name, written into the result file."""
    result: Path | None = None
    """Where to write the result (.csv for CSV, otherwise JSON)."""

    @property
    def exam(self) -> bool:
        return self.seed is not None

    def session(self, started: float) -> str:
        """How the record names this run: an exam by name and seed, practice by its start."""
        if self.exam:
            return f"exam {self.name or 'anonymous'} seed {self.seed}"
        return "practice " + time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started))

    def describe(self, lesson_titles: Mapping[str, str] | None = None) -> str:
        """E.g. "lesson “307 Temporary Redirect”, tag 307, due for review" (the lesson by its
        title when `lesson_titles` has it, else by id); "all questions" when nothing narrows."""
        title = (lesson_titles or {}).get(self.lesson or "")
        lesson = f"“{title}”" if title else self.lesson
        parts = [
            f"lesson {lesson}" if self.lesson else "",
            f"tag {self.tag}" if self.tag else "",
        ]
        parts += [
            "due for review" if self.due else "",
            f"exam seed {self.seed}" if self.exam else "",
        ]
        return ", ".join(part for part in parts if part) or "all questions"
