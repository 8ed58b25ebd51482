"""A lab on a fixed address, for snapshots: the header shows the lab's address."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tutor.lab.server import LabError, LabServer

__all__ = ["lab_at"]


@contextmanager
def lab_at(host: str, port: int) -> Iterator[LabServer]:
    """The real lab on host:port (each snapshot module its own port), stopped after."""
    server = LabServer(host, port)
    try:
        server.start()
    except LabError as error:
        pytest.fail(f"The snapshot needs the lab on {host}:{port}: {error}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
