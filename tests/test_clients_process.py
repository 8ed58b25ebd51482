"""Programs a client starts die with their whole process group, on a timeout and on a cancel.

Real programs only (sh, sleep, curl, Chromium). Each test learns the pids of what it started
(through a FIFO, or from /proc once a silent socket was reached), watches them with pidfds, and
reaps them itself: the test process is a child subreaper while it runs, so "no process of the
group survives" is checked exactly, as `os.killpg(pgid, 0)` raising ProcessLookupError.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from tutor.experiments import clients
from tutor.experiments.clients.base import CANCELLED, Attempt, Request
from tutor.experiments.clients.program import _Versions, run_program

T = TypeVar("T")
PR_SET_CHILD_SUBREAPER = 36
PROMPTLY = 2.0
"""A cancel or a timeout is over within this many seconds (loosely: the helper polls at 50 ms)."""


@pytest.fixture(autouse=True)
def subreaper() -> Iterator[None]:
    """Orphans of what a test starts become this process's children, for it to reap."""
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0, os.strerror(ctypes.get_errno())
    try:
        yield
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def _in_background(call: Callable[[], T]) -> tuple[ThreadPoolExecutor, Future[T]]:
    pool = ThreadPoolExecutor(1)
    return pool, pool.submit(call)


def _group_of(pid: int) -> list[int]:
    """Every process now in process group `pid` (read from /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                # The fields after the command name, which is in parentheses: state ppid pgrp ...
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pid:
                    members.append(int(entry.name))
    return members


def _watch(pids: list[int]) -> list[int]:
    """A pidfd for each pid still running (readable once that process has exited)."""
    fds = []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            fds.append(os.pidfd_open(pid))
    return fds


def _wait_exited(fds: list[int], deadline: float) -> None:
    """Wait until each pidfd's process has exited (closing the pidfds); fail at `deadline`."""
    try:
        waiting = list(fds)
        while waiting:
            left = deadline - time.monotonic()
            assert left > 0, "a process of the group outlived the kill"
            ready, _, _ = select.select(waiting, [], [], left)
            waiting = [fd for fd in waiting if fd not in ready]
    finally:
        for fd in fds:
            os.close(fd)


def _assert_group_gone(pgid: int, fds: list[int]) -> None:
    """Every process of group `pgid` has exited (within seconds); reaped, the group is gone."""
    deadline = time.monotonic() + 10
    _wait_exited(fds, deadline)
    while True:
        try:
            pid, _ = os.waitpid(-pgid, os.WNOHANG)
        except ChildProcessError:
            break  # no child of this process is left in the group
        if pid == 0:  # a member not watched yet (started late) has not exited yet
            _wait_exited(_watch(_group_of(pgid)), deadline)
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pids"
    os.mkfifo(path)
    return path


def _shell_with_children(fifo: Path) -> list[str]:
    """sh with two background sleeps; it writes "its pid and theirs" to `fifo`, then waits."""
    script = 'sleep 30 & a=$!; sleep 30 & b=$!; echo "$$ $a $b" > "$1"; wait'
    return ["sh", "-c", script, "sh", str(fifo)]


def _pids_from(fifo: Path) -> list[int]:
    with fifo.open() as pipe:  # blocks until the shell opens it to write
        return [int(word) for word in pipe.read().split()]


def test_a_timeout_kills_the_whole_group(fifo: Path) -> None:
    pool, done = _in_background(lambda: run_program(_shell_with_children(fifo), timeout=1.0))
    with pool:
        pids = _pids_from(fifo)
        fds = _watch(pids)
        started = time.monotonic()
        assert done.result(timeout=10) == "sh did not finish within 1 s"
        assert time.monotonic() - started < 1.0 + PROMPTLY
    _assert_group_gone(pids[0], fds)


def test_a_cancel_kills_the_whole_group_promptly(fifo: Path) -> None:
    cancel = threading.Event()
    pool, done = _in_background(
        lambda: run_program(_shell_with_children(fifo), timeout=60, cancel=cancel)
    )
    with pool:
        pids = _pids_from(fifo)
        fds = _watch(pids)
        cancelled = time.monotonic()
        cancel.set()
        assert done.result(timeout=10) == CANCELLED
        assert time.monotonic() - cancelled < PROMPTLY
    _assert_group_gone(pids[0], fds)


def test_a_cancel_before_the_start_starts_nothing() -> None:
    cancel = threading.Event()
    cancel.set()
    assert run_program(["sh", "-c", "exit 3"], timeout=5, cancel=cancel) == CANCELLED


