"""What the client itself said about a run, beside the lab's witness: its error, or its report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from tutor.lab.journal import without_tokens
from tutor.lab.printable import one_line

if TYPE_CHECKING:
    from tutor.experiments.outcome import Outcome

__all__ = ["SaidLine"]


class SaidLine(Static):
    """One printable line, such as `curl said: ...`; hidden (by tutor.tcss) until a client
    said something."""

    def show(self, outcome: Outcome | None) -> None:
        """What the client of `outcome` said (None: nothing to say, as before a run)."""
        said = None if outcome is None else outcome.said
        self.display = said is not None
        if outcome is not None and said is not None:
            # As the ladder shows a chain: by its label, never the token itself.
            self.update(Content(f"{outcome.client} said: {without_tokens(one_line(said))}"))
