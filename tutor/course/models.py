"""The lesson format (version 1): lessons are data, validated here before a learner sees them.

Question banks (tutor.course.questions) and reference cards (tutor.course.cards) share the
pieces defined here: strict models, citations, experiments and cross-field checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from tutor.experiments.expectation import Expectation
from tutor.experiments.spec import METHODS, ClientName, ExperimentSpec, RedirectCode

__all__ = [
    "ID_PATTERN",
    "Answer",
    "BringYourOwn",
    "Choice",
    "Citation",
    "Configure",
    "CrossCheckError",
    "Exercise",
    "Experiment",
    "Issue",
    "Lesson",
    "Loc",
    "Prediction",
    "Step",
    "Strict",
    "cross_check",
    "duplicates",
    "expectation_issues",
    "loc_text",
    "same_outcomes",
    "unresolved",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"

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


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not pass silently) and content is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(Strict):
    """A source a lesson rests on, e.g. RFC 9110 §15.4.8, with a link a learner can open."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://")
    quote: str | None = None


class Experiment(ExperimentSpec):
    """A live experiment a step offers, and what the lesson claims it shows."""

    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1)
    expect: Expectation | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Experiment:
        issues: list[Issue] = []
        if self.body and self.method in ("GET", "HEAD"):
            issues.append((("body",), f"a {self.method} carries no body: remove 'body'"))
        cross_check(issues + expectation_issues(self.expect))
        return self


class Choice(Strict):
    """One answer a learner can pick, with why it is right or wrong."""

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1)
    correct: bool = False
    """For fixed questions; a prediction's choices leave it out (the live run decides)."""
    expect: Expectation | None = None
    """For predictions: the outcome this choice stands for."""
    explanation: str = Field(min_length=1)
    misconception: str | None = None
    """The mistaken belief a wrong choice stands for, e.g. "307 is an error code"."""

    @model_validator(mode="after")
    def _coherent(self) -> Choice:
        cross_check(expectation_issues(self.expect))
        return self


class Prediction(Strict):
    """Predict, then run: the learner picks an outcome before the step's experiment runs.

    Each choice carries the outcome it stands for (`expect`); the live result decides which
    choice was right, so the lesson never hard-codes an answer a client could change.
    """

    experiment: str = Field(pattern=ID_PATTERN)
    """The id of the step's experiment that grades the prediction."""
    prompt: str = Field(min_length=1)
    choices: list[Choice] = Field(min_length=2)
    hints: list[str] = Field(default_factory=list)
    """Shown one at a time, on request, before the learner commits."""

    @model_validator(mode="after")
    def _choices_predict_outcomes(self) -> Prediction:
        issues = duplicates("choice", [(("choices", i), c.id) for i, c in enumerate(self.choices)])
        issues += [
            (("choices", i, "expect"), "a prediction's choice says what it expects to arrive")
            for i, choice in enumerate(self.choices)
            if choice.expect is None
        ]
        cross_check(issues + same_outcomes(self.choices))
        return self


# Exercises: a step's task that the learner does, checked live by the lab's journal.
# `bring-your-own`: the learner sends a request with any client they have to a URL under
# their own /s/NAME prefix; `configure`: the learner picks what the lab answers and the tutor
# runs the named client against it.

Location = Literal["path", "relative", "absolute", "none"]
Cache = Literal["no-store", "none", "max-age=3600"]
"""What a configure exercise may offer for the redirect's Cache-Control: the lab's default
`no-store`, no header at all (heuristic caching), or explicit freshness."""
_PERMANENT = (301, 308)
_TEMPORARY = (302, 303, 307)


def _method(method: str) -> str:
    if method.upper() not in METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    return method.upper()


Method = Annotated[str, AfterValidator(_method)]


class BringYourOwn(Strict):
    """Send a request to the lab with your own client; met when what arrives meets `goal`."""

    kind: Literal["bring-your-own"]
    task: str = Field(min_length=1)
    """What to do, e.g. "Make a POST arrive at the target still a POST after a 302, using curl"."""
    code: RedirectCode
    """The lab answers the first request with this code (at /s/NAME/redirect/CODE)."""
    method: Method = "POST"
    """The method the learner's first request uses."""
    goal: Expectation
    client: str | None = None
    """A hint: the client the task has in mind (any client that meets the goal counts)."""
    hints: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _goal_can_be_seen(self) -> BringYourOwn:
        issues: list[Issue] = [(("goal", *loc), text) for loc, text in _goal_issues(self.goal)]
        if not self.goal.arrives:
            message = (
                "a bring-your-own goal says what arrives: the journal can see a request arrive, "
                "never that a client will not follow later"
            )
            issues.append((("goal", "arrives"), message))
        cross_check(issues)
        return self

    def route(self) -> str:
        """The lab route of the first request, without the learner's prefix."""
        return f"/redirect/{self.code}"


class Answer(Strict):
    """What the lab answers in a configure exercise: a code, a Location form, a cache header."""

    code: RedirectCode
    location: Location = "path"
    cache: Cache = "no-store"


