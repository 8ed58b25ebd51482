"""The Cards screen: the first card is on screen in the screen's first frame, and the header and
the body name the same card after every key, however fast n comes."""

from __future__ import annotations

from pilot import SIZE, settle, tutor_app
from textual.widgets import Static, Tabs

from tutor.lab.server import LabServer
from tutor.ui.screens.reference import ReferenceScreen
from tutor.ui.widgets.reference.card_view import CardView


def agree(screen: ReferenceScreen) -> int:
    """The code that the tab, the header and the body (as drawn) all show; fails if they differ."""
    card = screen.card
    assert card is not None
    assert screen.query_one(Tabs).active == f"code-{card.code}"
    assert screen.sub_title.startswith(f"{card.code} ")
    assert screen.query_one(CardView).source.startswith(f"# {card.code} ")
    body = screen.query_one("#card-text", Static)
    assert any(f"{card.code} {card.name}" in body.render_line(y).text for y in range(3))
    return card.code


async def test_the_first_card_paints_with_the_screen(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = ReferenceScreen(app.session, app.session.course.cards)
        await app.push_screen(screen)  # mounted, and nothing awaited after it
        agree(screen)
        await pilot.pause()  # one refresh: the first frame
        agree(screen)


async def test_header_and_body_agree_after_each_quick_n(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ReferenceScreen)
        codes = [agree(screen)]
        for _ in range(4):
            await pilot.press("n")  # no pause: the next key comes at once
            codes.append(agree(screen))
        assert codes == sorted(card.code for card in screen.cards)[:5]
