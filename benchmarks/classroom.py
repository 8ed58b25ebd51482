"""A class of 40 against the real `redirect-tutor serve`: are thirty honest students still served?

Thirty students repeat real curl chains (`curl -L`, one after another, each under its own
/s/NAME prefix) from 127.0.0.1, while ten slow clients from 127.0.0.2 try to hold a hundred
connections each by dribbling a header line every 3 s, and one flooder from 127.0.0.3, who has
built 2,100 hops of 60 KiB heads and 16 KiB bodies before the window opens, asks /echo for its
chains again and again (chain tokens of its own choosing, 22 characters). The lab is a
separate `serve` process on a free loopback port, with the usual open-file limit of a laptop
(1,024, whatever this machine's is); its console goes to a pipe that this benchmark reads
(`--console devnull`: to /dev/null; `--console paused`: to a pipe nobody reads until the end, a
paused terminal). The reference is the same thirty students alone, each time on a fresh lab,
one window before the attack and one after.

Run: .venv/bin/python -m benchmarks.classroom [--seconds 20] [--console pipe|devnull|paused].
It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import os
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

__all__ = ["Chains", "Flood", "Role", "Slow", "Window", "main", "run_for"]

STUDENTS = 30
SLOW_CLIENTS = 10
SLOW_CONNECTIONS = 100
"""Connections each slow client tries to hold: a thousand in all, about the lab's file limit."""
DRIBBLE = 3.0
"""Seconds between two header lines of a slow client."""
NOFILE = 1024
"""The lab's open-file limit: the usual soft limit on a teacher's laptop."""
FLOOD_HEADERS = 60
"""Header fields of 1 KiB each on every request that builds a flooder's chain."""
FLOOD_BODY = 16 * 1024
FLOOD_HOPS = 2100
"""Hops the flooder builds before the window opens, on as many chains as the lab lets it."""
BUILD_SECONDS = 60
"""The longest the flooder may take to build them."""
CURL_TIMEOUT = 10
"""Seconds a student's curl waits for its chain before giving up (it counts as an error)."""
CHAINS = (("307", True), ("302", True), ("303", True), ("308", True), ("307", False))
"""A student's chains in turn: the redirect code, and whether curl POSTs a=1 (else a GET)."""
HONEST, SLOW, FLOODER = "127.0.0.1", "127.0.0.2", "127.0.0.3"
"""Each kind of client comes from its own loopback address, as from its own machine."""


def _laptop_file_limit() -> None:
    """In the lab's process before it starts: the soft open-file limit of a usual laptop, the
    hard one left as it is, so that what `serve` does about it at start is measured too."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    soft = NOFILE if hard == resource.RLIM_INFINITY else min(NOFILE, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class Role(Protocol):
    def run(self, stop: threading.Event) -> None: ...

    def interrupt(self) -> None:
        """Unblock `run` at once, once `stop` is set (kill its curl, shut its socket)."""


@dataclass
class Chains:
    """The honest students' chains: the time of each (a failed one too), the served, the errors."""

    seconds: float
    times: list[float] = field(default_factory=list)
    served: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, took: float, error: str | None) -> None:
        with self.lock:
            self.times.append(took)
            if error is None:
                self.served += 1
            else:
                self.errors[error] += 1

    def __add__(self, other: Chains) -> Chains:
        both = Chains(self.seconds + other.seconds, self.times + other.times)
        both.served = self.served + other.served
        both.errors = self.errors + other.errors
        return both

    @property
    def rate(self) -> float:
        return self.served / self.seconds

    def percentile_ms(self, which: int) -> float:
        if len(self.times) < 2:
            return float("nan")
        return statistics.quantiles(self.times, n=100, method="inclusive")[which - 1] * 1000


@dataclass
class Slow:
    """The slow clients' connections: held (not yet answered), refused, closed by the lab."""

    held: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    closed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def opened(self) -> None:
        with self.lock:
            self.held += 1

    def lost(self, answer: bytes) -> None:
        """A held connection ended: answered 503 (refused), or closed (a timeout, an error)."""
        with self.lock:
            self.held -= 1
            if answer.startswith(b"HTTP/1.1 503"):
                self.refused["503"] += 1
            else:
                self.closed += 1

    def failed(self) -> None:
        with self.lock:
            self.refused["no connection"] += 1