class Configure(Strict):
    """Choose the lab's answer so that `client`'s request meets `goal`, checked by a live run."""

    kind: Literal["configure"]
    task: str = Field(min_length=1)
    """The situation, e.g. "The checkout endpoint moves for a week; keep the POST"."""
    client: ClientName
    method: Method = "POST"
    body: str = ""
    codes: tuple[RedirectCode, ...] = (301, 302, 303, 307, 308)
    locations: tuple[Location, ...] = ("path",)
    caches: tuple[Cache, ...] = ("no-store",)
    move: Literal["temporary", "permanent"] | None = None
    """Whether the move the task describes is temporary or permanent: the code must say so."""
    goal: Expectation
    answer: Answer
    """A right answer: lint checks that it is on offer, the course test that it meets the goal."""
    hints: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _answer_on_offer(self) -> Configure:
        issues: list[Issue] = [(("goal", *loc), text) for loc, text in _goal_issues(self.goal)]
        for field, offered in (
            ("code", self.codes),
            ("location", self.locations),
            ("cache", self.caches),
        ):
            chosen = getattr(self.answer, field)
            if chosen not in offered:
                plural = {"code": "codes", "location": "locations", "cache": "caches"}[field]
                issues.append((("answer", field), f"{chosen!r} is not among the {plural} offered"))
        if problem := self.move_problem(self.answer.code):
            issues.append((("answer", "code"), problem))
        cross_check(issues)
        return self

    def move_problem(self, code: int) -> str | None:
        """Why `code` does not say the move the task describes; None when it does."""
        if self.move == "temporary" and code not in _TEMPORARY:
            return f"{code} says the move is permanent; the task describes a temporary one"
        if self.move == "permanent" and code not in _PERMANENT:
            return f"{code} says the move is temporary; the task describes a permanent one"
        return None


def _goal_issues(goal: Expectation) -> list[Issue]:
    return [(loc[1:], text) for loc, text in expectation_issues(goal)]


Exercise = Annotated[BringYourOwn | Configure, Field(discriminator="kind")]
"""A step's exercise; `kind:` says which."""


class Step(Strict):
    """One idea: a short Markdown text, the sources it rests on, and experiments to try."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    """Markdown."""
    experiments: list[Experiment] = Field(default_factory=list)
    cite: list[str] = Field(default_factory=list)
    """Ids of the lesson's citations this step rests on."""
    predict: Prediction | None = None
    exercise: Exercise | None = None
    """A task the learner does, checked live (see Exercise above)."""

    @model_validator(mode="after")
    def _prediction_names_an_experiment(self) -> Step:
        if self.predict and self.predict.experiment not in {e.id for e in self.experiments}:
            message = f"{self.predict.experiment!r} is not one of this step's experiments"
            cross_check([(("predict", "experiment"), message)])
        return self


class Lesson(Strict):
    """A lesson: steps in order, and the citations they rest on."""

    format: Literal[1]
    kind: Literal["lesson"] = "lesson"
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    minutes: int = Field(default=10, ge=1, le=60)
    steps: list[Step] = Field(min_length=1)
    citations: list[Citation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids_unique_and_references_resolve(self) -> Lesson:
        issues = duplicates(
            "citation", [(("citations", i), c.id) for i, c in enumerate(self.citations)]
        )
        issues += duplicates("step", [(("steps", i), s.id) for i, s in enumerate(self.steps)])
        experiments = [
            (("steps", i, "experiments", j), experiment.id)
            for i, step in enumerate(self.steps)
            for j, experiment in enumerate(step.experiments)
        ]
        issues += duplicates("experiment", experiments)
        if not self.citations:
            issues.append((("citations",), "a lesson lists the sources it rests on (citations)"))
        known = {c.id for c in self.citations}
        for i, step in enumerate(self.steps):
            if not step.cite:
                issues.append((("steps", i, "cite"), "every step cites a source: cite: [id, ...]"))
            issues += unresolved(known, step.cite, ("steps", i, "cite"), "the lesson's citations")
        cross_check(issues)
        return self

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(step.id for step in self.steps)

    @property
    def experiments(self) -> list[Experiment]:
        return [experiment for step in self.steps for experiment in step.experiments]


def cross_check(issues: list[Issue]) -> None:
    """Raise the issues found across fields, if any (a model validator's last line)."""
    if issues:
        raise CrossCheckError(issues)


def expectation_issues(expect: Expectation | None) -> list[Issue]:
    """What is wrong with a claimed outcome: an unknown method, or saying both "nothing arrives"
    and what arrives."""
    issues: list[Issue] = []
    if expect is not None and expect.method and expect.method.upper() not in METHODS:
        message = f"unknown method {expect.method!r}: use one of {', '.join(METHODS)}"
        issues.append((("expect", "method"), message))
    if (
        expect is not None
        and not expect.arrives
        and (expect.method or expect.body or expect.sent or expect.dropped)
    ):
        message = "'arrives: false' cannot also say what method, body or headers arrive"
        issues.append((("expect", "arrives"), message))
    return issues


def same_outcomes(choices: Sequence[Choice]) -> list[Issue]:
    """An issue at each predicted outcome that an earlier choice already claims: the live run
    could never tell the two apart."""
    first: dict[Expectation, int] = {}
    issues: list[Issue] = []
    for i, choice in enumerate(choices):
        if choice.expect is None:
            continue
        expect = choice.expect.model_copy(
            update={"method": choice.expect.method and choice.expect.method.upper()}
        )
        if expect in first:
            message = f"the same outcome as choices[{first[expect]}]: only one can be right"
            issues.append((("choices", i, "expect"), message))
        else:
            first[expect] = i
    return issues


def unresolved(known: set[str], cited: list[str], where: Loc, among: str) -> list[Issue]:
    """An issue at each cited id that is not among `known` (e.g. "the lesson's citations")."""
    return [
        ((*where, k), f"{id_!r} is not among {among}")
        for k, id_ in enumerate(cited)
        if id_ not in known
    ]


def duplicates(kind: str, items: Sequence[tuple[Loc, str]]) -> list[Issue]:
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
