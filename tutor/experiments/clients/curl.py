"""curl -L, run as a real program (argv list, never a shell), in the three ways people write it.

`curl -L -d` lets curl pick POST itself; `curl -L -X METHOD -d` forces the method word, which
curl then keeps on 301/302/303 while dropping the body (FACTS 21); `--post301 --post302
--post303` ask curl to keep POST. A GET with a body is `-X GET -d` (a bare `-d` would make it
a POST): curl keeps GET on every redirect, resending the body on 307/308 only. A HEAD is always
`-I`, which takes no body: `-X HEAD` would wait for a response body that never comes.
"""

from __future__ import annotations

import os

from tutor.experiments.clients.base import Request
from tutor.experiments.clients.program import OneRunEach

__all__ = ["CLIENT", "CURL_POST30X", "CURL_X", "Curl"]

_EXIT_MEANINGS = {
    6: "could not resolve the host",
    7: "could not connect",
    28: "timed out",
    47: "too many redirects",
    52: "the server sent nothing",
    56: "the connection was reset",
    65: "could not rewind the body to send it again",
}


class Curl(OneRunEach):
    program = "curl"
    exit_meanings = _EXIT_MEANINGS
    error_starts = "curl: ("  # a certificate problem (60) is followed by five lines of advice
    body_on_stdin = True
    install_hint = "apt-get install curl (or your system's package manager)"

    def __init__(self, name: str, label: str, flags: tuple[str, ...], always_x: bool) -> None:
        self.name = name
        self.label = label
        self._flags = flags
        self._always_x = always_x

    def _cannot_send(self, request: Request) -> str | None:
        if request.method == "HEAD" and (request.body or request.stream):
            return (
                "curl sends a HEAD only with -I, which takes no body "
                "(with -X HEAD it would wait for a response body that never comes)"
            )
        return None

    def argv(self, request: Request, timeout: float) -> list[str]:
        argv = ["curl", "-sS", "-L", *self._flags, "--max-time", f"{timeout:g}", "--noproxy", "*"]
        argv += ["-o", os.devnull]
        if request.ca:
            argv += ["--cacert", request.ca]
        for name, value in request.headers.items():
            argv += ["-H", f"{name}: {value}"]
        method = request.method
        if method == "HEAD":
            return [*argv, "-I", request.url]
        # Without -X curl picks the method itself: POST with -d (even for a GET), PUT with -T.
        if self._always_x or request.stream or method != ("POST" if request.body else "GET"):
            argv += ["-X", method]
        if request.stream:
            argv += ["-T", "-"]
        elif request.body:
            argv += ["--data-binary", "@-"]
        return [*argv, request.url]


CLIENT = Curl("curl", "curl -L", (), always_x=False)
CURL_X = Curl("curl-x", "curl -L -X METHOD", (), always_x=True)
CURL_POST30X = Curl(
    "curl-post30x",
    "curl -L --post301 --post302 --post303",
    ("--post301", "--post302", "--post303"),
    always_x=False,
)
