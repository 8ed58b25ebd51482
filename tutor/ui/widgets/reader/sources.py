"""The sources a step rests on: each citation's title, link and quote."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from tutor.course.models import Citation

__all__ = ["Sources", "render_sources"]


def render_sources(citations: Sequence[Citation]) -> Text:
    """A "Sources" block: title, then the URL (a terminal link), then the quote if any."""
    text = Text("Sources", style="bold")
    for citation in citations:
        text.append("\n• ")
        text.append(citation.title, style="bold")
        text.append("\n  ")
        text.append(citation.url, style=Style(link=citation.url, underline=True))
        if citation.quote:
            text.append(f"\n  “{citation.quote.strip()}”", style="italic")
    return text


class Sources(Static):
    """The citations of the current step; hidden when the step cites nothing."""

    def show(self, citations: Sequence[Citation]) -> None:
        self.display = bool(citations)
        self.update(render_sources(citations))
