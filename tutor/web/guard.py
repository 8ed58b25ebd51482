"""web's door for connections, the lab's (tutor.lab.guard) for aiohttp: at most
`connections_per_address` open connections from one client (503), and `head_timeout` seconds
to send the first request head (408), of limits.DOOR.

aiohttp counts no connections, and waits for a first request head as long as its keep-alive
timeout (75 s by default). 1,100 connections dribbling a header line every 3 s used up web's
open files, and no student's page loaded. A later request on a kept-alive connection has
IDLE_TIMEOUT from the previous answer (aiohttp's keep-alive timeout, which closes silently).
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server
from yarl import URL

from tutor.lab.addresses import counted_as
from tutor.lab.guard import LOG_EVERY, Door, Refusal
from tutor.web.limits import DOOR

__all__ = ["IDLE_TIMEOUT", "GuardedSite"]

IDLE_TIMEOUT = 15.0
"""Seconds a kept-alive connection may sit idle, or take to send a later request's head."""


class _GuardedHandler(RequestHandler):
    """aiohttp's connection handler with the door in front."""

    def __init__(self, door: Door, manager: Server, **options: Any) -> None:
        super().__init__(manager, **options)
        self._door = door
        self._who: str | None = None
        self._clock: asyncio.TimerHandle | None = None
        """The first head's clock, or after an answer of ours, the end of the linger."""
        self._answered = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple):
            self._who = counted_as(peer[0])
            if refusal := self._door.enter(self._who):
                self._answer_and_close(refusal)
                return
        self._clock = self._loop.call_later(self._door.bounds.head_timeout, self._head_too_slow)

    def data_received(self, data: bytes) -> None:
        if self._answered:
            return
        super().data_received(data)
        if self._request_count and self._clock is not None:  # the first head is in
            self._clock.cancel()
            self._clock = None

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._clock is not None:
            self._clock.cancel()
        if self._who is not None:
            self._door.leave(self._who)
            self._who = None
        super().connection_lost(exc)

    def _head_too_slow(self) -> None:
        self._clock = None
        self._answer_and_close(self._door.too_slow())

    def _answer_and_close(self, refusal: Refusal) -> None:
        transport = self.transport
        if not isinstance(transport, asyncio.Transport) or transport.is_closing():
            return
        self._answered = True
        self._clock = self._door.refuse(self._who, refusal, transport)


class GuardedSite(web.BaseSite):
    """aiohttp's site on a listening socket, each connection handled behind the door."""

    def __init__(self, runner: web.AppRunner, sock: socket.socket) -> None:
        super().__init__(runner)
        self._sock = sock
        self._door = Door(DOOR, LOG_EVERY)

    @property
    def name(self) -> str:
        host, port = self._sock.getsockname()[:2]
        return str(URL.build(scheme="http", host=host, port=port))

    async def start(self) -> None:
        await super().start()
        manager = self._runner.server
        assert manager is not None, "the runner is set up first"
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _GuardedHandler(
                self._door, manager, loop=loop, keepalive_timeout=IDLE_TIMEOUT, access_log=None
            ),
            sock=self._sock,
            backlog=self._backlog,
        )
