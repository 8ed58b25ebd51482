"""The lab's journal as Textual messages: each new hop reaches a widget as a HopHeard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from tutor.lab.journal import Hop, Journal

__all__ = ["HopHeard", "JournalFeed"]


class HopHeard(Message):
    """The lab recorded a hop (posted from the lab's thread; handled on the app's)."""

    bubble = False  # for the widget that follows the journal, not its parents

    def __init__(self, hop: Hop) -> None:
        super().__init__()
        self.hop = hop


class JournalFeed:
    """Posts a HopHeard to `target` for every hop the journal records, from `follow` to `stop`."""

    def __init__(self, target: MessagePump) -> None:
        self._target = target
        self.journal: Journal | None = None

    def follow(self, journal: Journal, *, replay: int = 0) -> None:
        """Start listening, after posting the `replay` most recent hops (from any thread, e.g.
        the worker that waited for the lab)."""
        self.journal = journal
        for hop in journal.recent(replay) if replay else ():
            self._heard(hop)
        journal.subscribe(self._heard)

    def stop(self) -> None:
        """Stop listening (on unmount); nothing happens if `follow` never ran."""
        if self.journal is not None:
            self.journal.unsubscribe(self._heard)

    def _heard(self, hop: Hop) -> None:
        """The journal's listener, on the lab's thread: post and return at once."""
        self._target.post_message(HopHeard(hop))
