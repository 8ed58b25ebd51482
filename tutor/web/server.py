"""textual-serve's Server behind a door: a name for every visitor (their own, see names.py), the
access code off loopback, the websocket only from the tutor's own page, and bounds on
connections (guard.py), sessions, tutor starts, input and terminal sizes, each per client.

Routes: `/` shows the door until the visitor holds a ticket (see ticket.py), then the terminal;
`/enter` checks the form; `/ws` runs one visitor's tutor; `/static` holds textual-serve's script,
stylesheet and fonts. Every refusal is a short page or message, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import shlex
import signal
import socket
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.typedefs import Handler
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from tutor.lab.addresses import counted_as
from tutor.web.code import matches
from tutor.web.console import print_to_console
from tutor.web.guard import GuardedSite
from tutor.web.guesses import WrongGuesses
from tutor.web.latest import Latest
from tutor.web.learners import NAME_RULE, learner_name
from tutor.web.limits import (
    INPUT_RATE,
    MESSAGE_BYTES,
    MESSAGE_COST,
    RESIZE_EVERY,
    START_EVERY,
    STARTS,
)
from tutor.web.names import Names, key_cookie
from tutor.web.origin import names_loopback, same_origin
from tutor.web.pages import door_page, notice_page, terminal_page
from tutor.web.rates import Bucket, Buckets
from tutor.web.service import STOP_TIMEOUT, LearnerService
from tutor.web.size import TerminalSize
from tutor.web.ticket import COOKIE, Tickets

__all__ = ["ClassServer"]

log = logging.getLogger("textual-serve")

_FORM_BYTES = 4096
"""The door's form holds a name and a code: nothing a visitor sends needs more."""
_KEY_AGE = 400 * 24 * 3600
"""How long a browser keeps a name's key: as long as browsers allow (RFC 6265bis), a school year."""


_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The browser itself refuses anything from another host, and framing by another site."""


def _html(status: int, page: str, **headers: str) -> web.Response:
    headers["Content-Security-Policy"] = _POLICY
    return web.Response(status=status, text=page, content_type="text/html", headers=headers)


def _envelope(text: str) -> object:
    """A browser's message, or None when it is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


async def _form(request: web.Request) -> Mapping[str, object]:
    """The door's fields, sent as a browser sends a plain form; empty for anything else."""
    if request.content_type != "application/x-www-form-urlencoded":
        return {}
    try:
        return await request.post()
    except ValueError:  # not UTF-8
        return {}


