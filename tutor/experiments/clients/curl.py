"""curl -L, run as a real program (argv list, never a shell), the way people write it.

A POST is sent with `--data-binary` alone (curl picks POST itself); other methods need `-X`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache

from tutor.experiments.clients.base import Attempt, Client, Request

__all__ = ["CLIENT"]

_EXIT_MEANINGS = {
    6: "could not resolve the host",
    7: "could not connect",
    28: "timed out",
    47: "too many redirects",
    52: "the server sent nothing",
    56: "the connection was reset",
}


class Curl(Client):
    name = "curl"
    label = "curl -L"
    install_hint = "apt-get install curl (or your system's package manager)"

    @cache  # noqa: B019 - one instance, lives as long as the process
    def version(self) -> str | None:
        program = shutil.which("curl")
        if program is None:
            return None
        try:
            first = subprocess.run(
                [program, "--version"], capture_output=True, text=True, timeout=5, check=False
            ).stdout.split()
        except (OSError, subprocess.SubprocessError):
            return None
        return first[1] if len(first) > 1 else "unknown"

    def argv(self, request: Request, timeout: float) -> list[str]:
        argv = ["curl", "-sS", "-L", "--max-time", f"{timeout:g}", "--noproxy", "*"]
        argv += ["-o", os.devnull, "-w", "%{http_code}"]
        for name, value in request.headers.items():
            argv += ["-H", f"{name}: {value}"]
        if request.method == "HEAD":
            argv.append("-I")
        elif request.method not in ("GET", "POST") or (
            request.method == "POST" and not request.body
        ):
            argv += ["-X", request.method]
        if request.body and request.method != "HEAD":
            argv += ["--data-binary", "@-"]
        return [*argv, request.url]

    def send(self, request: Request, timeout: float) -> Attempt:
        program = shutil.which("curl")
        if program is None:
            return Attempt(error="curl is not installed")
        argv = self.argv(request, timeout)
        try:
            done = subprocess.run(
                [program, *argv[1:]],
                input=request.body,
                capture_output=True,
                timeout=timeout + 2,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Attempt(error=f"curl did not finish within {timeout + 2:g} s")
        except OSError as error:
            return Attempt(error=f"curl could not start: {error}")
        code = done.stdout.decode(errors="replace").strip()
        status = int(code) if code.isdigit() and code != "000" else None
        if done.returncode:
            said = done.stderr.decode(errors="replace").strip() or _EXIT_MEANINGS.get(
                done.returncode, "failed"
            )
            return Attempt(status=status, error=f"curl exited {done.returncode}: {said}")
        return Attempt(status=status)


CLIENT = Curl()
