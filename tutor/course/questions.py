"""The question-bank format (version 1): quiz questions as data, each citing its source."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import field
from typing import Annotated, Literal

from tutor.course.base import (
    Format,
    Id,
    Issue,
    Line,
    Loc,
    Prose,
    citation_issues,
    cross_check,
    duplicates,
)
from tutor.course.limits import CHOICES, CITATIONS, CITES, LIST_ITEMS, QUESTIONS
from tutor.course.models import Choice, Citation, predicted_outcome_issues
from tutor.experiments.spec import ExperimentSpec
from tutor.validated import Rule, Strict, model

__all__ = ["Bank", "Question", "QuestionKind"]

QuestionKind = Literal["single", "multiple", "truefalse", "predict"]


@model
class Question(Strict):
    """One question. A `predict` question is graded by running its experiment live.

    single and truefalse have exactly one correct choice (truefalse: ids `true` and `false`);
    multiple has one or more. A predict question marks no choice correct: each choice carries
    the outcome it stands for (`expect`), and the lab's witness decides.
    """

    id: Id
    kind: QuestionKind
    prompt: Prose
    """Markdown."""
    choices: Annotated[list[Choice], Rule(min_length=2, max_length=CHOICES)]
    experiment: ExperimentSpec | None = None
    cite: Annotated[list[Id], Rule(min_length=1, max_length=CITES)]
    """Ids of the bank's citations the answer rests on."""
    lesson: Id | None = None
    """The lesson this question belongs to; the bank's lesson when left out."""
    tags: Annotated[list[Id], Rule(max_length=LIST_ITEMS)] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Distinct choices, graded as the kind says: a prediction live, each wrong choice with its
        misconception; a fixed question by its right answers."""
        issues = duplicates("choice", [(("choices", i), c.id) for i, c in enumerate(self.choices)])
        correct = [i for i, choice in enumerate(self.choices) if choice.correct]
        if self.kind == "predict":
            if self.experiment is None:
                issues.append((("experiment",), "a predict question needs the experiment to run"))
            issues += [
                (("choices", i, "correct"), "a predict question is graded live: drop 'correct'")
                for i in correct
            ]
            issues += predicted_outcome_issues(self.choices, "a predict choice")
            unexplained = [i for i, c in enumerate(self.choices) if not c.misconception]
            issues += [
                (
                    ("choices", i, "misconception"),
                    "a wrong prediction names its misconception; only the right one may leave"
                    f" it out, and choices[{unexplained[0]}] already does",
                )
                for i in unexplained[1:]
            ]
        else:
            issues += _fixed_answer_issues(self, correct)
        cross_check(issues)


def _fixed_answer_issues(question: Question, correct: list[int]) -> list[Issue]:
    issues: list[Issue] = []
    if question.experiment is not None:
        issues.append(
            (("experiment",), f"only predict questions run experiments, not {question.kind}")
        )
    if question.kind == "truefalse" and sorted(c.id for c in question.choices) != ["false", "true"]:
        issues.append(
            (("choices",), "a truefalse question has two choices, ids 'true' and 'false'")
        )
    if question.kind in ("single", "truefalse") and len(correct) != 1:
        issues.append(
            (
                ("choices",),
                f"a {question.kind} question has exactly one correct choice, not {len(correct)}",
            )
        )
    if question.kind == "multiple" and not correct:
        issues.append((("choices",), "a multiple question has at least one correct choice"))
    for i, choice in enumerate(question.choices):
        if choice.expect is not None:
            issues.append((("choices", i, "expect"), "only predict choices carry 'expect'"))
        if not choice.correct and not choice.misconception:
            issues.append((("choices", i), "a wrong choice names the misconception it stands for"))
    return issues


@model
class Bank(Strict):
    """A file of questions, usually one lesson's, with the citations they rest on."""

    format: Format
    kind: Literal["quiz"]
    id: Id
    title: Line
    lesson: Id | None = None
    citations: Annotated[list[Citation], Rule(min_length=1, max_length=CITATIONS)]
    questions: Annotated[list[Question], Rule(min_length=1, max_length=QUESTIONS)]

    def __post_init__(self) -> None:
        """Ids are unique, and every cited id is among the bank's citations."""
        cited = [(("questions", i, "cite"), q.cite) for i, q in enumerate(self.questions)]
        issues = citation_issues([c.id for c in self.citations], cited, "bank")
        issues += duplicates(
            "question", [(("questions", i), q.id) for i, q in enumerate(self.questions)]
        )
        cross_check(issues)

    def lesson_of(self, question: Question) -> str | None:
        return question.lesson or self.lesson

    def unknown_lessons(self, lessons: Collection[str]) -> list[Issue]:
        """An issue at each `lesson:` that names none of `lessons` (the course's lesson ids)."""
        named: list[tuple[Loc, str | None]] = [(("lesson",), self.lesson)]
        named += [(("questions", i, "lesson"), q.lesson) for i, q in enumerate(self.questions)]
        return [
            (where, f"no lesson in the course has the id {lesson!r}")
            for where, lesson in named
            if lesson is not None and lesson not in lessons
        ]
