"""The lab's edge cases (format 1): odd redirects any client can be sent into, each one cited.

A file of `kind: edges` lists edge cases: what each is (`title`), the rule it shows (`shows`,
resting on the file's citations) and the experiment that shows it, with the fields of a lesson's
experiment. The lab's evidence tells each client's story; an `expect` is a claim that holds for
every client.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from tutor.course.base import (
    Format,
    Id,
    Line,
    Prose,
    citation_issues,
    cross_check,
    duplicates,
)
from tutor.course.limits import CITATIONS, CITES, EDGES
from tutor.course.models import Citation, Experiment
from tutor.validated import Rule, Strict, model

__all__ = ["Edge", "EdgeCases"]


@model
class Edge(Experiment):
    """One edge case: a lesson experiment with a title, what it shows and its sources.

    `label` (what the run is called on the experiment screen) defaults to the title; `client` is
    the one the learner starts with, and any other may be picked.
    """

    title: Line
    shows: Prose
    """What a learner should see, and the rule it illustrates."""
    cite: Annotated[list[Id], Rule(min_length=1, max_length=CITES)]
    """Ids of the file's citations that `shows` rests on."""

    @classmethod
    def _prepare(cls, data: Any) -> Any:
        """`label` is the title unless given."""
        if isinstance(data, dict) and "label" not in data and isinstance(data.get("title"), str):
            return {**data, "label": data["title"]}
        return data


@model
class EdgeCases(Strict):
    """A file of edge cases, and the sources they rest on."""

    format: Format
    kind: Literal["edges"]
    id: Id
    title: Line
    edges: Annotated[list[Edge], Rule(min_length=1, max_length=EDGES)]
    citations: Annotated[list[Citation], Rule(min_length=1, max_length=CITATIONS)]

    def __post_init__(self) -> None:
        """Ids are unique, and every cited id is among the file's citations."""
        cited = [(("edges", i, "cite"), edge.cite) for i, edge in enumerate(self.edges)]
        issues = citation_issues([c.id for c in self.citations], cited, "file")
        issues += duplicates("edge case", [(("edges", i), e.id) for i, e in enumerate(self.edges)])
        cross_check(issues)
