"""Clients that are real programs: found on PATH, run from argv lists (never a shell), each run in
a process group of its own that is killed whole on a timeout, a cancel, or when the tutor is
interrupted (Ctrl+C reaches only the terminal's foreground group, never these)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import ClassVar

from tutor.experiments.clients.base import (
    CANCELLED,
    Attempt,
    Cancel,
    Client,
    Request,
    attempts_said,
)
from tutor.experiments.clients.side_by_side import side_by_side

__all__ = [
    "PARALLEL",
    "OneRunEach",
    "ProgramClient",
    "complaint",
    "forget_versions",
    "kill_every_program",
    "run_batch",
    "run_program",
    "started",
    "stopping",
]

PARALLEL = 8
"""Requests one client has in flight at a time; curl and wget share theirs (`_LANES`). Each
request holds a connection or two to the lab, which answers 503 past
Bounds.connections_per_address from one address (64): so a whole matrix, with a browser's six
per origin, stays well under it (measured: about 25 at once, under 40 across a change of scheme)."""

POLL = 0.05
"""How often (in seconds) a running program's cancel event is looked at."""

REAP = 5.0
"""How long output is still read after a group was killed (a pipe held outside the group)."""


class _Running:
    """The process groups of the programs running now, so that an interrupt can kill them all.

    No lock: `kill_all` runs in a signal handler, on the thread it may have interrupted. A run
    is added before it looks at `stopping`, which `kill_all` sets before it looks at the runs:
    however the two interleave, every program is killed by one side or the other.
    """

    def __init__(self) -> None:
        self.groups: set[int] = set()
        self.stopping = False

    def kill_all(self) -> None:
        self.stopping = True
        for group in list(self.groups):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)


_RUNNING = _Running()
_LANES = threading.BoundedSemaphore(PARALLEL)
"""The runs of curl and wget at once, all of their clients together (three curls, one wget)."""


def kill_every_program() -> None:
    """Kill every program `run_program` is running, and start none from now on: the process is
    ending (Ctrl+C), and nothing it started may outlive it."""
    _RUNNING.kill_all()


def run_batch(
    who: str,
    argv: Sequence[str],
    plan: bytes,
    count: int,
    *,
    timeout: float,
    cancel: Cancel,
    startup: float = 5.0,
    env: Mapping[str, str] | None = None,
) -> list[Attempt]:
    """Run a program that reads a batch of `count` requests (`plan`, on stdin), sends them
    PARALLEL at a time with `timeout` each, and prints what its client said of each as JSON
    (attempts_said): node's script, the Go and Java programs. It is given `startup` seconds
    more to start. Whatever stops it (not installed, timed out, cancelled, printed something
    else) is said for every request of the batch, naming `who`."""
    rounds = -(-count // PARALLEL)
    done = run_program(argv, input=plan, timeout=startup + timeout * rounds, cancel=cancel, env=env)
    if isinstance(done, str):
        return [Attempt(done)] * count
    said = attempts_said(done.stdout.decode(errors="replace"), count)
    if said is None:
        problem = complaint(done, f"exit status {done.returncode}")
        return [Attempt(f"{who} failed: {problem}")] * count
    return said


def run_program(
    argv: Sequence[str],
    *,
    timeout: float,
    input: bytes = b"",
    cancel: Cancel | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes] | str:
    """Run `argv` (argv[0] found on PATH) and return what it did, or why it did not finish.

    The program runs in a new session, so in a process group of its own with everything it
    starts. On a timeout, once `cancel` is set or once `kill_every_program` was called, the whole
    group is killed (SIGKILL) and the answer is the reason: "... did not finish within N s" or
    CANCELLED. When the program itself has ended, whatever it left behind in its group is killed
    too. `env` adds to (or replaces some of) the tutor's own environment.
    """
    name = argv[0]

    def stopped() -> bool:
        return _RUNNING.stopping or (cancel is not None and cancel.is_set())

    if stopped():
        return CANCELLED
    process = _spawn(argv, subprocess.PIPE, env)
    if isinstance(process, str):
        return process
    deadline = time.monotonic() + timeout
    pending: bytes | None = input
    try:
        while True:
            if stopped():  # also when the interrupt came between Popen and `groups.add`
                return _killed(process, CANCELLED)
            left = deadline - time.monotonic()
            try:
                stdout, stderr = process.communicate(pending, timeout=max(min(POLL, left), 0))
                break
            except subprocess.TimeoutExpired:
                pending = None  # given once: communicate() goes on writing it
            if time.monotonic() >= deadline:
                return _killed(process, f"{name} did not finish within {timeout:g} s")
            if process.poll() is not None:
                # The program is done but something it started still holds its output open.
                _kill_group(process)
    finally:
        _kill_group(process)
        _RUNNING.groups.discard(process.pid)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _spawn(
    argv: Sequence[str], pipes: int, env: Mapping[str, str] | None
) -> subprocess.Popen[bytes] | str:
    """`argv` started (argv[0] found on PATH) in a new session, so in a process group of its
    own with everything it starts, that group known to `kill_every_program`; or why not."""
    program = shutil.which(argv[0])
    if program is None:
        return f"{argv[0]} is not installed"
    try:
        process = subprocess.Popen(
            [program, *argv[1:]],
            stdin=pipes,
            stdout=pipes,
            stderr=pipes,
            start_new_session=True,
            env=None if env is None else {**os.environ, **env},
        )
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in an argument
        return f"{argv[0]} could not start: {error}"
    _RUNNING.groups.add(process.pid)
    return process


@contextlib.contextmanager
def started(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes] | str]:
    """A program the tutor talks to while it runs (a browser it drives over a socket): started
    like `run_program`'s, in a process group of its own, its output thrown away; the whole
    group is killed when the block ends, and by `kill_every_program`. Yields why not, when it
    could not start (or the process is ending)."""
    if _RUNNING.stopping:
        yield CANCELLED
        return
    process = _spawn(argv, subprocess.DEVNULL, env)
    if isinstance(process, str):
        yield process
        return
    try:
        yield process
    finally:
        _kill_group(process)
        process.wait()
        _RUNNING.groups.discard(process.pid)


