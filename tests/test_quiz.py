"""The quiz core: drawing, the order choices are shown in, grading every kind (predictions live
on the lab), the run, results."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from tutor.course import Course
from tutor.course.loader import load_course, load_paths
from tutor.course.questions import Bank, Question
from tutor.experiments.runner import run
from tutor.lab.server import LabServer
from tutor.progress.leitner import INTERVALS, Slot
from tutor.progress.record import Record, open_record
from tutor.quiz.draw import Item, draw
from tutor.quiz.feedback import feedback, hop_trace, plain_text, review
from tutor.quiz.grading import grade
from tutor.quiz.order import shown
from tutor.quiz.plain import parse_answer
from tutor.quiz.plan import Plan
from tutor.quiz.result import write_result
from tutor.quiz.session import Quiz, Runner, TimeUp
from tutor.validated import validate

QUIZ_FIXTURES = Path(__file__).parent / "fixtures" / "quiz"


@pytest.fixture(scope="module")
def course() -> Course:
    loaded = load_paths([QUIZ_FIXTURES])
    assert not loaded.problems
    return loaded


@pytest.fixture
def record(tmp_path: Path) -> Record:
    return open_record(tmp_path / "progress.db")


def item(course: Course, question_id: str) -> Item:
    """The question with its choices shown in the bank's order."""
    return next(Item(b, q, tuple(q.choices)) for b, q in course.questions if q.id == question_id)


def runner(lab: LabServer) -> Runner:
    return lambda spec: run(spec, lab.url, lab.journal)


def test_single_and_truefalse_take_the_one_correct_choice(course: Course) -> None:
    single = item(course, "single-307")
    assert grade(single, ["stays-post"]).correct
    wrong = grade(single, ["becomes-get"])
    assert not wrong.correct and [c.id for c in wrong.right] == ["stays-post"]
    assert grade(item(course, "truefalse-303"), ["true"]).correct
    assert not grade(item(course, "truefalse-303"), ["false"]).correct


def test_multiple_is_right_only_for_the_exact_set(course: Course) -> None:
    multiple = item(course, "multiple-keep")
    assert grade(multiple, ["c307", "c308"]).correct
    assert grade(multiple, ["c308", "c307"]).correct
    subset = grade(multiple, ["c307"])
    assert not subset.correct and [c.id for c in subset.missed] == ["c308"]
    assert not grade(multiple, ["c307", "c303", "c308"]).correct


def test_an_answer_of_the_wrong_shape_is_refused(course: Course) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        grade(item(course, "single-307"), ["stays-post", "becomes-get"])
    with pytest.raises(ValueError, match="no choice"):
        grade(item(course, "single-307"), ["maybe"])
    with pytest.raises(ValueError, match="one or more"):
        grade(item(course, "multiple-keep"), [])


def test_feedback_gives_the_explanation_misconception_and_source(course: Course) -> None:
    lines = feedback(grade(item(course, "single-307"), ["becomes-get"]))
    assert lines[0] == "✗ Wrong. The answer: “It stays POST”"
    assert "You chose “It becomes GET”: That is what 303 asks for" in lines[1]
    assert "The misconception: Every redirect turns a POST into a GET." in lines[2]
    assert lines[-1].startswith("Source: RFC 9110 §15.4.8 307 Temporary Redirect — https://")


@pytest.mark.parametrize(
    ("question_id", "right", "arrived"),
    [("predict-307", "post-intact", "POST"), ("predict-303", "get-nobody", "GET")],
)
def test_a_prediction_is_graded_by_what_arrived_at_the_lab(
    course: Course, lab: LabServer, question_id: str, right: str, arrived: str
) -> None:
    predict = item(course, question_id)
    assert predict.question.experiment is not None
    outcome = run(predict.question.experiment, lab.url, lab.journal)
    assert outcome.arrived is not None and outcome.arrived.method == arrived
    assert grade(predict, [right], outcome).correct
    wrong = next(c.id for c in predict.question.choices if c.id != right)
    graded = grade(predict, [wrong], outcome)
    assert not graded.correct and [c.id for c in graded.right] == [right]
    trace = feedback(graded)
    assert "What arrived, as the lab's journal saw it:" in trace
    assert any(line.strip().startswith(f"2. {arrived} /echo") for line in trace)


