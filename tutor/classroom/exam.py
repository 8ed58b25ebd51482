"""The exam the teacher sets on the lab, graded there (placeholder: being written)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.lab.journal import Journal

__all__ = ["Exam", "ExamError"]


class ExamError(ValueError):
    """The exam cannot be set as asked; the message says why."""


class Exam:
    @classmethod
    def set(
        cls,
        course: Course,
        journal: Journal,
        settings: dict[str, Any],
        previous: Exam | None = None,
    ) -> Exam:
        raise ExamError("exams are not ready yet")

    def describe(self) -> str:
        return ""

    def summary(self) -> dict[str, Any]:
        return {}

    def results(self) -> dict[str, dict[str, Any]]:
        return {}

    def sheet(self, name: str) -> dict[str, Any]:
        return {}

    def answer(self, name: str, answer: dict[str, Any], lab_url: str) -> dict[str, Any]:
        return {}
