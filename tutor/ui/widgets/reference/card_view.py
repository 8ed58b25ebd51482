"""One reference card, as the same Markdown the `card` command prints as plain text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markdown import Markdown
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.ui.literal import printable

if TYPE_CHECKING:
    from tutor.course.cards import Card

__all__ = ["CardView"]


class CardView(VerticalScroll):
    """A scrollable card: ↑ ↓, PgUp PgDn, Home End.

    The card is one Static rendering the Markdown at once, not Textual's Markdown widget: that
    mounts a widget per block, after the screen has painted (a blank card for half a second)
    and a quarter second per card (n n n n showed each card in turn, long after the header had
    named the last). Here a card is on screen in the same frame as the call that shows it.
    """

    card: Card | None = None
    source = ""
    """The Markdown shown."""

    def compose(self) -> ComposeResult:
        yield Static(id="card-text")

    def show(self, card: Card) -> None:
        from tutor.course.card_text import card_markdown

        self.card = card
        self._set_source(printable(card_markdown(card)))

    def say(self, text: str) -> None:
        """A note instead of a card (there is none to show)."""
        self.card = None
        self._set_source(text)

    def _set_source(self, source: str) -> None:
        self.source = source
        code_theme = "ansi_dark" if self.app.current_theme.dark else "ansi_light"
        self.query_one(Static).update(Markdown(source, code_theme=code_theme, hyperlinks=False))
        self.scroll_home(animate=False)
