"""curl -L, run as a real program (argv list, never a shell), in the three ways people write it.

`curl -L -d` lets curl pick POST itself; `curl -L -X METHOD -d` forces the method word, which
curl then keeps on 301/302/303 while dropping the body (FACTS 21); `--post301 --post302
--post303` ask curl to keep POST. A HEAD is always `-I`: `-X HEAD` would wait for a body.
"""

from __future__ import annotations

import os

from tutor.experiments.clients.base import Attempt, Request
from tutor.experiments.clients.program import ProgramClient, complaint, run_program

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


class Curl(ProgramClient):
    program = "curl"
    install_hint = "apt-get install curl (or your system's package manager)"

    def __init__(self, name: str, label: str, flags: tuple[str, ...], always_x: bool) -> None:
        self.name = name
        self.label = label
        self._flags = flags
        self._always_x = always_x

    def argv(self, request: Request, timeout: float) -> list[str]:
        argv = ["curl", "-sS", "-L", *self._flags, "--max-time", f"{timeout:g}", "--noproxy", "*"]
        argv += ["-o", os.devnull, "-w", "%{http_code}"]
        for name, value in request.headers.items():
            argv += ["-H", f"{name}: {value}"]
        method = request.method
        if method == "HEAD":
            return [*argv, "-I", request.url]
        if (
            self._always_x
            or method not in ("GET", "POST")
            or (method == "POST" and not (request.body or request.stream))
            or request.stream  # -T alone would upload with PUT
        ):
            argv += ["-X", method]
        if request.stream:
            argv += ["-T", "-"]
        elif request.body:
            argv += ["--data-binary", "@-"]
        return [*argv, request.url]

    def attempt(self, request: Request, timeout: float) -> Attempt:
        done = run_program(self.argv(request, timeout), input=request.body, timeout=timeout + 2)
        if isinstance(done, str):
            return Attempt(error=done)
        code = done.stdout.decode(errors="replace").strip()
        status = int(code) if code.isdigit() and code != "000" else None
        if done.returncode:
            said = complaint(done, _EXIT_MEANINGS.get(done.returncode, "failed"))
            return Attempt(status=status, error=f"curl exited {done.returncode}: {said}")
        return Attempt(status=status)


CLIENT = Curl("curl", "curl -L", (), always_x=False)
CURL_X = Curl("curl-x", "curl -L -X METHOD", (), always_x=True)
CURL_POST30X = Curl(
    "curl-post30x",
    "curl -L --post301 --post302 --post303",
    ("--post301", "--post302", "--post303"),
    always_x=False,
)
