"""The matrix screen: every client, code and method run live, and the trace of any cell."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static
from textual.worker import get_current_worker

from tutor.ui.lab import LabUnavailable
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import Ladder
from tutor.ui.widgets.experiment.verdict import VerdictLine
from tutor.ui.widgets.matrix.grid import MatrixGrid
from tutor.ui.widgets.matrix.legend import Legend

if TYPE_CHECKING:
    from tutor.experiments.outcome import Outcome
    from tutor.ui.app import TutorApp

__all__ = ["MatrixScreen"]


class MatrixScreen(Screen[None]):
    """Runs the matrix at once; arrows move over the grid, the trace below follows the cursor."""

    AUTO_FOCUS = "#matrix"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run again", id="matrix.run", tooltip="Run the whole matrix"),
        Binding("t", "trace", "Trace", id="matrix.trace", tooltip="Trace or grid: move the focus"),
        Binding("escape", "back", "Back", id="matrix.back", tooltip="Back to the lessons"),
    ]

    class Started(Message):
        """The clients are known and the run begins."""

        def __init__(self, clients: Sequence[str], codes: Sequence[int], methods: Sequence[str]):
            super().__init__()
            self.clients = clients
            self.codes = codes
            self.methods = methods

    class Arrived(Message):
        """One cell's outcome."""

        def __init__(self, outcome: Outcome) -> None:
            super().__init__()
            self.outcome = outcome

    class Finished(Message):
        """Every cell has its outcome (or the run could not start: `problem`)."""

        def __init__(self, summary: str, problem: bool = False) -> None:
            super().__init__()
            self.summary = summary
            self.problem = problem

    def __init__(self) -> None:
        super().__init__()
        self.title = "Redirect matrix"

    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("Looking for installed clients…", id="matrix-status")
        yield ProgressBar(id="matrix-progress", show_eta=False)
        yield Legend(id="matrix-legend")
        yield MatrixGrid(id="matrix")
        with VerticalScroll(id="matrix-trace"):
            yield VerdictLine("Move over a cell to see its hops.", id="matrix-verdict")
            yield Static(id="matrix-error")
            yield Ladder(id="matrix-ladder")
            yield HopTable(id="matrix-hops")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#matrix-error").display = False
        self.action_run()

    def action_run(self) -> None:
        self._run()

    def action_back(self) -> None:
        self.dismiss()

    def action_trace(self) -> None:
        """Move the focus to the trace, or back to the grid."""
        trace = self.query_one("#matrix-trace")
        (self.query_one(MatrixGrid) if trace.has_focus else trace).focus()

    @work(exclusive=True, thread=True, group="matrix", description="Running the matrix")
    def _run(self) -> None:
        from tutor.experiments.matrix import CODES, METHODS, installed_clients, run_matrix

        worker = get_current_worker()
        try:
            lab = self.tutor.lab_gate.wait()
        except LabUnavailable as error:
            self.post_message(self.Finished(str(error), problem=True))
            return
        names = installed_clients()
        self.post_message(self.Started(names, CODES, METHODS))

        def arrived(outcome: Outcome) -> None:
            if not worker.is_cancelled:
                self.post_message(self.Arrived(outcome))

        outcomes = run_matrix(lab.url, lab.journal, names, CODES, METHODS, on_outcome=arrived)
        if not worker.is_cancelled:
            self.post_message(self.Finished(_summary(outcomes, names)))

    def on_matrix_screen_started(self, message: Started) -> None:
        self.query_one(MatrixGrid).prepare(message.clients, message.codes, message.methods)
        total = len(message.clients) * len(message.codes) * len(message.methods)
        self.query_one(ProgressBar).update(total=total, progress=0)
        self.query_one("#matrix-status", Static).update(
            Content(f"Running {total} requests with {len(message.clients)} clients…")
        )

    def on_matrix_screen_arrived(self, message: Arrived) -> None:
        self.query_one(MatrixGrid).show(message.outcome)
        self.query_one(ProgressBar).advance(1)
        self._show_trace()

    def on_matrix_screen_finished(self, message: Finished) -> None:
        status = self.query_one("#matrix-status", Static)
        status.set_class(message.problem, "-problem")
        status.update(Content(message.summary))

    @on(DataTable.CellHighlighted, "#matrix")
    def _highlighted(self) -> None:
        self._show_trace()

    @on(DataTable.CellSelected, "#matrix")
    def _selected(self) -> None:
        self.action_trace()

    def _show_trace(self) -> None:
        outcome = self.query_one(MatrixGrid).highlighted_outcome
        if outcome is None:
            return
        self.query_one(VerdictLine).show(outcome)
        error = self.query_one("#matrix-error", Static)
        error.display = outcome.error is not None
        error.update(Content(f"{outcome.client} said: {outcome.error}"))
        client = f"{outcome.client} {outcome.client_version or ''}".strip()
        lab = self.tutor.lab_gate.name
        self.query_one(Ladder).show(outcome.hops, client=client, lab=lab)
        self.query_one(HopTable).show(outcome.hops)


def _summary(outcomes: Sequence[Outcome], names: Sequence[str]) -> str:
    from tutor.experiments import clients

    missing = [name for name in clients.CLIENT_NAMES if name not in names]
    text = f"{len(outcomes)} requests, {len(names)} clients. Enter or t: read a cell's trace."
    if missing:
        hints = "; ".join(f"{name}: {clients.get(name).install_hint}" for name in missing)
        text += f" Not installed: {hints}"
    return text
