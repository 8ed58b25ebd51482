"""Run the lab on a real socket with uvicorn: in a background thread, or in the foreground.

Beside its plain HTTP listeners, a lab given an Authority listens with TLS too (`secure_url`),
so that a redirect can change the scheme (http -> https and back) on one journal.

uvicorn gives the lab a real HTTP/1.1 parser, limits and graceful shutdown. Its log lines are
kept to one line each (no tracebacks): a malformed request from a student must never spill a
stack trace into a learner's terminal. Each lab keeps its own lines (`LabServer.log`, or the
`on_log` of `serve`): uvicorn's one logger is routed by the thread that serves the lab.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, cast

from tutor.lab.addresses import http_url
from tutor.lab.app import Annex, LabApp
from tutor.lab.authority import Authority, AuthorityError, TlsLab
from tutor.lab.journal import Hop, Journal
from tutor.lab.printable import one_line

if TYPE_CHECKING:
    import ssl

    import uvicorn

__all__ = ["LOG_LINES", "LabError", "LabServer", "bind", "serve"]

LOG_LINES = 200
"""How many of its recent log lines each lab keeps (bad requests, dropped connections)."""


class LabError(Exception):
    """The lab could not start; the message is meant for a person."""


class _LogRouter(logging.Handler):
    """uvicorn logs to one logger for the whole process ("uvicorn"): this hands each record, as
    one line without its traceback, to the lab served by the thread that logged it."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._sinks: dict[int, Callable[[str], None]] = {}

    @contextmanager
    def hearing(self, sink: Callable[[str], None]) -> Iterator[None]:
        """While inside, what uvicorn logs from the current thread goes to `sink`."""
        thread = threading.get_ident()
        with self._lock:
            self._sinks[thread] = sink
        try:
            yield
        finally:
            with self._lock:
                self._sinks.pop(thread, None)

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            sink = self._sinks.get(threading.get_ident())
        if sink is None:
            return  # a uvicorn that is not a lab's
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: its template is still worth a line
            message = str(record.msg)
        # A sink that fails has nowhere left to say so, and logging would print a traceback.
        with contextlib.suppress(Exception):
            sink(one_line(f"lab {record.levelname.lower()}: {message}"))


_ROUTER = _LogRouter()
_ROUTER_INSTALLED = threading.Lock()


