"""An honest quiz: no constant answer beats guessing, and every "Right." is what the lab saw.

Constant strategies: a learner who types the same answer to every question of the whole
built-in bank ("1" every time, "2", ..., "1,2", "t", "f"), answered through the plain quiz's
parser and graded by the quiz's own grading, predict questions by their experiment run live.

The bounds:
- Single, multiple and predict questions show their choices shuffled by the quiz's seed. A
  typed answer naming positions S earns, on a question of k choices whose right set is R (a
  predict question's R is what its live run bore out), the chance p = |R| / k when |S| = 1 (a
  single or predict question), 1 / C(k, |R|) when S may name several (a multiple question and
  |S| = |R|), else 0 (S does not fit: a position past k, several for a one-answer question, a
  multiple question with a right set of another size; an answer the quiz refuses scores 0).
  Guessing therefore scores the sum of p over the questions. Over SEEDS quizzes (seeds 0 to
  SEEDS - 1), each strategy's mean score must lie within SIGMAS standard deviations of that
  sum: sd = sqrt(sum of p(1 - p) / SEEDS), the questions' orders being independent.
- True/false questions always read True, False (so "1" is "true"): the banks balance which is
  right instead, and a constant "true" or "false" must score at most TRUTH_SHARE of them.

Every predict (a lesson's `predict:` and a bank's `kind: predict`) runs live: exactly one
choice's explanation starts with "Right.", and it is the choice the live run picks.

Before the quiz shuffled choices, always "1" scored 43 of the 80 questions (all 30 single
ones: the right answer came first) and always "false" all 14 true/false ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from tutor.course.loader import load_course
from tutor.course.models import Choice
from tutor.experiments.outcome import Outcome
from tutor.experiments.prediction import matching
from tutor.experiments.runner import run_many
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer
from tutor.quiz.draw import Item, draw
from tutor.quiz.grading import grade
from tutor.quiz.plain import parse_answer
from tutor.quiz.plan import Plan

COURSE = load_course()
SEEDS = 200
SIGMAS = 4.0
TRUTH_SHARE = 0.6
MOST = max(len(question.choices) for _, question in COURSE.questions)
POSITIONS = [str(n) for n in range(1, MOST + 1)]
POSITIONS += [",".join(POSITIONS[:n]) for n in range(2, MOST + 1)]
"""The constant answers that name positions: each one alone, then the first two, three, ...
("t" and "f" name truth)."""

QUIZZES = [
    [item for item in draw(COURSE, Plan(), {}, 0.0, seed) if item.question.kind != "truefalse"]
    for seed in range(SEEDS)
]
"""The whole bank's shuffled questions, as SEEDS quizzes show them."""
TRUTHS = [item for item in draw(COURSE, Plan(), {}, 0.0, 0) if item.question.kind == "truefalse"]

PREDICTS: dict[str, tuple[ExperimentSpec, Sequence[Choice]]] = {
    **{
        f"{lesson.id}/{step.id}": (
            next(e for e in step.experiments if e.id == step.predict.experiment),
            step.predict.choices,
        )
        for lesson in COURSE.lessons
        for step in lesson.steps
        if step.predict is not None
    },
    **{
        f"{bank.id}/{question.id}": (question.experiment, question.choices)
        for bank, question in COURSE.questions
        if question.kind == "predict" and question.experiment is not None
    },
}


@pytest.fixture(scope="module")
def outcomes(lab: LabServer) -> dict[str, Outcome]:
    """Every predict's experiment, run once on the real lab, by name."""
    specs = [spec for spec, _ in PREDICTS.values()]
    return dict(zip(PREDICTS, run_many(specs, lab.url, lab.journal, tls=lab.tls), strict=True))


@dataclass(frozen=True)
class Played:
    """One constant answer over SEEDS quizzes of the whole bank."""

    answer: str
    mean: float
    """The mean score on the shuffled questions (single, multiple, predict)."""
    chance: float
    """What guessing scores there, on average."""
    sd: float
    """The standard deviation of `mean` if every answer were a guess."""
    truth: int
    """The score on the true/false questions (the same in every quiz)."""


