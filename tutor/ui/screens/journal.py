"""The Journal screen: every request the lab receives, live, one row each, as a teacher sees it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

if TYPE_CHECKING:
    from tutor.lab.journal import Hop, Journal
    from tutor.ui.app import TutorApp

__all__ = ["JournalScreen"]

MAX_ROWS = 1000
"""Rows kept on screen; the oldest go first (the journal itself keeps more)."""


class JournalScreen(Screen[None]):
    """The lab's journal as it grows: time, method, path, status, body, verdict, client."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="journal.back", tooltip="Back to where you were"),
    ]

    class HopHeard(Message):
        """The lab recorded a hop (posted from the lab's thread; handled on the app's)."""

        def __init__(self, hop: Hop) -> None:
            super().__init__()
            self.hop = hop

    def __init__(self) -> None:
        super().__init__()
        self.title = "Journal"
        self.journal: Journal | None = None
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
        self._subscribe()

    def on_unmount(self) -> None:
        if self.journal is not None:
            self.journal.unsubscribe(self._heard)

    def _heard(self, hop: Hop) -> None:
        """The journal's listener, on the lab's thread: post and return at once."""
        self.post_message(self.HopHeard(hop))

    @work(exclusive=True, thread=True, group="journal", description="Waiting for the lab")
    def _subscribe(self) -> None:
        gate = cast("TutorApp", self.app).lab_gate
        try:
            lab = gate.wait()
        except Exception as error:  # the lab is down: say so on the screen
            self.app.call_from_thread(self._say, str(error))
            return
        self.journal = lab.journal
        for hop in lab.journal.recent(MAX_ROWS):
            self.post_message(self.HopHeard(hop))
        lab.journal.subscribe(self._heard)
        self.app.call_from_thread(self._show_summary)

    def _say(self, text: str) -> None:
        self.query_one("#journal-summary", Static).update(text)

    def _show_summary(self) -> None:
        lab = cast("TutorApp", self.app).lab_gate.lab
        where = lab.url if lab is not None else "the lab"
        students = ", ".join(sorted(self._students)[:8]) or "none yet"
        more = f" and {len(self._students) - 8} more" if len(self._students) > 8 else ""
        self._say(f"{self._count} requests at {where} · students (/s/NAME/...): {students}{more}")

    def on_journal_screen_hop_heard(self, message: HopHeard) -> None:
        from tutor.lab.journal_line import chain_text

        hop = message.hop
        if self.journal is None:
            return
        table = self.query_one(DataTable)
        following = table.cursor_row >= table.row_count - 1
        table.add_row(
            time.strftime("%H:%M:%S", time.localtime(hop.at)),
            hop.method,
            hop.path,
            str(hop.status),
            f"{hop.body_size} B" if hop.body_size else "-",
            chain_text(hop, self.journal),
            hop.peer,
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
