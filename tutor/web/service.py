"""One visitor's tutor process: textual-serve's AppService, run with the visitor's own record.

The process's stderr goes to a file in the visitor's folder, not to the teacher's console:
whatever a student's tutor prints must not reach the projected screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
from pathlib import Path
from typing import Any

from textual_serve.app_service import AppService

from tutor.progress.location import HOME_VARIABLE

__all__ = ["ERRORS_NAME", "STOP_TIMEOUT", "LearnerService"]

ERRORS_NAME = "web-errors.log"
STOP_TIMEOUT = 10.0
"""Seconds a tutor gets to quit when its visitor leaves, before it is killed."""


class LearnerService(AppService):
    """A tutor for one visitor, its record in `home`; the socket closes when the tutor ends."""

    def __init__(self, command: str, home: Path, **kwargs: Any) -> None:
        errors = shlex.quote(str(home / ERRORS_NAME))
        super().__init__(f"exec {command} 2>>{errors}", **kwargs)
        self.home = home

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return {**super()._build_environment(width, height), HOME_VARIABLE: str(self.home)}

    async def start(self, width: int, height: int) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        await super().start(width, height)

    async def run(self) -> None:
        await super().run()
        await self.remote_close()

    async def stop(self) -> None:
        """Asks the tutor to quit and waits until it has ended; kills it after STOP_TIMEOUT."""
        process = self._process
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await super().stop()
                if process is not None:
                    await process.wait()
        except TimeoutError:
            if process is not None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
