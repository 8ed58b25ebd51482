"""aiohttp's ClientSession, which follows redirects by default; a batch shares one event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from tutor.experiments.clients.base import Attempt, Request
from tutor.experiments.clients.library import LibraryClient

__all__ = ["CLIENT"]


async def _stream_of(body: bytes) -> AsyncIterator[bytes]:
    yield body


class Aiohttp(LibraryClient):
    name = "aiohttp"
    package = "aiohttp"
    label = "aiohttp ClientSession"
    install_hint = "pip install aiohttp"

    def send(self, request: Request, timeout: float) -> Attempt:
        return self.send_many([request], timeout)[0]

    def send_many(self, requests: Sequence[Request], timeout: float) -> list[Attempt]:
        """All requests at once on one event loop, each in a session of its own."""
        try:
            import aiohttp  # noqa: F401 - present or not, before starting a loop
        except ImportError:
            return [Attempt(error="aiohttp is not installed")] * len(requests)

        async def everything() -> list[Attempt]:
            return list(await asyncio.gather(*(self._one(r, timeout) for r in requests)))

        return asyncio.run(everything())

    async def _one(self, request: Request, timeout: float) -> Attempt:
        import aiohttp

        data = _stream_of(request.body) if request.stream else request.body or None
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
                session.request(
                    request.method, request.url, data=data, headers=request.headers
                ) as response,
            ):
                await response.read()
                return Attempt(status=response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            return Attempt(error=f"aiohttp raised {type(error).__name__}: {error}")


CLIENT = Aiohttp()
