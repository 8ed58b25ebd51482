"""The lab a quiz's predict questions run against, started only when a question needs it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from tutor.quiz.draw import Item
from tutor.quiz.session import Runner

__all__ = ["lab_runner"]


@contextmanager
def lab_runner(items: Sequence[Item]) -> Iterator[Runner | None]:
    """A runner on a fresh lab for as long as the block lasts; None when no item predicts.

    Raises tutor.lab.server.LabError when the lab cannot start.
    """
    if not any(item.question.kind == "predict" for item in items):
        yield None
        return
    from tutor.experiments.runner import run
    from tutor.lab.server import LabServer

    with LabServer() as lab:
        yield lambda spec: run(spec, lab.url, lab.journal)
