"""Content is checked like code: each lint rule for lessons, question banks and cards, on a fixture.

Every fixture under tests/fixtures/content/broken breaks one rule; the valid pack breaks none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.course.lint import lint
from tutor.course.loader import load_course

CONTENT = Path(__file__).parent / "fixtures" / "content"
VALID = CONTENT / "valid"
BROKEN = CONTENT / "broken"
METHODS = "use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"

RULES = {
    "duplicate-question-id": [
        (
            "duplicate-question-id/b-bank.yaml",
            17,
            9,
            "questions[1].id: question id 'keeps-method' is already used by "
            f"{BROKEN / 'duplicate-question-id' / 'a-bank.yaml'}: file skipped",
        )
    ],
    "unknown-lesson": [
        (
            "unknown-lesson/bank.yaml",
            9,
            9,
            "lesson: no lesson in the course has the id 'no-such-lesson': file skipped",
        ),
        (
            "unknown-lesson/bank.yaml",
            20,
            13,
            "questions[1].lesson: no lesson in the course has the id 'nowhere': file skipped",
        ),
    ],
    "single-without-answer.yaml": [
        (
            "single-without-answer.yaml",
            15,
            7,
            "questions[0].choices: a single question has exactly one correct choice, not 0",
        )
    ],
    "question-without-cite.yaml": [
        ("question-without-cite.yaml", 10, 5, "questions[0]: missing required key 'cite'")
    ],
    "step-without-cite.yaml": [
        (
            "step-without-cite.yaml",
            14,
            5,
            "steps[1].cite: every step cites a source: cite: [id, ...]",
        )
    ],
    "lesson-without-citations.yaml": [
        (
            "lesson-without-citations.yaml",
            1,
            1,
            "citations: a lesson lists the sources it rests on (citations)",
        ),
        (
            "lesson-without-citations.yaml",
            8,
            11,
            "steps[0].cite: every step cites a source: cite: [id, ...]",
        ),
    ],
    "prediction-of-another-step.yaml": [
        (
            "prediction-of-another-step.yaml",
            21,
            19,
            "steps[0].predict.experiment: 'post-308' is not one of this step's experiments",
        )
    ],
    "prediction-unknown-method.yaml": [
        (
            "prediction-unknown-method.yaml",
            25,
            55,
            f"steps[0].predict.choices[1].expect.method: unknown method 'FETCH': {METHODS}",
        ),
        (
            "prediction-unknown-method.yaml",
            26,
            52,
            "steps[0].predict.choices[2].expect.arrives: "
            "'arrives: false' cannot also say what method, body or headers arrive",
        ),
    ],
    "predict-same-outcome.yaml": [
        (
            "predict-same-outcome.yaml",
            22,
            17,
            "questions[0].choices[1].expect: the same outcome as choices[0]: only one can be right",
        )
    ],
    "predict-unexplained.yaml": [
        (
            "predict-unexplained.yaml",
            line,
            9,
            f"questions[0].choices[{index}].misconception: a wrong prediction names its "
            "misconception; only the right one may leave it out, and choices[0] already does",
        )
        for index, line in ((1, 17), (2, 18))
    ],
    "bank-unknown-code.yaml": [
        (
            "bank-unknown-code.yaml",
            14,
            24,
            "questions[0].experiment.code: unknown redirect code 399: use one of 300-308",
        ),
        (
            "bank-unknown-code.yaml",
            14,
            50,
            "questions[0].experiment.client: unknown client 'netscape': use one of ",
        ),
        (
            "bank-unknown-code.yaml",
            17,
            49,
            f"questions[0].choices[1].expect.method: unknown method 'FETCH': {METHODS}",
        ),
    ],
    "card-unknown-client.yaml": [
        (
            "card-unknown-client.yaml",
            29,
            13,
            "experiments[0].client: unknown client 'netscape': use one of ",
        )
    ],
    "card-confused-with.yaml": [
        (
            "card-confused-with.yaml",
            23,
            12,
            "confused_with[0].code: unknown redirect code 200: use one of 300-308",
        )
    ],
    "card-confused-with-itself.yaml": [
        (
            "card-confused-with-itself.yaml",
            23,
            12,
            "confused_with[0].code: a 304 card is not confused with itself",
        )
    ],
}


def test_every_broken_fixture_has_its_rule() -> None:
    assert sorted(RULES) == sorted(path.name for path in BROKEN.iterdir())


@pytest.mark.parametrize(("name", "expected"), RULES.items(), ids=list(RULES))
def test_each_rule_is_a_problem_at_its_line_and_column(name: str, expected: list) -> None:
    found = [
        (problem.path.relative_to(BROKEN).as_posix(), problem.line, problem.col, problem.message)
        for problem in lint([BROKEN / name])
    ]
    assert len(found) == len(expected), found
    for (path, line, col, message), (want_path, want_line, want_col, want) in zip(
        found, expected, strict=True
    ):
        assert (path, line, col) == (want_path, want_line, want_col), message
        # A client list grows with the clients the tutor knows: compare up to it.
        assert message.startswith(want) if want.endswith("use one of ") else message == want


def test_the_valid_pack_has_a_lesson_a_bank_and_a_card_and_no_problem() -> None:
    assert lint([VALID]) == []
    course = load_course([VALID], builtin=False)
    assert [lesson.id for lesson in course.lessons] == ["fixture-predict"]
    assert [bank.id for bank in course.banks] == ["fixture-bank"]
    assert [card.code for card in course.cards] == [305]


def test_lint_and_the_tutor_share_the_check_for_every_fixture() -> None:
    for path in [VALID, *sorted(BROKEN.iterdir())]:
        assert lint([path]) == load_course([path]).problems, path


def test_a_bank_that_breaks_a_cross_file_rule_is_not_loaded() -> None:
    for name in ("duplicate-question-id", "unknown-lesson"):
        fixtures = {"bank-a", "bank-b", "lost-bank"}
        course = load_course([BROKEN / name])
        loaded = [bank.id for bank in course.banks if bank.id in fixtures]
        assert loaded == (["bank-a"] if "duplicate" in name else [])


def test_questions_may_name_the_built_in_lessons_but_not_without_them() -> None:
    alone = load_course([BROKEN / "unknown-lesson"], builtin=False).problems
    assert len(alone) == len(lint([BROKEN / "unknown-lesson"])) + 1
    assert "'temporary-redirect-307'" in alone[1].message


def test_a_pack_beside_the_built_in_course_is_checked_as_the_tutor_loads_it() -> None:
    assert lint([VALID, BROKEN / "duplicate-question-id" / "a-bank.yaml"]) == []
