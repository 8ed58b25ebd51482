"""The lab's journal as Textual messages: each new hop reaches a widget as a HopHeard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from tutor.ui.live import on_lab

if TYPE_CHECKING:
    from textual.widget import Widget

    from tutor.experiments.clients.base import Cancel
    from tutor.lab.journal import Hop
    from tutor.session.lab import LabSession

__all__ = ["FEED", "HopHeard", "JournalFeed"]

FEED = "journal-feed"
"""The LabDone key of `JournalFeed.start`: the feed follows the journal (or `problem` says why
it cannot)."""


class HopHeard(Message, bubble=False):  # for the widget that follows the journal, not its parents
    """The lab recorded a hop (posted from the lab's thread; handled on the app's)."""

    def __init__(self, hop: Hop) -> None:
        super().__init__()
        self.hop = hop


class JournalFeed:
    """Posts a HopHeard to `target` for every hop the lab records, from `start` to `stop`."""

    def __init__(self, target: Widget, lab: LabSession) -> None:
        self._target = target
        self.lab = lab
        self._started = False
        self.following = False
        """The feed listens to the journal (the lab runs)."""

    def start(self, *, replay: int = 0) -> None:
        """Wait for the lab in a worker of the target, post the `replay` most recent hops, then
        follow; the target hears LabDone(FEED) once it follows, or why it cannot. Once only."""
        if self._started:
            return
        self._started = True

        def follow(_cancel: Cancel) -> None:
            self.lab.follow(self._heard, replay)
            self.following = True

        on_lab(self._target, follow, key=FEED, description="Waiting for the lab")

    def stop(self) -> None:
        """Stop listening (on unmount); nothing happens if it never followed."""
        if self.following:
            self.lab.unfollow(self._heard)

    def _heard(self, hop: Hop) -> None:
        """The journal's listener, on the lab's thread: post and return at once."""
        self._target.post_message(HopHeard(hop))
