"""Text that came from the network, made safe for a terminal: one line, nothing it would act on.

A student's request path, a header or a client's complaint may hold escape sequences (clear the
projected screen, set its title), bidi controls (show a line in another order than it holds) or
line breaks (forge a journal line). Whatever reaches a terminal goes through `one_line` first.
"""

from __future__ import annotations

__all__ = ["FIELD", "one_line"]

FIELD = 200
"""Characters of one field that a line shows; a longer field is cut and ends in "…"."""


def one_line(text: str, limit: int = FIELD) -> str:
    """`text` on one line, with nothing a terminal would act on: line breaks, control, bidi and
    other unprintable characters shown escaped (`\\n`, `\\x1b`, `\\u202e`), so that a forged
    line reads as what it is; cut to `limit` characters."""
    shown = text.strip()[: limit + 1]  # escaping only lengthens: past it nothing decides
    if not shown.isprintable():  # most text is: then it is shown as it is
        shown = "".join(
            c if c.isprintable() else c.encode("unicode_escape").decode() for c in shown
        )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
