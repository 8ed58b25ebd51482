"""What the Pilot tests share: waiting until the app's background work has landed."""

from __future__ import annotations

from textual.pilot import Pilot

__all__ = ["SIZE", "settle"]

SIZE = (80, 24)
"""The terminal every Pilot test runs in: the tutor must read well at 80x24."""


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker finish and every message it posted be handled."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
