"""Arbitrary text from the network through every view and plain formatter that shows it.

Hops, evidence and outcomes are generated with hostile text (markup such as `[/x]` or
`[link=...]`, terminal escapes, bidi controls, line breaks, lone surrogates) wherever a client
chooses it: path, query, Location, header names and values, the client's own complaint and
report. Each widget is mounted in a real App and rendered (a markup error is raised when a
widget is updated or drawn); each plain formatter must not raise, and what it prints to a
terminal must hold nothing the terminal would act on.
"""

from __future__ import annotations

import asyncio
import hashlib
import string
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pilot import settle
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static

import tutor.ui.app
from tutor.cli.experiments import _print_matrix, _print_trace
from tutor.course import Course
from tutor.course.checks import check_attempt, check_configured
from tutor.course.exercises import BringYourOwn, Configure
from tutor.course.loader import load_course
from tutor.course.models import Experiment
from tutor.experiments.clients import CLIENT_NAMES
from tutor.experiments.outcome import Outcome
from tutor.experiments.spec import KNOWN_CODES, METHODS, ExperimentSpec
from tutor.lab.evidence import Evidence, Sent
from tutor.lab.journal import Hop, Journal
from tutor.lab.journal_line import journal_line
from tutor.lab.reported import Reported
from tutor.lab.server import LabServer
from tutor.quiz.draw import Item
from tutor.quiz.feedback import feedback, hop_trace
from tutor.quiz.grading import Grade, grade
from tutor.session.factory import make_session
from tutor.session.study import StudySession
from tutor.ui.app import TutorApp
from tutor.ui.journal_feed import HopHeard
from tutor.ui.live import LabDone
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.journal import JournalScreen
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import Ladder
from tutor.ui.widgets.experiment.said import SaidLine
from tutor.ui.widgets.experiment.verdict import VerdictLine
from tutor.ui.widgets.matrix.grid import MatrixGrid
from tutor.ui.widgets.quiz.feedback import Feedback
from tutor.ui.widgets.reader.exercise import ExercisePanel
from tutor.validated import dump, names

EXAMPLES = 25
"""Examples per test: each drives a real App, so a few dozen keep the file under a minute."""

HOSTILE = [
    "[/x]",
    "[/nope]",
    "[/]",
    "[bold red]",
    "[link=file:///etc/passwd]x[/link]",
    "[@click=app.quit]quit[/]",
    "[on #ff0000]",
    "$title",
    "\\[",
    "[",
    "]",
    "`",
    "**",
    "\x1b[2J",
    "\x1b]2;owned\x07",
    "\x9b31m",
    "\u202e",
    "\u2028",
    "\r\n",
    "\n",
    "\t",
    "\x00",
    "\ud800",
    "chain=abcdef",
    "%1b",
    " ",
]
"""Pieces that break a view that reads text as markup, or a terminal that is handed it raw."""


def _hostile(surrogates: bool) -> st.SearchStrategy[str]:
    pieces = [piece for piece in HOSTILE if surrogates or piece != "\ud800"]
    characters = st.characters(exclude_categories=() if surrogates else ("Cs",))
    return st.one_of(
        st.text(characters, max_size=30),
        st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=4)), max_size=6).map("".join),
    )


hostile = _hostile(surrogates=True)
"""Text a client chose: a path, a header, its complaint (lone surrogates included)."""
bodies = _hostile(surrogates=False)
"""A body a learner typed: any text that UTF-8 can send (the experiment form refuses the rest)."""
TOKEN = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
methods = st.one_of(st.sampled_from(METHODS), st.text(TOKEN, min_size=1, max_size=12))
"""A method as the lab's parser lets it through: an RFC 9110 token."""
peers = st.sampled_from(["127.0.0.1:50000", "::1:50000", "[::1]:50000", "-", "10.0.0.7:1"])
STATUSES = [0, 200, 201, 300, 301, 302, 303, 304, 305, 306, 307, 308, 400, 404, 413, 414]


@st.composite
def hops(draw: st.DrawFn, chain: str = "c" * 22) -> Hop:
    body = draw(st.binary(max_size=16))
    status = draw(st.sampled_from(STATUSES))
    return Hop(
        seq=draw(st.integers(0, 10**6)),
        chain=chain,
        at=draw(st.floats(0, 2e9)),
        peer=draw(peers),
        method=draw(methods),
        path=draw(hostile),
        query=draw(hostile),
        headers=tuple(draw(st.lists(st.tuples(hostile, hostile), max_size=3))),
        body=body,
        body_size=len(body),
        body_digest=hashlib.sha256(body).hexdigest(),
        status=status,
        location=draw(st.none() | hostile),
        hung_up=status == 0,
    )