@dataclass
class Flood:
    """What the flooder sent and got: hops built, /echo answers, bytes read, errors."""

    hops: int = 0
    chains: int = 0
    echoes: int = 0
    largest: int = 0
    slowest: float = 0.0
    read: int = 0
    build_seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0


@dataclass
class Window:
    """One window of the class: the honest chains, the attackers', the lab's memory and console."""

    chains: Chains
    peak_kib: int
    """The lab's VmHWM at the end of the window."""
    sampled_kib: int
    """The largest VmRSS seen while sampling every 0.1 s."""
    peak_files: int
    """The most files (sockets, mostly) the lab held open at one sample."""
    file_limit: int
    """The lab's soft open-file limit as it ran."""
    console_lines: int | None
    """Lines the console printed and this benchmark read (None: it went to /dev/null)."""
    lab_ended: int | None
    """serve's exit status, when it ended by itself during the window."""
    slow: Slow | None = None
    flood: Flood | None = None


class _Lab:
    """`redirect-tutor serve` on a free port: its console read (or not), its memory sampled."""

    def __init__(self, console: str) -> None:
        self.port = _free_port()
        self.lines: int | None = None if console == "devnull" else 0
        self.sampled_kib = 0
        self.peak_kib = 0
        self.peak_files = 0
        self.file_limit = 0
        """The lab's own soft open-file limit, as it runs (serve raises the one it was given)."""
        self.ended: int | None = None
        """serve's exit status, when it ended by itself before the window did."""
        self._console = console
        self._done = threading.Event()
        self._reading = threading.Event()
        self._threads: list[threading.Thread] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._home = tempfile.TemporaryDirectory(prefix="bench-classroom-")

    def __enter__(self) -> _Lab:
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.peak_kib = self._status("VmHWM")
        self.ended = self._process.poll() if self._process is not None else None
        self._stop()

    def _start(self) -> None:
        self._process = subprocess.Popen(
            [Path(sys.executable).with_name("redirect-tutor"), "serve", "--port", str(self.port)],
            stdout=subprocess.DEVNULL if self._console == "devnull" else subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "REDIRECT_TUTOR_HOME": self._home.name},
            preexec_fn=_laptop_file_limit,
        )
        if self._console == "pipe":
            self._reading.set()
        self._threads.append(threading.Thread(target=self._sample, daemon=True))
        if self._process.stdout is not None:
            self._threads.append(threading.Thread(target=self._read, daemon=True))
        for thread in self._threads:
            thread.start()
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self._process is not None
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError("redirect-tutor serve did not start") from None
                time.sleep(0.1)

    def _stop(self) -> None:
        self._done.set()
        self._reading.set()  # a paused console is read again, so that serve can say goodbye
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for thread in self._threads:
            thread.join()
        self._home.cleanup()

    def _status(self, name: str) -> int:
        """A figure in kB from /proc/PID/status (0 before the process or after it)."""
        if self._process is None:
            return 0
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self._process.pid}/status").read_text().splitlines():
                if line.startswith(f"{name}:"):
                    return int(line.split()[1])
        return 0

    def _file_limit(self) -> int:
        assert self._process is not None
        for line in Path(f"/proc/{self._process.pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                return int(line.split()[3])
        return 0

    def _sample(self) -> None:
        assert self._process is not None
        files = f"/proc/{self._process.pid}/fd"
        while not self._done.wait(0.1):
            self.sampled_kib = max(self.sampled_kib, self._status("VmRSS"))
            with contextlib.suppress(OSError):
                self.peak_files = max(self.peak_files, len(os.listdir(files)))
                self.file_limit = self._file_limit()

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        self._reading.wait()
        for lines, _ in enumerate(self._process.stdout, 1):
            self.lines = lines


class _Student:
    """One student: `curl -L` chains under /s/studentNN, one after another, from 127.0.0.1."""

    def __init__(self, port: int, number: int, chains: Chains) -> None:
        self._url = f"http://127.0.0.1:{port}/s/student{number:02}/redirect/"
        self._number = number
        self._chains = chains
        self._lock = threading.Lock()
        self._curl: subprocess.Popen[str] | None = None

    def run(self, stop: threading.Event) -> None:
        for turn in itertools.count(self._number):
            code, post = CHAINS[turn % len(CHAINS)]
            with self._lock:
                if stop.is_set():
                    return
                started = time.perf_counter()
                self._curl = curl = subprocess.Popen(
                    ["curl", "-sS", "-L", "--interface", HONEST, "--max-time", str(CURL_TIMEOUT)]
                    + ["-o", "/dev/null", "-w", "%{http_code} %{time_total}"]
                    + (["-d", "a=1"] if post else [])
                    + [self._url + code],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
            out = curl.communicate()[0].split()
            if stop.is_set():
                return  # a chain cut by the end of the window is not counted
            took = float(out[1]) if len(out) == 2 else time.perf_counter() - started
            if curl.returncode:
                self._chains.add(took, f"curl exit {curl.returncode}")
            else:
                self._chains.add(took, None if out[0] == "200" else f"final {out[0]}")

    def interrupt(self) -> None:
        with self._lock:
            if self._curl is not None and self._curl.poll() is None:
                self._curl.kill()


class _SlowClient:
    """Holds connections from 127.0.0.2, each sending one header line every 3 s, never done."""

    def __init__(self, port: int, number: int, slow: Slow) -> None:
        self._port = port
        self._start = f"GET /s/slow{number:02}/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
        self._slow = slow
        self._held: list[socket.socket] = []

    def run(self, stop: threading.Event) -> None:
        try:
            while True:
                self._open(stop)
                if stop.wait(DRIBBLE):
                    return
                self._dribble(f"X-Dribble: {time.monotonic():.0f}\r\n".encode())
        finally:
            self._dribble(None)  # those the lab has answered since are not held
            for sock in self._held:
                sock.close()

    def interrupt(self) -> None:
        """`run` checks `stop` at least every second (a connect's timeout)."""

    def _open(self, stop: threading.Event) -> None:
        """Up to SLOW_CONNECTIONS; the first refused connect ends this round."""
        while len(self._held) < SLOW_CONNECTIONS and not stop.is_set():
            sock = socket.socket()
            try:
                sock.settimeout(1.0)
                sock.bind((SLOW, 0))
                sock.connect(("127.0.0.1", self._port))
                sock.sendall(self._start)
                sock.setblocking(False)
            except OSError:
                sock.close()
                self._slow.failed()
                return
            self._held.append(sock)
            self._slow.opened()

    def _dribble(self, line: bytes | None) -> None:
        for sock in list(self._held):
            if (answer := _poke(sock, line)) is not None:
                self._held.remove(sock)
                sock.close()
                self._slow.lost(answer)


def _poke(sock: socket.socket, line: bytes | None) -> bytes | None:
    """One more header line (if any) on a held, non-blocking connection: None while it holds,
    else what the lab answered (b"" when it closed the connection without a word)."""
    try:
        return sock.recv(64)
    except BlockingIOError:
        pass
    except OSError:
        return b""
    try:
        if line is not None:
            sock.send(line)
    except BlockingIOError:  # the lab reads nothing yet: the connection still holds
        pass
    except OSError:
        return b""
    return None


class _Flooder:
    """From 127.0.0.3: long chains of big hops built before the window opens, then /echo of each
    chain in turn, every answer read to its end. When the lab calls a chain full (429), the next
    chains stop one hop short of that, so that their /echo is still answered."""

    def __init__(self, port: int, flood: Flood) -> None:
        self._port = port
        self._flood = flood
        self._tokens = [secrets.token_urlsafe(16)]
        self._chain_hops = 0
        self._room: int | None = None
        """Hops a chain may have and still be read by /echo, once the lab has shown its cap."""
        self._lock = threading.Lock()
        self._connection: http.client.HTTPConnection | None = None
        self._headers = {f"X-Fill-{i:02}": "f" * (1024 - 9) for i in range(FLOOD_HEADERS)}
        self._body = b"b" * FLOOD_BODY

    def build(self) -> None:
        """FLOOD_HOPS hops, or as many as BUILD_SECONDS and twice as many requests allow."""
        started = time.monotonic()
        try:
            for _ in range(2 * FLOOD_HOPS):
                if self._flood.hops == FLOOD_HOPS or time.monotonic() > started + BUILD_SECONDS:
                    break
                self._attempt(threading.Event(), self._build)
        finally:
            self._close()
            self._flood.build_seconds = time.monotonic() - started
            self._flood.chains = len(self._tokens)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._attempt(stop, self._echo)
        self._close()

    def _attempt(
        self, stop: threading.Event, step: Callable[[http.client.HTTPConnection], None]
    ) -> None:
        """One request; a failure is counted, and the next one gets a new connection."""
        try:
            if (connection := self._connect(stop)) is not None:
                step(connection)
        except (OSError, http.client.HTTPException):
            if not stop.is_set():
                self._flood.errors += 1
                self._close()
                stop.wait(0.1)

    def interrupt(self) -> None:
        with self._lock:
            if self._connection is not None and self._connection.sock is not None:
                with contextlib.suppress(OSError):
                    self._connection.sock.shutdown(socket.SHUT_RDWR)

    def _connect(self, stop: threading.Event) -> http.client.HTTPConnection | None:
        """The open connection, or a new one; None once `stop` is set."""
        with self._lock:
            if stop.is_set():
                return None
            if self._connection is None:
                self._connection = http.client.HTTPConnection(
                    "127.0.0.1", self._port, timeout=5, source_address=(FLOODER, 0)
                )
                self._connection.connect()
                self._connection.sock.settimeout(60)  # an /echo answer may take seconds to start
            return self._connection

    def _close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _build(self, connection: http.client.HTTPConnection) -> None:
        """One more hop on the last chain, under the token the lab says it belongs to."""
        if self._chain_hops == self._room:
            self._new_chain()
        path = f"/s/flooder/redirect/307?chain={self._tokens[-1]}"
        connection.request("POST", path, self._body, self._headers)
        answer = connection.getresponse()
        answer.read()
        self._flood.statuses[answer.status] += 1
        if answer.status == 429:  # the lab calls this chain full
            self._room = self._chain_hops - 1
            self._new_chain()
        else:
            self._flood.hops += 1
            self._chain_hops += 1
            self._tokens[-1] = answer.getheader("x-redirect-tutor-chain") or self._tokens[-1]

    def _new_chain(self) -> None:
        self._tokens.append(secrets.token_urlsafe(16))
        self._chain_hops = 0

    def _echo(self, connection: http.client.HTTPConnection) -> None:
        started = time.perf_counter()
        token = self._tokens[self._flood.echoes % len(self._tokens)]
        connection.request("GET", f"/s/flooder/echo?chain={token}")
        answer = connection.getresponse()
        size = 0
        while chunk := answer.read(1 << 20):
            size += len(chunk)
        self._flood.echoes += 1
        self._flood.statuses[answer.status] += 1
        self._flood.read += size
        self._flood.largest = max(self._flood.largest, size)
        self._flood.slowest = max(self._flood.slowest, time.perf_counter() - started)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_for(seconds: float, roles: list[Role]) -> None:
    """Every role on its own thread for `seconds`; then all stopped and joined, Ctrl+C or not."""
    stop = threading.Event()
    threads = [threading.Thread(target=role.run, args=(stop,), daemon=True) for role in roles]
    try:
        for thread in threads:
            thread.start()
        stop.wait(seconds)
    finally:
        stop.set()
        for role in roles:
            role.interrupt()
        for thread in threads:
            if thread.ident is not None:
                thread.join()


def _window(seconds: float, console: str, attacked: bool) -> Window:
    """The thirty students for `seconds` on a fresh lab, with the attackers if `attacked`."""
    with _Lab(console) as lab:
        chains = Chains(seconds)
        roles: list[Role] = [_Student(lab.port, n, chains) for n in range(1, STUDENTS + 1)]
        slow, flood = (Slow(), Flood()) if attacked else (None, None)
        if slow is not None and flood is not None:
            flooder = _Flooder(lab.port, flood)
            flooder.build()
            roles += [_SlowClient(lab.port, n, slow) for n in range(1, SLOW_CLIENTS + 1)]
            roles.append(flooder)
        run_for(seconds, roles)
    return Window(
        chains,
        lab.peak_kib,
        lab.sampled_kib,
        lab.peak_files,
        lab.file_limit,
        lab.lines,
        lab.ended,
        slow,
        flood,
    )


def _raise_own_file_limit() -> None:
    """This process holds the slow clients' thousand sockets: more than a soft limit of 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * NOFILE if hard == resource.RLIM_INFINITY else min(4 * NOFILE, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _errors(chains: Chains) -> str:
    total = sum(chains.errors.values())
    kinds = ", ".join(f"{kind}: {n}" for kind, n in chains.errors.most_common())
    return f"{total} ({kinds})" if total else "0"


def _ratio(attacked: float, alone: float) -> str:
    return f"{attacked / alone:.2f}x" if alone > 0 else "-"


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size / 1024:.1f} KiB"


def main(seconds: float = 20, console: str = "pipe") -> None:
    if shutil.which("curl") is None:
        print("classroom: skipped, curl is not installed (apt-get install curl)")
        return
    _raise_own_file_limit()
    alone_seconds = max(2.0, seconds / 4)
    before = _window(alone_seconds, console, attacked=False)
    attack = _window(seconds, console, attacked=True)
    after = _window(alone_seconds, console, attacked=False)
    alone, under = before.chains + after.chains, attack.chains
    slow, flood = attack.slow, attack.flood
    assert slow is not None and flood is not None
    print(
        f"a class of 40 against redirect-tutor serve for {seconds:g} s, loopback "
        f"(console: {console}, open-file limit given: {NOFILE}):"
    )
    for name, chains in ((f"{STUDENTS} students, attacked", under), ("the same, alone", alone)):
        print(
            f"  {name:24} {chains.served:6} chains {chains.rate:6.1f}/s  "
            f"p50 {chains.percentile_ms(50):7.1f} ms  p99 {chains.percentile_ms(99):7.1f} ms  "
            f"errors {_errors(chains)}"
        )
    print(
        f"  ratio attacked / alone: p99 {_ratio(under.percentile_ms(99), alone.percentile_ms(99))}"
        f", chains/s {_ratio(under.rate, alone.rate)}  (alone: 2 x {alone_seconds:g} s on fresh "
        "labs, before and after)"
    )
    refused = ", ".join(f"{kind}: {n}" for kind, n in slow.refused.most_common())
    print(
        f"  {SLOW_CLIENTS} slow clients x {SLOW_CONNECTIONS} connections from {SLOW}: held "
        f"{slow.held} at the end, refused {sum(slow.refused.values())}"
        f"{f' ({refused})' if refused else ''}, closed by the lab {slow.closed}; the lab's open "
        f"files: at most {attack.peak_files} of {attack.file_limit}"
    )
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(flood.statuses.items()))
    print(
        f"  flooder from {FLOODER}: {flood.hops} hops ({FLOOD_HEADERS} KiB heads, "
        f"{FLOOD_BODY // 1024} KiB bodies) on {flood.chains} chains built in "
        f"{flood.build_seconds:.1f} s before the window, then {flood.echoes} /echo: largest "
        f"{_size(flood.largest)}, slowest {flood.slowest:.2f} s, {_size(flood.read)} read; "
        f"{sum(flood.statuses.values())} answers ({statuses or '-'}), errors {flood.errors}"
    )
    alone_peak = max(before.peak_kib, after.peak_kib)
    lines = "" if attack.console_lines is None else f"; console: {attack.console_lines} lines read"
    print(
        f"  lab memory: peak RSS {_mib(attack.peak_kib)} attacked (largest sample "
        f"{_mib(attack.sampled_kib)}), {_mib(alone_peak)} alone: "
        f"{_ratio(attack.peak_kib, alone_peak)}{lines}"
    )
    for name, window in (("attacked", attack), ("alone, before", before), ("alone, after", after)):
        if window.lab_ended is not None:
            print(f"  serve ended by itself during the window {name} (exit {window.lab_ended})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classroom")
    parser.add_argument("--seconds", type=float, default=20, help="the attacked window")
    parser.add_argument(
        "--console",
        choices=("pipe", "devnull", "paused"),
        default="pipe",
        help="where serve prints: a pipe read at once, /dev/null, a pipe read only at the end",
    )
    arguments = parser.parse_args()
    try:
        main(arguments.seconds, arguments.console)
    except KeyboardInterrupt:  # everything it started is already stopped
        sys.exit(130)
