"""A lab on a fixed address, for snapshots: the header shows the lab's address."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tutor.lab.journal import Journal
from tutor.lab.server import LabError, LabServer

__all__ = ["lab_at"]


@contextmanager
def lab_at(host: str, port: int, *, counted: bool = False) -> Iterator[LabServer]:
    """The real lab on host:port (each snapshot module its own port), stopped after; with
    `counted`, its chain tokens from a counter (token00000000000000001, ...), so that the labels
    the screens show stay the same from run to run."""
    counter = itertools.count(1)
    journal = Journal(tokens=lambda: f"token{next(counter):017d}") if counted else None
    server = LabServer(host, port, journal=journal)
    try:
        server.start()
    except LabError as error:
        pytest.fail(f"The snapshot needs the lab on {host}:{port}: {error}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
