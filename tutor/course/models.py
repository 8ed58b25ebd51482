"""The lesson format (version 1): lessons are data, validated here before a learner sees them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tutor.experiments.expectation import Expectation
from tutor.experiments.spec import METHODS, ExperimentSpec

__all__ = [
    "FORMAT",
    "Citation",
    "CrossCheckError",
    "Experiment",
    "Issue",
    "Lesson",
    "Loc",
    "Step",
    "loc_text",
]

FORMAT = 1

_ID = r"^[a-z0-9][a-z0-9.-]*$"

Loc = tuple[str | int, ...]
"""A place in a lesson as keys and list indexes, like pydantic's error `loc`."""
Issue = tuple[Loc, str]
"""Where a problem is, relative to the model that found it, and what it is."""


class CrossCheckError(ValueError):
    """Problems that span fields (duplicate ids, dangling references), each with its own place.

    The loader adds each issue's location to the model's, so it can point at the exact line.
    """

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(message for _, message in self.issues))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    """A source a lesson rests on, e.g. RFC 9110 §15.4.8, with a link a learner can open."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://")
    quote: str | None = None


class Experiment(ExperimentSpec):
    """A live experiment a step offers, and what the lesson claims it shows."""

    id: str = Field(pattern=_ID)
    label: str = Field(min_length=1)
    expect: Expectation | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Experiment:
        issues: list[Issue] = []
        if self.body and self.method in ("GET", "HEAD"):
            issues.append((("body",), f"a {self.method} carries no body: remove 'body'"))
        expect = self.expect
        if expect is not None and expect.method and expect.method.upper() not in METHODS:
            issues.append(
                (
                    ("expect", "method"),
                    f"unknown method {expect.method!r}: use one of {', '.join(METHODS)}",
                )
            )
        if expect is not None and not expect.arrives and (expect.method or expect.body):
            issues.append(
                (
                    ("expect", "arrives"),
                    "'arrives: false' cannot also say what method or body arrives",
                )
            )
        if issues:
            raise CrossCheckError(issues)
        return self


class Step(_Strict):
    """One idea: a short Markdown text, the sources it rests on, and experiments to try."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    """Markdown."""
    experiments: list[Experiment] = Field(default_factory=list)
    cite: list[str] = Field(default_factory=list)
    """Ids of the lesson's citations this step rests on."""


class Lesson(_Strict):
    """A lesson: steps in order, and the citations they rest on."""

    format: Literal[1]
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    minutes: int = Field(default=10, ge=1, le=60)
    steps: list[Step] = Field(min_length=1)
    citations: list[Citation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids_unique_and_references_resolve(self) -> Lesson:
        issues = _duplicates(
            "citation", [(("citations", i), c.id) for i, c in enumerate(self.citations)]
        )
        issues += _duplicates("step", [(("steps", i), s.id) for i, s in enumerate(self.steps)])
        experiments = [
            (("steps", i, "experiments", j), experiment.id)
            for i, step in enumerate(self.steps)
            for j, experiment in enumerate(step.experiments)
        ]
        issues += _duplicates("experiment", experiments)
        known = {c.id for c in self.citations}
        for i, step in enumerate(self.steps):
            for k, cited in enumerate(step.cite):
                if cited not in known:
                    issues.append(
                        (("steps", i, "cite", k), f"{cited!r} is not among the lesson's citations")
                    )
        if issues:
            raise CrossCheckError(issues)
        return self

    @property
    def experiments(self) -> list[Experiment]:
        return [experiment for step in self.steps for experiment in step.experiments]


def _duplicates(kind: str, items: list[tuple[Loc, str]]) -> list[Issue]:
    """An issue at each id that repeats an earlier one, naming where the first one is."""
    first: dict[str, Loc] = {}
    issues: list[Issue] = []
    for place, id_ in items:
        if id_ in first:
            message = f"duplicate {kind} id {id_!r} ({loc_text(first[id_])} already uses it)"
            issues.append(((*place, "id"), message))
        else:
            first[id_] = place
    return issues


def loc_text(loc: Loc) -> str:
    """A location as a lesson author reads it, e.g. steps[2].experiments[0].code."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text
