"""The lesson format (version 1): lessons are data, validated here before a learner sees them.

Question banks (tutor.course.questions) and reference cards (tutor.course.cards) reuse its
citations, experiments and choices; the strict base and the cross-field checks they all share
are in tutor.course.base, a step's exercises in tutor.course.exercises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field, replace
from typing import Annotated, Literal

from tutor.course.base import (
    Format,
    Id,
    Issue,
    Line,
    Prose,
    Text,
    citation_issues,
    cross_check,
    duplicates,
    expectation_issues,
)
from tutor.course.exercises import Exercise
from tutor.course.limits import (
    CHOICES,
    CITATIONS,
    CITES,
    EXPERIMENTS,
    HINTS,
    LESSON_EXPERIMENTS,
    STEPS,
)
from tutor.experiments.expectation import Expectation
from tutor.experiments.spec import ExperimentSpec
from tutor.validated import Rule, Strict, model

__all__ = [
    "URL_PATTERN",
    "Choice",
    "Citation",
    "Experiment",
    "Lesson",
    "Prediction",
    "Step",
    "predicted_outcome_issues",
    "same_outcomes",
]


URL_PATTERN = r"^https?://[!-~]+$"
"""A link a learner can open: http or https, in visible ASCII (spaces and the rest
percent-encoded)."""


@model
class Citation(Strict):
    """A source a lesson rests on, e.g. RFC 9110 §15.4.8, with a link a learner can open."""

    id: Id
    title: Line
    url: Annotated[str, Rule(pattern=URL_PATTERN, max_length=2_000)]
    quote: Prose | None = None


@model
class Experiment(ExperimentSpec):
    """A live experiment a step offers, and what the lesson claims it shows."""

    id: Id
    label: Line
    expect: Expectation | None = None

    def __post_init__(self) -> None:
        """The spec's own checks, then: no body on a GET or HEAD, and a claim a run can show."""
        ExperimentSpec.__post_init__(self)  # not super(): a class with slots is made anew
        issues: list[Issue] = []
        if self.body and self.method in ("GET", "HEAD"):
            issues.append((("body",), f"a {self.method} carries no body: remove 'body'"))
        cross_check(issues + expectation_issues(self.expect))


@model
class Choice(Strict):
    """One answer a learner can pick, with why it is right or wrong."""

    id: Id
    text: Prose
    correct: bool = False
    """For fixed questions; a prediction's choices leave it out (the live run decides)."""
    expect: Expectation | None = None
    """For predictions: the outcome this choice stands for."""
    explanation: Prose
    """Why; a prediction's author starts the choice they expect the live run to pick with
    "Right." (the tests hold them to it)."""
    misconception: Prose | None = None
    """The mistaken belief a wrong choice stands for, e.g. "307 is an error code"."""

    @property
    def why(self) -> str:
        """The explanation as a learner reads it: the grade already says right or wrong, so
        without the author's "Right."."""
        return self.explanation.strip().removeprefix("Right.").lstrip()

    def __post_init__(self) -> None:
        """A claimed outcome that a run can show."""
        cross_check(expectation_issues(self.expect))


@model
class Prediction(Strict):
    """Predict, then run: the learner picks an outcome before the step's experiment runs.

    Each choice carries the outcome it stands for (`expect`); the live result decides which
    choice was right, so the lesson never hard-codes an answer a client could change.
    """

    experiment: Id
    """The id of the step's experiment that grades the prediction."""
    prompt: Prose
    choices: Annotated[list[Choice], Rule(min_length=2, max_length=CHOICES)]
    hints: Annotated[list[Prose], Rule(max_length=HINTS)] = field(default_factory=list)
    """Shown one at a time, on request, before the learner commits."""

    def __post_init__(self) -> None:
        """Each choice claims an outcome, and no two the same one."""
        issues = duplicates("choice", [(("choices", i), c.id) for i, c in enumerate(self.choices)])
        cross_check(issues + predicted_outcome_issues(self.choices, "a prediction's choice"))


@model
class Step(Strict):
    """One idea: a short Markdown text, the sources it rests on, and experiments to try."""

    id: Id
    title: Line
    text: Text
    """Markdown."""
    experiments: Annotated[list[Experiment], Rule(max_length=EXPERIMENTS)] = field(
        default_factory=list
    )
    cite: Annotated[list[Id], Rule(max_length=CITES)] = field(default_factory=list)
    """Ids of the lesson's citations this step rests on."""
    predict: Prediction | None = None
    exercise: Exercise | None = None
    """A task the learner does, checked live (see Exercise above)."""

    def __post_init__(self) -> None:
        """Prediction names an experiment."""
        if self.predict and self.predict.experiment not in {e.id for e in self.experiments}:
            message = f"{self.predict.experiment!r} is not one of this step's experiments"
            cross_check([(("predict", "experiment"), message)])


@model
class Lesson(Strict):
    """A lesson: steps in order, and the citations they rest on."""

    format: Format
    kind: Literal["lesson"] = "lesson"
    id: Id
    title: Line
    summary: Prose
    minutes: Annotated[int, Rule(ge=1, le=60)] = 10
    steps: Annotated[list[Step], Rule(min_length=1, max_length=STEPS)]
    citations: Annotated[list[Citation], Rule(max_length=CITATIONS)] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Ids are unique, and every cited id and named experiment exists."""
        cited = [(("steps", i, "cite"), step.cite) for i, step in enumerate(self.steps)]
        issues = citation_issues([c.id for c in self.citations], cited, "lesson")
        issues += duplicates("step", [(("steps", i), s.id) for i, s in enumerate(self.steps)])
        experiments = [
            (("steps", i, "experiments", j), experiment.id)
            for i, step in enumerate(self.steps)
            for j, experiment in enumerate(step.experiments)
        ]
        issues += duplicates("experiment", experiments)
        if len(experiments) > LESSON_EXPERIMENTS:
            message = f"{len(experiments)} experiments: a lesson has at most {LESSON_EXPERIMENTS}"
            issues.append((("steps",), message))
        if not self.citations:
            issues.append((("citations",), "a lesson lists the sources it rests on (citations)"))
        issues += [
            (("steps", i, "cite"), "every step cites a source: cite: [id, ...]")
            for i, step in enumerate(self.steps)
            if not step.cite
        ]
        cross_check(issues)

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(step.id for step in self.steps)

    @property
    def experiments(self) -> list[Experiment]:
        return [experiment for step in self.steps for experiment in step.experiments]


def predicted_outcome_issues(choices: Sequence[Choice], what: str) -> list[Issue]:
    """What keeps choices from being graded by a live run: one without the outcome it stands
    for (`what` names such a choice in the message), or two standing for the same outcome."""
    missing = [
        (("choices", i, "expect"), f"{what} says what it expects to arrive")
        for i, choice in enumerate(choices)
        if choice.expect is None
    ]
    return missing + same_outcomes(choices)


def same_outcomes(choices: Sequence[Choice]) -> list[Issue]:
    """An issue at each predicted outcome that an earlier choice already claims: the live run
    could never tell the two apart."""
    first: dict[Expectation, int] = {}
    issues: list[Issue] = []
    for i, choice in enumerate(choices):
        if choice.expect is None:
            continue
        expect = replace(
            choice.expect, method=choice.expect.method and choice.expect.method.upper()
        )
        if expect in first:
            message = f"the same outcome as choices[{first[expect]}]: only one can be right"
            issues.append((("choices", i, "expect"), message))
        else:
            first[expect] = i
    return issues
