"""The lab's door: a cap on connections per client address, and a timeout on each request head.

A slow client ("slowloris") opens many connections and dribbles a header line every few
seconds, so that no request ever completes. uvicorn waits for a request head for as long as it
takes (its keep-alive timeout only runs between requests), and a thousand such connections use up
the process's open files (1,024 by default): every other student's connection then fails.
`guarded(bounds)` makes uvicorn's HTTP protocol refuse a connection past
`bounds.connections_per_address` from one address, and close one whose request head is not
complete within `bounds.head_timeout`; `accept_tls` counts a TLS connection from the moment it
is accepted, not from the end of its handshake; `raise_open_file_limit` gives the lab room for
a class. A request the HTTP parser refuses is answered 400 by uvicorn, as ever, after the door
has told `on_rejected` what came (tutor.lab.rejected), so that the lab can journal it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import ssl
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import ClassVar

from httptools import HttpParserError, HttpParserUpgrade, HttpRequestParser
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tutor.lab.addresses import counted_as
from tutor.lab.bounds import Bounds
from tutor.lab.deadlines import Deadlines
from tutor.lab.rejected import Rejected, rejected

__all__ = [
    "ACCEPT_AGAIN",
    "LINGER",
    "LOG_EVERY",
    "OPEN_FILES",
    "PARSER_TARGET",
    "Door",
    "GuardedProtocol",
    "OneWrite",
    "Refusal",
    "accept_tls",
    "guarded",
    "raise_open_file_limit",
]

PARSER_TARGET = 65535
"""The longest request target uvicorn's parser can take (httptools keeps URL offsets in 16
bits); a longer one is refused here, with the 414 the lab gives any target over its bound."""

LOG_EVERY = 10.0
"""Seconds between two log lines about one client address: a thousand dribbling connections
make a few lines on the teacher's console, not a thousand."""

LINGER = 0.25
"""Seconds a refused or timed-out connection is still read (and what arrives dropped) after its
answer, unless the client closes first: closing a socket with unread data resets it, and the
reset can destroy the answer before the client reads it (RFC 9112 §9.6). Short, because only a
client that neither reads nor closes waits it out, and each one holds an open file meanwhile."""

ACCEPT_AGAIN = 1.0
"""Seconds the TLS listener waits before it accepts again when the process is out of open
files, as asyncio's own servers do."""

OPEN_FILES = 8192
"""The open-file limit the lab asks for: each connection is an open file, and a class of 40
at `connections_per_address` each, with room to spare, fits."""

_LOG = logging.getLogger("uvicorn.error")


@dataclass(frozen=True, slots=True)
class Refusal:
    """An answer the door gives instead of the app: its status, what the log says of it, and
    the sentence the client reads."""

    status: int
    what: str
    sentence: str