def test_a_prediction_no_choice_fits_is_void_not_wrong(course: Course, lab: LabServer) -> None:
    bank = course.banks[0]
    question = validate(
        Question,
        {
            "id": "nothing-fits",
            "kind": "predict",
            "prompt": "A 307?",
            "cite": ["rfc9110-15.4.8"],
            "experiment": {"code": 307, "method": "POST", "body": "a=1", "client": "httpx"},
            "choices": [
                {
                    "id": "get",
                    "text": "GET",
                    "expect": {"method": "GET"},
                    "explanation": "x",
                    "misconception": "m",
                },
                {"id": "none", "text": "No", "expect": {"arrives": False}, "explanation": "y"},
            ],
        },
    )
    assert question.experiment is not None
    outcome = run(question.experiment, lab.url, lab.journal)
    graded = grade(Item(bank, question, tuple(question.choices)), ["get"], outcome)
    assert not graded.correct and graded.void and "none of the choices" in graded.void


def test_the_run_keeps_score_streak_and_moves_boxes(course: Course, record: Record) -> None:
    items = [item(course, q) for q in ("single-307", "truefalse-303", "multiple-keep")]
    now = [1000.0]
    quiz = Quiz(items, record, session="test", clock=lambda: now[0])

    assert quiz.answer(["stays-post"]).correct
    assert not quiz.answer(["false"]).correct
    assert quiz.answer(["c307", "c308"]).correct

    assert (quiz.score, quiz.streak, quiz.best_streak, quiz.finished) == (2, 1, 1, True)
    assert [g.item.question.id for g in quiz.missed] == ["truefalse-303"]
    slots = record.slots()
    assert slots["single-307"] == Slot(2, 1000.0 + INTERVALS[2])
    assert slots["truefalse-303"] == Slot(1, 1000.0)
    assert "1. A 303 asks the client to fetch the new location with GET." in review(quiz)
    assert [a.correct for a in record.answers()] == [True, False, True]


def test_a_missed_question_is_due_now_and_a_known_one_is_not(
    course: Course, record: Record
) -> None:
    items = [item(course, "single-307"), item(course, "truefalse-303")]
    quiz = Quiz(items, record, session="test", clock=lambda: 1000.0)
    quiz.answer(["stays-post"])
    quiz.answer(["false"])
    due = draw(course, Plan(due=True), record.slots(), 1000.0, seed=1)
    assert [i.question.id for i in due] == ["truefalse-303"]
    tomorrow = 1000.0 + INTERVALS[2]
    later = draw(course, Plan(due=True), record.slots(), tomorrow, seed=1)
    assert [i.question.id for i in later] == ["truefalse-303", "single-307"]


def test_an_answer_after_the_time_limit_does_not_count(course: Course, record: Record) -> None:
    now = [0.0]
    items = [item(course, "single-307"), item(course, "truefalse-303")]
    quiz = Quiz(items, record, session="test", time_limit=60, clock=lambda: now[0])
    quiz.answer(["stays-post"])
    now[0] = 61.0
    with pytest.raises(TimeUp):
        quiz.answer(["true"])
    assert quiz.finished and quiz.timed_out and len(record.answers()) == 1


def test_questions_are_drawn_by_lesson_and_tag(course: Course) -> None:
    ids = [i.question.id for i in draw(course, Plan(lesson="quiz-lesson"), {}, 0.0, seed=1)]
    assert ids == ["single-307", "multiple-keep", "truefalse-303", "predict-307", "predict-303"]
    assert [i.question.id for i in draw(course, Plan(tag="303"), {}, 0.0, seed=1)] == [
        "truefalse-303",
        "predict-303",
    ]
    assert draw(course, Plan(lesson="elsewhere"), {}, 0.0, seed=1) == []


def test_one_seed_gives_one_exam(course: Course) -> None:
    """The same questions, in the same order, each with its choices in the same order."""

    def exam(seed: int, of: Course = course) -> list[tuple[str, list[str]]]:
        items = draw(of, Plan(seed=seed, count=4), {}, 0.0, seed)
        return [(i.key, [c.id for c in i.choices]) for i in items]

    assert exam(7) == exam(7) and len(exam(7)) == 4
    assert len({tuple(k for k, _ in exam(seed)) for seed in range(10)}) > 1
    assert len({tuple(map(tuple, (c for _, c in exam(seed)))) for seed in range(10)}) > 1
    reordered = Course(banks=list(reversed(course.banks)), lessons=course.lessons)
    assert exam(7, reordered) == exam(7)


