"""After an answer: right or wrong at the top, then why, the hops for a prediction, the sources."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from tutor.ui.hanging import Hanging
from tutor.ui.literal import printable

__all__ = ["Feedback"]


class Feedback(Static):
    """The lines of tutor.quiz.feedback, the first (the verdict) styled by how the answer went."""

    def show(self, lines: Sequence[str], mood: str) -> None:
        """`mood`: "right", "wrong", "void", "busy" or "over" (a CSS class of the first line)."""
        self.remove_class("-right", "-wrong", "-void", "-busy", "-over")
        self.add_class(f"-{mood}")
        self.display = bool(lines)
        # The lines may quote what a client said or a file's name: printable, never markup.
        head, *rest = (printable(line) for line in lines or [""])
        self.update(Hanging([Content.styled(head, "bold"), *map(Content, rest)]))

    def clear(self) -> None:
        self.show([], "busy")
