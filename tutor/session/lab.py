"""The lab as front ends use it: start it, wait for it, run experiments on it, follow its journal.

One `LabSession` owns a lab server, its journal and the runner; nothing else starts a lab or
passes `(spec, url, journal)` around. Heavy modules (uvicorn, httpx) load on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.experiments.clients.base import Cancel
    from tutor.experiments.outcome import Outcome
    from tutor.experiments.spec import ExperimentSpec
    from tutor.lab.evidence import Evidence
    from tutor.lab.journal import Hop, Journal
    from tutor.lab.server import LabServer

__all__ = ["LAB_WAIT", "LabSession", "LabUnavailable"]

LAB_WAIT = 15.0
"""Seconds an experiment waits for a lab that is still starting."""


class LabUnavailable(Exception):
    """No lab to run experiments against; the message says why, for the learner."""


class LabSession:
    """A lab server and its journal, with the runner that sends experiments to it.

    Without `lab`, `start()` starts one on `host` (a free port) and `stop()` stops it for good;
    a given `lab` is used as it is and left running. Safe to use from any thread.
    """

    def __init__(
        self,
        lab: LabServer | None = None,
        *,
        host: str = "127.0.0.1",
        journal: Journal | None = None,
    ) -> None:
        self._lab = lab
        self._owned = lab is None
        self._host = host
        self._journal = journal
        self.error: str | None = None
        """Why the lab is not running, once it failed to start."""
        self._starting = threading.Lock()
        self._stopped = False
        self._settled = threading.Event()
        if lab is not None:
            self._settled.set()

    def start(self) -> LabServer:
        """Start the lab (blocks; call it from a worker thread). LabUnavailable says why not."""
        from tutor.lab.server import LabError, LabServer

        with self._starting:
            if self._lab is not None and not self._stopped:
                return self._lab
            try:
                if self._stopped:  # the front end is closing: a lab now would outlive it
                    raise LabError("the tutor is closing")
                self._lab = LabServer(self._host, journal=self._journal).start()
            except LabError as error:
                self.error = str(error)
                raise LabUnavailable(f"The lab server did not start: {error}") from None
            finally:
                self._settled.set()
            return self._lab

    def stop(self) -> None:
        """Stop the lab if this session started it; a start still under way is waited for, and
        none comes after."""
        with self._starting:
            self._stopped = True
            if self._owned and self._lab is not None:
                self._lab.stop()

    def __enter__(self) -> LabSession:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait(self, timeout: float = LAB_WAIT) -> LabServer:
        """The running lab, waiting while it starts. Blocks: call it from a worker thread."""
        if not self._settled.wait(timeout):
            raise LabUnavailable("The lab server is still starting; try again in a moment.")
        if self._lab is None or not self._lab.running:
            raise LabUnavailable(f"The lab server is not running: {self.error or 'it stopped'}")
        return self._lab

    @property
    def url(self) -> str | None:
        """The lab's URL once it runs."""
        return self._lab.url if self._lab is not None else None

    @property
    def journal(self) -> Journal | None:
        """The running lab's journal."""
        return self._lab.journal if self._lab is not None else None

    @property
    def name(self) -> str:
        """How the header and the ladder name the lab, e.g. "lab 127.0.0.1:8307"."""
        if self._lab is not None:
            return f"lab {self._lab.url.removeprefix('http://')}"
        return "lab not running" if self.error is not None else "lab starting…"

    def run(self, spec: ExperimentSpec, cancel: Cancel | None = None) -> Outcome:
        """Run one experiment live (waiting for the lab); LabUnavailable when there is none."""
        return self.run_many([spec], cancel=cancel)[0]

    def run_many(
        self,
        specs: Sequence[ExperimentSpec],
        on_outcome: Callable[[Outcome], object] | None = None,
        cancel: Cancel | None = None,
    ) -> list[Outcome]:
        """Run experiments live, each client's share as one batch; `on_outcome` hears each one
        as it lands. Once `cancel` is set the run kills its programs and returns what it has."""
        from tutor.experiments.runner import run_many

        lab = self.wait()
        return run_many(specs, lab.url, lab.journal, on_outcome=on_outcome, cancel=cancel)

    def follow(self, listener: Callable[[Hop], None], replay: int = 0) -> None:
        """Call `listener` with the `replay` most recent hops, then every new one, on the lab's
        thread (it must return at once). Waits for the lab: call it from a worker thread."""
        journal = self.wait().journal
        for hop in journal.recent(replay) if replay else ():
            listener(hop)
        journal.subscribe(listener)

    def unfollow(self, listener: Callable[[Hop], None]) -> None:
        if self._lab is not None:
            self._lab.journal.unsubscribe(listener)

    def attempts(self, student: str, route: str) -> list[Evidence]:
        """The evidence of each chain `student` began at `route`, oldest first."""
        from tutor.lab.evidence import Evidence

        if self._lab is None:
            return []
        return [Evidence.of_chain(chain) for chain in self._lab.journal.started(student, route)]
