"""The teacher's live class on one laptop (issue 14): is every student served at once, and does
the class view keep up?

For the window (60 s): the lab is a real `redirect-tutor serve` on a free loopback port, its key
card in a fresh data folder, as on the teacher's laptop. Thirty students' tutors join it with the
tutor's own code path and no TUI (`make_session(join=Join(url, name))`, in a few processes of
their own) and, thinking 1 to 3 s between two actions, run an experiment (httpx or curl), send a
bring-your-own attempt with curl and check it, or check the configure exercise. Ten students run
curl in a shell loop (`curl -L -d a=1 URL/s/NAME/redirect/307; sleep 0.5`, the codes in turn),
each from a loopback address of its own, as from a computer of its own. Five students use a
browser on a real `redirect-tutor web --join LAB` (its door, its websocket; each one's tutor is a
real TUI process joined to the lab) and press Ctrl+R in the Lab panel. The teacher's `redirect-
tutor class` runs in tmux at 80x24 and finds the lab by itself; beside it, the class view's own
link (tutor.classroom.teacher: long polls of GET /teacher/class with the teacher's key) follows
the class and stamps when each curl student's chain shows there: an update is late when it
shows more than 1 s after that chain was sent.

The reference is the same curl loops alone, each time on a fresh lab: one window before the class
and one after, a quarter as long.

Run: .venv/bin/python -m benchmarks.class_live [--seconds 60]  (--seconds 10: a smoke run).
It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from benchmarks.classroom import Chains, Role, run_for
from tutor.classroom.key import LAB_FILE, read_card
from tutor.classroom.ledger import columns_of
from tutor.classroom.student import Join
from tutor.classroom.teacher import Access, ClassState, TeacherError, TeacherLink
from tutor.course import Course
from tutor.course.exercises import Answer, BringYourOwn, Configure
from tutor.course.loader import load_course
from tutor.experiments.spec import ExperimentSpec
from tutor.session.factory import make_session
from tutor.session.study import StudySession

__all__ = ["main"]

STUDENTS = 30
"""Students whose tutor joins the lab (the tutor's code path, no TUI)."""
STUDENT_PROCESSES = 3
"""The processes those tutors run in, ten to a process."""
CURL_STUDENTS = 10
BROWSERS = 5
THINK = (1.0, 3.0)
"""Seconds a student (a tutor's, a browser's) thinks between two actions, at random."""
CURL_PAUSE = 0.5
"""The `sleep` in a curl student's loop."""
CURL_TIMEOUT = 10
LOOP = (("307", ()), ("302", ("--post302",)), ("302", ()), ("303", ()), ("308", ()))
"""A curl student's chains in turn, each a POST of a=1: the code and curl's extra options."""
CODES = (301, 302, 303, 307, 308)
LATE = 1.0
"""An update later than this (seconds after the chain was sent) is late."""
SCREEN_WAIT = 10.0
"""Seconds a browser student waits for the result of Ctrl+R on screen (an error after)."""
SAMPLE = 0.5
"""Seconds between two samples of every process's memory."""
AIM_P99_MS = 100.0
AIM_BYTES = 2**30
CONFIGURE_ID = "choosing-a-code/your-turn-checkout-moves"
TUTOR = str(Path(sys.executable).with_name("redirect-tutor"))
ESCAPES = re.compile(
    rb"\x1b(?:\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|.)"
)
"""Terminal escape sequences (CSI, OSC, charset, two-byte), removed to read a screen's text."""
CHAIN_SHOWN = re.compile(rb"chain=<([0-9a-f]{6})>")
"""How the Lab panel shows a chain's token (its short label) once a run is back."""


# The processes: the lab, web, the class view, the tutors' processes.


def _cpu_seconds(pid: int) -> float:
    """The user and system CPU seconds a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int, name: str) -> int:
    """A figure in kB from /proc/PID/status (0 once the process is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    return 0


def _pss_kib(pid: int) -> int:
    """The process's proportional set size: its private pages, and its share of shared ones."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def _processes() -> Iterator[tuple[int, str, int, int]]:
    """Every process running now (zombies too): its id, state letter, parent, process group."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            yield int(stat.parent.name), fields[0], int(fields[1]), int(fields[2])


def _ended(pids: Callable[[], list[int]], timeout: float) -> bool:
    """Whether the processes `pids()` names have all ended (or are zombies) within `timeout`."""
    deadline = time.monotonic() + timeout
    while pids():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _group(leader: int) -> list[int]:
    """The live processes of the process group `leader` began."""
    return [pid for pid, state, _, group in _processes() if group == leader and state != "Z"]


def _stop(process: subprocess.Popen[Any], how: signal.Signals = signal.SIGTERM) -> bool:
    """Ask a process this benchmark started (in a session of its own) to end, give what it
    started a few seconds to end too, then kill what is left of its group: nothing outlives it.
    Whether anything had to be killed."""
    killed = False
    if process.poll() is None:
        process.send_signal(how)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            killed = True
    if not _ended(lambda: _group(process.pid), 5):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        killed = True
    return killed


class _Lab:
    """`redirect-tutor serve --port 0` with a data folder of its own (the teacher's): its URL and
    key come from the card it writes there, as `class` finds them; its console goes to a pipe
    read as fast as a terminal would."""

    def __init__(self) -> None:
        self.home = tempfile.TemporaryDirectory(prefix="bench-class-teacher-")
        self.url = ""
        self.key = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.killed = False
        """It had to be killed: it did not end when asked (SIGTERM)."""
        self._console: threading.Thread | None = None

    def __enter__(self) -> _Lab:
        try:
            self.process = subprocess.Popen(
                [TUTOR, "serve", "--port", "0"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
            self._console = threading.Thread(target=self._read, daemon=True)
            self._console.start()
            deadline = time.monotonic() + 30
            while (card := read_card(Path(self.home.name) / LAB_FILE)) is None:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redirect-tutor serve did not start (no key card)")
                time.sleep(0.1)
        except BaseException:
            self.__exit__()
            raise
        self.url, self.key = card.url, card.key
        return self

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            self.killed = _stop(self.process)
        if self._console is not None:
            self._console.join()
        self.home.cleanup()

    @property
    def env(self) -> dict[str, str]:
        """The environment of a command the teacher types on this laptop."""
        return {**os.environ, "REDIRECT_TUTOR_HOME": self.home.name, "PYTHONUNBUFFERED": "1"}

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for _ in self.process.stdout:
            pass

    @property
    def access(self) -> Access:
        """The lab and its key, as `class --lab URL --key KEY` is given them."""
        return Access(self.url, self.key)

    def journaled(self) -> int:
        """The requests the lab's ledger counted, every student's."""

        async def snapshot() -> ClassState:
            async with TeacherLink(self.access) as link:
                return await link.snapshot()

        return sum(student.requests for student in asyncio.run(snapshot()).students)


class _Web:
    """`redirect-tutor web --join LAB --port 0`: every visitor's tutor is a TUI process, child of
    web, that joins the lab under the visitor's name. Stopped as a teacher stops it: Ctrl+C."""

    def __init__(self, lab: _Lab) -> None:
        self.lab = lab.url
        self.process = subprocess.Popen(
            [TUTOR, "web", "--port", "0", "--join", lab.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=lab.env,
            start_new_session=True,
        )
        self.printed: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._ready = threading.Event()
        self._reader.start()
        if not self._ready.wait(30):
            self.stop()
            raise RuntimeError(f"redirect-tutor web did not start: {self.printed[-5:]}")
        found = re.search(r"http://127\.0\.0\.1:\d+", self.printed[0])
        if found is None:
            self.stop()
            raise RuntimeError(f"redirect-tutor web printed no URL: {self.printed[:3]}")
        self.url = found[0]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.printed.append(line.rstrip("\n"))
            if line.startswith("At most"):
                self._ready.set()

    def stop(self) -> bool:
        """Ctrl+C, as the teacher stops it; whether it or a tutor had to be killed."""
        killed = _stop(self.process, signal.SIGINT)
        self._reader.join(timeout=5)
        return killed


class _ClassView:
    """The teacher's `redirect-tutor class` in tmux at 80x24, on a tmux server of its own (its
    socket in the teacher's data folder, gone with it); the view finds the lab by itself from the
    card in that folder."""

    def __init__(self, lab: _Lab) -> None:
        self._tmux = ["tmux", "-S", f"{lab.home.name}/tmux", "-f", "/dev/null"]
        command = f"exec {TUTOR} class"
        subprocess.run(
            [
                *self._tmux,
                *("start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";"),
                *("new-session", "-d", "-s", "class", "-x", "80", "-y", "24"),
                *("-e", f"REDIRECT_TUTOR_HOME={lab.home.name}", command),
            ],
            check=True,
        )
        self.server = int(self._ask("#{pid}"))
        self.pid = int(self._ask("#{pane_pid}"))

    def _ask(self, what: str) -> str:
        return subprocess.run(
            [*self._tmux, "display-message", "-p", "-t", "class", what],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    @property
    def running(self) -> bool:
        return self._ask("#{pane_dead}") == "0"

    def screen(self) -> str:
        return subprocess.run(
            [*self._tmux, "capture-pane", "-p", "-t", "class"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def wait_for(self, text: str, timeout: float) -> bool:
        """Whether `text` shows on the view within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while text not in self.screen():
            if time.monotonic() > deadline or not self.running:
                return False
            time.sleep(0.2)
        return True

    def stop(self) -> bool:
        """End the view as a system does (SIGTERM), then tmux; whether the view had to be
        killed. It is tmux's child, not ours: it is watched in /proc until it has ended."""
        killed = False
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
            if not _ended(lambda: self._alive, 5):
                os.kill(self.pid, signal.SIGKILL)
                killed = True
        subprocess.run([*self._tmux, "kill-server"], capture_output=True, check=False)
        return killed

    @property
    def _alive(self) -> list[int]:
        return [pid for pid, state, _, _ in _processes() if pid == self.pid and state != "Z"]


# The tutors' students: a process of their own runs a share of them.


class _Study:
    """One joined student: think, then one action, timed; until `stop`."""

    def __init__(self, session: StudySession, name: str, course: Course) -> None:
        self._session = session
        self._name = name
        self._chance = random.Random(name)
        columns = columns_of(course)
        self._own = [c.exercise for c in columns if isinstance(c.exercise, BringYourOwn)]
        configure = next(c.exercise for c in columns if c.id == CONFIGURE_ID)
        assert isinstance(configure, Configure)
        self._configure = configure
        self._answers = [
            Answer(code=code, location=location, cache=cache)
            for code in configure.codes
            for location in configure.locations
            for cache in configure.caches
        ]
        self.actions: dict[str, Chains] = {}

    def run(self, stop: threading.Event) -> None:
        chance = self._chance
        while not stop.wait(chance.uniform(*THINK)):
            match chance.randrange(4):
                case 0:
                    self._timed(stop, "tutor: experiment, httpx", self._experiment, "httpx")
                case 1:
                    self._timed(stop, "tutor: experiment, curl", self._experiment, "curl")
                case 2:
                    exercise = chance.choice(self._own)
                    self._timed(stop, "tutor: bring-your-own, curl sends", self._send, exercise)
                    self._timed(stop, "tutor: bring-your-own, check", self._check_own, exercise)
                case _:
                    self._timed(stop, "tutor: configure, check", self._check_configured)

    def _timed(
        self, stop: threading.Event, kind: str, act: Callable[..., str | None], *args: Any
    ) -> None:
        """Time one action; its error (None: none) is counted with it, and the student goes on."""
        started = time.perf_counter()
        try:
            error = act(*args)
        except Exception as exception:
            error = f"{type(exception).__name__}: {str(exception)[:80]}"
        took = time.perf_counter() - started
        if not stop.is_set():  # an action cut by the end of the window is not counted
            self.actions.setdefault(kind, Chains(0)).add(took, error)

    def _experiment(self, client: str) -> str | None:
        spec = ExperimentSpec(code=self._chance.choice(CODES), body="a=1", client=client)
        error = self._session.lab.run(spec).error
        return f"{client} failed: {error[:60]}" if error else None

    def _send(self, exercise: BringYourOwn) -> str | None:
        """The student's own curl, at the URL their tutor shows (under their prefix)."""
        keep = exercise.code == 302 and self._chance.random() < 0.5
        done = subprocess.run(
            ["curl", "-sS", "-L", "-d", "a=1", "-o", "/dev/null"]
            + (["--post302"] if keep else [])
            + [f"{self._session.lab.url}{exercise.route()}"],
            capture_output=True,
            timeout=CURL_TIMEOUT,
            check=False,
        )
        return f"curl exit {done.returncode}" if done.returncode else None

    def _check_own(self, exercise: BringYourOwn) -> str | None:
        found = self._session.check_attempt(exercise, self._name)
        return None if found is not None else "the tutor saw no attempt"

    def _check_configured(self) -> None:
        """The right answer half the time, else any answer on offer."""
        right = self._chance.random() < 0.5
        answer = self._configure.answer if right else self._chance.choice(self._answers)
        self._session.check_answer(self._configure, answer, exercise_id=CONFIGURE_ID)


def _students(url: str, names: list[str]) -> None:
    """A tutors' process: one joined session per name. It prints {"ready": [problems]} once they
    have joined, starts on a line "go" on stdin, stops on the next line, and then prints every
    action's time and error as JSON."""
    course = load_course()
    sessions = [make_session(join=Join(url, name)) for name in names]
    problems = []
    for name, session in zip(names, sessions, strict=True):
        session.lab.start()
        if session.lab.notice:
            problems.append(f"{name}: {session.lab.notice}")
    print(json.dumps({"ready": problems}), flush=True)
    students = [
        _Study(session, name, course) for name, session in zip(names, sessions, strict=True)
    ]
    sys.stdin.readline()
    stop = threading.Event()
    threads = [threading.Thread(target=student.run, args=(stop,)) for student in students]
    for thread in threads:
        thread.start()
    sys.stdin.readline()
    stop.set()
    for thread in threads:
        thread.join()
    for session in sessions:
        session.close()
    document: dict[str, dict[str, Any]] = {}
    for student in students:
        for kind, actions in student.actions.items():
            both = document.setdefault(kind, {"times": [], "errors": Counter()})
            both["times"] += actions.times
            both["errors"].update(actions.errors)
    print(json.dumps(document), flush=True)


class _Tutors:
    """The joined tutors, STUDENTS / STUDENT_PROCESSES to a process; a role of the window."""

    RESULTS_WAIT = 60.0
    """Seconds a tutors' process has, after the window, to finish its last actions and report."""

    def __init__(self, lab: _Lab, home: str) -> None:
        self.actions: dict[str, Chains] = {}
        self.lost = 0
        """Tutors' processes that never reported."""
        self.processes: list[subprocess.Popen[str]] = []
        names = [f"tutor{n:02}" for n in range(1, STUDENTS + 1)]
        env = {**os.environ, "REDIRECT_TUTOR_HOME": home, "PYTHONUNBUFFERED": "1"}
        try:
            for share in range(STUDENT_PROCESSES):
                self.processes.append(
                    subprocess.Popen(
                        [
                            *(sys.executable, "-m", "benchmarks.class_live"),
                            *("--students", lab.url, *names[share::STUDENT_PROCESSES]),
                        ],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        text=True,
                        env=env,
                        start_new_session=True,
                    )
                )
            for process in self.processes:
                ready = _last_line(process, self.RESULTS_WAIT)
                problems = json.loads(ready).get("ready", []) if ready else ["no answer"]
                if problems:
                    raise RuntimeError(f"the tutors did not all join: {problems[:3]}")
        except BaseException:
            self.stop()
            raise

    def _say(self, word: str) -> None:
        for process in self.processes:
            stdin: IO[str] | None = process.stdin
            assert stdin is not None
            stdin.write(f"{word}\n")
            stdin.flush()

    def run(self, stop: threading.Event) -> None:
        self._say("go")
        stop.wait()
        self._say("stop")
        for process in self.processes:
            if not (line := _last_line(process, self.RESULTS_WAIT)):
                self.lost += 1
                continue
            for kind, found in json.loads(line).items():
                actions = self.actions.setdefault(kind, Chains(0))
                actions.times += found["times"]
                actions.errors.update(found["errors"])
                actions.served += len(found["times"]) - sum(found["errors"].values())

    def interrupt(self) -> None:
        """`run` ends once its processes have finished their last action."""

    def stop(self) -> bool:
        """Whether a tutors' process had to be killed."""
        return any([_stop(process) for process in self.processes])


def _last_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The next line `process` prints; "" if it prints none within `timeout` (it is then
    stopped) or ends first."""
    assert process.stdout is not None
    watchdog = threading.Timer(timeout, _stop, (process,))
    watchdog.start()
    try:
        return process.stdout.readline()
    finally:
        watchdog.cancel()


# The curl students, the browsers, the teacher's long poll.


@dataclass
class _Updates:
    """The curl students' chains, each waiting to show in the class; how late each showed."""

    pending: dict[str, deque[tuple[float, int]]] = field(default_factory=dict)
    """By student: when each chain was sent, and the student's count of requests after it."""
    delays: list[float] = field(default_factory=list)
    states: int = 0
    """New states of the class the link brought."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def expect(self, name: str, sent: float, requests: int) -> None:
        with self.lock:
            self.pending.setdefault(name, deque()).append((sent, requests))

    def seen(self, arrived: float, requests: Mapping[str, int]) -> None:
        with self.lock:
            self.states += 1
            for name, chains in self.pending.items():
                while chains and chains[0][1] <= requests.get(name, 0):
                    self.delays.append(arrived - chains.popleft()[0])

    def unseen(self, at: float) -> list[float]:
        """How long each chain still waiting at `at` has waited."""
        with self.lock:
            return [at - sent for chains in self.pending.values() for sent, _ in chains]


class _CurlStudent:
    """`while true; do curl -L -d a=1 URL/s/curlNN/redirect/CODE; sleep 0.5; done`, from a
    loopback address of its own; each chain served is stamped for the class view to show."""

    def __init__(self, url: str, number: int, chains: Chains, updates: _Updates | None) -> None:
        self.name = f"curl{number:02}"
        self._url = f"{url}/s/{self.name}/redirect/"
        self._address = f"127.0.1.{number}"
        self._number = number
        self._chains = chains
        self._updates = updates
        self._lock = threading.Lock()
        self._running: subprocess.Popen[str] | None = None

    def run(self, stop: threading.Event) -> None:
        requests = 0
        for code, extra in itertools.islice(itertools.cycle(LOOP), self._number, None):
            sent = time.monotonic()
            done = self._curl(
                stop,
                [
                    *("curl", "-sS", "-L", "--interface", self._address, "-d", "a=1", *extra),
                    *("--max-time", str(CURL_TIMEOUT), "-o", "/dev/null"),
                    *("-w", "%{http_code} %{num_redirects} %{time_total}", self._url + code),
                ],
            )
            if done is None:
                return
            status, out = done
            if status or len(out) != 3:
                self._chains.add(time.monotonic() - sent, f"curl exit {status}")
            elif out[0] != "200":
                self._chains.add(float(out[2]), f"final {out[0]}")
            else:
                self._chains.add(float(out[2]), None)
                requests += int(out[1]) + 1
                if self._updates is not None:
                    self._updates.expect(self.name, sent, requests)
            if stop.wait(CURL_PAUSE):
                return

    def _curl(self, stop: threading.Event, argv: list[str]) -> tuple[int, list[str]] | None:
        """curl's exit status and the words it printed; None once `stop` is set (a chain cut by
        the end of the window is not counted)."""
        with self._lock:
            if stop.is_set():
                return None
            self._running = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
            )
        out = self._running.communicate()[0].split()
        return None if stop.is_set() else (self._running.returncode, out)

    def interrupt(self) -> None:
        with self._lock:
            if self._running is not None and self._running.poll() is None:
                self._running.kill()


class _Teacher:
    """The class view's own link (tutor.classroom.teacher: long polls of GET /teacher/class with
    the teacher's key), stamping when each new state of the class arrives."""

    def __init__(self, lab: _Lab, updates: _Updates) -> None:
        self._access = lab.access
        self._updates = updates
        self.errors: Counter[str] = Counter()
        self.stopped = 0.0
        """When it heard the window end (time.monotonic)."""

    def run(self, stop: threading.Event) -> None:
        asyncio.run(self._follow(stop))

    async def _follow(self, stop: threading.Event) -> None:
        async with TeacherLink(self._access) as link:
            following = asyncio.ensure_future(self._read(link))
            while not stop.is_set():
                await asyncio.sleep(0.1)
            self.stopped = time.monotonic()
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following

    async def _read(self, link: TeacherLink) -> None:
        while True:
            try:
                async for state in link.changes():
                    requests = {student.name: student.requests for student in state.students}
                    self._updates.seen(time.monotonic(), requests)
            except TeacherError as error:
                self.errors[type(error).__name__] += 1
                await asyncio.sleep(0.5)

    def interrupt(self) -> None:
        """`run` hears `stop` within 0.1 s."""


class _Browser:
    """A student in a browser on web: enters a name at the door, opens the tutor's websocket at
    80x24, opens the Lab panel, then presses Ctrl+R and waits until the new chain shows."""

    def __init__(self, web: _Web, number: int, actions: Chains) -> None:
        from websockets.sync.client import ClientConnection

        self.name = f"web{number:02}"
        self._url = web.url
        self._lab = web.lab.removeprefix("http://")
        self._address = f"127.0.2.{number}"
        self._actions = actions
        self._socket: ClientConnection | None = None
        self._seen: set[bytes] = set()

    def open(self) -> None:
        """Through the door to the Lab panel; RuntimeError when the tutor is not joined."""
        from websockets.sync.client import connect
        from websockets.typing import Origin

        transport = httpx.HTTPTransport(local_address=self._address)
        with httpx.Client(transport=transport, timeout=10, trust_env=False) as client:
            entered = client.post(
                f"{self._url}/enter", data={"name": self.name}, headers={"Origin": self._url}
            )
        if entered.status_code != 303 or "tutor_ticket" not in entered.cookies:
            raise RuntimeError(f"web's door answered {entered.status_code} for {self.name}")
        self._socket = connect(
            f"{self._url.replace('http', 'ws', 1)}/ws?width=80&height=24",
            origin=Origin(self._url),
            additional_headers={"Cookie": f"tutor_ticket={entered.cookies['tutor_ticket']}"},
            open_timeout=10,
            max_size=None,
            source_address=(self._address, 0),
            legacy=True,
        )
        if not self._until(lambda text: b"Lessons" in text, 60):
            raise RuntimeError(f"{self.name}'s tutor showed no screen in 60 s")
        self._socket.send('["stdin", "e"]')
        joined = f"class lab {self._lab} as {self.name}".encode()
        if not self._until(lambda text: b"Edge cases" in text and joined in text, 30):
            raise RuntimeError(f"{self.name}'s tutor did not open the class lab's Lab panel")

    def _until(
        self,
        shown: Callable[[bytes], bool] | None,
        timeout: float,
        stop: threading.Event | None = None,
    ) -> bool:
        """Read the screen until `shown(its text so far)` (True), or until the time is up or
        `stop` (False). Without `shown`, only read what the tutor sends, as a browser does."""
        assert self._socket is not None
        seen = b""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0 and not (stop and stop.is_set()):
            try:
                message = self._socket.recv(timeout=min(left, 0.2))
            except TimeoutError:
                continue
            if isinstance(message, bytes) and shown is not None:
                seen += message
                if shown(ESCAPES.sub(b"", seen)):
                    return True
        return False

    def _new_chain(self, text: bytes) -> bool:
        chains = set(CHAIN_SHOWN.findall(text)) - self._seen
        self._seen |= chains
        return bool(chains)

    def run(self, stop: threading.Event) -> None:
        assert self._socket is not None
        chance = random.Random(self.name)
        while not stop.is_set():
            self._until(None, chance.uniform(*THINK), stop)
            if stop.is_set():
                return
            started = time.perf_counter()
            self._socket.send('["stdin", "\\u0012"]')  # Ctrl+R: run
            shown = self._until(self._new_chain, SCREEN_WAIT, stop)
            if stop.is_set():
                return
            took = time.perf_counter() - started
            self._actions.add(
                took, None if shown else f"no new chain on screen in {SCREEN_WAIT:g} s"
            )

    def interrupt(self) -> None:
        """`run` checks `stop` at least every 0.2 s."""

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()


# What the class costs: every process's memory, the lab's and the view's CPU.


def _tree(roots: list[int]) -> Iterator[int]:
    """The roots and all their descendants."""
    children: dict[int, list[int]] = {}
    for pid, _, parent, _ in _processes():
        children.setdefault(parent, []).append(pid)
    todo = list(roots)
    while todo:
        pid = todo.pop()
        yield pid
        todo += children.get(pid, [])


@dataclass
class _Meter:
    """Samples every process of the class (this one and all it started, the tmux server and its
    view) every SAMPLE seconds; reads the lab's and the view's CPU at the window's ends."""

    roots: list[int]
    teacher: list[int]
    """The teacher's laptop alone: the lab, web (and its tutors), the class view."""
    watched: dict[str, int]
    cpu: dict[str, float] = field(default_factory=dict)
    peak_rss: int = 0
    peak_pss: int = 0
    peak_teacher: int = 0
    processes: int = 0

    def run(self, stop: threading.Event) -> None:
        started = {name: _cpu_seconds(pid) for name, pid in self.watched.items()}
        while not stop.wait(SAMPLE):
            pids = list(_tree(self.roots))
            self.processes = max(self.processes, len(pids))
            self.peak_rss = max(self.peak_rss, sum(_status_kib(pid, "VmRSS") for pid in pids))
            self.peak_pss = max(self.peak_pss, sum(_pss_kib(pid) for pid in pids))
            teacher = sum(_status_kib(pid, "VmRSS") for pid in _tree(self.teacher))
            self.peak_teacher = max(self.peak_teacher, teacher)
        self.cpu = {name: _cpu_seconds(pid) - started[name] for name, pid in self.watched.items()}

    def interrupt(self) -> None:
        """`run` hears `stop` at once."""


# The windows.


@dataclass
class _Class:
    """What one class window measured."""

    actions: dict[str, Chains]
    updates: _Updates
    unseen: list[float]
    """How long each curl chain not yet shown when the window ended had waited."""
    polling_errors: Counter[str]
    meter: _Meter
    peak_kib: dict[str, int]
    journaled: int
    lost: int
    """Tutors' processes that never reported their actions."""
    view: str | None
    """Why the class view did not run, when it did not."""
    killed: list[str]
    """What had to be killed at the end: it did not end when asked."""


def _curl_alone(seconds: float) -> Chains:
    """The curl students alone on a fresh lab."""
    chains = Chains(seconds)
    with _Lab() as lab:
        students = range(1, CURL_STUDENTS + 1)
        run_for(seconds, [_CurlStudent(lab.url, n, chains, None) for n in students])
    return chains


def _class(seconds: float) -> _Class:
    """The whole class for `seconds` on a fresh lab."""
    updates, curl = _Updates(), Chains(seconds)
    browsing, browsers = Chains(seconds), []
    tutors: _Tutors | None = None
    web: _Web | None = None
    view: _ClassView | None = None
    students_home = tempfile.TemporaryDirectory(prefix="bench-class-students-")
    with _Lab() as lab:
        try:
            web = _Web(lab)
            tutors = _Tutors(lab, students_home.name)
            browsers = [_Browser(web, n, browsing) for n in range(1, BROWSERS + 1)]
            with ThreadPoolExecutor(BROWSERS) as pool:
                list(pool.map(_Browser.open, browsers))
            view = _ClassView(lab)
            problem = None if view.wait_for("tutor01", 30) else _view_problem(view)
            watched = {"lab": lab.pid} | ({"class": view.pid} if problem is None else {})
            meter = _Meter(
                [os.getpid(), view.server], [lab.pid, web.process.pid, view.server], watched
            )
            teacher = _Teacher(lab, updates)
            roles: list[Role] = [tutors, meter, teacher, *browsers]
            roles += [_CurlStudent(lab.url, n, curl, updates) for n in range(1, CURL_STUDENTS + 1)]
            run_for(seconds, roles)
            peaks = {name: _status_kib(pid, "VmHWM") for name, pid in watched.items()}
            journaled = lab.journaled()
        finally:
            for browser in browsers:
                browser.close()
            stopped = {
                "class": view is not None and view.stop(),
                "the tutors' processes": tutors is not None and tutors.stop(),
                "web (or a visitor's tutor)": web is not None and web.stop(),
            }
            students_home.cleanup()
    killed = [name for name, was in {**stopped, "serve": lab.killed}.items() if was]
    actions = {
        **tutors.actions,
        "curl loop: one chain": curl,
        "web: Ctrl+R to the chain shown": browsing,
    }
    return _Class(
        actions,
        updates,
        updates.unseen(teacher.stopped),
        teacher.errors,
        meter,
        peaks,
        journaled,
        tutors.lost,
        problem,
        killed,
    )


def _view_problem(view: _ClassView) -> str:
    lines = [line for line in view.screen().splitlines() if line.strip()]
    state = "it ended" if not view.running else "it shows no student"
    return f"{state}; last lines: {' / '.join(lines[-3:]) or '(none)'}"


# The report.


def _mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def _met(met: bool) -> str:
    return "met" if met else "NOT met"


def _errors(chains: Chains) -> str:
    total = sum(chains.errors.values())
    kinds = ", ".join(f"{kind}: {n}" for kind, n in chains.errors.most_common(3))
    return f"{total} ({kinds})" if total else "0"


def main(seconds: float = 60) -> None:
    missing = [tool for tool in ("curl", "tmux") if shutil.which(tool) is None]
    if missing:
        print(f"class_live: skipped, not installed: {', '.join(missing)}")
        return
    alone_seconds = max(2.0, seconds / 4)
    before = _curl_alone(alone_seconds)
    measured = _class(seconds)
    after = _curl_alone(alone_seconds)
    alone = before + after
    print(
        f"the teacher's live class on this machine ({os.cpu_count()} CPUs) for {seconds:g} s: "
        f"serve, {STUDENTS} joined tutors ({STUDENT_PROCESSES} processes), {CURL_STUDENTS} curl "
        f"loops, {BROWSERS} browsers on web --join, the class view in tmux:"
    )
    done = sum(len(chains.times) for chains in measured.actions.values())
    print(
        f"  requests the lab journaled for students: {measured.journaled} "
        f"({measured.journaled / seconds:.0f}/s); student actions timed: {done}"
    )
    print(f"  {'action':36} {'count':>6} {'p50 ms':>8} {'p99 ms':>8}  errors")
    for kind, chains in sorted(measured.actions.items()):
        print(
            f"  {kind:36} {len(chains.times):6} {chains.percentile_ms(50):8.1f} "
            f"{chains.percentile_ms(99):8.1f}  {_errors(chains)}"
        )
    curl = measured.actions["curl loop: one chain"]
    ratio = curl.percentile_ms(99) / alone.percentile_ms(99)
    print(
        f"  {'curl loop alone, on a fresh lab':36} {len(alone.times):6} "
        f"{alone.percentile_ms(50):8.1f} {alone.percentile_ms(99):8.1f}  {_errors(alone)}  "
        f"(2 x {alone_seconds:g} s, before and after; p99 in the class / alone: {ratio:.2f}x)"
    )
    if measured.lost:
        print(f"  {measured.lost} of {STUDENT_PROCESSES} tutors' processes never reported")
    meter = measured.meter
    for name in ("lab", "class"):
        if name in measured.peak_kib:
            cpu = meter.cpu[name]
            print(
                f"  {name:5}: peak RSS {_mib(measured.peak_kib[name])}, CPU {cpu:.1f} s in the "
                f"window ({cpu / seconds:.0%} of one CPU)"
            )
    if measured.view is not None:
        print(f"  class: the view did not run as it should: {measured.view}")
    if measured.killed:
        print(f"  asked to stop, these had to be killed after 5 s: {', '.join(measured.killed)}")
    print(
        f"  peak memory, RSS summed: {_mib(meter.peak_rss)} for everything this benchmark runs "
        f"(up to {meter.processes} processes; {_mib(meter.peak_pss)} PSS), of which the "
        f"teacher's laptop (serve, web and its {BROWSERS} tutors, class) "
        f"{_mib(meter.peak_teacher)}"
    )
    updates = measured.updates
    late = [delay for delay in updates.delays if delay > LATE]
    stale = [waited for waited in measured.unseen if waited > LATE]
    worst = max(updates.delays + measured.unseen, default=0.0)
    p99 = Chains(seconds, updates.delays).percentile_ms(99)
    failed = sum(measured.polling_errors.values())
    print(
        f"  the class view's link: {updates.states} new states; {len(updates.delays)} curl chains "
        f"shown, p99 {p99:.0f} ms after sent, late (> {LATE:g} s) {len(late)}, never shown "
        f"{len(stale)}, worst {worst * 1000:.0f} ms; failed polls {failed}"
    )
    slowest, slowest_p99 = max(
        ((kind, chains.percentile_ms(99)) for kind, chains in measured.actions.items()),
        key=lambda kind_p99: kind_p99[1],
    )
    print(
        f"  aims: p99 < {AIM_P99_MS:.0f} ms for every action: {_met(slowest_p99 < AIM_P99_MS)} "
        f"(slowest: {slowest}, {slowest_p99:.0f} ms); no late update: "
        f"{_met(not late and not stale and not failed)}; the whole class < 1 GiB: "
        f"{_met(meter.peak_rss * 1024 < AIM_BYTES)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.class_live")
    parser.add_argument("--seconds", type=float, default=60, help="the class's window")
    parser.add_argument("--students", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    try:
        if arguments.students:
            _students(arguments.students[0], arguments.students[1:])
        else:
            main(arguments.seconds)
    except KeyboardInterrupt:  # everything it started is already stopped
        sys.exit(130)
