"""The Reference screen: the card of each status code (RFC text, traps, snippets, FAQ), and its
live experiments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Tab, Tabs

from tutor.ui.literal import printable
from tutor.ui.widgets.experiment.listing import ExperimentList
from tutor.ui.widgets.footer import TutorFooter
from tutor.ui.widgets.reference.card_view import CardView

if TYPE_CHECKING:
    from tutor.course.cards import Card
    from tutor.session.study import StudySession

__all__ = ["ReferenceScreen"]


class ReferenceScreen(Screen[None]):
    """Pick a code (n, p, or ← → on the tabs), read its card (↑ ↓ PgUp PgDn), run it (r)."""

    HELP = (
        "One card per redirect status code: what it means, what clients do with the "
        "method and the body, and an example to run live (r)."
    )

    AUTO_FOCUS = "#card"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "card(1)", "Next code", id="reference.next", tooltip="The next code's card"),
        Binding("p", "card(-1)", "Prev code", id="reference.previous", tooltip="The previous card"),
        Binding("r", "run", "Run", id="reference.run", tooltip="Run it live on the lab"),
        Binding("escape", "back", "Back", id="reference.back", tooltip="Back to the lessons"),
    ]

    def __init__(
        self, session: StudySession, cards: Sequence[Card], code: int | None = None
    ) -> None:
        """`code`: the card to open (the first one if that code has none)."""
        super().__init__()
        self.session = session
        self.cards = sorted(cards, key=lambda card: card.code)
        codes = [card.code for card in self.cards]
        self._first = code if code in codes else codes[0] if codes else None
        self.title = "Reference cards"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Tabs(
            *[Tab(str(card.code), id=f"code-{card.code}") for card in self.cards],
            active=f"code-{self._first}" if self._first is not None else None,
            id="codes",
        )
        yield CardView(id="card")
        yield ExperimentList(id="card-experiments")
        yield TutorFooter()

    def on_mount(self) -> None:
        if self._first is None:
            self.query_one("#codes").display = False
            self.query_one(CardView).say("No reference cards in this course.")
            self.query_one(ExperimentList).show([])
        else:
            self._show(self._first)

    @property
    def card(self) -> Card | None:
        return self.query_one(CardView).card

    def _show(self, code: int) -> None:
        card = next(card for card in self.cards if card.code == code)
        self.query_one(CardView).show(card)
        self.sub_title = printable(f"{card.code} {card.name}")
        self.query_one(ExperimentList).show(card.experiments)
        self.refresh_bindings()

    @on(Tabs.TabActivated, "#codes")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab.id is not None:
            self._show(int(event.tab.id.removeprefix("code-")))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "card":
            return True if len(self.cards) > 1 else None
        if action == "run":
            return True if self.card is not None and self.card.experiments else None
        return True

    def action_card(self, delta: int) -> None:
        tabs = self.query_one("#codes", Tabs)
        if delta > 0:
            tabs.action_next_tab()
        else:
            tabs.action_previous_tab()

    def action_run(self) -> None:
        from tutor.ui.screens.experiment import ExperimentScreen

        chosen = self.query_one(ExperimentList).highlighted
        if chosen is not None:
            self.app.push_screen(
                ExperimentScreen(self.session, chosen, run_now=True, claimed_by="card")
            )

    def action_back(self) -> None:
        self.dismiss()

    @on(ExperimentList.Chosen)
    def _run_chosen(self) -> None:
        self.action_run()
