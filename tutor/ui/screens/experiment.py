"""The experiment panel: pick a code, method, body and client, run it live, read the ladder.

Opened without an experiment it is the Lab: a free experiment, and the lab's edge cases (the
course's `kind: edges` files) to pick from; each one opens in a panel of its own and runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from tutor.ui.literal import literal, printable
from tutor.ui.live import LabDone, on_lab
from tutor.ui.widgets.experiment.form import SCHEME_LABELS, Choice, ExperimentForm
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import Ladder
from tutor.ui.widgets.experiment.listing import ExperimentList
from tutor.ui.widgets.experiment.said import SaidLine
from tutor.ui.widgets.experiment.verdict import VerdictLine
from tutor.ui.widgets.footer import TutorFooter
from tutor.validated import dump, names

if TYPE_CHECKING:
    from tutor.course.edges import Edge
    from tutor.course.models import Experiment
    from tutor.experiments.clients.base import Cancel
    from tutor.experiments.expectation import Expectation
    from tutor.experiments.outcome import Outcome
    from tutor.session.study import StudySession

__all__ = ["DEFAULT_CHOICE", "ExperimentScreen"]

DEFAULT_CHOICE = Choice(code=307, method="POST", body="name=ada", client="httpx", scheme="same")
_OVER = {"same": "", "upgrade": " over http", "downgrade": " over https"}
_TO = {"same": "", "upgrade": " to https", "downgrade": " to http"}
"""How the running line says a change of scheme: "sends POST over http; ... a 307 redirect to
https"."""
RUN_NOTE = "Press ctrl+r, or Enter in Body, to run it."
STALE_NOTE = "⟳ Stale: the form has changed since the run below. ctrl+r runs it."
LAB_NOTE = "Press ctrl+r to run it; or l, then ↑ ↓ and Enter, to run an edge case below."


def _claim(expect: Expectation, experiment: Experiment | None) -> str:
    if expect.arrives or expect.hung_up:
        return expect.describe()
    if experiment is not None and experiment.own_answer:
        return expect.describe("the first answer is not a redirect")
    return expect.describe("the client refuses or stops")


def _edge_prompt(experiment: Experiment) -> Content:
    """An edge case in the Lab's list: its title, and under it what it shows."""
    edge = cast("Edge", experiment)
    return Content.assemble((printable(edge.title), "bold"), "\n", (printable(edge.shows), "dim"))


