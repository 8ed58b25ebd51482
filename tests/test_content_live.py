"""Every experiment the course describes (lessons, predictions, cards, predict questions), live.

The content's claims are checked against what the lab witnessed, so a lesson can never keep
saying what a client no longer does. Each claim is one test, named by where it comes from
(`lesson/step/experiment`, `card-307/experiment`, `bank/question`); all the experiments run
once, batched by client, against the session's real lab. The valid fixture pack runs too, so
each kind of claim is exercised whatever the built-in course holds yet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.course.loader import load_course
from tutor.course.models import Choice, Prediction
from tutor.course.questions import Question
from tutor.experiments.expectation import Expectation
from tutor.experiments.outcome import Outcome
from tutor.experiments.prediction import matching
from tutor.experiments.runner import run_many
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer

VALID_PACK = Path(__file__).parent / "fixtures" / "content" / "valid"
COURSE = load_course([VALID_PACK])

CLAIMS: dict[str, tuple[ExperimentSpec, Expectation | None]] = {
    **{
        f"{lesson.id}/{step.id}/{experiment.id}": (experiment, experiment.expect)
        for lesson in COURSE.lessons
        for step in lesson.steps
        for experiment in step.experiments
    },
    **{
        f"card-{card.code}/{experiment.id}": (experiment, experiment.expect)
        for card in COURSE.cards
        for experiment in card.experiments
    },
}
PREDICTIONS: dict[str, tuple[ExperimentSpec, Prediction]] = {
    f"{lesson.id}/{step.id}": (
        next(e for e in step.experiments if e.id == step.predict.experiment),
        step.predict,
    )
    for lesson in COURSE.lessons
    for step in lesson.steps
    if step.predict is not None
}
QUESTIONS: dict[str, tuple[ExperimentSpec, Question]] = {
    f"{bank.id}/{question.id}": (question.experiment, question)
    for bank, question in COURSE.questions
    if question.kind == "predict" and question.experiment is not None
}


@pytest.fixture(scope="module")
def outcomes(lab: LabServer) -> dict[tuple[str, str], Outcome]:
    """Every experiment above, run once, by its kind and name."""
    specs = {
        **{("claim", name): spec for name, (spec, _) in CLAIMS.items()},
        **{("prediction", name): spec for name, (spec, _) in PREDICTIONS.items()},
        **{("question", name): spec for name, (spec, _) in QUESTIONS.items()},
    }
    return dict(
        zip(specs, run_many(list(specs.values()), lab.url, lab.journal, tls=lab.tls), strict=True)
    )


def _ran(outcome: Outcome) -> Outcome:
    assert outcome.client_version is not None, f"{outcome.client} is not installed"
    return outcome


def _one_right(name: str, choices: list[Choice], outcome: Outcome) -> Choice:
    right = matching(choices, _ran(outcome))
    assert len(right) == 1, (
        f"{name}: {len(right)} choices match what arrived ({outcome.verdict.text}):"
        f" {[choice.id for choice in right]}"
    )
    return right[0]


def test_the_course_and_the_pack_load_and_hold_every_kind_of_claim() -> None:
    assert COURSE.problems == []
    assert CLAIMS and PREDICTIONS and QUESTIONS


@pytest.mark.parametrize("name", CLAIMS)
def test_each_experiment_shows_live_what_the_content_claims(
    name: str, outcomes: dict[tuple[str, str], Outcome]
) -> None:
    _, expect = CLAIMS[name]
    assert expect is not None, f"{name} does not say what it shows (expect)"
    outcome = _ran(outcomes["claim", name])
    assert expect.mismatches(outcome.evidence) == [], outcome.verdict.text


@pytest.mark.parametrize("name", PREDICTIONS)
def test_each_lesson_prediction_has_exactly_one_right_choice_live(
    name: str, outcomes: dict[tuple[str, str], Outcome]
) -> None:
    _, prediction = PREDICTIONS[name]
    _one_right(name, prediction.choices, outcomes["prediction", name])


@pytest.mark.parametrize("name", QUESTIONS)
def test_each_predict_question_has_one_right_choice_and_explains_the_others(
    name: str, outcomes: dict[tuple[str, str], Outcome]
) -> None:
    _, question = QUESTIONS[name]
    right = _one_right(name, question.choices, outcomes["question", name])
    unexplained = [c.id for c in question.choices if c is not right and not c.misconception]
    assert unexplained == [], f"{name}: wrong choices without a misconception"
