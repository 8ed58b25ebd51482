"""The lab (`serve`, its console line on) against a bare uvicorn app that only answers the 307.

Both are processes of their own, started the same way (this interpreter), loaded the same way
(wrk -t2 -c20, POST a=1, loopback) one after the other, round after round: the figures are the
medians of the rounds. CPU per request is the server process's utime+stime
(/proc/PID/stat, every thread) over the requests wrk made. The lab's console goes to /dev/null
and to a pipe this benchmark reads; the console's lag is how long after wrk's last request the
pipe still brought lines, and every request must be on it, printed or counted as dropped.

A third server, interleaved with them, is the lab's floor: the least a lab under this project's
rules does for each request (`floor_app`), on the lab's guarded protocol (the door's connection
cap and head deadline, the answer in one write): journal it (a chain token, its header fields
decoded, its body's digest, in a bounded journal) and answer with the lab's header fields. It
checks no chain, bounds no client, keeps no console. What the lab takes over it is what its
other duties cost.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from benchmarks.throughput import wrk

__all__ = ["Run", "bare_app", "main"]

ROUNDS = 3
BODY = "a=1"
_HOME = tempfile.TemporaryDirectory(prefix="bench-lab-cpu-")
"""The lab's data folder (CA, teacher key) for these runs, never the user's."""
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_QUIET = 2.0
"""Seconds without a console line after which the console is taken to have caught up."""


async def bare_app(
    scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
) -> None:
    """The reference: reads the body, answers 307 with a Location to /echo, nothing else."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 307,
            "headers": [(b"location", b"/echo"), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


_FLOOR_JOURNAL: dict[int, tuple[object, ...]] = {}
_FLOOR_SEQ = itertools.count()
_FLOOR_KEPT = 10_000
"""As many requests as the lab's journal keeps (`Bounds.journal_hops`)."""


async def floor_app(
    scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
) -> None:
    """The lab's floor: journals the request, answers the 307 with the lab's header fields."""
    if scope["type"] != "http":
        return
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    token = secrets.token_urlsafe(16)
    fields = tuple([(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]])
    digest = hashlib.sha256(body).hexdigest()
    request = (token, time.time(), scope["client"], scope["method"], scope["path"], fields)
    _FLOOR_JOURNAL[next(_FLOOR_SEQ)] = (*request, scope["query_string"], body, digest, 307)
    if len(_FLOOR_JOURNAL) > _FLOOR_KEPT:
        del _FLOOR_JOURNAL[next(iter(_FLOOR_JOURNAL))]
    location = b"/echo?chain=" + token.encode()
    text = b"307 Temporary Redirect: see " + location + b"\n"
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", b"%d" % len(text)),
        (b"server", b"redirect-tutor-lab"),
        (b"x-redirect-tutor-chain", token.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
        (b"location", location),
    ]
    await send({"type": "http.response.start", "status": 307, "headers": headers})
    await send({"type": "http.response.body", "body": text})


def _serve_bare(port: int, floor: bool = False) -> None:
    import uvicorn

    from tutor.lab.bounds import Bounds
    from tutor.lab.guard import guarded

    uvicorn.run(
        floor_app if floor else bare_app,
        host="127.0.0.1",
        port=port,
        http=guarded(Bounds()) if floor else "httptools",
        loop="uvloop",
        lifespan="off",
        access_log=False,
        log_level="warning",
    )


@dataclass(frozen=True)
class Run:
    """One wrk run against one server: requests per second, CPU seconds per request, and for a
    lab read through a pipe, the console's lag and how many requests it accounted for."""

    rps: float
    cpu_us: float
    lag_s: float | None = None
    accounted: float | None = None
    """Console lines plus the requests it said it dropped, over the requests the lab got."""


def _free_port() -> int:
    """A port whose next one is free too (the lab's other origin listens there)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        try:
            with socket.socket() as other:
                other.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def _wait_listening(port: int, server: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.05)


class _Console:
    """Reads the lab's console from a pipe: its request lines, the drops it reported, and when
    the last line came."""

    _DROPPED = re.compile(r"([\d,]+) (?:more )?requests? not shown")

    def __init__(self, pipe: IO[str]) -> None:
        self.lines = 0
        self.dropped = 0
        self.last = time.monotonic()
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe: IO[str]) -> None:
        for line in pipe:
            self.last = time.monotonic()
            if " chain <" in line:
                self.lines += 1
            elif match := self._DROPPED.search(line):
                self.dropped += int(match.group(1).replace(",", ""))

    def settle(self) -> float:
        """Wait until the console is quiet; seconds from now until its last line."""
        since = time.monotonic()
        while time.monotonic() - self.last < _QUIET:
            time.sleep(0.1)
        return max(0.0, self.last - since)


def _run(kind: str, seconds: int) -> Run:
    port = _free_port()
    env = {**os.environ, "REDIRECT_TUTOR_HOME": _HOME.name, "PYTHONUNBUFFERED": "0"}
    if kind in ("bare", "floor"):
        argv = [sys.executable, "-m", "benchmarks.lab_cpu", f"--{kind}", str(port)]
        target = f"http://127.0.0.1:{port}/redirect/307"
    else:
        argv = [sys.executable, "-m", "tutor", "serve", "--port", str(port)]
        target = f"http://127.0.0.1:{port}/redirect/307"
    piped = kind == "pipe"
    server = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE if piped else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        console = _Console(server.stdout) if piped and server.stdout is not None else None
        _wait_listening(port, server)
        wrk(target, 1, body=BODY)  # warm-up
        if console is not None:
            console.settle()
            before_lines = console.lines + console.dropped
        cpu = _cpu_seconds(server.pid)
        load = wrk(target, seconds, body=BODY)
        cpu = _cpu_seconds(server.pid) - cpu
        run = Run(load.rps, cpu / max(load.requests, 1) * 1e6)
        if console is not None:
            lag = console.settle()
            seen = console.lines + console.dropped - before_lines
            run = Run(run.rps, run.cpu_us, lag, seen / max(load.requests, 1))
        return run
    finally:
        server.terminate()
        server.wait(timeout=10)


def _median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def main(seconds: int = 5, rounds: int = ROUNDS) -> None:
    if shutil.which("wrk") is None:
        print("lab CPU: skipped, wrk is not installed (apt-get install wrk)")
        return
    kinds = ("bare", "floor", "devnull", "pipe")
    runs: dict[str, list[Run]] = {kind: [] for kind in kinds}
    for _ in range(rounds):
        for kind in kinds:
            runs[kind].append(_run(kind, seconds))
    bare_rps, bare_cpu = _median(runs["bare"], "rps"), _median(runs["bare"], "cpu_us")
    print(
        f"lab CPU, POST {BODY} answered 307, wrk -c20 -t2 -d{seconds}s, loopback, "
        f"median of {rounds} interleaved rounds:"
    )
    print(f"  bare uvicorn+httptools+uvloop  {bare_rps:8.0f} req/s  {bare_cpu:6.1f} µs CPU/request")
    for kind, name in (
        ("floor", "floor (journal, answer)"),
        ("devnull", "serve > /dev/null"),
        ("pipe", "serve | pipe"),
    ):
        rps, cpu = _median(runs[kind], "rps"), _median(runs[kind], "cpu_us")
        print(f"  {name:30} {rps:8.0f} req/s  {cpu:6.1f} µs CPU/request")
    for kind, name in (("devnull", "/dev/null"), ("pipe", "a pipe")):
        ratio = _median(runs[kind], "cpu_us") / bare_cpu
        met = "met" if ratio <= 2 else "not met"
        print(f"goal: lab CPU per request, console to {name}: ratio {ratio:.2f} (goal <= 2) {met}")
    for kind, name in (("devnull", "/dev/null"), ("pipe", "a pipe")):
        ratio = _median(runs[kind], "rps") / bare_rps
        met = "met" if ratio >= 0.6 else "not met"
        print(f"goal: lab req/s, console to {name}: ratio {ratio:.2f} (goal >= 0.6) {met}")
    floor_cpu = _median(runs["floor"], "cpu_us") / bare_cpu
    floor_rps = _median(runs["floor"], "rps") / bare_rps
    print(
        f"  floor: a lab that only journals each request and answers with the lab's fields, on "
        f"the lab's guarded protocol: {floor_cpu:.2f}x the bare app's CPU per request, "
        f"{floor_rps:.2f}x its req/s"
    )
    lag = max(run.lag_s or 0.0 for run in runs["pipe"])
    accounted = min(run.accounted or 0.0 for run in runs["pipe"])
    rate = _median(runs["pipe"], "rps")
    met = "met" if lag <= 1 and accounted >= 1 else "not met"
    print(
        f"goal: console lag at {rate:.0f} req/s: {lag:.2f} s behind at most, "
        f"{accounted:.0%} of requests printed or counted (goal <= 1 s, 100%) {met}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] in (["--bare"], ["--floor"]):
        _serve_bare(int(sys.argv[2]), floor=sys.argv[1] == "--floor")
    else:
        main(*(int(arg) for arg in sys.argv[1:3]))
