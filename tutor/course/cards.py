"""The reference-card format (version 1): everything worth knowing about one status code, cited."""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Literal, get_args

from tutor.course.base import (
    Format,
    Id,
    Line,
    Loc,
    Prose,
    Text,
    citation_issues,
    cross_check,
    duplicates,
)
from tutor.course.limits import CITATIONS, CITES, EXPERIMENTS, LIST_ITEMS
from tutor.course.models import Citation, Experiment
from tutor.experiments.spec import RedirectCode
from tutor.validated import Rule, Strict, model

__all__ = [
    "FOLLOWED",
    "FRAMEWORKS",
    "LANGUAGE_PATTERN",
    "Card",
    "Confusion",
    "Framework",
    "Quote",
    "Section",
    "Snippet",
]

LANGUAGE_PATTERN = r"^[a-z0-9+#-]+$"
"""A snippet's language, as highlighters name them."""

Framework = Literal[
    "express", "node-http", "flask", "fastapi", "django", "go", "nginx", "python-http"
]
"""The servers a snippet may show."""
FRAMEWORKS = tuple(name for name in get_args(Framework) if name != "python-http")
"""Server snippets every card of a `FOLLOWED` code shows; `python-http` (the standard
library's http.server) is welcome too."""
FOLLOWED = (301, 302, 303, 307, 308)
"""The redirects that clients follow: their cards show how to send one, in every framework."""


@model
class Quote(Strict):
    """The specification's own words, quoted exactly, and the citation they come from."""

    text: Prose
    cite: Id


@model
class Section(Strict):
    """A short Markdown text and the citations it rests on."""

    text: Text
    cite: Annotated[list[Id], Rule(min_length=1, max_length=CITES)]


@model
class Confusion(Strict):
    """Another status code people mix this one up with, and the difference."""

    code: RedirectCode
    difference: Prose


@model
class Answer(Strict):
    question: Prose
    answer: Prose
    cite: Annotated[list[Id], Rule(max_length=CITES)] = field(default_factory=list)


@model
class Snippet(Strict):
    """Server code that really redirects with this code (a Location included).

    `node-http` and `python-http` snippets are complete programs, run by the tests: they listen
    on the port in the PORT environment variable and redirect a path they name (e.g. /old) to a
    Location on themselves, whose target answers 200.
    """

    framework: Framework
    language: Annotated[str, Rule(pattern=LANGUAGE_PATTERN, max_length=20)]
    """For highlighting: javascript, python, go, nginx."""
    code: Text
    note: Prose | None = None


@model
class Card(Strict):
    format: Format
    kind: Literal["card"]
    id: Id
    code: RedirectCode
    name: Line
    """The reason phrase, as RFC 9110 names it: "Temporary Redirect"."""
    rfc: Quote
    plain: Section
    """Plain English."""
    misconception: Section
    when_to_use: Section
    caching: Section
    seo: Section
    https: Section | None = None
    """What the code does across http:// and https:// (RFC 6797 §7.2): the upgrade, the
    downgrade, the browser's own redirects."""
    confused_with: Annotated[list[Confusion], Rule(min_length=1, max_length=LIST_ITEMS)]
    faq: Annotated[list[Answer], Rule(min_length=1, max_length=LIST_ITEMS)]
    snippets: Annotated[list[Snippet], Rule(max_length=LIST_ITEMS)] = field(default_factory=list)
    experiments: Annotated[list[Experiment], Rule(max_length=EXPERIMENTS)] = field(
        default_factory=list
    )
    """Live experiments that show what the card claims."""
    citations: Annotated[list[Citation], Rule(min_length=1, max_length=CITATIONS)]

    def __post_init__(self) -> None:
        """Every cited id is among the card's citations; experiments and snippets are distinct, and
        the card is not confused with itself."""
        cited: list[tuple[Loc, list[str]]] = [
            ((name, "cite"), getattr(self, name).cite)
            for name in ("plain", "misconception", "when_to_use", "caching", "seo")
        ]
        if self.https is not None:
            cited.append((("https", "cite"), self.https.cite))
        cited += [(("faq", i, "cite"), answer.cite) for i, answer in enumerate(self.faq)]
        issues = citation_issues([c.id for c in self.citations], cited, "card")
        issues += duplicates(
            "experiment", [(("experiments", i), e.id) for i, e in enumerate(self.experiments)]
        )
        issues += duplicates(
            "snippet framework",
            [(("snippets", i), s.framework) for i, s in enumerate(self.snippets)],
        )
        issues += [
            (("confused_with", i, "code"), f"a {self.code} card is not confused with itself")
            for i, confusion in enumerate(self.confused_with)
            if confusion.code == self.code
        ]
        if self.rfc.cite not in {c.id for c in self.citations}:
            issues.append((("rfc", "cite"), f"{self.rfc.cite!r} is not among the card's citations"))
        if self.code in FOLLOWED:
            missing = sorted(set(FRAMEWORKS) - {s.framework for s in self.snippets})
            if missing:
                issues.append(
                    (
                        ("snippets",),
                        f"a {self.code} card shows every framework; missing {', '.join(missing)}",
                    )
                )
        cross_check(issues)
