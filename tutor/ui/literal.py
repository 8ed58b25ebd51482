"""Text the tutor did not write, shown as it is: a path, a header, a client's complaint, a file's
name or a lesson's field is never read as markup, and nothing in it reaches the terminal raw.

Textual writes a Content's characters to the terminal as they are, so an escape sequence in a
request's path would recolour the screen or retitle the window; `printable` shows it escaped, as
`tutor.lab.printable.one_line` does for one field, but keeps the lines of a longer text.
"""

from __future__ import annotations

from textual.content import Content

__all__ = ["literal", "printable"]

_KEPT = "\n\t"
"""The only characters below space that a shown text keeps: its line breaks and tabs."""


def printable(text: str) -> str:
    """`text` with every character a terminal would act on (escapes, bidi controls, a lone
    surrogate) shown escaped (`\\x1b`, `\\u202e`); line breaks and tabs kept; never cut."""
    return "".join(
        c if c.isprintable() or c in _KEPT else c.encode("unicode_escape").decode() for c in text
    )


def literal(text: str) -> Content:
    """`text` for a widget: never markup, and printable."""
    return Content(printable(text))
