"""Firefox's remote protocol, Marionette, as much of it as the tutor needs to drive one page.

Marionette is built into Firefox (`-marionette`): a TCP socket on loopback that takes
WebDriver commands as JSON, each message framed as "LENGTH:JSON"
(https://firefox-source-docs.mozilla.org/testing/marionette/Protocol.html). A command is
`[0, id, name, params]`; its answer `[1, id, error, result]`. With the preference
`marionette.port` at 0, Firefox picks a free port and writes it to `MarionetteActivePort` in
its profile. Nothing is downloaded: no driver program, no package.
"""

from __future__ import annotations

import json
import socket
from typing import Any

__all__ = ["Marionette", "MarionetteError"]

_MOST = 64 * 1024 * 1024
"""The longest message read: a page's result is a few kilobytes."""


class MarionetteError(Exception):
    """The browser answered with an error, or its socket said something else than Marionette;
    `code` is the WebDriver error code of an answer ("insecure certificate"), else None."""

    def __init__(self, text: str, code: str | None = None) -> None:
        super().__init__(text)
        self.code = code


class Marionette:
    """One connection to one browser; `command` sends one command and waits for its answer."""

    def __init__(self, port: int, timeout: float) -> None:
        self._socket = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self._buffer = b""
        self._id = 0
        hello = self._read()
        if not isinstance(hello, dict) or hello.get("marionetteProtocol") != 3:
            raise MarionetteError(f"not Marionette protocol 3: {str(hello)[:80]}")

    def command(self, name: str, params: dict[str, Any] | None = None) -> Any:
        self._id += 1
        message = json.dumps([0, self._id, name, params or {}]).encode()
        self._socket.sendall(b"%d:%s" % (len(message), message))
        while True:
            answer = self._read()
            if isinstance(answer, list) and len(answer) == 4 and answer[:2] == [1, self._id]:
                break
        _, _, error, result = answer
        if error:
            # An error is {"error": code, "message": ..., "stacktrace": ...}; the message may be
            # empty (a navigation refused for its certificate says only "insecure certificate").
            code = str(error.get("error") or "") if isinstance(error, dict) else ""
            said = str(error.get("message") or "") if isinstance(error, dict) else str(error)
            raise MarionetteError(f"{name}: {said or code or 'an error'}", code or None)
        return result.get("value") if isinstance(result, dict) else result

    def close(self) -> None:
        self._socket.close()

    def _read(self) -> Any:
        while b":" not in self._buffer:
            self._fill()
        length, _, self._buffer = self._buffer.partition(b":")
        if not length.isdigit() or int(length) > _MOST:
            raise MarionetteError("a message that is no Marionette frame")
        size = int(length)
        while len(self._buffer) < size:
            self._fill()
        message, self._buffer = self._buffer[:size], self._buffer[size:]
        try:
            return json.loads(message)
        except ValueError as error:
            raise MarionetteError(f"a message that is no JSON: {error}") from None

    def _fill(self) -> None:
        chunk = self._socket.recv(65536)
        if not chunk:
            raise MarionetteError("the browser closed its Marionette socket")
        self._buffer += chunk
        if len(self._buffer) > _MOST + 16:
            raise MarionetteError("a Marionette message too long")