def _route_uvicorn_logging() -> None:
    """Once per process: uvicorn's warnings and errors go through `_ROUTER`, and nowhere else."""
    logger = logging.getLogger("uvicorn")
    with _ROUTER_INSTALLED:
        if _ROUTER not in logger.handlers:
            logger.addHandler(_ROUTER)
        logger.setLevel(logging.WARNING)
        logger.propagate = False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port`, or a LabError that says in a sentence why not (a
    port in use, a port that needs privileges): never a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(256)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise LabError(
                f"Port {port} on {host} is already in use. Stop the program that holds it, "
                "or choose another port with --port."
            ) from None
        if error.errno == errno.EACCES:
            raise LabError(
                f"Not allowed to listen on {host}:{port}; try a port above 1023."
            ) from None
        raise LabError(f"Cannot listen on {host}:{port}: {error.strerror or error}.") from None
    sock.setblocking(False)
    return sock


@dataclass(frozen=True, slots=True)
class Secure:
    """The TLS listener's socket and context: uvicorn's one `ssl` setting would make every
    listener speak TLS, and the lab's plain ones must not."""

    sock: socket.socket
    context: ssl.SSLContext
    handshake_timeout: float
    ca_pem: str
    """The CA's certificate, which the lab hands out at /ca.pem."""


@cache
def _server_class() -> Callable[..., uvicorn.Server]:
    """uvicorn's Server, with a TLS listener beside the plain ones, telling a waiting thread the
    moment it listens, and the annex the moment it stops, so that its long polls end before
    uvicorn gives up waiting for them (imported late)."""
    import asyncio

    import uvicorn

    from tutor.lab.guard import GuardedProtocol, accept_tls

    class Server(uvicorn.Server):
        woken: asyncio.Event | None = None
        loop: asyncio.AbstractEventLoop | None = None
        _exit = False

        @property  # type: ignore[override]
        def should_exit(self) -> bool:
            return self._exit

        @should_exit.setter
        def should_exit(self, value: bool) -> None:
            """Set from any thread (`LabServer.stop`, a signal): wakes `main_loop` at once."""
            self._exit = value
            loop, woken = self.loop, self.woken
            if value and loop is not None and woken is not None:
                with contextlib.suppress(RuntimeError):  # the loop has already closed
                    loop.call_soon_threadsafe(woken.set)

        def __init__(
            self,
            config: uvicorn.Config,
            started: threading.Event,
            annex: Annex | None = None,
            secure: Secure | None = None,
        ) -> None:
            super().__init__(config)
            self.started_event = started
            self.annex = annex
            self.secure = secure
            self.accepting: asyncio.Task[None] | None = None

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and self.secure is not None:
                config = self.config
                state = self.server_state
                http = cast(type[GuardedProtocol], config.http_protocol_class)

                def protocol() -> GuardedProtocol:
                    return http(config=config, server_state=state, app_state=self.lifespan.state)

                secure = self.secure
                secure.sock.listen(config.backlog)  # as uvicorn's own listeners
                self.accepting = asyncio.get_running_loop().create_task(
                    accept_tls(
                        secure.sock, protocol, http.door, secure.context, secure.handshake_timeout
                    )
                )
            if self.started:
                self.started_event.set()

        async def main_loop(self) -> None:
            """uvicorn's loop, which looks at `should_exit` every 0.1 s, also woken at once by
            setting `should_exit`: a `try` would otherwise spend a tick waiting to stop."""
            self.woken = asyncio.Event()
            self.loop = asyncio.get_running_loop()
            counter = 0
            while not await self.on_tick(counter):
                counter = (counter + 1) % 864000
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.woken.wait(), 0.1)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            """uvicorn's graceful shutdown (stop listening, close idle connections, wait up to
            `timeout_graceful_shutdown` for the rest and their tasks), without its fixed 0.1 s
            pause and 0.1 s polls: a lab is stopped at the end of every `try`."""
            if self.annex is not None:
                self.annex.stop_waiting()
            if self.accepting is not None:
                self.accepting.cancel()  # the TLS listener closes, and its handshakes end
            for server in self.servers:
                server.close()
            for sock in sockets or []:
                sock.close()
            for connection in list(self.server_state.connections):
                connection.shutdown()
            try:
                await asyncio.wait_for(self._drained(), self.config.timeout_graceful_shutdown)
            except TimeoutError:
                for task in self.server_state.tasks:
                    task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")

        async def _drained(self) -> None:
            state = self.server_state
            while (state.connections or state.tasks) and not self.force_exit:
                await asyncio.sleep(0.002)
            for server in self.servers:
                await server.wait_closed()

    return Server


def _server(
    journal: Journal,
    origins: tuple[str, ...] = (),
    started: threading.Event | None = None,
    annex: Annex | None = None,
    secure: Secure | None = None,
) -> uvicorn.Server:
    import uvicorn

    from tutor.lab.guard import guarded  # imports uvicorn's protocol: only when a lab starts

    _route_uvicorn_logging()
    app = LabApp(journal, origins, annex, secure.ca_pem if secure is not None else None)
    config = uvicorn.Config(
        app,
        http=guarded(journal.bounds, on_rejected=app.rejected),  # journaled, not only refused
        log_config=None,
        access_log=False,
        proxy_headers=False,  # the peer is who connected: a header must not name another
        lifespan="off",
        ws="none",
        server_header=False,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=2,
    )
    return _server_class()(config, started or threading.Event(), annex, secure)


def _url(sock: socket.socket, scheme: str = "http") -> str:
    host, port = sock.getsockname()[:2]
    return http_url(host, port).replace("http", scheme, 1)


def _secure(
    host: str,
    port: int,
    authority: Authority | None,
    journal: Journal,
    no_authority: str | None = None,
) -> tuple[Secure | None, str | None]:
    """The TLS listener on `port` of `host` (0: a free one), or why there is none (a sentence;
    without an `authority`, `no_authority` when it is known)."""
    if authority is None:
        return None, no_authority or "this lab was started without a certificate authority"
    try:
        context = authority.server_context()
        ca_pem = authority.ca.read_text(encoding="ascii")
    except AuthorityError as error:
        return None, str(error)
    except (OSError, ValueError) as error:
        return None, f"The lab's certificate authority cannot be read: {error}"
    try:
        sock = bind(host, port)
    except LabError as error:
        return None, str(error)
    return Secure(sock, context, journal.bounds.head_timeout, ca_pem), None


class LabServer:
    """The lab on a free (or given) port, served from a daemon thread until `stop()`.

    A second listener on another free port (`other_url`) is another origin with the same
    journal: redirects with `?origin=other` go there, to show what a client carries across.
    Given an `authority`, a third listens with TLS (`secure_url`, on `secure_port` or a free
    one): `?scheme=https` and `?scheme=http` redirect across; without one, or when its files
    cannot be read, `secure_url` is "" and `secure_problem` says why (`no_authority`: why it
    was given none).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        journal: Journal | None = None,
        annex: Annex | None = None,
        authority: Authority | None = None,
        secure_port: int = 0,
        no_authority: str | None = None,
    ):
        self.journal = journal if journal is not None else Journal()
        self.annex = annex
        self.authority = authority
        self.log: deque[str] = deque(maxlen=LOG_LINES)
        """This lab's recent warnings (bad requests, dropped connections), one line each."""
        self._host = host
        self._port = port
        self._secure_port = secure_port
        self._no_authority = no_authority
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.other_url = ""
        self.secure_url = ""
        self.secure_problem: str | None = None
        """Why this lab has no TLS listener, in a sentence (None: it has one)."""

    @property
    def tls(self) -> TlsLab:
        """The TLS listener and the CA file a client trusts to reach it; or why there is none."""
        if self.authority is None or not self.secure_url:
            return TlsLab(problem=self.secure_problem or "the lab is not running")
        return TlsLab(self.secure_url, str(self.authority.ca))

    def start(self, timeout: float = 10.0) -> LabServer:
        sock = bind(self._host, self._port)
        try:
            other = bind(self._host, 0)
        except LabError:
            sock.close()
            raise
        secure, self.secure_problem = _secure(
            self._host, self._secure_port, self.authority, self.journal, self._no_authority
        )
        self.url = _url(sock)
        self.other_url = _url(other)
        self.secure_url = _url(secure.sock, "https") if secure is not None else ""
        started = threading.Event()
        origins = tuple(filter(None, (self.url, self.other_url, self.secure_url)))
        self._server = server = _server(self.journal, origins, started, self.annex, secure)
        self._thread = threading.Thread(
            target=self._serve,
            args=(server, [sock, other], started),
            name="lab-server",
            daemon=True,
        )
        self._thread.start()
        started.wait(timeout)
        if not server.started:
            server.should_exit = True
            for listening in (sock, other, secure.sock if secure is not None else None):
                if listening is not None:
                    listening.close()
            self._server = None
            self._thread = None
            why = self.log[-1] if self.log else "it gave no reason"
            raise LabError(f"The lab server did not start: {why}.")
        return self

    def _serve(
        self, server: uvicorn.Server, sockets: list[socket.socket], started: threading.Event
    ) -> None:
        """The server thread: uvicorn until `stop()`, its log lines into `self.log`."""
        with _ROUTER.hearing(self.log.append):
            try:
                server.run(sockets=sockets)
            except (Exception, SystemExit) as error:  # uvicorn exits when it cannot start
                self.log.append(one_line(f"lab error: {type(error).__name__}: {error}"))
            finally:
                started.set()  # a start() still waiting hears that it is over

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve(
    host: str,
    port: int,
    on_ready: Callable[[str, str, str, str | None], None],
    on_hop: Callable[[Hop], None],
    on_log: Callable[[str], None],
    journal: Journal | None = None,
    annex: Annex | None = None,
    authority: Authority | None = None,
) -> None:
    """Serve the lab in the foreground until Ctrl+C (uvicorn handles the signal gracefully).

    `on_log` hears each of uvicorn's log lines (one line each, never a traceback).

    The second origin listens on `port + 1` when it is free, else on any free port; the TLS
    listener (with an `authority`) on `port + 2` when it is free, else on any free port: a class
    that restarts its lab finds every listener where it was. `on_ready` gets the three URLs (the
    last
    "" without TLS) and why there is no TLS listener (None: there is one). `on_hop` runs on the
    lab's event loop: it must return at once.
    """
    sock = bind(host, port)
    try:
        other = bind(host, port + 1 if 0 < port < 65535 else 0)
    except LabError:
        other = bind(host, 0)
    journal = journal if journal is not None else Journal()
    secure, secure_problem = (None, None)
    if 0 < port < 65534:
        secure, secure_problem = _secure(host, port + 2, authority, journal)
    if secure is None and authority is not None:
        secure, secure_problem = _secure(host, 0, authority, journal)
    journal.subscribe(on_hop)
    urls = (_url(sock), _url(other), _url(secure.sock, "https") if secure is not None else "")
    server = _server(journal, tuple(filter(None, urls)), annex=annex, secure=secure)
    on_ready(*urls, secure_problem)
    try:
        with _ROUTER.hearing(on_log):
            server.run(sockets=[sock, other])
    except KeyboardInterrupt:
        pass  # uvicorn shut down gracefully, then re-raised the Ctrl+C it had captured
