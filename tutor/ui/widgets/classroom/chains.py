"""A student's chains, one row each: when it began, its first request, and the lab's verdict
(the one judgement, tutor.lab.evidence); the ladder under it follows the cursor."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable, Static

from tutor.classroom.teacher import Chain
from tutor.lab.evidence import Evidence
from tutor.lab.journal import without_tokens
from tutor.lab.printable import one_line
from tutor.ui.literal import literal

__all__ = ["ChainList", "ChainVerdict"]


class ChainList(DataTable[Text]):
    """Oldest first, as the lab kept them; the cursor starts on the newest."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.chains: list[Evidence] = []

    def show(self, chains: Sequence[Chain]) -> None:
        """Show `chains`, keeping the cursor on the chain it was on when it is still there; the
        goal column only when the lab judged them against an exercise."""
        kept = self.highlighted
        shown = [chain for chain in chains if chain.hops]
        judged = any(chain.met is not None for chain in shown)
        self.clear(columns=True)
        self.add_column("#", key="number")
        self.add_column("began", key="began")
        self.add_column("first request", key="request")
        if judged:
            self.add_column("goal", key="goal")
        self.add_column("verdict", key="verdict")
        self.chains = [Evidence.of_chain(chain.hops) for chain in shown]
        for number, (chain, evidence) in enumerate(zip(shown, self.chains, strict=True), 1):
            first = evidence.hops[0]
            self.add_row(
                Text(str(number), justify="right"),
                Text(time.strftime("%H:%M:%S", time.localtime(first.at))),
                Text(one_line(f"{first.method} {without_tokens(first.path)}", 36)),
                *([_goal(chain.met)] if judged else []),
                Text(one_line(evidence.verdict.text, 60)),
                key=first.chain,
            )
        tokens = [evidence.hops[0].chain for evidence in self.chains]
        row = tokens.index(kept.hops[0].chain) if kept and kept.hops[0].chain in tokens else -1
        if self.chains:
            self.move_cursor(row=row % len(self.chains), animate=False)

    @property
    def highlighted(self) -> Evidence | None:
        if not self.chains or not 0 <= self.cursor_row < len(self.chains):
            return None
        return self.chains[self.cursor_row]


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
