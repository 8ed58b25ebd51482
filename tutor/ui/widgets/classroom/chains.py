"""A student's chains, one row each: when it began, its first request, and the lab's verdict
(the one judgement, tutor.lab.evidence); the ladder under it follows the cursor."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual.events import Resize
from textual.widgets import DataTable, Static

from tutor.classroom.teacher import Chain
from tutor.lab.evidence import Evidence
from tutor.lab.journal import Hop, without_tokens
from tutor.lab.printable import one_line
from tutor.ui.literal import literal

__all__ = ["ChainList", "ChainVerdict", "first_request"]

GOAL_WIDTH = 5
"""Room for "✓ met" and "✗ not"."""
_SCROLLBAR = 2


class ChainList(DataTable[Text]):
    """Oldest first, as the lab kept them; the cursor starts on the newest. Every row fits the
    widget's width: a cut cell ends in "…" (the verdict line under the list has it whole)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.chains: list[Evidence] = []
        self._shown: list[Chain] = []

    def show(self, chains: Sequence[Chain]) -> None:
        """Show `chains`, keeping the cursor on the chain it was on when it is still there; the
        goal column only when the lab judged them against an exercise."""
        kept = self.highlighted
        self._shown = [chain for chain in chains if chain.hops]
        self.chains = [Evidence.of_chain(chain.hops) for chain in self._shown]
        self._fill()
        tokens = [evidence.hops[0].chain for evidence in self.chains]
        row = tokens.index(kept.hops[0].chain) if kept and kept.hops[0].chain in tokens else -1
        if self.chains:
            self.move_cursor(row=row % len(self.chains), animate=False)

    def on_resize(self, _event: Resize) -> None:
        if self.chains:
            row = self.cursor_row
            self._fill()
            self.move_cursor(row=row, animate=False)

    def _fill(self) -> None:
        judged = any(chain.met is not None for chain in self._shown)
        requests = [first_request(evidence.hops[0]) for evidence in self.chains]
        number = len(str(len(self.chains)))
        fixed = [number, len("00:00:00")] + ([GOAL_WIDTH] if judged else [])
        room = (self.size.width or 80) - _SCROLLBAR - sum(fixed)
        room -= 2 * self.cell_padding * (len(fixed) + 2)
        request = min(max((len(text) for text in requests), default=0), room * 11 // 20)
        request = max(request, len("first request"))
        verdict = max(room - request, len("verdict"))
        self.clear(columns=True)
        self.add_column("#", key="number", width=number)
        self.add_column("began", key="began")
        self.add_column("first request", key="request", width=request)
        if judged:
            self.add_column("goal", key="goal", width=GOAL_WIDTH)
        self.add_column("verdict", key="verdict", width=verdict)
        rows = zip(self._shown, self.chains, requests, strict=True)
        for index, (chain, evidence, shown) in enumerate(rows, 1):
            first = evidence.hops[0]
            self.add_row(
                Text(str(index), justify="right"),
                Text(time.strftime("%H:%M:%S", time.localtime(first.at))),
                _cut(shown, request),
                *([_goal(chain.met)] if judged else []),
                _cut(evidence.verdict.text, verdict),
                key=first.chain,
            )

    @property
    def highlighted(self) -> Evidence | None:
        if not self.chains or not 0 <= self.cursor_row < len(self.chains):
            return None
        return self.chains[self.cursor_row]


def first_request(hop: Hop) -> str:
    """The method and the route with its query ("POST /redirect/307?loop=1"): runs of one code
    differ by their query; without the student's prefix (the screen is one student's, and an
    80-column row has no room for it) or a chain's token (the class may see the screen)."""
    target = f"{hop.route}?{hop.query}" if hop.query else hop.route
    return one_line(f"{hop.method} {without_tokens(target)}", 200)


def _cut(text: str, width: int) -> Text:
    cell = Text(one_line(text, 200))
    cell.truncate(width, overflow="ellipsis")
    return cell


def _goal(met: bool | None) -> Text:
    """Whether the attempt met the exercise's goal: the lab's check, which may ask more than
    the verdict says (a configure exercise's code must also say the move it describes)."""
    if met is None:
        return Text("?", "dim")
    return Text("✓ met", "bold green") if met else Text("✗ not", "bold dark_orange")


class ChainVerdict(Static):
    """One chain's verdict, coloured by its kind (the styles are in tutor.tcss)."""

    def show(self, evidence: Evidence) -> None:
        kind = evidence.verdict.kind
        self.set_classes(f"-{kind.value.replace('_', '-')}")
        self.update(literal(evidence.verdict.text))  # it may quote what a client sent
