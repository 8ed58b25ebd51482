"""The lesson format (version 1): lessons are data, validated here before a learner sees them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tutor.experiments.expectation import Expectation
from tutor.experiments.spec import ExperimentSpec

__all__ = ["FORMAT", "Citation", "Experiment", "Lesson", "Step"]

FORMAT = 1

_ID = r"^[a-z0-9][a-z0-9.-]*$"


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


class Step(_Strict):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    """Markdown."""
    experiments: list[Experiment] = Field(default_factory=list)
    cite: list[str] = Field(default_factory=list)
    """Ids of the lesson's citations this step rests on."""


class Lesson(_Strict):
    format: Literal[1]
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    minutes: int = Field(default=10, ge=1, le=60)
    steps: list[Step] = Field(min_length=1)
    citations: list[Citation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> Lesson:
        known = {c.id for c in self.citations}
        for step in self.steps:
            missing = [c for c in step.cite if c not in known]
            if missing:
                raise ValueError(
                    f"step {step.id!r} cites {', '.join(missing)}, not among the lesson's citations"
                )
        return self

    @property
    def experiments(self) -> list[Experiment]:
        return [experiment for step in self.steps for experiment in step.experiments]
