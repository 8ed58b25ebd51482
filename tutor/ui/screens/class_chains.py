"""One student's chains, hop by hop: at one exercise, or all their recent ones. The list follows
the class: a new attempt appears as it is judged."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tutor.classroom.teacher import ClassState, Exercise, TeacherError, TeacherLink
from tutor.ui.literal import literal
from tutor.ui.widgets.classroom.chains import ChainList, ChainVerdict
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import Ladder
from tutor.ui.widgets.footer import TutorFooter

__all__ = ["ChainsScreen", "join_url"]


def join_url(state: ClassState | None, link: TeacherLink) -> str:
    """The lab's URL as students type it (the first `serve` hands out), else the view's own: the
    class view names the lab by the address the class uses."""
    return (state.join_url if state is not None else None) or link.url


class ChainsScreen(Screen[None]):
    """The list of chains on top; the ladder and hop table of the one under the cursor below."""

    HELP = (
        "One student's chains, as the lab saw them: the list follows the class (a new attempt "
        "appears as it is judged); ↑ and ↓ choose a chain, and below it its verdict, ladder and "
        "hop table show where the student's client went and why. t moves the focus to the "
        "trace to scroll it (and back); Escape goes back to the class."
    )

    AUTO_FOCUS = "#chains-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="class.chains.back", tooltip="Back to the class"),
        Binding(
            "t", "trace", "Trace", id="class.chains.trace", tooltip="List or trace: move the focus"
        ),
    ]

    def __init__(self, link: TeacherLink, student: str, exercise: Exercise | None) -> None:
        super().__init__()
        self.link = link
        self.student = student
        self.exercise = exercise
        self.title = f"{student}'s chains"
        self._seen: int | None = None
        """The student's attempts (or requests) when the chains were last read."""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield Static(id="chains-about")
        yield ChainList(id="chains-list")
        yield ChainVerdict(id="chains-verdict")
        with VerticalScroll(id="chains-trace"):
            yield Ladder(id="chains-ladder")
            yield HopTable(id="chains-hops")
        yield TutorFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "state", self._follow)

    def _follow(self, state: ClassState | None) -> None:
        """Read the chains again when the student's row says there are new ones."""
        student = state.student(self.student) if state else None
        if student is None:
            return
        if self.exercise is not None:
            cell = student.cell(self.exercise.id)
            seen = cell.attempts
            tries = f"{cell.attempts} attempt{'' if cell.attempts == 1 else 's'}"
            problems = "; ".join(cell.problems)
            how = f"✓ met ({tries})" if cell.met else f"not met ({tries})"
            how = how if cell.attempts else "not tried"
            how += f" · the newest: {problems}" if problems and cell.attempts else ""
            about = f"{self.student} · {self.exercise.title} · {how}"
        else:
            seen = student.requests
            about = f"{self.student} · recent chains · {student.requests} requests"
        self.query_one("#chains-about", Static).update(literal(about))
        if seen != self._seen:
            self._seen = seen
            self._load()

    @work(exclusive=True, group="class-chains", description="Reading the chains")
    async def _load(self) -> None:
        try:
            chains = await self.link.chains(
                self.student, self.exercise.id if self.exercise else None
            )
        except TeacherError as error:
            self.query_one(ChainVerdict).update(literal(f"✗ {error}"))
            return
        listing = self.query_one(ChainList)
        listing.show(chains)
        for part in (listing, self.query_one("#chains-trace")):
            part.display = bool(listing.chains)
        if not listing.chains:
            where = "at this exercise yet" if self.exercise else "that the lab still holds"
            self.query_one(ChainVerdict).update(literal(f"No chain of {self.student} {where}."))
        self._show_trace()

    @on(DataTable.RowHighlighted, "#chains-list")
    def _show_trace(self) -> None:
        evidence = self.query_one(ChainList).highlighted
        if evidence is None:
            return
        self.query_one(ChainVerdict).show(evidence)
        lab = urlsplit(join_url(getattr(self.app, "state", None), self.link)).netloc or "lab"
        self.query_one(Ladder).show(evidence.hops, client=self.student, lab=lab)
        self.query_one(HopTable).show(evidence.hops)

    def action_back(self) -> None:
        self.dismiss()

    def action_trace(self) -> None:
        """Move the focus to the trace (to scroll it), or back to the list."""
        trace = self.query_one("#chains-trace")
        (self.query_one(ChainList) if trace.has_focus else trace).focus()