class Door:
    """What one server knows about its clients: their open connections per address, and the
    refusals and timeouts not yet logged (at most one line per address per `log_every`)."""

    def __init__(
        self,
        bounds: Bounds,
        log_every: float,
        on_rejected: Callable[[Rejected], None] | None = None,
    ) -> None:
        self.bounds = bounds
        self.log_every = log_every
        self.on_rejected = on_rejected
        """Hears each request the HTTP parser refuses, before its 400 (the lab journals it)."""
        self.open: Counter[str] = Counter()
        self.heads = Deadlines(bounds.head_timeout)
        """The request heads being waited for, each given `bounds.head_timeout`."""
        self._held: dict[str, Counter[str]] = {}

    def enter(self, address: str) -> Refusal | None:
        """Count one more connection from `address`; the 503 it gets when that is past the cap
        (RFC 9110 §15.6.4)."""
        self.open[address] += 1
        limit = self.bounds.connections_per_address
        if self.open[address] <= limit:
            return None
        return Refusal(
            503,
            f"refused (503, over {limit} open)",
            f"Too many connections from your address ({self.open[address] - 1} open); "
            "close some and try again.",
        )

    def too_slow(self) -> Refusal:
        """The 408 of a request head not complete within `head_timeout` (RFC 9110 §15.5.9)."""
        seconds = f"{self.bounds.head_timeout:g} s"
        return Refusal(
            408,
            f"closed with 408 (no request head within {seconds})",
            f"The request head did not arrive within {seconds}; send it again, all at once.",
        )

    def refuse(
        self,
        address: str | None,
        refusal: Refusal,
        transport: asyncio.Transport,
        head: Iterable[bytes] = (),
    ) -> asyncio.TimerHandle | None:
        """Answer `refusal` on `transport` (after the `head` lines the server adds to every
        answer) and close: our side at once, the whole connection when the client closes or
        after `LINGER`, whose timer this returns. The log hears of it."""
        if address is not None:
            self.note(address, refusal.what)
        body = refusal.sentence.encode()
        status = HTTPStatus(refusal.status)
        transport.write(
            b"".join(
                [
                    f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode(),
                    *head,
                    b"content-type: text/plain; charset=utf-8\r\n",
                    b"content-length: %d\r\n" % len(body),
                    b"connection: close\r\n\r\n",
                    body,
                ]
            )
        )
        if not transport.can_write_eof():
            transport.close()
            return None
        with contextlib.suppress(OSError):  # a client already gone: the linger's end closes
            transport.write_eof()
        return asyncio.get_running_loop().call_later(LINGER, transport.close)

    def leave(self, address: str) -> None:
        self.open[address] -= 1
        if not self.open[address]:
            del self.open[address]

    def note(self, address: str, what: str) -> None:
        """Log `what` at once if `address` has been quiet for a window, else count it for the
        line at the window's end. Runs on the server's loop."""
        held = self._held.get(address)
        if held is None:
            self._say(address, Counter((what,)), since="")
            self._hold(address)
        else:
            held[what] += 1

    def _hold(self, address: str) -> None:
        self._held[address] = Counter()
        asyncio.get_running_loop().call_later(self.log_every, self._window_ends, address)

    def _window_ends(self, address: str) -> None:
        held = self._held.pop(address)
        if held:
            self._say(address, held, since=f" in the last {self.log_every:g} s")
            self._hold(address)

    @staticmethod
    def _say(address: str, counts: Counter[str], since: str) -> None:
        said = ", ".join(
            f"{count} connection{'' if count == 1 else 's'} {what}"
            for what, count in counts.items()
        )
        _LOG.warning("%s: %s%s.", address, said, since)


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (what `http="auto"` picks) with the door in front: 503
    (RFC 9110 §15.6.4) past the connection cap, 408 (RFC 9110 §15.5.9) when a request head is
    not complete within `head_timeout` of the connection opening, or of a later request's
    first byte. Idle keep-alive connections stay uvicorn's to close."""

    door: ClassVar[Door]
    handover: Callable[[], None] | None = None
    """Called as the connection is made: a TLS connection, counted since its acceptance, gives
    back the place its handshake held (`accept_tls`) before it counts itself."""
    _address: str | None = None
    _clocked = False
    """Whether the head's clock runs (`Door.heads`)."""
    _timer: asyncio.TimerHandle | None = None
    """After an answer of ours, the end of the linger."""
    _answered = False
    _target = 0
    """Bytes of the current request's target so far: past the HTTP parser's own limit it would
    answer a bare 400, and uvicorn would keep copying a target that may never end."""
    _chunks = 0
    """Pieces of the current request's body so far: uvicorn copies the body received at each
    one, so a megabyte in one-byte chunks would cost the loop seconds."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if self.handover is not None:
            self.handover()
        super().connection_made(transport)
        self._address = counted_as(self.client[0]) if self.client else None
        if self._address is not None and (refusal := self.door.enter(self._address)):
            self._answer_and_close(refusal)
            return
        self._start_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        if self._timer is not None:
            self._timer.cancel()
        if self._address is not None:
            self.door.leave(self._address)
        super().connection_lost(exc)

    _received = b""
    """The bytes being parsed now: where an Upgrade's data begins is an offset into them."""
    _ignored: _Body | None = None
    """The body of a request whose Upgrade the lab ignores, read by the lab itself."""

    def data_received(self, data: bytes) -> None:
        if self._answered:
            return
        if self._ignored is not None:
            self._read_ignored(data)
            return
        self._received = data
        super().data_received(data)

    def on_message_complete(self) -> None:
        if self.parser.should_upgrade() and self._ignored is None and (body := _body(self)):
            self._ignored = body  # the parser took the body for the new protocol's bytes
            return
        super().on_message_complete()

    def _unsupported_upgrade_warning(self) -> None:
        """A request asked to change protocols (Java's HttpClient asks for h2c on every
        request): the lab does not, and RFC 9110 §7.8 lets a server ignore Upgrade and answer
        in HTTP/1.1. The parser has handed over the bytes after the head as the new protocol's
        (uvicorn would lose the body there); they are the body, and then the next request."""
        upgrade = sys.exc_info()[1]
        offset = upgrade.args[0] if isinstance(upgrade, HttpParserUpgrade) and upgrade.args else 0
        rest = self._received[offset:] if isinstance(offset, int) else b""
        if self._ignored is not None:
            self._read_ignored(rest)
        else:
            self._parse_anew(rest)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's 400 for what its parser refused (the error being handled), heard first
        by `on_rejected`: a client that sent it is seen to have sent it."""
        error = sys.exc_info()[1]
        if self.door.on_rejected is not None and isinstance(error, HttpParserError):
            peer = f"{self.client[0]}:{self.client[1]}" if self.client else "-"
            scheme = "https" if self.scheme == "https" else "http"
            what = rejected(self._received, peer, scheme, error)
            if what is not None:
                self.door.on_rejected(what)
        super().send_400_response(msg)

    def _read_ignored(self, data: bytes) -> None:
        assert self._ignored is not None
        body, rest, done = self._ignored.take(data)
        if body:
            self.on_body(body)
        if self._ignored.broken:
            self._ignored = None
            self.send_400_response("Invalid chunked body after an Upgrade the lab ignores.")
            return
        if done:
            self._ignored = None
            super().on_message_complete()
            self._parse_anew(rest)

    def _parse_anew(self, rest: bytes) -> None:
        """A new parser for the next request on this connection: the old one has switched."""
        self.parser = HttpRequestParser(self)
        if rest:
            self.data_received(rest)

    def on_message_begin(self) -> None:
        self._chunks = self._target = 0
        super().on_message_begin()
        if not self._clocked:  # the first request's clock started with the connection
            self._start_clock()

    def on_url(self, url: bytes) -> None:
        self._target += len(url)
        if self._target <= PARSER_TARGET:
            super().on_url(url)
        elif not self._answered:
            limit = self.door.bounds.target
            self._answer_and_close(
                Refusal(
                    414,
                    f"closed with 414 (a target over {PARSER_TARGET} bytes)",
                    f"Request target over the lab's limit of {limit} bytes.\n",
                )
            )

    def on_body(self, body: bytes) -> None:
        self._chunks += 1
        if self._chunks <= self.door.bounds.body_chunks:
            super().on_body(body)
        elif not self._answered:
            if self.cycle is not None:
                self.cycle.disconnected = True  # the lab journals what came, then hears no more
            limit = self.door.bounds.body_chunks
            self._answer_and_close(
                Refusal(
                    413,
                    f"closed with 413 (a body in over {limit} pieces)",
                    f"The request body came in over {limit} pieces; send it in fewer, larger ones.",
                )
            )

    def on_headers_complete(self) -> None:
        self._stop_clock()
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.transport is self.transport:
            self.cycle.transport = OneWrite(self.transport, self.loop)  # type: ignore[assignment]

    def _start_clock(self) -> None:
        self.door.heads.start(self, self._head_too_slow, self.loop)
        self._clocked = True

    def _stop_clock(self) -> None:
        if self._clocked:
            self.door.heads.stop(self)
            self._clocked = False

    def _head_too_slow(self) -> None:
        self._stop_clock()
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head behind an answer still being sent: close once it is sent.
            self.cycle.keep_alive = False
            return
        self._answer_and_close(self.door.too_slow())

    def _answer_and_close(self, refusal: Refusal) -> None:
        self._answered = True
        self._stop_clock()
        head = [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        self._timer = self.door.refuse(self._address, refusal, self.transport, head)


class OneWrite:
    """A response's transport that sends its head together with the first piece of its body:
    uvicorn writes the head on `http.response.start` and the body on `http.response.body`, two
    system calls (and two packets) for an answer that fits in one. A head held back is sent at
    the next write, at a close, or at the loop's next turn, whichever comes first, so an answer
    that streams its body still gets its head at once."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        if self._held is not None:
            data, self._held = self._held + data, None
        elif data.endswith(b"\r\n\r\n") and data.startswith(b"HTTP/"):  # the head
            self._held = data
            self._loop.call_soon(self.flush)
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> object:  # is_closing, get_extra_info, ...
        return getattr(self._transport, name)


