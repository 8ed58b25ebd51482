"""Text that came from the network, made safe for a terminal: one line, nothing it would act on.

A student's request path, a header or a client's complaint may hold escape sequences (clear the
projected screen, set its title) or line breaks (forge a journal line). Whatever reaches a
terminal goes through `one_line` first.
"""

from __future__ import annotations

__all__ = ["one_line"]


def one_line(text: str) -> str:
    """`text` on one line, with nothing a terminal would act on (control characters escaped)."""
    text = " ".join(text.split())
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