class ClassServer(Server):
    """Serves `command` to every visitor on `sock`, each with the record in records/NAME."""

    def __init__(
        self,
        command: str,
        sock: socket.socket,
        *,
        records: Path,
        code: str | None,
        loopback: bool,
        max_sessions: int,
        per_address: int,
        max_size: TerminalSize,
        joins: bool = False,
    ) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(command, host=host, port=port, title="redirect-tutor")
        self.joins = joins
        """`command` joins a class lab: each visitor's tutor is told the visitor's name."""
        self.records = records
        self.max_sessions = max_sessions
        self.per_address = per_address
        self.max_size = max_size
        self._sock = sock
        self._code = code
        self._loopback = loopback
        self._names = Names(records)
        self._tickets = Tickets(self._names)
        self._guesses = WrongGuesses()
        self._starts = Buckets(STARTS, 1 / START_EVERY)
        self._sessions = 0
        self._by_address: Counter[str] = Counter()
        """Open tutors per client (see `counted_as`)."""
        self._open: dict[str, web.WebSocketResponse] = {}
        """Each learner's open tutor: one per name, so two tabs never write one record at once.
        A newer tab of the name's own browser (a reload, too) takes over; the older is closed."""
        self._sockets: set[web.WebSocketResponse] = set()

    def initialize_logging(self) -> None:
        print_to_console()

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C or SIGTERM, on the socket given (already bound and listening)."""
        self.initialize_logging()
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for stop in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(stop, stopping.set)
        runner = web.AppRunner(await self._make_app(), shutdown_timeout=STOP_TIMEOUT + 5)
        await runner.setup()
        try:
            await GuardedSite(runner, self._sock).start()
            await stopping.wait()
        finally:
            await runner.cleanup()

    async def _make_app(self) -> web.Application:
        middlewares = [self._loopback_names_only] if self._loopback else []
        app = web.Application(middlewares=middlewares, client_max_size=_FORM_BYTES)
        app.add_routes(
            [
                web.get("/", self._index),
                web.post("/enter", self._enter),
                web.get("/ws", self._session),
                web.static("/static", self.statics_path),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_shutdown(self, app: web.Application) -> None:
        """Ends every session, so that every tutor quits before the server does."""
        for websocket in list(self._sockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"The tutor is stopping.")

    @web.middleware
    async def _loopback_names_only(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if not names_loopback(request.headers.get("Host", "")):
            message = "This tutor answers only at 127.0.0.1 or localhost, on this computer."
            return _html(403, notice_page("Not here", message))
        return await handler(request)

    def _from_our_page(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        return same_origin(origin, request.scheme, request.headers.get("Host", ""))

    def _holder(self, request: web.Request) -> str | None:
        return self._tickets.holder(request.cookies.get(COOKIE), request.remote or "")

    def _full(self) -> bool:
        return self._sessions >= self.max_sessions

    def _full_page(self) -> web.Response:
        message = (
            f"The class is full: all {self.max_sessions} places are taken. "
            "Try again when someone has finished."
        )
        return _html(503, notice_page("The class is full", message), **{"Retry-After": "60"})

    async def _index(self, request: web.Request) -> web.Response:
        if self._holder(request) is None:
            return _html(200, door_page(needs_code=self._code is not None))
        if self._full():
            return self._full_page()
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 8), 48)
        return _html(200, terminal_page(self.title, font_size))

    async def _enter(self, request: web.Request) -> web.Response:
        """The door's form: the code (when one is needed), then the name; a ticket if both pass."""
        if request.headers.get("Origin") is not None and not self._from_our_page(request):
            return _html(403, notice_page("Refused", "Enter from the tutor's own page."))
        form = await _form(request)
        if self._code is not None:
            address = request.remote or ""
            if wait := self._guesses.wait(address):
                seconds = math.ceil(wait)
                message = f"Too many wrong codes from this computer: wait {seconds} seconds."
                return _html(
                    429, notice_page("Wait a minute", message), **{"Retry-After": str(seconds)}
                )
            given = form.get("code")
            if not isinstance(given, str) or not matches(given, self._code):
                self._guesses.wrong(address)
                message = (
                    "That access code is not right: ask your teacher for it."
                    if isinstance(given, str) and given.strip()
                    else "This tutor needs the access code your teacher gives out."
                )
                return _html(403, door_page(needs_code=True, message=message))
        name = form.get("name")
        learner = learner_name(name) if isinstance(name, str) else None
        if learner is None:
            message = f"Choose a name of {NAME_RULE}."
            return _html(400, door_page(needs_code=self._code is not None, message=message))
        try:
            key = self._names.claim(learner, request.cookies.get(key_cookie(learner)))
        except OSError as error:
            log.error("No record can be made for %s: %s", learner, error)
            message = "This computer cannot keep your record: tell your teacher."
            return _html(500, notice_page("No record", message))
        if key is None:
            message = "That name is taken: choose another, or ask your teacher."
            return _html(409, door_page(needs_code=self._code is not None, message=message))
        entered = web.Response(status=303, headers={"Location": "/"})
        ticket = self._tickets.issue(learner, key, request.remote or "")
        entered.set_cookie(COOKIE, ticket, httponly=True, samesite="Strict", path="/")
        entered.set_cookie(
            key_cookie(learner),
            key,
            httponly=True,
            samesite="Strict",
            path="/enter",
            max_age=_KEY_AGE,
        )
        return entered

    async def _session(self, request: web.Request) -> web.StreamResponse:
        """One visitor's tutor, for as long as its websocket is open."""
        if not self._from_our_page(request):
            raise web.HTTPForbidden(text="Only the tutor's own page may open a tutor.")
        learner = self._holder(request)
        if learner is None:
            raise web.HTTPForbidden(text="Enter your name (and the access code) first.")
        if self._full():
            raise web.HTTPServiceUnavailable(text="The class is full.")
        address = counted_as(request.remote or "")
        if self._by_address[address] >= self.per_address:
            raise web.HTTPTooManyRequests(
                text=f"This computer already has {self.per_address} tutors open: close one first."
            )
        starts = self._starts[address]
        if wait := starts.wait():
            seconds = math.ceil(wait)
            raise web.HTTPTooManyRequests(
                text=f"Too many tutors started from this computer: wait {seconds} seconds.",
                headers={"Retry-After": str(seconds)},
            )
        starts.take()
        size = self.max_size.clamp(
            to_int(request.query.get("width", "80"), 80),
            to_int(request.query.get("height", "24"), 24),
        )
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MESSAGE_BYTES)
        self._sessions += 1
        self._by_address[address] += 1
        older = self._open.get(learner)
        self._open[learner] = websocket
        try:
            if older is not None:
                message = b"This tutor is open in another tab now."
                await older.close(code=WSCloseCode.POLICY_VIOLATION, message=message)
            await websocket.prepare(request)
            self._sockets.add(websocket)
            await self._tutor(websocket, learner, size)
        finally:
            self._sessions -= 1
            self._by_address[address] -= 1
            if self._open.get(learner) is websocket:
                del self._open[learner]
            self._sockets.discard(websocket)
        return websocket

    async def _tutor(
        self, websocket: web.WebSocketResponse, learner: str, size: TerminalSize
    ) -> None:
        named = f" --name {shlex.quote(learner)}" if self.joins else ""
        service = LearnerService(
            self.command + named,
            self.records / learner,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        try:
            await service.start(*size)
        except OSError as error:
            log.error("The tutor of %s could not start: %s", learner, error)
            await websocket.close()
            return
        try:
            with contextlib.suppress(ConnectionResetError):
                await self._process_messages(websocket, service)
        finally:
            await service.stop()

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        """The browser's messages, read no faster than INPUT_RATE and passed on only in the
        shapes textual.js sends; sizes clamped, and resizes at most one per RESIZE_EVERY."""
        pace = Bucket(MESSAGE_BYTES, INPUT_RATE)
        resizes: Latest[TerminalSize] = Latest(
            lambda size: app_service.set_terminal_size(*size), RESIZE_EVERY
        )
        try:
            async for message in websocket:
                sent = message.data if isinstance(message.data, str | bytes) else ""
                cost = max(MESSAGE_COST, len(sent))
                await asyncio.sleep(pace.wait(cost))
                pace.take(cost)
                if message.type != WSMsgType.TEXT:
                    continue
                match _envelope(message.data):
                    case ["stdin", str(data), *_]:
                        await app_service.send_bytes(data.encode("utf-8", "replace"))
                    case ["resize", {"width": int(width), "height": int(height)}, *_]:
                        resizes.offer(self.max_size.clamp(width, height))
                    case ["ping", str(data), *_]:
                        await websocket.send_json(["pong", data])
                    case ["blur", *_]:
                        await app_service.blur()
                    case ["focus", *_]:
                        await app_service.focus()
        finally:
            resizes.cancel()
