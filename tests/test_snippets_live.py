"""The cards' runnable server snippets redirect, and a 307 without Location redirects nothing.

The `node-http` and `python-http` snippets of the cards of codes that clients follow (301,
302, 303, 307, 308) are complete programs that listen on the port in the PORT environment
variable (see tutor.course.cards.Snippet). Each one runs here for real
(Node at /usr/bin/node, this Python) on a free port; the path it redirects is one of the paths
it names (`/old`, `/signup`, ...), and httpx must follow the redirect to its Location. A POST
is sent (a GET to 301 and 302, which move pages); on 307 and 308 the POST and its body must
reach the target. The widely copied `res.status(307)` snippet sends no Location; the lab's
`?location=none` answers the same way, and no client follows it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tutor.course.cards import FOLLOWED
from tutor.course.loader import load_course
from tutor.experiments import clients
from tutor.experiments.runner import run_many
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer

COURSE = load_course()
PROGRAMS = {"node-http": ["/usr/bin/node"], "python-http": [sys.executable]}
SUFFIXES = {"node-http": ".js", "python-http": ".py"}
PATH = re.compile(r"""["'](/[A-Za-z0-9_./-]*)["']""")
SNIPPETS = [
    pytest.param(card.code, snippet.framework, snippet.code, id=f"{card.code}-{snippet.framework}")
    for card in COURSE.cards
    for snippet in card.snippets
    if snippet.framework in PROGRAMS and card.code in FOLLOWED
]


def test_the_307_card_shows_a_node_and_a_python_standard_library_server() -> None:
    card = COURSE.card(307)
    assert card is not None
    assert {"node-http", "python-http"} <= {snippet.framework for snippet in card.snippets}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """Start a snippet as a program on a free port (PORT); yield its base URL; stop it."""
    started: list[subprocess.Popen[bytes]] = []

    def start(framework: str, code: str) -> str:
        program = tmp_path / f"server{SUFFIXES[framework]}"
        program.write_text(code, encoding="utf-8")
        port = _free_port()
        process = subprocess.Popen(
            [*PROGRAMS[framework], str(program)],
            env={**os.environ, "PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the {framework} snippet exited: {process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"the {framework} snippet did not listen on PORT={port}")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(("code", "framework", "source"), SNIPPETS)
def test_each_runnable_snippet_redirects_and_httpx_follows(
    serve, code: int, framework: str, source: str
) -> None:
    base = serve(framework, source)
    method = "GET" if code in (301, 302) else "POST"
    body = b"a=1" if method == "POST" else b""
    with httpx.Client() as probe:
        paths = [p for p in dict.fromkeys(PATH.findall(source)) if p != "/"]
        path = next(
            (p for p in paths if probe.request(method, base + p, content=body).is_redirect), None
        )
    assert path is not None, f"none of the paths {paths} answers {method} with a redirect"
    sent: list[tuple[str, str, bytes]] = []

    def record(request: httpx.Request) -> None:
        sent.append((request.method, str(request.url), request.read()))

    with httpx.Client(follow_redirects=True, event_hooks={"request": [record]}) as client:
        response = client.request(method, base + path, content=body)
    assert [r.status_code for r in response.history] == [code]
    location = response.history[0].headers["location"]
    assert [url for _, url, _ in sent] == [base + path, str(httpx.URL(base + path).join(location))]
    assert response.status_code == 200
    if code in (307, 308):
        assert sent[1][0::2] == ("POST", b"a=1")


@pytest.fixture(scope="module")
def without_location(lab: LabServer) -> dict[str, object]:
    specs = [
        ExperimentSpec(code=307, body="a=1", client=name, location="none")
        for name in clients.CLIENT_NAMES
    ]
    return dict(zip(clients.CLIENT_NAMES, run_many(specs, lab.url, lab.journal), strict=True))


@pytest.mark.parametrize("name", clients.CLIENT_NAMES)
def test_a_307_without_location_is_followed_by_no_client(name: str, without_location) -> None:
    outcome = without_location[name]
    assert outcome.client_version is not None, f"{name} is not installed"
    assert outcome.arrived is None, outcome.verdict.text
    assert [(hop.status, hop.location) for hop in outcome.hops] == [(307, None)]
