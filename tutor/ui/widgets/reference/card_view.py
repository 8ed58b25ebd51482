"""One reference card, as the same Markdown the `card` command prints as plain text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from tutor.ui.literal import printable

if TYPE_CHECKING:
    from tutor.course.cards import Card

__all__ = ["CardView"]


class CardView(VerticalScroll):
    """A scrollable card: ↑ ↓, PgUp PgDn, Home End."""

    card: Card | None = None

    def compose(self) -> ComposeResult:
        yield Markdown(id="card-text")

    def show(self, card: Card) -> None:
        from tutor.course.card_text import card_markdown

        self.card = card
        self.query_one(Markdown).update(printable(card_markdown(card)))
        self.scroll_home(animate=False)

    def say(self, text: str) -> None:
        """A note instead of a card (there is none to show)."""
        self.card = None
        self.query_one(Markdown).update(text)
