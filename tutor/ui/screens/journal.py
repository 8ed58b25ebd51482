"""The Journal screen: every request the lab receives, live, one row each, as a teacher sees it."""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tutor.ui.journal_feed import HopHeard, JournalFeed
from tutor.ui.literal import literal
from tutor.ui.live import LabDone
from tutor.ui.widgets.footer import TutorFooter

if TYPE_CHECKING:
    from tutor.session.study import StudySession

__all__ = ["JournalScreen", "JournalTable"]

MAX_ROWS = 1000
"""Rows kept on screen; the oldest go first (the journal itself keeps more)."""
COLUMNS = ("time", "method", "path", "status", "body", "verdict", "client")
"""The verdict before the client's address, so that it fits at 80 columns."""
PATH_WIDTH = 20
"""At most; a longer path ends in "…" (the verdict needs the room more)."""
VERDICT_WIDTH = range(12, 61)
"""The verdict takes the room left on screen, within these bounds; a longer one ends in "…"."""


_LEAST_VERDICT = 3
"""The narrowest a verdict gets, "…" and two letters, on a screen too narrow for more."""


class JournalTable(DataTable[Text]):
    """The journal's rows: Home and End go to the first and the newest request (a DataTable's
    go to the first and last column)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "row(0)", "First", id="journal.first", tooltip="The oldest request"),
        Binding("end", "row(-1)", "Newest", id="journal.newest", tooltip="The newest request"),
    ]

    def action_row(self, row: int) -> None:
        self.move_cursor(row=row % max(self.row_count, 1), animate=False)


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
        self._rows: deque[tuple[Text, ...]] = deque(maxlen=MAX_ROWS)
        self._widths: tuple[int, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("Waiting for the lab…", id="journal-summary")
        yield JournalTable(id="journal-table", cursor_type="row", zebra_stripes=True)
        yield TutorFooter()

    def on_mount(self) -> None:
        self._lay_out()
        self.feed.start(replay=MAX_ROWS)

    def on_resize(self) -> None:
        self._lay_out()

    def _fitted_widths(self) -> tuple[int, ...]:
        """Each column's width but the client's: time, method, status and body as their widest
        cell; the path as its widest too (at most PATH_WIDTH) but narrower on a narrow screen;
        the verdict what is left of the screen's width."""
        table = self.query_one(DataTable)
        widths = [
            max([len(label), *(row[index].cell_len for row in self._rows)])
            for index, label in enumerate(COLUMNS[:5])
        ]
        padding = 2 * table.cell_padding
        # Room for the rows' vertical scrollbar too: it comes once they fill the screen.
        room = (table.content_region.width or self.app.size.width) - (
            table.styles.scrollbar_size_vertical
        )
        room -= sum(width + padding for width in widths) - widths[2] + padding
        widths[2] = min(widths[2], PATH_WIDTH, max(len("path"), room - VERDICT_WIDTH.start))
        # The verdict takes what is left, less than its usual least only when the other columns
        # (a wide method, status or size among the rows) leave no more: the row still fits.
        verdict = min(max(room - widths[2], _LEAST_VERDICT), VERDICT_WIDTH.stop - 1)
        return (*widths, verdict)

    def _lay_out(self) -> None:
        """Columns fitted to the screen and the rows so far, whose text they cut with "…"; the
        table again only when a width changes (a wider screen, a longer path)."""
        widths = self._fitted_widths()
        if widths == self._widths:
            return
        self._widths = widths
        table = self.query_one(DataTable)
        cursor, following = table.cursor_row, table.cursor_row >= table.row_count - 1
        table.clear(columns=True)
        for label, width in zip(COLUMNS, widths, strict=False):
            table.add_column(label, width=width)
        table.add_column(COLUMNS[-1])  # the client's address, as wide as it is
        table.add_rows(self._rows)
        table.move_cursor(row=table.row_count - 1 if following else cursor, animate=False)

    def on_unmount(self) -> None:
        self.feed.stop()

    def on_lab_done(self, message: LabDone[None]) -> None:
        """The feed follows the journal, or says why it cannot (the lab is down)."""
        if message.problem is not None:
            self._say(message.problem)
        else:
            self._show_summary()
            self.call_after_refresh(self._newest)

    def _newest(self) -> None:
        """Open at the newest request, at the bottom, the cursor on it (as a log reads)."""
        table = self.query_one(JournalTable)
        table.action_row(-1)
        table.scroll_end(animate=False, immediate=True)

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
        row = (
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
        for cell in row:  # a cell wider than its column ends in "…", never just stops
            cell.no_wrap, cell.overflow = True, "ellipsis"
        self._rows.append(row)
        table.add_row(*row)
        if table.row_count > MAX_ROWS:
            table.remove_row(next(iter(table.rows)))
        if following:
            table.move_cursor(row=table.row_count - 1, animate=False)
        self._lay_out()  # a longer path or status than any before: the columns again
        self._count += 1
        if hop.student:
            self._students.add(hop.student)
        self._show_summary()

    def action_back(self) -> None:
        self.dismiss()
