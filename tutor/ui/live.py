"""Work on the lab, off the UI thread: one helper runs it in a cancellable worker and posts back.

Starting work with a key cancels the work it replaces (exclusive per key), and leaving the
screen cancels its work; either way the clients' programs are killed and nothing is posted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.message import Message
from textual.worker import Worker, get_current_worker

from tutor.session.lab import LabUnavailable

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tutor.experiments.clients.base import Cancel

__all__ = ["LabDone", "on_lab"]

T = TypeVar("T")


class LabDone(Message, Generic[T], bubble=False):  # for the node that asked, not its parents
    """Work on the lab is over: its `result`, or the `problem` that stopped it, for the learner."""

    def __init__(self, key: str, result: T | None, problem: str | None) -> None:
        super().__init__()
        self.key = key
        self.result = result
        self.problem = problem


class _WorkerCancel:
    """A worker's cancellation, as the runner asks for it (`is_set`)."""

    def __init__(self, worker: Worker[None]) -> None:
        self._worker = worker

    def is_set(self) -> bool:
        return self._worker.is_cancelled


def on_lab(
    node: DOMNode, work: Callable[[Cancel], T], *, key: str, description: str
) -> Worker[None]:
    """Run `work(cancel)` in a thread worker of `node`; post LabDone(key, ...) to `node`.

    A lab that is not running, or any error, becomes the message's `problem`, never a traceback.
    """

    def body() -> None:
        worker = get_current_worker()
        result: T | None = None
        problem: str | None = None
        try:
            result = work(_WorkerCancel(worker))
        except LabUnavailable as error:
            problem = str(error)
        except Exception as error:  # a bug must reach the learner as a message, not a traceback
            problem = f"It could not run: {error}"
        if not worker.is_cancelled:
            node.post_message(LabDone(key, result, problem))

    return node.run_worker(
        body, name=key, group=key, description=description, exclusive=True, thread=True
    )
