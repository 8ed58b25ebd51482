"""Shared fixtures: a real lab server on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tutor.lab.server import LabServer


@pytest.fixture(scope="session")
def lab() -> Iterator[LabServer]:
    """The real lab (uvicorn on 127.0.0.1, a free port), shared by the whole session."""
    with LabServer() as server:
        yield server