def test_the_result_file_is_json_or_csv(course: Course, record: Record, tmp_path: Path) -> None:
    plan = Plan(seed=3, name="Ada", time_limit=600)
    items = draw(course, Plan(seed=3, count=3, tag="method"), {}, 0.0, seed=3)
    quiz = Quiz(items, record, session=plan.session(0.0), seed=3)
    for asked in items:  # the single one right, the multiple one half right
        right = [c.id for c in asked.question.choices if c.correct]
        quiz.answer(right[:1])

    write_result(tmp_path / "ada.json", quiz, plan)
    write_result(tmp_path / "ada.csv", quiz, plan)

    data = json.loads((tmp_path / "ada.json").read_text())
    assert (data["name"], data["seed"], data["questions"], data["graded"]) == ("Ada", 3, 2, 2)
    assert data["score"] == 1 and data["time_limit"] == 600 and data["choice_seed"] == 3
    assert [a["shown"] for a in data["answers"]] == [[c.id for c in i.choices] for i in items]
    rows = list(csv.DictReader((tmp_path / "ada.csv").open()))
    assert [r["question"] for r in rows] == [a["question"] for a in data["answers"]]
    assert {r["name"] for r in rows} == {"Ada"} and rows[0]["seed"] == "3"
    assert rows[0]["shown"] == ";".join(data["answers"][0]["shown"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2", ["stays-post"]), (" 1 ", ["becomes-get"])],
)
def test_typed_answers_name_choices_by_number(course: Course, text: str, expected: list[str]):
    assert parse_answer(text, item(course, "single-307")) == expected


def test_typed_answers_for_multiple_and_truefalse(course: Course) -> None:
    assert parse_answer("1,3", item(course, "multiple-keep")) == ["c307", "c308"]
    assert parse_answer("1 3", item(course, "multiple-keep")) == ["c307", "c308"]
    assert parse_answer("F", item(course, "truefalse-303")) == ["false"]
    for bad in ("", "0", "4", "two", "1,2"):
        with pytest.raises(ValueError):
            parse_answer(bad, item(course, "single-307"))


def test_a_typed_number_is_the_choice_shown_under_it(course: Course) -> None:
    asked = item(course, "multiple-keep")
    flipped = Item(asked.bank, asked.question, tuple(reversed(asked.choices)))
    assert parse_answer("1", flipped) == ["c308"]
    assert parse_answer("2,3", flipped) == ["c303", "c307"]


def test_choices_are_shuffled_per_question_by_the_seed(course: Course) -> None:
    """Every choice of a single, multiple or predict question comes first for some seed; one
    seed always gives one order; a true/false question always reads True, False."""
    for _, question in course.questions:
        ids = sorted(c.id for c in question.choices)
        orders = {tuple(c.id for c in shown(question, seed)) for seed in range(40)}
        assert all(sorted(order) == ids for order in orders)
        if question.kind == "truefalse":
            assert orders == {("true", "false")}
        else:
            assert {order[0] for order in orders} == set(ids)
    truefalse = item(course, "truefalse-303").question
    falsefirst = replace(truefalse, **{"choices": truefalse.choices[::-1]})
    assert [c.id for c in shown(falsefirst, 1)] == ["true", "false"]


def test_a_question_shows_one_order_whatever_else_is_drawn(course: Course) -> None:
    """The order hangs on the seed and the question alone, not on the plan or the draw."""
    by_lesson = draw(course, Plan(lesson="quiz-lesson"), {}, 0.0, seed=11)
    by_tag = draw(course, Plan(tag="303"), {}, 0.0, seed=11)
    as_exam = draw(course, Plan(seed=11, count=2, tag="303"), {}, 0.0, seed=11)
    orders = {i.key: i.choices for i in by_lesson}
    assert all(orders[i.key] == i.choices for i in [*by_tag, *as_exam])
    assert all(i.choices == shown(i.question, 11) for i in by_lesson)


def test_prompts_are_read_without_markdown_marks() -> None:
    assert plain_text("httpx sends `PUT` to a **307**\n") == "httpx sends PUT to a 307"


def _question(lesson: str, kind: str, number: int) -> dict[str, object]:
    """A question of `kind` for `lesson`'s bank (ids unique across the course)."""
    wrong = {"explanation": "No.", "misconception": "m"}
    choices: list[dict[str, object]] = [
        {"id": "a", "text": "A", "correct": True, "explanation": "Yes."},
        {"id": "b", "text": "B", **wrong},
    ]
    extra: dict[str, object] = {}
    if kind == "truefalse":
        choices = [{**choices[0], "id": "true"}, {**choices[1], "id": "false"}]
    if kind == "predict":
        choices = [
            {"id": "post", "text": "POST", "expect": {"method": "POST"}, "explanation": "Yes."},
            {"id": "get", "text": "GET", "expect": {"method": "GET"}, **wrong},
        ]
        extra = {"experiment": {"code": 307, "method": "POST", "body": "a=1", "client": "httpx"}}
    return {
        "id": f"{lesson}-{kind}-{number}",
        "kind": kind,
        "prompt": "?",
        "cite": ["c"],
        "choices": choices,
        **extra,
    }


KINDS = ("single", "multiple", "truefalse", "predict")


def _bank(lesson: str) -> Bank:
    """Two questions of every kind for `lesson`, in kind order: the first ones are all single."""
    return validate(
        Bank,
        {
            "format": 1,
            "kind": "quiz",
            "id": f"bank-{lesson}",
            "title": lesson,
            "lesson": lesson,
            "citations": [{"id": "c", "title": "RFC 9110", "url": "https://www.rfc-editor.org/"}],
            "questions": [_question(lesson, kind, n) for kind in KINDS for n in (1, 2)],
        },
    )


def test_an_exam_is_spread_across_lessons_and_kinds() -> None:
    """Three lessons of eight questions: twelve drawn are four of each lesson and three of each
    kind, whatever the seed (the first twelve would be lesson one's eight and four single)."""
    spread = Course(banks=[_bank(lesson) for lesson in ("one", "two", "three")])
    orders = set()
    for seed in range(50):
        items = draw(spread, Plan(seed=seed, count=12), {}, 0.0, seed)
        assert set(Counter(i.lesson for i in items).values()) == {4}
        assert set(Counter(i.question.kind for i in items).values()) == {3}
        orders.add(tuple(i.key for i in items))
    assert len(orders) == 50


def test_an_exam_of_the_course_spreads_across_its_lessons() -> None:
    """The built-in course: an exam of two questions a lesson asks two of every lesson."""
    builtin = load_course()
    lessons = {bank.lesson_of(question) for bank, question in builtin.questions}
    for seed in range(20):
        items = draw(builtin, Plan(seed=seed, count=2 * len(lessons)), {}, 0.0, seed)
        assert Counter(i.lesson for i in items) == dict.fromkeys(lessons, 2)


def test_the_authors_right_marker_is_never_shown_to_a_learner() -> None:
    """The author's "Right." marks the choice they expect the live run to pick; the grade says
    right or wrong on screen."""
    from tutor.course.models import Choice

    marked = Choice(id="kept", text="It stays POST", explanation="Right. 307 keeps it.")
    plain = Choice(id="get", text="It becomes GET", explanation="That is 303.")
    assert (marked.why, plain.why) == ("307 keeps it.", "That is 303.")


def test_a_predictions_trace_prints_nothing_a_terminal_would_act_on() -> None:
    """The plain quiz prints the hops of a live run: what a client or the network said is
    escaped, as on the serve console."""
    from tutor.experiments.outcome import Outcome
    from tutor.experiments.spec import ExperimentSpec
    from tutor.lab.evidence import Evidence
    from tutor.lab.journal import Hop

    def hop(seq: int, path: str, status: int, location: str | None) -> Hop:
        return Hop(
            seq=seq, chain="c1", at=0.0, peer="127.0.0.1:1", method="POST", path=path,
            query="chain=c1", headers=(), body=b"", body_size=0, body_digest="-",
            status=status, location=location,
        )  # fmt: skip

    hops = [
        hop(1, "/redirect/307", 307, "/echo/\x1b[2J?chain=c1"),
        hop(2, "/echo/\x1b[2J", 200, None),
    ]
    evidence = Evidence.of_chain(hops, error="curl said\x1b]2;owned\x07\nforged line")
    trace = "\n".join(hop_trace(Outcome(ExperimentSpec(code=307), "7.88", evidence)))
    assert "\x1b" not in trace and "\x07" not in trace
    assert "/echo/\\x1b[2J" in trace
    assert "said: curl said\\x1b]2;owned\\x07\\nforged line" in trace