class _Place:
    """A TLS connection's place at the door, from its acceptance until its HTTP protocol takes
    the count over, or its handshake fails: given back once."""

    def __init__(self, door: Door, address: str) -> None:
        self.door = door
        self.address = address
        self._held = True

    def give_back(self) -> None:
        if self._held:
            self._held = False
            self.door.leave(self.address)


async def accept_tls(
    sock: socket.socket,
    protocol: Callable[[], GuardedProtocol],
    door: Door,
    context: ssl.SSLContext,
    timeout: float,
) -> None:
    """Serve TLS on the listening `sock` until cancelled (then it is closed), each connection
    counted against its address from the moment it is accepted. asyncio's own TLS server
    (`create_server(ssl=...)`) hands a connection to the HTTP protocol, and so to the door,
    only once its handshake is over: handshakes that never end would count for nothing, and one
    address could hold every open file of the lab, each for a handshake timeout. Past the cap
    a connection is closed at once (before a handshake there is no way to answer 503)."""
    loop = asyncio.get_running_loop()
    shaking: set[asyncio.Task[None]] = set()
    try:
        while True:
            try:
                connection, peer = await loop.sock_accept(sock)
            except (ConnectionAbortedError, InterruptedError, BlockingIOError):
                continue  # a client gone before it was accepted
            except OSError as error:
                if error.errno not in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    _LOG.warning("The TLS listener stopped: %s.", error.strerror or error)
                    return
                await asyncio.sleep(ACCEPT_AGAIN)  # out of open files, as asyncio's servers do
                continue
            address = counted_as(peer[0])
            if door.enter(address) is not None:
                door.leave(address)
                limit = door.bounds.connections_per_address
                door.note(address, f"closed before the TLS handshake (over {limit} open)")
                connection.close()
                continue
            task = loop.create_task(
                _handshake(connection, _Place(door, address), protocol, context, timeout)
            )
            shaking.add(task)
            task.add_done_callback(shaking.discard)
    finally:
        for task in shaking:
            task.cancel()
        sock.close()


