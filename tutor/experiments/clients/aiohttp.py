"""aiohttp's ClientSession, which follows redirects by default.

A batch runs on one event loop in one fresh session, closed at its end, PARALLEL requests at a
time (each holds a connection or two to the lab, which counts them per address); a cancel stops
the ones still running. Its connector's SSL context trusts the lab's CA when the batch goes to
the lab's TLS listener.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

from tutor.experiments.clients.base import CANCELLED, Attempt, Cancel, Client, Request, batch_ca
from tutor.experiments.clients.library import LibraryClient
from tutor.experiments.clients.program import PARALLEL
from tutor.lab.authority import client_context

if TYPE_CHECKING:
    import aiohttp

__all__ = ["CLIENT"]

POLL = 0.05
"""How often (in seconds) the batch looks at its cancel event."""


async def _stream_of(body: bytes) -> AsyncIterator[bytes]:
    yield body


class Aiohttp(LibraryClient):
    name = "aiohttp"
    package = "aiohttp"
    label = "aiohttp ClientSession"
    install_hint = "pip install aiohttp"

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        requests = [request for _, request in work]
        return asyncio.run(_everything(requests, batch_ca(work), timeout, cancel))


async def _everything(
    requests: list[Request], ca: str | None, timeout: float, cancel: Cancel
) -> list[Attempt]:
    import aiohttp

    connector = aiohttp.TCPConnector(ssl=client_context(ca) if ca else True)
    lanes = asyncio.Semaphore(PARALLEL)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(_one(session, r, timeout, lanes)) for r in requests]
        running: set[asyncio.Task[Attempt]] = set(tasks)
        while running and not cancel.is_set():
            _, running = await asyncio.wait(running, timeout=POLL)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    return [Attempt(CANCELLED) if task.cancelled() else task.result() for task in tasks]


async def _one(
    session: aiohttp.ClientSession, request: Request, timeout: float, lanes: asyncio.Semaphore
) -> Attempt:
    import aiohttp

    data = _stream_of(request.body) if request.stream else request.body or None
    try:
        async with (
            lanes,
            session.request(
                request.method,
                request.url,
                data=data,
                headers=request.headers,
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response,
        ):
            await response.read()
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        # ValueError: a request aiohttp refuses to write (a control character in a header)
        return Attempt(f"aiohttp raised {type(error).__name__}: {error}")
    return Attempt()


CLIENT = Aiohttp()
