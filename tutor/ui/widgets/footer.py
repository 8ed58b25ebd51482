"""The footer of a screen whose keys do not all fit at 80 columns."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
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
    the help screen) and show them when there is room.

    Textual's footer is built anew at every change of the screen's bindings, and a screen that
    opens changes them a dozen times (each widget that mounts or takes the focus): this one is
    built once per refresh at most, and only when what it shows has changed."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[object, ...] | None = None
        """What the keys shown were built from (see _showing)."""
        self._pending = False

    def compose(self) -> ComposeResult:
        active = self.screen.active_bindings
        self._shown = self._showing() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Born with the footer's compactness: as it mounts, Textual's key would style
                # itself compact and then, bound to the footer, plain again (two restyles).
                widget.set_reactive(FooterKey.compact, self.compact)
                bound = active.get(widget.key)
                if bound is not None and bound.binding.id:
                    widget.add_class(key_class(bound.binding.id), update=False)  # on mount
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if (
            screen.app.app_focus
            and self.is_attached
            and screen is self.screen
            and not self._pending
        ):
            self._pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._pending = False
        if self.is_attached and self._showing() != self._shown:
            await self.recompose()

    def _showing(self) -> tuple[object, ...]:
        """Everything of the screen's bindings that the keys show (Footer.compose)."""
        return tuple(
            (key, binding.action, binding.description, binding.id, binding.group, enabled, tip)
            for key, (_, binding, enabled, tip) in self.screen.active_bindings.items()
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING
        )
