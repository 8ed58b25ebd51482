"""Short course texts (prompts, choices, hints, explanations) with their `code` spans shown as
code, as the Markdown they are written in would show them."""

from __future__ import annotations

from textual.content import Content

from tutor.ui.literal import printable

__all__ = ["inline", "labelled"]

CODE_STYLE = "bold $text-accent"


def inline(text: str) -> Content:
    """`text` with each `code` span styled as code; unbalanced backticks stay as they are.
    Nothing else in it is markup, and what a terminal would act on is shown escaped."""
    shown = printable(text.strip())
    parts = shown.split("`")
    if len(parts) % 2 == 0:
        return Content(shown)
    return Content.assemble(*((p, CODE_STYLE) if i % 2 else p for i, p in enumerate(parts)))


def labelled(label_markup: str, text: str, **variables: object) -> Content:
    """A label in Content markup (with `$variables`), then a course text, inline."""
    return Content.assemble(Content.from_markup(label_markup, **variables), inline(text))
