"""Firefox, Go and Java against the real lab: what arrived after each redirect, read from the
journal. The tables are written by hand from each client's source and were checked live here
(Firefox 153 ESR, Go 1.19, OpenJDK 17): Fetch changes only a POST on 301 and 302 (Fetch §4.4
step 12); Go's net/http sends GET after a 301, 302 or 303 for any method but GET and HEAD
(client.go, redirectBehavior); Java's HttpClient sends GET after a 303 for every method, HEAD
included, and after a 301 or 302 only for a POST (RedirectFilter)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tutor.experiments.clients import firefox_profile, get
from tutor.experiments.clients.firefox_profile import template
from tutor.experiments.runner import run
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer

CODES = (301, 302, 303, 307, 308)
KEPT = "same"

# (client, method) -> the method that arrives after 301, 302, 303, 307, 308 ("same": as sent).
EXPECTED = {
    ("firefox-fetch", "POST"): ("GET", "GET", "GET", KEPT, KEPT),
    ("firefox-fetch", "PUT"): (KEPT, KEPT, "GET", KEPT, KEPT),
    ("firefox-fetch", "HEAD"): (KEPT,) * 5,
    ("firefox-form", "POST"): ("GET", "GET", "GET", KEPT, KEPT),
    ("go", "POST"): ("GET", "GET", "GET", KEPT, KEPT),
    ("go", "PUT"): ("GET", "GET", "GET", KEPT, KEPT),
    ("go", "DELETE"): ("GET", "GET", "GET", KEPT, KEPT),
    ("go", "HEAD"): (KEPT,) * 5,
    ("java", "POST"): ("GET", "GET", "GET", KEPT, KEPT),
    ("java", "PUT"): (KEPT, KEPT, "GET", KEPT, KEPT),
    ("java", "HEAD"): (KEPT, KEPT, "GET", KEPT, KEPT),
}
CASES = [
    pytest.param(client, method, code, arrives, id=f"{client}-{method}-{code}")
    for (client, method), row in EXPECTED.items()
    for code, arrives in zip(CODES, row, strict=True)
]


@pytest.mark.parametrize(("client", "method", "code", "arrives"), CASES)
def test_what_arrives(lab: LabServer, client: str, method: str, code: int, arrives: str) -> None:
    body = "" if method == "HEAD" else "name=ada"
    spec = ExperimentSpec(code=code, method=method, body=body, client=client)
    outcome = run(spec, lab.url, lab.journal)
    assert outcome.error is None, outcome.error
    first, arrived = outcome.hops[0], outcome.arrived
    assert (first.method, first.status, first.body_size) == (method, code, len(body))
    assert arrived is not None
    assert arrived.method == (method if arrives == KEPT else arrives)
    if arrives == KEPT and body:
        assert outcome.body_intact, outcome.verdict.text
    elif arrives == "GET":
        assert arrived.body_size == 0


def test_go_hands_back_a_307_whose_streamed_body_it_cannot_send_again(lab: LabServer) -> None:
    spec = ExperimentSpec(code=307, method="POST", body="name=ada", stream=True, client="go")
    outcome = run(spec, lab.url, lab.journal)
    assert len(outcome.hops) == 1
    assert outcome.reported is not None and outcome.reported.status == 307
    assert outcome.verdict.text == "Not followed: the client stopped at the 307"


def test_java_sends_a_streamed_body_again_empty(lab: LabServer) -> None:
    spec = ExperimentSpec(code=307, method="POST", body="name=ada", stream=True, client="java")
    outcome = run(spec, lab.url, lab.journal)
    assert [(hop.method, hop.body_size) for hop in outcome.hops] == [("POST", 8), ("POST", 0)]
    assert outcome.verdict.text == "POST kept, but the body was dropped"


def test_firefox_fetch_sends_a_stream_as_text(lab: LabServer) -> None:
    """Firefox's fetch() takes no ReadableStream body: it sends the object's name as text."""
    spec = ExperimentSpec(
        code=307, method="POST", body="name=ada", stream=True, client="firefox-fetch"
    )
    outcome = run(spec, lab.url, lab.journal)
    assert outcome.hops[0].body == b"[object ReadableStream]"


@pytest.mark.parametrize(
    ("client", "kept"), [("go", False), ("java", True), ("firefox-fetch", False)]
)
def test_authorization_to_another_origin(lab: LabServer, client: str, kept: bool) -> None:
    spec = ExperimentSpec(
        code=307, method="GET", origin="other", headers={"Authorization": "Bearer x"}, client=client
    )
    outcome = run(spec, lab.url, lab.journal)
    assert outcome.evidence.arrived_with("Authorization") is kept


@pytest.mark.parametrize("client", ["firefox-fetch", "firefox-form", "go", "java"])
def test_each_is_found_with_its_version(client: str) -> None:
    version = get(client).version()
    assert version is not None and version[0].isdigit(), version


def test_no_firefox_process_or_profile_outlives_its_batch(
    lab: LabServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the batch's profile goes
    spec = ExperimentSpec(code=302, method="POST", body="a=1", client="firefox-form")
    assert run(spec, lab.url, lab.journal).arrived is not None
    left = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True)
    assert left.stdout == b""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("client", "what"), [("go", "Go"), ("java", "Java"), ("firefox-fetch", "Firefox")]
)
def test_a_compiled_client_is_built_once_and_says_so(
    tmp_path: Path, client: str, what: str
) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "tutor", "try", "307", "-c", client]
    first = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert f"building the {what} client once, into" in first.stderr
    assert f"built the {what} client in" in first.stderr
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "building" not in again.stderr
    assert "POST kept, body intact" in again.stdout


def test_two_tutors_building_at_once_both_run(tmp_path: Path) -> None:
    """A class on one machine: the second build to finish finds the first's in place."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "tutor", "try", "307", "-c", "java"]
    both = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = [process.communicate(timeout=300)[0] for process in both]
    assert [process.returncode for process in both] == [0, 0], outputs
    assert all("POST kept, body intact" in output for output in outputs)
    assert len(list((tmp_path / "cache" / "redirect-tutor").glob("java-client-*"))) == 1


