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


@contextmanager
def bare_server() -> Iterator[str]:
    """`bare_app` on uvicorn on a free port, served from a daemon thread: its URL."""
    import uvicorn

    sock = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(bare_app, log_config=None, access_log=False, lifespan="off")
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
    met = "met" if ratio <= GOAL else "not met"
    print(
        f"goal: one experiment in-process p50 {ours[49] * 1000:.2f} ms ratio {ratio:.2f} "
        f"(goal <= {GOAL}) {met}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
