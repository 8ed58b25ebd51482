"""The lab app in-process, for tests where a socket adds nothing (httpx.ASGITransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx

from tutor.lab.app import LabApp
from tutor.lab.journal import Journal

BASE = "http://lab.test"


@asynccontextmanager
async def in_process(
    journal: Journal | None = None, *, origins: Sequence[str] = (), follow_redirects: bool = False
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client whose every request `LabApp(journal)` answers, with no server."""
    app = LabApp(journal if journal is not None else Journal(), origins=tuple(origins))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE, follow_redirects=follow_redirects
    ) as client:
        yield client
