"""The matrix screen: every client, code and method run live, and the trace of any cell."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, ProgressBar, Static

from tutor.ui.literal import literal
from tutor.ui.live import LabDone, on_lab
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import Ladder
from tutor.ui.widgets.experiment.said import SaidLine
from tutor.ui.widgets.experiment.verdict import VerdictLine
from tutor.ui.widgets.footer import TutorFooter
from tutor.ui.widgets.matrix.grid import MatrixGrid
from tutor.ui.widgets.matrix.legend import Legend

if TYPE_CHECKING:
    from tutor.experiments.clients.base import Cancel
    from tutor.experiments.outcome import Outcome
    from tutor.experiments.spec import Scheme
    from tutor.session.study import StudySession

__all__ = ["MatrixScreen"]


class MatrixScreen(Screen[None]):
    """Runs the matrix at once; arrows move over the grid, the trace below follows the cursor."""

    HELP = (
        "The redirect codes run by every HTTP client found here, side by side; the trace "
        "below shows the cell under the cursor, hop by hop."
    )

    AUTO_FOCUS = "#matrix"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run again", id="matrix.run", tooltip="Run the whole matrix"),
        Binding(
            "s",
            "scheme",
            "Scheme",
            id="matrix.scheme",
            tooltip="Run it again across http -> https, https -> http, or on one scheme",
        ),
        Binding("t", "trace", "Trace", id="matrix.trace", tooltip="Trace or grid: move the focus"),
        Binding(
            "h",
            "headers",
            "Headers",
            id="matrix.headers",
            tooltip="In the trace, show or hide each request's header fields and their changes",
        ),
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

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        self.scheme: Scheme = "same"
        self.title = "Redirect matrix"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("Looking for installed clients…", id="matrix-status")
        yield ProgressBar(id="matrix-progress", show_eta=False)
        yield Legend(id="matrix-legend")
        yield MatrixGrid(id="matrix")
        with VerticalScroll(id="matrix-trace"):
            yield VerdictLine("Move over a cell to see its hops.", id="matrix-verdict")
            yield SaidLine(id="matrix-error")
            yield Ladder(id="matrix-ladder")
            yield HopTable(id="matrix-hops")
        yield TutorFooter()

    def on_mount(self) -> None:
        self.action_run()

    def action_run(self) -> None:
        """Run the whole matrix; a run still going is cancelled and its programs killed."""
        from tutor.experiments import clients
        from tutor.experiments.matrix import CODES, METHODS, matrix_specs

        lab = self.session.lab
        scheme = self.scheme
        self.query_one(Legend).show(scheme)

        def run(cancel: Cancel) -> str:
            names = clients.installed()
            self.post_message(self.Started(names, CODES, METHODS))
            outcomes = lab.run_many(
                matrix_specs(names, CODES, METHODS, scheme),
                on_outcome=lambda outcome: self.post_message(self.Arrived(outcome)),
                cancel=cancel,
            )
            return _summary(outcomes, names)

        on_lab(self, run, key="matrix", description="Running the matrix")

    def action_scheme(self) -> None:
        """The next of: one scheme, an upgrade, a downgrade; and the matrix again across it."""
        from tutor.experiments.spec import SCHEMES

        self.scheme = SCHEMES[(SCHEMES.index(self.scheme) + 1) % len(SCHEMES)]
        self.sub_title = _ACROSS[self.scheme]
        self.action_run()

    def action_headers(self) -> None:
        self.query_one(Ladder).toggle_headers()

    def action_back(self) -> None:
        self.dismiss()

    def action_trace(self) -> None:
        """Move the focus to the trace, or back to the grid."""
        trace = self.query_one("#matrix-trace")
        (self.query_one(MatrixGrid) if trace.has_focus else trace).focus()

    def on_matrix_screen_started(self, message: Started) -> None:
        self.query_one(MatrixGrid).prepare(message.clients, message.codes, message.methods)
        total = len(message.clients) * len(message.codes) * len(message.methods)
        self.query_one(ProgressBar).update(total=total, progress=0)
        self.query_one("#matrix-status", Static).update(
            Content(f"Running {total} requests with {len(message.clients)} clients…")
        )

    def on_matrix_screen_arrived(self, message: Arrived) -> None:
        grid = self.query_one(MatrixGrid)
        grid.show(message.outcome)
        self.query_one(ProgressBar).advance(1)
        if grid.highlighted_outcome is message.outcome:  # the trace shows the cursor's cell only
            self._show_trace()

    def on_lab_done(self, message: LabDone[str]) -> None:
        status = self.query_one("#matrix-status", Static)
        status.set_class(message.problem is not None, "-problem")
        status.update(literal(message.problem or message.result or ""))

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
        self.query_one(SaidLine).show(outcome)
        client = f"{outcome.client} {outcome.client_version or ''}".strip()
        self.query_one(Ladder).show(outcome.hops, client=client, lab=self.session.lab.name)
        self.query_one(HopTable).show(outcome.hops)


_ACROSS = {
    "same": "",
    "upgrade": "http → https, with Authorization and Cookie",
    "downgrade": "https → http, with Authorization and Cookie",
}


def _summary(outcomes: Sequence[Outcome], names: Sequence[str]) -> str:
    from tutor.experiments import clients

    missing = [name for name in clients.CLIENT_NAMES if name not in names]
    text = f"{len(outcomes)} requests, {len(names)} clients. Enter or t: read a cell's trace."
    if missing:
        hints = "; ".join(f"{name}: {clients.get(name).install_hint}" for name in missing)
        text += f" Not installed: {hints}"
    return text
