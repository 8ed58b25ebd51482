"""Run the lab on a real socket with uvicorn: in a background thread, or in the foreground.

uvicorn gives the lab a real HTTP/1.1 parser, limits and graceful shutdown. Its log lines are
kept to one line each (no tracebacks): a malformed request from a student must never spill a
stack trace into a learner's terminal.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Callable

from tutor.lab.addresses import http_url
from tutor.lab.app import LabApp
from tutor.lab.journal import Hop, Journal

__all__ = ["LabError", "LabServer", "lab_log", "serve"]

lab_log: deque[str] = deque(maxlen=200)
"""The lab's recent warnings (bad requests, dropped connections), one line each."""

_echo: list[Callable[[str], None]] = []


class LabError(Exception):
    """The lab could not start; the message is meant for a person."""


class _OneLineHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        line = f"lab {record.levelname.lower()}: {record.getMessage()}"
        lab_log.append(line)
        for echo in _echo:
            echo(line)


def _quiet_uvicorn_logging() -> None:
    logger = logging.getLogger("uvicorn")
    if not any(isinstance(h, _OneLineHandler) for h in logger.handlers):
        logger.addHandler(_OneLineHandler())
    logger.setLevel(logging.WARNING)
    logger.propagate = False


def _bind(host: str, port: int) -> socket.socket:
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


def _server(journal: Journal, origins: tuple[str, ...] = ()):  # -> uvicorn.Server, imported late
    import uvicorn

    _quiet_uvicorn_logging()
    config = uvicorn.Config(
        LabApp(journal, origins),
        log_config=None,
        access_log=False,
        lifespan="off",
        ws="none",
        server_header=False,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return http_url(host, port)


class LabServer:
    """The lab on a free (or given) port, served from a daemon thread until `stop()`.

    A second listener on another free port (`other_url`) is another origin with the same
    journal: redirects with `?origin=other` go there, to show what a client carries across.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, journal: Journal | None = None):
        self.journal = journal if journal is not None else Journal()
        self._host = host
        self._port = port
        self._server = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.other_url = ""

    def start(self, timeout: float = 10.0) -> LabServer:
        sock = _bind(self._host, self._port)
        other = _bind(self._host, 0)
        self.url = _url(sock)
        self.other_url = _url(other)
        self._server = server = _server(self.journal, (self.url, self.other_url))
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock, other]}, name="lab-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                other.close()
                why = lab_log[-1] if lab_log else "it gave no reason"
                raise LabError(f"The lab server did not start: {why}.")
            time.sleep(0.002)
        return self

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
    on_ready: Callable[[str, str], None],
    on_hop: Callable[[Hop], None],
    on_log: Callable[[str], None],
    journal: Journal | None = None,
) -> None:
    """Serve the lab in the foreground until Ctrl+C (uvicorn handles the signal gracefully).

    The second origin listens on `port + 1` when it is free, else on any free port; `on_ready`
    gets both URLs. `on_hop` runs on the lab's event loop: it must return at once.
    """
    sock = _bind(host, port)
    try:
        other = _bind(host, port + 1 if 0 < port < 65535 else 0)
    except LabError:
        other = _bind(host, 0)
    journal = journal if journal is not None else Journal()
    journal.subscribe(on_hop)
    _echo.append(on_log)
    urls = (_url(sock), _url(other))
    server = _server(journal, urls)
    on_ready(*urls)
    try:
        server.run(sockets=[sock, other])
    except KeyboardInterrupt:
        pass  # uvicorn shut down gracefully, then re-raised the Ctrl+C it had captured
    finally:
        _echo.remove(on_log)
