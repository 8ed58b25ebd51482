"""The course as one value: the lessons, question banks, cards and edge cases that loaded, and the
problems."""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.course.cards import Card
from tutor.course.edges import Edge, EdgeCases
from tutor.course.files import Problem
from tutor.course.models import Lesson
from tutor.course.questions import Bank, Question

__all__ = ["Content", "Course"]

Content = Lesson | Bank | Card | EdgeCases


@dataclass
class Course:
    """What loaded, in file order (lessons, question banks, cards, the lab's edge cases), and the
    problems of the rest."""

    lessons: list[Lesson] = field(default_factory=list)
    banks: list[Bank] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    edge_cases: list[EdgeCases] = field(default_factory=list)
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

    @property
    def edges(self) -> list[Edge]:
        """Every edge case of the lab, in file order."""
        return [edge for cases in self.edge_cases for edge in cases.edges]

    def edge(self, edge_id: str) -> Edge | None:
        return next((edge for edge in self.edges if edge.id == edge_id), None)

    def add(self, content: Content) -> None:
        if isinstance(content, Lesson):
            self.lessons.append(content)
        elif isinstance(content, Bank):
            self.banks.append(content)
        elif isinstance(content, EdgeCases):
            self.edge_cases.append(content)
        else:
            self.cards.append(content)
