"""Content models as plain dataclasses: validated as pydantic models were, read without it."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys

import pytest
from pydantic import ValidationError

from tutor.course.models import Choice
from tutor.experiments.expectation import Expectation
from tutor.experiments.spec import ExperimentSpec
from tutor.validated import dump, names, required, validate


def test_a_model_made_by_hand_is_validated_and_normalised() -> None:
    with pytest.raises(ValidationError) as raised:
        ExperimentSpec(code=307, to="no-slash", method=1)  # type: ignore[arg-type]
    assert {error["loc"] for error in raised.value.errors()} == {("to",), ("method",)}
    spec = ExperimentSpec(code=307, method="post", cache="no-store")
    assert (spec.method, spec.cache) == ("POST", None)  # as the field validators made them


def test_strict_values_and_unknown_keys_are_refused_from_a_mapping() -> None:
    with pytest.raises(ValidationError) as raised:
        validate(ExperimentSpec, {"code": "307", "loop": 1, "lop": True})
    kinds = {error["loc"]: error["type"] for error in raised.value.errors()}
    assert kinds == {
        ("code",): "int_type",
        ("loop",): "bool_type",
        ("lop",): "unexpected_keyword_argument",
    }


def test_a_model_is_frozen_and_dumps_to_what_validates_it_again() -> None:
    choice = validate(
        Choice,
        {"id": "a", "text": "GET", "expect": {"headers": {"Origin": "null"}}, "explanation": "x"},
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        choice.id = "b"  # type: ignore[misc]
    assert validate(Choice, dump(choice)) == choice
    assert choice.expect == Expectation(headers=(("Origin", "null"),))
    assert names(Choice)[:3] == ["id", "text", "correct"]
    assert required(Choice) == ["id", "text", "explanation"]


def test_a_course_read_back_needs_no_pydantic() -> None:
    """What a kept course is made of: unpickled in a process that never imports pydantic."""
    spec = ExperimentSpec(code=308, body="a=1", headers={"X-Trace": "1"})
    script = (
        "import pickle, sys; spec = pickle.loads(sys.stdin.buffer.read()); "
        "print(spec.code, spec.headers, 'pydantic' in sys.modules)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], input=pickle.dumps(spec), capture_output=True, check=True
    )
    assert ran.stdout.decode().split() == ["308", "{'X-Trace':", "'1'}", "False"]
