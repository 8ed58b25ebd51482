"""What a client said is shown with each chain token as its label, as the ladder shows it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from textual.app import App, ComposeResult

from tutor.experiments.outcome import Outcome
from tutor.lab.journal import label
from tutor.ui.widgets.experiment.said import SaidLine

TOKEN = "CpSMRA32N0eIf3_ICvHLYA"


class _One(App[None]):
    def compose(self) -> ComposeResult:
        yield SaidLine()


async def test_the_client_said_line_hides_the_chain_token() -> None:
    said = f"the answer it got was 201 Created, Location /echo?chain={TOKEN}"
    outcome = cast(Outcome, SimpleNamespace(client="urllib", said=said))
    app = _One()
    async with app.run_test(size=(80, 24)):
        line = app.query_one(SaidLine)
        line.show(outcome)
        shown = str(line.visual)
        assert TOKEN not in shown
        assert f"chain={label(TOKEN)}" in shown