class ExperimentScreen(Screen[None]):
    """One live experiment: the form on top, then verdict, ladder and hop table."""

    HELP = (
        "The Lab: set up any redirect in the form, run it (ctrl+r) on the local lab, then "
        "read the verdict, the ladder of requests and the table of hops."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run", id="experiment.run", tooltip="Run the experiment now"),
        Binding(
            "l",
            "edges",
            "Edge cases",
            id="experiment.edges",
            tooltip="Pick one of the lab's edge cases to run",
        ),
        Binding(
            "h",
            "headers",
            "Headers",
            id="experiment.headers",
            tooltip="Show or hide each request's header fields and what changed in them",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            id="experiment.back",
            tooltip="Close the panel: back to the lesson, card or list it was opened from",
        ),
    ]

    class ClientsDetected(Message):
        """The installed version of each client (None: not installed)."""

        def __init__(self, versions: Mapping[str, str | None]) -> None:
            super().__init__()
            self.versions = versions

    def __init__(
        self,
        session: StudySession,
        experiment: Experiment | None = None,
        *,
        run_now: bool = False,
        outcome: Outcome | None = None,
        claimed_by: str = "lesson",
        shows: str | None = None,
        every_client: bool = False,
    ) -> None:
        """`outcome`: a run of `experiment` that already happened, shown as if just finished.
        `claimed_by` names what makes the experiment's claim ("lesson", "card"); `shows` is what
        the experiment shows, above the ladder; `every_client`: the claim holds whatever client
        runs it. Without `experiment`, the Lab: a free experiment, and the edge cases."""
        super().__init__()
        self.session = session
        self._claimed_by = claimed_by
        self._experiment = experiment
        self._run_now = run_now
        self._outcome = outcome
        self._shows = shows
        self._every_client = every_client
        self._listing = experiment is None
        """The Lab shows its edge cases where the ladder goes: until a run, and again on `l`."""
        self._first_choice = DEFAULT_CHOICE if experiment is None else Choice.of(experiment)
        self.last_outcome: Outcome | None = None
        """The run on screen, if any."""
        self._shown: Choice | None = None
        """The form as it was for the result on screen: when the form differs, it is stale."""
        self._asked: Choice | None = None
        self.title = printable(experiment.label) if experiment is not None else "Lab"

    @classmethod
    def of_edge(cls, session: StudySession, edge: Edge) -> ExperimentScreen:
        """One of the lab's edge cases, run at once; its claim, if any, holds for every client."""
        return cls(
            session,
            edge,
            run_now=True,
            claimed_by="edge case",
            shows=edge.shows,
            every_client=True,
        )

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        answer = self._experiment.own_answer if self._experiment is not None else None
        yield ExperimentForm(self._first_choice, answer=answer or "", id="form")
        yield Static(STALE_NOTE, id="stale")
        claim = Static(id="claim")
        claim.display = self._experiment is not None and self._experiment.expect is not None
        yield claim
        yield VerdictLine(RUN_NOTE if self._experiment is not None else LAB_NOTE, id="verdict")
        yield SaidLine(id="client-error")
        with VerticalScroll(id="results"):
            if self._experiment is None:
                yield ExperimentList(id="edges")
            if self._shows is not None:
                yield Static(
                    Content.assemble(("Shows: ", "bold"), literal(self._shows)), id="shows"
                )
            yield Static(id="header-fates")
            yield Ladder(id="ladder")
            yield HopTable(id="hops")
        yield TutorFooter()

    def on_mount(self) -> None:
        self._show_claim()
        self.query_one("#header-fates").display = False
        self.query_one("#stale").display = False
        self._detect_clients()
        if self._experiment is None:
            self._list_edges()
        if self._outcome is not None:
            self._show_outcome(self._outcome)
        elif self._run_now:
            self.action_run()

    # The Lab's edge cases.

    def _list_edges(self) -> None:
        """List the course's edge cases; while the course loads, say so (the app tells the screen
        when it has loaded)."""
        course = self.session.course
        listing = self.query_one(ExperimentList)
        if course is None:
            listing.wait("The lab's edge cases are loading…")
        else:
            listing.show(course.edges, note="", prompt=_edge_prompt)
            if self._listing and not course.edges:  # nothing to pick: no word of edge cases
                self.query_one(VerdictLine).update(Content(RUN_NOTE))
                self._listing = False
        self._show_listing()

    def on_tutor_app_course_loaded(self) -> None:
        if self._experiment is None:
            self._list_edges()

    def _show_listing(self) -> None:
        """The Lab's edge cases or the results, where the ladder goes."""
        if self._experiment is not None:
            return
        self.query_one(ExperimentList).display = self._listing
        self.query_one(Ladder).display = not self._listing
        self.query_one(HopTable).display = not self._listing
        if self._listing:
            self.query_one("#header-fates").display = False
        self.refresh_bindings()

    def action_edges(self) -> None:
        self._listing = True
        self._show_listing()
        self.query_one(ExperimentList).query_one("OptionList").focus()

    @on(ExperimentList.Chosen)
    def _run_edge(self) -> None:
        chosen = self.query_one(ExperimentList).highlighted
        if chosen is not None:
            self.app.push_screen(self.of_edge(self.session, cast("Edge", chosen)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edges":
            course = self.session.course
            return self._experiment is None and course is not None and bool(course.edges)
        return True

    def _show_claim(self, outcome: Outcome | None = None) -> None:
        if self._experiment is None or self._experiment.expect is None:
            return
        expect = self._experiment.expect
        claim = self.query_one("#claim", Static)
        claim.remove_class("-holds", "-fails", "-other")
        text = f"The {self._claimed_by} says: {_claim(expect, self._experiment)}"
        first = self._first_choice
        if outcome is None:
            claim.update(literal(text))
            return
        ran = Choice.of(outcome.spec)
        if self._every_client:
            ran = replace(ran, client=first.client)
        if ran != first:
            changed = ", ".join(ran.differences(first))
            claim.add_class("-other")
            claim.update(
                literal(
                    f"The {self._claimed_by}'s claim is for its own settings (this run changed "
                    f"{changed}): {_claim(expect, self._experiment)}"
                )
            )
        elif problems := expect.mismatches(outcome.evidence):
            claim.add_class("-fails")
            claim.update(literal(f"{text}. ✗ Not this time: {'; '.join(problems)}"))
        else:
            claim.add_class("-holds")
            claim.update(literal(f"{text}. ✓ Confirmed live."))
            # The claim grades; the verdict under it only describes: no red ✗ beside a ✓.
            self.query_one(VerdictLine).describe(outcome)

    def _title(self, choice: Choice) -> str:
        """The experiment's label while the form is the experiment's; otherwise what runs."""
        if self._experiment is not None and choice == self._first_choice:
            return printable(self._experiment.label)
        scheme = f", {SCHEME_LABELS[choice.scheme]}" if choice.scheme != "same" else ""
        through = f"a {choice.code}" if choice.code is not None else "its own answer"
        ran = f"{choice.method} through {through} via {choice.client}{scheme}"
        if self._experiment is None:
            return printable(f"Lab: {ran}")
        return printable(f"{ran} (changed: {', '.join(choice.differences(self._first_choice))})")

    def action_headers(self) -> None:
        self.query_one(Ladder).toggle_headers()

    @on(ExperimentForm.Changed)
    def _mark_stale(self) -> None:
        """A result under a form that no longer asks for it is marked, until the next run."""
        stale = self._shown is not None and self.query_one(ExperimentForm).choice != self._shown
        self.query_one("#stale").display = stale
        self.set_class(stale, "-stale")

    def action_run(self) -> None:
        choice = self.query_one(ExperimentForm).choice
        self._asked = choice
        self._shown = None
        self._mark_stale()
        self.query_one(ExperimentForm).set_running(True)
        answer = (
            f"a {choice.code} redirect{_TO[choice.scheme]}"
            if choice.code is not None
            else self._experiment.own_answer
            if self._experiment is not None
            else None
        )
        self.query_one(VerdictLine).running(
            f"running: {choice.client} sends {choice.method}{_OVER[choice.scheme]}; "
            f"the lab answers {answer}…"
        )
        self._run(choice)

    def action_back(self) -> None:
        self.dismiss()

    @on(ExperimentForm.RunRequested)
    def _run_requested(self) -> None:
        self.action_run()

    def _run(self, choice: Choice) -> None:
        from pydantic import ValidationError

        from tutor.experiments.spec import ExperimentSpec, problems

        # The form's settings; the rest (a `start` route) as the lesson says.
        base = self._experiment
        rest = {} if base is None else dump(base, include=set(names(ExperimentSpec)))
        try:
            spec = ExperimentSpec(**{**rest, **choice.spec_fields()})
        except ValidationError as error:  # what was typed or pasted that no client could send
            self._show_problem(f"Not run: {'; '.join(problems(error))}")
            return
        except ValueError as error:  # a header line that is no "Name: value"
            self._show_problem(f"Not run: header {error}")
            return
        lab = self.session.lab

        def run(cancel: Cancel) -> Outcome:
            return lab.run(spec, cancel)

        on_lab(self, run, key="experiment", description="Running the experiment")

    @work(thread=True, group="clients", description="Looking for installed clients")
    def _detect_clients(self) -> None:
        from tutor.experiments import clients

        self.post_message(self.ClientsDetected(clients.versions(clients.CLIENT_NAMES)))

    def on_experiment_screen_clients_detected(self, message: ClientsDetected) -> None:
        self.query_one(ExperimentForm).mark_clients(message.versions)

    def on_lab_done(self, message: LabDone[Outcome]) -> None:
        if message.result is None:
            self._show_problem(message.problem or "The experiment could not run.")
        else:
            self._show_outcome(message.result)

    def _show_outcome(self, outcome: Outcome) -> None:
        self.last_outcome = outcome
        self._shown = self._asked or Choice.of(outcome.spec)
        self._asked = None
        self.title = self._title(self._shown)
        self._listing = False
        self._show_listing()
        self.query_one(ExperimentForm).set_running(False)
        self.query_one(VerdictLine).show(outcome)
        self.query_one(SaidLine).show(outcome)
        fates = outcome.header_fates
        self.query_one("#header-fates", Static).update(literal(fates))
        self.query_one("#header-fates").display = bool(fates)
        client = f"{outcome.client} {outcome.client_version or ''}".strip()
        evidence = outcome.evidence
        itself = evidence.asked_scheme if evidence.went_itself else None
        self.query_one(Ladder).show(
            outcome.hops, client=client, lab=self.session.lab.name, itself=itself
        )
        self.query_one(HopTable).show(outcome.hops)
        self._show_claim(outcome)

    def _show_problem(self, text: str) -> None:
        self.last_outcome = None
        self._shown = self._asked = None
        self._mark_stale()
        self._listing = False
        self._show_listing()
        self.query_one(ExperimentForm).set_running(False)
        self.query_one(VerdictLine).problem(text)
        self.query_one(SaidLine).show(None)
        self.query_one("#header-fates").display = False
        self.query_one(Ladder).show((), client="", lab=self.session.lab.name)
        self.query_one(HopTable).show(())
