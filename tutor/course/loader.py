"""Load lessons from YAML (safe_load only). FIRST DRAFT: line numbers and lint come next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from tutor.course.models import Lesson

__all__ = ["Course", "Problem", "builtin_lessons_dir", "load_course", "load_lesson"]


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


@dataclass
class Course:
    lessons: list[Lesson] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)


def builtin_lessons_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    shipped = package / "lessons"
    return shipped if shipped.is_dir() else package.parent / "lessons"


def load_lesson(path: Path) -> tuple[Lesson | None, list[Problem]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Lesson.model_validate(data), []
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError) as error:
        return None, [Problem(path, 1, 1, str(error).splitlines()[0])]


def load_course(extra_dirs: Sequence[Path] = (), *, builtin: bool = True) -> Course:
    dirs = ([builtin_lessons_dir()] if builtin else []) + list(extra_dirs)
    course = Course()
    for directory in dirs:
        for path in sorted(directory.glob("*.yaml")):
            lesson, problems = load_lesson(path)
            course.problems += problems
            if lesson is not None:
                course.lessons.append(lesson)
    return course
