"""Lines whose wrapped rest hangs under their text, not under their number: "1. A long
question…" wraps under "A", "   Answer: …" under "Answer". A Visual, since where a line breaks
depends on the width the widget gets."""

from __future__ import annotations

import re
from collections.abc import Sequence

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

__all__ = ["Hanging"]

_MARGIN = re.compile(r" *(?:\d+\. )?")
"""What a wrapped line hangs under: its leading spaces and its number ("1. "), if any."""


class Hanging(Visual):
    """`lines`, each wrapped on its own with its rest under its text."""

    def __init__(self, lines: Sequence[Content]) -> None:
        self.lines = list(lines)
        self._cache: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return "\n".join(line.plain for line in self.lines)

    def at(self, width: int) -> Content:
        """The lines as they read `width` cells wide."""
        if self._cache is not None and self._cache[0] == width:
            return self._cache[1]
        rows: list[Content] = []
        for line in self.lines:
            margin = len(_MARGIN.match(line.plain)[0])  # type: ignore[index]
            if margin * 2 > width or line.cell_length <= width:
                rows.append(line)
                continue
            head, rest = line[:margin], line[margin:]
            for number, part in enumerate(rest.wrap(width - margin)):
                rows.append((head if number == 0 else Content(" " * margin)) + part)
        built = Content("\n").join(rows)
        self._cache = (width, built)
        return built

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.at(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return Content("\n").join(self.lines).get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return Content("\n").join(self.lines).get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.at(width).get_height(rules, width)