reports = st.builds(
    Reported,
    status=st.sampled_from(STATUSES),
    type=st.none() | hostile,
    redirected=st.none() | st.booleans(),
    location=st.none() | hostile,
)


@st.composite
def outcomes(draw: st.DrawFn, spec: ExperimentSpec | None = None) -> Outcome:
    if spec is None:
        spec = ExperimentSpec(
            code=draw(st.sampled_from(KNOWN_CODES)),
            method=draw(st.sampled_from(METHODS)),
            body=draw(bodies),
            client=draw(st.sampled_from(CLIENT_NAMES)),
        )
    chain = draw(st.lists(hops(), max_size=4))
    evidence = Evidence.of_chain(
        chain,
        asked=draw(st.none() | st.just(Sent.of(spec.method, spec.body.encode(errors="replace")))),
        error=draw(st.none() | hostile),
        reported=draw(st.none() | reports),
    )
    version = draw(st.none() | st.from_regex(r"[0-9][0-9.]{0,8}", fullmatch=True))
    return Outcome(spec, version, evidence)


def inert(text: str, kept: str = "") -> bool:
    """Nothing in `text` that a terminal would act on: printable characters, and `kept`."""
    return all(c.isprintable() or c in kept for c in text)


def shown(screen: Screen[object]) -> list[str]:
    """Every text the screen's widgets hand the terminal (Textual writes them as they are)."""
    texts = [screen.title or "", screen.sub_title or ""]
    for widget in screen.query("*"):
        if isinstance(widget, Static):
            texts.append(str(widget.visual))
        elif isinstance(widget, DataTable):
            rows = (widget.get_row_at(row) for row in range(widget.row_count))
            texts += [str(cell) for row in rows for cell in row]
        elif isinstance(widget, OptionList):
            texts += [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]
        elif isinstance(widget, Ladder):
            texts.append(widget.render().plain)
    return texts


# The course the views are shown with: the built-in one, loaded once.


@cache
def course() -> Course:
    return load_course()


def _experiments() -> Iterator[Experiment]:
    for lesson in course().lessons:
        for step in lesson.steps:
            yield from step.experiments


def claimed() -> Experiment:
    """A lesson experiment with a claim: the experiment screen compares it with the outcome."""
    return next(e for e in _experiments() if e.expect is not None and e.start is None)


def exercise(kind: type[BringYourOwn | Configure]) -> BringYourOwn | Configure:
    steps = (step for lesson in course().lessons for step in lesson.steps)
    return next(step.exercise for step in steps if isinstance(step.exercise, kind))


def predict_item() -> Item:
    bank, question = next((b, q) for b, q in course().questions if q.kind == "predict")
    return Item(bank, question, tuple(question.choices))


def spec_of(experiment: Experiment) -> ExperimentSpec:
    return ExperimentSpec(**dump(experiment, include=set(names(ExperimentSpec))))


def graded(outcome: Outcome) -> Grade:
    item = predict_item()
    return grade(item, [item.choices[0].id], outcome)


# The views, in a real App.


class Stage(App[None]):
    """Every widget that shows a chain, stacked tall enough that each one is drawn."""

    CSS_PATH = Path(tutor.ui.app.__file__).parent / TutorApp.CSS_PATH

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield VerdictLine(id="verdict")
            yield SaidLine(id="client-error")
            yield Ladder(id="ladder")
            yield HopTable(id="hops")
            yield MatrixGrid(id="matrix")
            yield Feedback(id="quiz-feedback")
            yield ExercisePanel(self.session, id="exercise")


def drive(lab: LabServer, scene: Callable[[Stage], object]) -> None:
    """Run a Stage on a session of `lab` (a tall terminal), let `scene` act, then draw."""

    async def run() -> None:
        session = make_session(lab=lab)
        app = Stage(session)
        async with app.run_test(size=(100, 160)) as pilot:
            await settle(pilot)
            result = scene(app)
            if asyncio.iscoroutine(result):
                await result
            await settle(pilot)
            await pilot.pause()
            for text in shown(app.screen):
                assert inert(text, "\n\t"), text  # a widget may wrap; a tab becomes spaces

    asyncio.run(run())


FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FAST
@given(outcome=outcomes(), check=st.booleans())
def test_the_chain_widgets_show_any_outcome(lab: LabServer, outcome: Outcome, check: bool):
    """Ladder, hop table, verdict, "client said", a matrix cell, quiz feedback and an
    exercise's check, all from one hostile outcome."""

    def scene(app: Stage) -> None:
        app.query_one(VerdictLine).show(outcome)
        app.query_one(SaidLine).show(outcome)
        client = f"{outcome.client} {outcome.client_version or ''}"
        ladder = app.query_one(Ladder)
        ladder.show(outcome.hops, client=client, lab="lab 127.0.0.1:1")
        if check:  # each request's header fields drawn under it too
            ladder.toggle_headers()
        app.query_one(HopTable).show(outcome.hops)
        grid = app.query_one(MatrixGrid)
        grid.prepare([outcome.client], [outcome.code or 307], [outcome.method])
        grid.show(outcome)
        lines = feedback(graded(outcome))
        app.query_one(Feedback).show(lines, "wrong")
        configure = exercise(Configure)
        assert isinstance(configure, Configure)
        if check:
            result = check_configured(configure, outcome)
        else:
            byo = exercise(BringYourOwn)
            assert isinstance(byo, BringYourOwn)
            result = check_attempt(byo, outcome.evidence)
        panel = app.query_one(ExercisePanel)
        panel.show(configure)
        panel.post_message(LabDone("exercise", result, None))

    drive(lab, scene)


@FAST
@given(outcome=st.deferred(lambda: outcomes(spec_of(claimed()))))
def test_the_experiment_screen_shows_any_outcome_of_a_lesson_experiment(
    lab: LabServer, outcome: Outcome
):
    """The claim ("The lesson says ... ✗ Not this time: ..."), header fates, verdict, ladder."""

    async def scene(app: Stage) -> None:
        session = app.session
        session.course = course()
        await app.push_screen(ExperimentScreen(session, claimed(), outcome=outcome))

    drive(lab, scene)


@FAST
@given(chain=st.lists(hops(), min_size=1, max_size=5))
def test_the_journal_screen_shows_any_request(lab: LabServer, chain: list[Hop]):
    async def scene(app: Stage) -> None:
        screen = JournalScreen(app.session)
        await app.push_screen(screen)
        for hop in chain:
            screen.post_message(HopHeard(hop))

    drive(lab, scene)


# The plain formatters: what reaches a terminal, or a screen reader.

PLAIN = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PLAIN
@given(hop=hops())
def test_the_console_line_is_one_inert_line(hop: Hop):
    assert inert(journal_line(hop, Journal()))


@PLAIN
@given(outcome=outcomes())
def test_the_quiz_feedback_lines_are_inert(outcome: Outcome):
    for line in [*hop_trace(outcome), *feedback(graded(outcome))]:
        assert inert(line), line


@PLAIN
@given(outcome=outcomes())
def test_trys_trace_prints_nothing_a_terminal_acts_on(
    outcome: Outcome, capsys: pytest.CaptureFixture[str]
):
    capsys.readouterr()  # what an earlier example left
    _print_trace(outcome, all_headers=True)  # every header field, each hop's changes marked
    out = capsys.readouterr().out
    assert inert(out, "\n"), out


@PLAIN
@given(outcome=outcomes())
def test_the_matrix_prints_nothing_a_terminal_acts_on(
    outcome: Outcome, capsys: pytest.CaptureFixture[str]
):
    capsys.readouterr()
    _print_matrix([outcome], [outcome.code or 307], [outcome.method], 1.0, "same")
    out = capsys.readouterr().out
    assert inert(out, "\n"), out


@given(st.text(), st.integers(min_value=2, max_value=300))
def test_one_line_reads_only_what_it_shows_and_says_when_it_cut(text: str, limit: int) -> None:
    """`one_line` stops reading past its limit (a 32 MiB refusal must not cost a second), and
    still ends a cut line in "…": exactly what escaping the whole text, then cutting, gives."""
    from tutor.lab.printable import one_line

    whole = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode() for c in text.strip()
    )
    expected = whole if len(whole) <= limit else whole[: limit - 1] + "…"
    assert one_line(text, limit) == expected
