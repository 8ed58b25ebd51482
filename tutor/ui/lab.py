"""The UI's handle on the lab server: experiments wait here until it runs, or learn why not."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.lab.server import LabServer

__all__ = ["LAB_WAIT", "LabGate", "LabUnavailable"]

LAB_WAIT = 15.0
"""Seconds an experiment waits for a lab that is still starting."""


class LabUnavailable(Exception):
    """No lab to run experiments against; the message says why, for the learner."""


class LabGate:
    """The lab once it runs, or why it does not; safe to use from worker threads."""

    def __init__(self, lab: LabServer | None = None) -> None:
        self.lab = lab
        self.error: str | None = None
        self._settled = threading.Event()
        if lab is not None:
            self._settled.set()

    def open(self, lab: LabServer) -> None:
        self.lab = lab
        self._settled.set()

    def fail(self, error: str) -> None:
        self.error = error
        self._settled.set()

    def wait(self, timeout: float = LAB_WAIT) -> LabServer:
        """The running lab, waiting while it starts. Blocks: call it from a worker thread."""
        if not self._settled.wait(timeout):
            raise LabUnavailable("The lab server is still starting; try again in a moment.")
        if self.lab is None or not self.lab.running:
            raise LabUnavailable(f"The lab server is not running: {self.error or 'it stopped'}")
        return self.lab

    @property
    def name(self) -> str:
        """How the header and the ladder name the lab, e.g. "lab 127.0.0.1:8307"."""
        if self.lab is not None:
            return f"lab {self.lab.url.removeprefix('http://')}"
        return "lab not running" if self.error is not None else "lab starting…"