def stopping() -> bool:
    """Whether the process is ending (kill_every_program was called): start nothing more."""
    return _RUNNING.stopping


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL every process left in `process`'s group (its pid is the group's id)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _killed(process: subprocess.Popen[bytes], why: str) -> str:
    """Kill `process`'s group, reap the program, and answer `why`."""
    _kill_group(process)
    try:
        process.communicate(timeout=REAP)
    except subprocess.TimeoutExpired:  # a program outside the group holds the pipes
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        process.wait()
    return why


def complaint(done: subprocess.CompletedProcess[bytes], fallback: str, starts: str = "") -> str:
    """The last line the program wrote to stderr (of those that begin with `starts`), or
    `fallback` when it wrote none there."""
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    said = [line for line in lines if line.startswith(starts)]
    return said[-1] if said else fallback


class _Versions:
    """Each program's version, asked once per process; a second thread asking waits for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[tuple[tuple[str, ...], int], str | None] = {}
        self._asking: dict[tuple[tuple[str, ...], int], threading.Lock] = {}

    def of(self, argv: tuple[str, ...], word: int) -> str | None:
        key = (argv, word)
        with self._lock:
            if key in self._known:
                return self._known[key]
            asking = self._asking.setdefault(key, threading.Lock())
        with asking:
            with self._lock:
                if key in self._known:
                    return self._known[key]
            answer = _ask_version(argv, word)
            with self._lock:
                self._known[key] = answer
            return answer

    def forget(self) -> None:
        with self._lock:
            self._known.clear()


def _ask_version(argv: tuple[str, ...], word: int) -> str | None:
    done = run_program(argv, timeout=10)
    if isinstance(done, str) or done.returncode:
        return None
    words = done.stdout.decode(errors="replace").split()
    return words[word].removeprefix("v") if len(words) > word else "?"


_VERSIONS = _Versions()


def forget_versions() -> None:
    """Ask every program its version again next time (after PATH changed, in tests)."""
    _VERSIONS.forget()


class ProgramClient(Client):
    """A client that is a program: its version comes from `version_argv`."""

    program: str
    version_argv: ClassVar[tuple[str, ...]] = ("--version",)
    version_word: ClassVar[int] = 1
    """Which word of the first line of `program --version` is the version."""

    def version(self) -> str | None:
        return _VERSIONS.of((self.program, *self.version_argv), self.version_word)


class OneRunEach(ProgramClient):
    """A program run once per request (curl, wget), a few runs at a time; its batch group is
    its own name, so `work` is all its own."""

    exit_meanings: ClassVar[dict[int, str]] = {}
    """What the program's exit statuses mean, for its error when it says nothing."""
    error_starts: ClassVar[str] = ""
    """How the line begins in which the program says what went wrong, for a program that
    writes an explanation after it."""
    body_on_stdin: ClassVar[bool] = False
    """The program reads the request's body from its standard input."""

    @abstractmethod
    def argv(self, request: Request, timeout: float) -> list[str]:
        """The program's command line for `request`."""

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        calls = [partial(self._attempt, request, timeout, cancel) for _, request in work]
        return side_by_side(calls, PARALLEL, self.name)

    def _attempt(self, request: Request, timeout: float, cancel: Cancel) -> Attempt:
        body = request.body if self.body_on_stdin else b""
        with _LANES:
            done = run_program(
                self.argv(request, timeout), input=body, timeout=timeout + 2, cancel=cancel
            )
        if isinstance(done, str):
            return Attempt(done)
        if done.returncode:
            meaning = self.exit_meanings.get(done.returncode, "failed")
            said = complaint(done, meaning, self.error_starts)
            return Attempt(f"{self.program} exited {done.returncode}: {said}")
        return Attempt()
