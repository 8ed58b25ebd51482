"""The Journal screen: every request the lab receives, live, one row each, as a teacher sees it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tutor.ui.journal_feed import HopHeard, JournalFeed
from tutor.ui.literal import literal
from tutor.ui.live import LabDone

if TYPE_CHECKING:
    from tutor.session.study import StudySession

__all__ = ["JournalScreen"]

MAX_ROWS = 1000
"""Rows kept on screen; the oldest go first (the journal itself keeps more)."""


class JournalScreen(Screen[None]):
    """The lab's journal as it grows: time, method, path, status, body, verdict, client."""

    HELP = (
        "Every request the lab receives, as it arrives: time, method, path, status, body, "
        "verdict and client."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="journal.back", tooltip="Back to where you were"),
    ]

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        self.title = "Journal"
        self.feed = JournalFeed(self, session.lab)
        self._students: set[str] = set()
        self._count = 0

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("Waiting for the lab…", id="journal-summary")
        yield DataTable(id="journal-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # The verdict before the client's address, so that it fits at 80 columns.
        table.add_columns("time", "method", "path", "status", "body", "verdict", "client")
        self.feed.start(replay=MAX_ROWS)

    def on_unmount(self) -> None:
        self.feed.stop()

    def on_lab_done(self, message: LabDone[None]) -> None:
        """The feed follows the journal, or says why it cannot (the lab is down)."""
        if message.problem is not None:
            self._say(message.problem)
        else:
            self._show_summary()

    def _say(self, text: str) -> None:
        self.query_one("#journal-summary", Static).update(literal(text))

    def _show_summary(self) -> None:
        where = self.session.lab.url or "the lab"
        students = ", ".join(sorted(self._students)[:8]) or "none yet"
        more = f" and {len(self._students) - 8} more" if len(self._students) > 8 else ""
        self._say(f"{self._count} requests at {where} · students (/s/NAME/...): {students}{more}")

    def on_hop_heard(self, message: HopHeard) -> None:
        from tutor.lab.journal import without_tokens
        from tutor.lab.journal_line import chain_text
        from tutor.lab.printable import one_line
        from tutor.ui.widgets.experiment.ladder import scheme_style

        hop, journal = message.hop, self.session.lab.journal
        assert journal is not None  # the lab runs: it has just recorded this hop
        table = self.query_one(DataTable)
        following = table.cursor_row >= table.row_count - 1
        # What a client sent is shown as it is: never markup (a str cell is), never escapes.
        method = Text(one_line(hop.method))
        if hop.scheme == "https":  # came over the lab's TLS listener
            method = Text.assemble((hop.scheme, scheme_style(hop, None)), " ", method)
        table.add_row(
            Text(time.strftime("%H:%M:%S", time.localtime(hop.at))),
            method,
            *(
                Text(one_line(cell))
                for cell in (
                    without_tokens(hop.path),
                    hop.status_text,
                    f"{hop.body_size} B" if hop.body_size else "-",
                    chain_text(hop, journal),
                    hop.peer,
                )
            ),
        )
        if table.row_count > MAX_ROWS:
            table.remove_row(next(iter(table.rows)))
        if following:
            table.move_cursor(row=table.row_count - 1, animate=False)
        self._count += 1
        if hop.student:
            self._students.add(hop.student)
        self._show_summary()

    def action_back(self) -> None:
        self.dismiss()
