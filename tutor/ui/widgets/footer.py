"""The footer of a screen whose keys do not all fit at 80 columns."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["FOOTER_BREAKPOINTS", "TutorFooter", "key_class"]

FOOTER_BREAKPOINTS = [(0, "-tiny"), (80, "-narrow"), (100, "-medium"), (120, "-wide")]
"""The screen's class by its width, which tutor.tcss reads: below 120 columns the footers are
compact, below 100 the keys that matter least give way, below 80 more of them (Help stays)."""


def key_class(binding_id: str) -> str:
    """The CSS class of the footer key of binding `binding_id` (`lessons.review`:
    `-key-lessons-review`)."""
    return "-key-" + binding_id.replace(".", "-")


class TutorFooter(Footer):
    """Textual's footer with each key classed by its binding's id (key_class), so tutor.tcss can
    hide the keys that matter least when the screen is narrow (they stay in the palette and on
    the help screen) and show them when there is room."""

    def compose(self) -> ComposeResult:
        active = self.screen.active_bindings
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.key in active:
                binding_id = active[widget.key].binding.id
                if binding_id:
                    widget.add_class(key_class(binding_id))
            yield widget
