"""One experiment through the lab (httpx, POST, 307, two hops), end to end, against raw httpx on a
bare ASGI app: p50 and p99, and the ratio of the p50s (goal <= 1.2).

Each tutor run is the tutor's own path: the session's lab runs the client, the lab answers both
hops and journals them, and the evidence is read back from the journal. The reference is what
that costs without the tutor: the bare app below on uvicorn (httptools, uvloop where installed),
served from a thread of the same process as the lab is, and httpx sent to it the way the tutor's
httpx client sends (a fresh client per request, following redirects, one shared SSL context).
The two alternate, run by run, so that a busy moment of the machine touches both.

A third series, interleaved with them, splits the gap: the same raw httpx sent to the URL the
tutor's run sends (the lab's /redirect/307 with a fresh chain token). What it takes over the
bare app is the lab's share (answering, journaling, the /echo document, and the larger answers
the client reads); what the tutor takes over it is the tutor's own (the runner, the client
module, reading the journal, the evidence and verdict).

Then, once those are done (a third server running beside them slowed the tutor's series), raw
httpx to an app that only replays the lab's answers (`replay_app`: the same status, header fields
and body sizes, and no work) alternates with raw httpx to the bare app. What it takes over the
bare app is what reading the lab's larger answers costs the client; the rest of the lab's share is
the lab's work.
"""

from __future__ import annotations

import socket
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tutor.experiments.spec import ExperimentSpec
from tutor.session.factory import make_session

__all__ = ["bare_app", "bare_server", "main"]

GOAL = 1.2

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def bare_app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """The least an app can do for the experiment: / answers 307 to /target, which answers 200
    once it has read the body."""
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    if scope["path"] == "/":
        status, headers = 307, [(b"location", b"/target"), (b"content-length", b"0")]
    else:
        status, headers = 200, [(b"content-length", b"2")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if status == 307 else b"ok"})


_TOKEN = b"MsH4uUnTj7O3-RTzewxLYr"
"""A chain token of the length the lab makes."""
_ANSWERED = [  # and a Server field: uvicorn's own, where the lab names itself
    (b"x-redirect-tutor-chain", _TOKEN),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
]
_REDIRECT = b"307 Temporary Redirect: see /echo?chain=" + _TOKEN + b"\n"
_ECHO = b"{" + b" " * 1463 + b"}"
"""As long as the lab's /echo document for this experiment."""


async def replay_app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """The lab's answers to the experiment, as they come on the wire, made by no work: / answers
    the 307 with the lab's header fields and text, /echo?... the 200 with a document as long."""
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    if scope["path"] == "/":
        status, body, kind = 307, _REDIRECT, b"text/plain; charset=utf-8"
        fields = [*_ANSWERED, (b"location", b"/echo?chain=" + _TOKEN)]
    else:
        status, body, kind, fields = 200, _ECHO, b"application/json", _ANSWERED
    headers = [(b"content-type", kind), (b"content-length", b"%d" % len(body)), *fields]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextmanager
def bare_server(app: Callable[..., Awaitable[None]] = bare_app) -> Iterator[str]:
    """`app` on uvicorn on a free port, served from a daemon thread: its URL."""
    import uvicorn

    sock = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        host, port = sock.getsockname()[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.should_exit = True
        thread.join(5)


def _raw_httpx(url: Callable[[], str]) -> Callable[[], object]:
    """Raw httpx sent to `url()`, made anew for each request."""
    import httpx

    from tutor.experiments.clients.httpx import _roots

    context = _roots()

    def send() -> object:
        with httpx.Client(follow_redirects=True, trust_env=False, verify=context) as client:
            return client.post(url(), content=b"name=ada", timeout=5).raise_for_status()

    return send


def _p50(times: list[float]) -> float:
    return statistics.median(times) * 1000


def _replayed(runs: int) -> tuple[list[float], list[float]]:
    """Seconds of raw httpx on `replay_app`, and on the bare app, alternating."""
    replayed: list[float] = []
    bare: list[float] = []
    with bare_server() as url, bare_server(replay_app) as replay_url:
        raw, raw_replay = _raw_httpx(lambda: url), _raw_httpx(lambda: replay_url)
        for _ in range(20):
            raw()
            raw_replay()
        for _ in range(runs):
            for send, times in ((raw_replay, replayed), (raw, bare)):
                started = time.perf_counter()
                send()
                times.append(time.perf_counter() - started)
    return replayed, bare


def main(runs: int = 500) -> None:
    spec = ExperimentSpec(code=307, method="POST", body="name=ada", client="httpx")
    tutor: list[float] = []
    bare: list[float] = []
    on_lab: list[float] = []
    with make_session().lab as lab, bare_server() as url:
        raw = _raw_httpx(lambda: url)
        served = lab.wait()
        raw_on_lab = _raw_httpx(lambda: spec.url(served.url, served.journal.new_token()))
        for _ in range(20):  # warm up: imports, the client's first connection
            lab.run(spec)
            raw()
            raw_on_lab()
        for _ in range(runs):
            started = time.perf_counter()
            outcome = lab.run(spec)
            tutor.append(time.perf_counter() - started)
            started = time.perf_counter()
            raw()
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            raw_on_lab()
            on_lab.append(time.perf_counter() - started)
    replayed, again = _replayed(runs)
    hops = len(outcome.hops)
    ours, theirs = statistics.quantiles(tutor, n=100), statistics.quantiles(bare, n=100)
    ratio = ours[49] / theirs[49]
    print(f"one experiment (httpx, POST, 307, {hops} hops, journal and verdict), {runs} runs:")
    print(f"  tutor p50 {ours[49] * 1000:.2f} ms, p99 {ours[98] * 1000:.2f} ms")
    print(
        f"  raw httpx on a bare uvicorn app p50 {theirs[49] * 1000:.2f} ms, p99 "
        f"{theirs[98] * 1000:.2f} ms"
    )
    labs, tutors = _p50(on_lab) - _p50(bare), _p50(tutor) - _p50(on_lab)
    print(
        f"  raw httpx on the lab (the tutor's URL) p50 {_p50(on_lab):.2f} ms: of the gap, the "
        f"lab's share {labs:.2f} ms, the tutor's {tutors:.2f} ms"
    )
    print(
        f"  raw httpx on an app that replays the lab's answers (no work) p50 "
        f"{_p50(replayed):.2f} ms, {_p50(replayed) / _p50(again):.2f}x the bare app alternating "
        f"with it: the client reading the lab's answers takes {_p50(replayed) - _p50(again):.2f} "
        "ms of the lab's share"
    )
    met = "met" if ratio <= GOAL else "not met"
    print(
        f"goal: one experiment in-process p50 {ours[49] * 1000:.2f} ms ratio {ratio:.2f} "
        f"(goal <= {GOAL}) {met}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