async def _handshake(
    connection: socket.socket,
    place: _Place,
    protocol: Callable[[], GuardedProtocol],
    context: ssl.SSLContext,
    timeout: float,
) -> None:
    """`connection`'s TLS handshake, then its HTTP protocol, which takes over its `place`."""

    def handed() -> GuardedProtocol:
        http = protocol()
        http.handover = place.give_back
        return http

    try:
        await asyncio.get_running_loop().connect_accepted_socket(
            handed, connection, ssl=context, ssl_handshake_timeout=timeout
        )
    except Exception:  # too slow, not TLS, a reset: closed without a word in the log, as
        connection.close()  # asyncio's own TLS server does
    finally:
        place.give_back()


def guarded(
    bounds: Bounds,
    log_every: float = LOG_EVERY,
    on_rejected: Callable[[Rejected], None] | None = None,
) -> type[GuardedProtocol]:
    """The protocol class for one server, `uvicorn.Config(http=guarded(bounds))`: its counts are
    its own, so two labs in one process never share them. Make one per server. `on_rejected`
    hears each request the HTTP parser refuses (`LabApp.rejected`)."""
    door = Door(bounds, log_every, on_rejected)

    class Guarded(GuardedProtocol):
        pass

    Guarded.door = door
    return Guarded


def raise_open_file_limit(cap: int = OPEN_FILES) -> int | None:
    """Raise this process's soft limit on open files toward its hard limit, to at most `cap`;
    the limit it then has (None where there is no such limit to read).

    Where it cannot (Windows, a hard limit already reached, a system that says no), nothing
    changes: the connection cap and the head timeout still bound what one client holds.
    """
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(OSError, ValueError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return None if soft == resource.RLIM_INFINITY else soft


class _Body:
    """A request body read without the parser: `length` bytes, or chunked (RFC 9112 §7.1)."""

    def __init__(self, length: int | None) -> None:
        self.left = length
        self.chunked = length is None
        self.broken = False
        self._buffer = b""
        self._chunk = 0
        self._trailers = False

    def take(self, data: bytes) -> tuple[bytes, bytes, bool]:
        """(body bytes in `data`, what comes after the body, whether the body is complete)."""
        if not self.chunked:
            assert self.left is not None
            body, rest = data[: self.left], data[self.left :]
            self.left -= len(body)
            return body, rest, self.left == 0
        self._buffer += data
        body = b""
        while True:
            if self._chunk:
                piece = self._buffer[: self._chunk]
                body += piece
                self._buffer = self._buffer[len(piece) :]
                self._chunk -= len(piece)
                if self._chunk:
                    return body, b"", False
                self._chunk = -2  # the CRLF after the chunk's data
            if self._chunk == -2:
                if len(self._buffer) < 2:
                    return body, b"", False
                if self._buffer[:2] != b"\r\n":
                    self.broken = True
                    return body, b"", False
                self._buffer, self._chunk = self._buffer[2:], 0
            line, found, after = self._buffer.partition(b"\r\n")
            if not found:
                self.broken = len(self._buffer) > _CHUNK_LINE
                return body, b"", False
            self._buffer = after
            if self._trailers:
                if not line:  # the blank line after the trailers: the body is complete
                    return body, self._buffer, True
                continue
            size = line.split(b";", 1)[0].strip()
            try:
                self._chunk = int(size, 16)
            except ValueError:
                self.broken = True
                return body, b"", False
            if self._chunk == 0:
                self._trailers = True


_CHUNK_LINE = 1024
"""The longest chunk-size line (with its extensions) a chunked body read here may have."""


def _body(protocol: HttpToolsProtocol) -> _Body | None:
    """How the body of the request being parsed comes (None: it has none), from its head."""
    headers = dict(protocol.headers)
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        return _Body(None)
    length = headers.get(b"content-length", b"0").strip()
    return _Body(int(length)) if length.isdigit() and int(length) > 0 else None
