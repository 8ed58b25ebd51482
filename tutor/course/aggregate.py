"""The course as one value: the lessons, question banks and cards that loaded, and the problems."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.course.cards import Card
from tutor.course.files import Problem
from tutor.course.models import Lesson
from tutor.course.questions import Bank, Question

__all__ = ["Content", "Course"]

Content = Lesson | Bank | Card


@dataclass
class Course:
    """What loaded, in file order (lessons, question banks, cards), and the problems of the rest."""

    lessons: list[Lesson] = field(default_factory=list)
    banks: list[Bank] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    @property
    def lesson_titles(self) -> dict[str, str]:
        return {lesson.id: lesson.title for lesson in self.lessons}

    def card(self, code: int) -> Card | None:
        return next((card for card in self.cards if card.code == code), None)

    @property
    def questions(self) -> list[tuple[Bank, Question]]:
        """Every question with the bank it comes from, in file order."""
        return [(bank, question) for bank in self.banks for question in bank.questions]

    def add(self, content: Content) -> None:
        if isinstance(content, Lesson):
            self.lessons.append(content)
        elif isinstance(content, Bank):
            self.banks.append(content)
        else:
            self.cards.append(content)