def test_what_a_finished_program_leaves_behind_is_killed(fifo: Path) -> None:
    """sh exits at once, but its background sleep still holds sh's output open."""
    script = 'sleep 30 & echo "$$ $!" > "$1"; echo done'
    pool, done = _in_background(
        lambda: run_program(["sh", "-c", script, "sh", str(fifo)], timeout=30)
    )
    with pool:
        pids = _pids_from(fifo)
        fds = _watch(pids)
        result = done.result(timeout=10)
    assert not isinstance(result, str)
    assert (result.returncode, result.stdout) == (0, b"done\n")
    _assert_group_gone(pids[0], fds)


def test_a_program_gets_its_input_and_gives_its_output() -> None:
    result = run_program(["sh", "-c", "cat; echo said >&2; exit 4"], input=b"a=1", timeout=10)
    assert not isinstance(result, str)
    assert (result.returncode, result.stdout, result.stderr) == (4, b"a=1", b"said\n")


def test_a_missing_program_or_a_bad_argument_is_a_reason_not_a_crash() -> None:
    assert (
        run_program(["no-such-program-here"], timeout=5) == "no-such-program-here is not installed"
    )
    said = run_program(["sh", "-c", "echo a\0b"], timeout=5)
    assert isinstance(said, str) and said.startswith("sh could not start:")


def _leader_with(needle: str) -> int:
    """The process group leader whose command line holds `needle`."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                pid = int(entry.name)
                if needle.encode() in (entry / "cmdline").read_bytes() and os.getpgid(pid) == pid:
                    return pid
    raise AssertionError(f"no process group leader with {needle!r} in its command line")


@pytest.mark.parametrize("name", ["curl", "wget", "node", "chromium-fetch"])
def test_cancel_stops_a_hanging_client_and_every_process_it_started(installed, name: str) -> None:
    client = installed(name)
    cancel = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, and never answers
        origin = f"http://127.0.0.1:{silent.getsockname()[1]}"
        request = Request("POST", f"{origin}/redirect/307", b"a=1")
        pool, done = _in_background(lambda: client.send_batch([(client, request)], 60, cancel))
        with pool:
            connection, _ = silent.accept()  # the client is running: it reached the server
            with connection:
                # node reads its URLs from stdin; Chromium is given the lab's page first.
                needle = {"node": "fetch(r.url", "chromium-fetch": f"{origin}/client/browser"}
                pgid = _leader_with(needle.get(name, request.url))
                pids = _group_of(pgid)
                fds = _watch(pids)
                cancelled = time.monotonic()
                cancel.set()
                assert done.result(timeout=15) == [Attempt(CANCELLED)]
                assert time.monotonic() - cancelled < PROMPTLY
    _assert_group_gone(pgid, fds)
    if name == "chromium-fetch":
        assert len(pids) > 1, "Chromium starts helper processes, and they died with it"


@pytest.mark.parametrize("name", ["httpx", "requests", "aiohttp", "urllib", "curl", "node"])
def test_a_batch_cancelled_before_it_starts_sends_nothing(lab, installed, name: str) -> None:
    client = installed(name)
    cancel = threading.Event()
    cancel.set()
    token = lab.journal.new_token()
    request = Request("POST", f"{lab.url}/redirect/307?chain={token}", b"a=1")
    assert client.send_batch([(client, request)] * 2, 5, cancel) == [Attempt(CANCELLED)] * 2
    assert not lab.journal.chain(token)


def test_versions_are_asked_side_by_side_and_agree_per_program() -> None:
    asked = clients.versions(clients.CLIENT_NAMES)
    assert asked == {name: clients.get(name).version() for name in clients.CLIENT_NAMES}
    assert asked["chromium-fetch"] == asked["chromium-form"]
    assert asked["curl"] == asked["curl-x"] == asked["curl-post30x"]


def test_a_version_is_asked_once_however_many_threads_ask_at_once() -> None:
    """The "version" is the pid of the shell that answered: one run gives every thread one pid."""
    versions = _Versions()
    argv = ("sh", "-c", "echo v $$; sleep 0.3")
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: versions.of(argv, 1), range(4)))
    assert len(set(answers)) == 1
    assert answers[0] is not None and answers[0].isdigit()


def test_cancel_stops_aiohttp_requests_in_flight(installed) -> None:
    client = installed("aiohttp")
    cancel = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, and never answers
        request = Request("POST", f"http://127.0.0.1:{silent.getsockname()[1]}/", b"a=1")
        pool, done = _in_background(lambda: client.send_batch([(client, request)], 60, cancel))
        with pool:
            connection, _ = silent.accept()
            with connection:
                cancelled = time.monotonic()
                cancel.set()
                assert done.result(timeout=15) == [Attempt(CANCELLED)]
                assert time.monotonic() - cancelled < PROMPTLY
