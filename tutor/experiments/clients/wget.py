"""GNU Wget as a real program: `--post-data` for POST, `--method` and `--body-data` otherwise.

`--method=GET --body-data` (or HEAD) really sends that method with the body; wget then keeps
the method on every redirect and resends the body except on a 303.
"""

from __future__ import annotations

import os

from tutor.experiments.clients.base import Request
from tutor.experiments.clients.program import OneRunEach

__all__ = ["CLIENT"]

_EXIT_MEANINGS = {
    1: "a generic error",
    3: "a file error",
    4: "a network failure",
    5: "an SSL failure",
    6: "an authentication failure",
    7: "a protocol error",
    8: "the server answered with an error",
}


class Wget(OneRunEach):
    name = "wget"
    label = "wget"
    program = "wget"
    version_word = 2
    exit_meanings = _EXIT_MEANINGS
    install_hint = "apt-get install wget (or your system's package manager)"

    def _cannot_send(self, request: Request) -> str | None:
        if request.stream:
            return "wget sends only a body it holds whole (--body-data or --body-file)"
        if b"\0" in request.body:
            return "wget takes its body on the command line, which cannot hold a NUL byte"
        return None

    def argv(self, request: Request, timeout: float) -> list[str]:
        argv = [
            "wget",
            "-nv",
            "-O",
            os.devnull,
            "--no-proxy",
            f"--timeout={timeout:g}",
            "--tries=1",
        ]
        if request.ca:
            argv.append(f"--ca-certificate={request.ca}")
        for name, value in request.headers.items():
            argv.append(f"--header={name}: {value}")
        if request.method == "POST" and request.body:
            argv.append(f"--post-data={os.fsdecode(request.body)}")
        elif request.method != "GET" or request.body:
            argv.append(f"--method={request.method}")
            if request.body:
                argv.append(f"--body-data={os.fsdecode(request.body)}")
        return [*argv, request.url]


CLIENT = Wget()