def test_firefox_s_pristine_profile_keeps_nothing_a_batch_could_inherit() -> None:
    """Each batch's profile is a copy of it: no locks, preferences, certificate store, cache,
    session, and no site's state (it never loaded a page)."""
    firefox = get("firefox-fetch")
    pristine = template(firefox.program, firefox.version() or "")  # type: ignore[attr-defined]
    assert not isinstance(pristine, str), pristine
    kept = {path.name for path in pristine.iterdir()}
    assert not kept & {*firefox_profile._NOT_COPIED, "SiteSecurityServiceState.bin"}
    assert not (pristine / "cookies.sqlite").exists() or _rows(pristine / "cookies.sqlite") == 0


def _rows(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return int(db.execute("select count(*) from moz_cookies").fetchone()[0])


def test_a_build_that_cannot_be_made_is_said_not_raised(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder goes")
    env = {**os.environ, "XDG_CACHE_HOME": str(blocked)}
    argv = [sys.executable, "-m", "tutor", "try", "307", "-c", "go"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr
    assert "the Go client could not be built in" in done.stdout


@pytest.mark.parametrize(
    ("client", "hint"),
    [
        ("firefox-fetch", "apt-get install firefox-esr"),
        ("go", "apt-get install golang-go"),
        ("java", "apt-get install default-jdk-headless"),
    ],
)
def test_a_missing_engine_is_not_installed_with_its_install_command(
    tmp_path: Path, client: str, hint: str
) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # no program at all: python is run by path
    argv = [sys.executable, "-m", "tutor", "try", "307", "-c", client]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "(not installed)" in done.stdout
    assert hint in done.stdout + done.stderr


def test_trys_trace_shows_what_the_client_said_without_the_chain_token(
    lab: LabServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from tutor.cli.experiments import _print_trace

    spec = ExperimentSpec(code=307, method="POST", body="a=1", stream=True, client="go")
    outcome = run(spec, lab.url, lab.journal)
    token = outcome.hops[0].chain
    assert outcome.said is not None and token in outcome.said  # the client's own words
    capsys.readouterr()
    _print_trace(outcome, all_headers=False)
    out = capsys.readouterr().out
    assert "Client said: the answer it got was status 307" in out
    assert token not in out
