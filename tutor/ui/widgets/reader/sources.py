"""The sources a step rests on: each citation's title, link and quote."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from tutor.ui.literal import printable

if TYPE_CHECKING:
    from tutor.course.models import Citation

__all__ = ["Sources", "render_sources"]


def render_sources(citations: Sequence[Citation]) -> Group:
    """A "Sources" block: each title, then indented under it the URL (a link) and the quote."""
    parts: list[Text | Padding] = [Text("Sources", style="bold")]
    for citation in citations:
        parts.append(Text.assemble("• ", (printable(citation.title), "bold")))
        url = printable(citation.url)
        details = Text(url, style=Style(link=url, underline=True))
        if citation.quote:
            details.append(f"\n“{printable(citation.quote.strip())}”", style="italic")
        parts.append(Padding(details, (0, 0, 0, 2)))
    return Group(*parts)


class Sources(Static):
    """The citations of the current step; hidden when the step cites nothing."""

    citations: Sequence[Citation] = ()

    def show(self, citations: Sequence[Citation]) -> None:
        self.citations = citations
        self.display = bool(citations)
        self.update(render_sources(citations))