def _chance(item: Item, answer: str, right: Sequence[Choice]) -> float:
    """The chance that `answer` is right on `item` when its choices are shown shuffled."""
    try:
        named = parse_answer(answer, item)  # which positions does not matter, only how many
    except ValueError:
        return 0.0
    k = len(item.choices)
    if item.question.kind != "multiple":
        return len(right) / k
    return 1 / math.comb(k, len(right)) if len(named) == len(right) else 0.0


def _score(item: Item, answer: str, outcome: Outcome | None) -> bool:
    try:
        chosen = parse_answer(answer, item)
    except ValueError:
        return False
    return grade(item, chosen, outcome).correct


def _play(answer: str, outcomes: dict[str, Outcome]) -> Played:
    def outcome(item: Item) -> Outcome | None:
        return outcomes.get(f"{item.bank.id}/{item.key}")

    chances = []
    for item in QUIZZES[0]:
        judged = grade(item, [item.choices[0].id], outcome(item))  # for what is right
        chances.append(0.0 if judged.void else _chance(item, answer, judged.right))
    scores = [sum(_score(item, answer, outcome(item)) for item in quiz) for quiz in QUIZZES]
    truth = sum(_score(item, answer, None) for item in TRUTHS)
    return Played(
        answer,
        mean=sum(scores) / SEEDS,
        chance=sum(chances),
        sd=math.sqrt(sum(p * (1 - p) for p in chances) / SEEDS),
        truth=truth,
    )


@pytest.fixture(scope="module")
def played(outcomes: dict[str, Outcome]) -> dict[str, Played]:
    """Every constant answer played; the table is printed (pytest -s) for the record."""
    results = {answer: _play(answer, outcomes) for answer in [*POSITIONS, "t", "f"]}
    print(f"\n{len(QUIZZES[0])} shuffled questions, {len(TRUTHS)} true/false")
    for result in results.values():
        print(
            f"always {result.answer:12}  mean {result.mean:6.2f}  chance {result.chance:6.2f}"
            f"  (sd {result.sd:.2f})  true/false {result.truth}/{len(TRUTHS)}"
        )
    return results


@pytest.mark.parametrize("answer", POSITIONS)
def test_a_constant_position_scores_what_guessing_would(
    answer: str, played: dict[str, Played]
) -> None:
    result = played[answer]
    assert abs(result.mean - result.chance) <= SIGMAS * result.sd + 1e-9, (
        f"always {answer!r} scores {result.mean:.2f} on average; guessing scores"
        f" {result.chance:.2f} (sd {result.sd:.2f})"
    )


@pytest.mark.parametrize("answer", ["t", "f"])
def test_a_constant_truth_scores_at_most_sixty_percent(
    answer: str, played: dict[str, Played]
) -> None:
    result = played[answer]
    assert result.truth <= TRUTH_SHARE * len(TRUTHS), (
        f"always {answer!r} answers {result.truth} of the {len(TRUTHS)} true/false questions right"
    )


def test_the_course_has_every_kind_of_question_and_predicts() -> None:
    kinds = {question.kind for _, question in COURSE.questions}
    assert kinds == {"single", "multiple", "truefalse", "predict"} and PREDICTS


@pytest.mark.parametrize("name", PREDICTS)
def test_the_right_explanation_is_the_choice_the_live_run_picks(
    name: str, outcomes: dict[str, Outcome]
) -> None:
    _, choices = PREDICTS[name]
    outcome = outcomes[name]
    assert outcome.client_version is not None, f"{outcome.client} is not installed"
    said = [choice.id for choice in choices if choice.explanation.strip().startswith("Right.")]
    ran = [choice.id for choice in matching(choices, outcome)]
    assert len(said) == 1, f'{name}: {len(said)} explanations start with "Right.": {said}'
    assert said == ran, f"{name}: the live run picks {ran} ({outcome.verdict.text})"
