"""A course text's inline Markdown (`code`, **bold**, *emphasis*) shown styled, as the Markdown
it is written in would show it, in one line of a widget such as a choice."""

from __future__ import annotations

from textual.content import Content

from tutor.quiz.feedback import spans
from tutor.ui.literal import printable
from tutor.ui.widgets.inline import CODE_STYLE

__all__ = ["marked"]

_STYLES = {"code": CODE_STYLE, "bold": "bold", "em": "italic"}


def marked(text: str) -> Content:
    """`text` styled by its inline Markdown; nothing else in it is markup, and what a terminal
    would act on is shown escaped (the same pieces `plain_text` reads as plain words)."""
    return Content.assemble(
        *(
            (printable(piece), " ".join(_STYLES[how] for how in hows.split()))
            for piece, hows in spans(text)
        )
    )
