"""The largest terminal a visitor may ask for: every size a browser sends is clamped to it."""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["DEFAULT_SIZE", "TerminalSize"]

_SIZE = re.compile(r"(\d{1,4})x(\d{1,4})")


class TerminalSize(NamedTuple):
    columns: int
    rows: int

    @classmethod
    def parse(cls, text: str) -> TerminalSize:
        """ "COLSxROWS", e.g. "250x100"; ValueError with a sentence for a person otherwise."""
        found = _SIZE.fullmatch(text.strip().lower())
        if not found or 0 in (size := cls(int(found[1]), int(found[2]))):
            raise ValueError(f"{text!r} is not a size: give COLUMNSxROWS, e.g. 250x100.")
        return size

    def __str__(self) -> str:
        return f"{self.columns}x{self.rows}"

    def clamp(self, columns: int, rows: int) -> TerminalSize:
        """What a browser asked for, kept within 1x1 and this size."""
        return TerminalSize(min(max(columns, 1), self.columns), min(max(rows, 1), self.rows))


DEFAULT_SIZE = TerminalSize(250, 100)
"""More than a full-HD screen shows at a readable font. Measured with the built-in course: the
first screen is 0.36 MB whether a browser asks for this or for 3000x3000, and a student holding
down an arrow key makes about 2.3 MB/s (0.44 MB/s at 80x24)."""
