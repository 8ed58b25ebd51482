"""The command line's fault paths, as a user meets them: odd headers (issue 13, items 5 and 15),
no terminal (9), NO_COLOR and --color (10), Ctrl+C in the middle of a run (11).

Real processes, real terminals (a pty), a real curl reading real files, the real lab.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import event, given
from hypothesis import strategies as st

from tutor.cli import cli
from tutor.experiments import clients
from tutor.experiments.clients.base import Request
from tutor.experiments.clients.curl import CLIENT as CURL
from tutor.lab.server import LabServer

TUTOR = [sys.executable, "-m", "tutor"]
ESC = "\x1b"

ODD_HEADERS = {
    "CR LF in the value": "X-A: a\r\nX-B: c",
    "LF in the value": "X-A: a\nX-B: c",
    "CR in the value": "X-A: a\rb",
    "a control character": "X-A: a\x01b",
    "an escape sequence in the name": "X-\x1b[31mA: v",
    "no colon": "X-A",
    "an empty name": ": v",
    "a name with a space": "X A: v",
    "a name after a space": " X-A: v",
    "a value with leading spaces": "X-A:   v",
    "a value with a trailing space": "X-A: v ",
    "an empty value": "X-A:",
    "a value not in Latin-1": "X-A: €",
    "a value in Latin-1 but not ASCII": "X-A: é",
    "a name not in Latin-1": "X-€: v",
    "a file for curl": "@/etc/passwd: x",
    "a file for curl, nothing after": "@/etc/passwd:",
    "a file for curl, no colon": "@/etc/passwd",
    "a name curl writes itself": "Content-Length: 3",
    "too long a value": "X-A: " + "v" * 10_000,
}


def tutor(*args: str, timeout: float = 60, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TUTOR, *args], capture_output=True, text=True, timeout=timeout, check=False, **options
    )


# Item 5: `try -H` with a header no client may be given.


def test_the_header_that_crashed_try_is_one_line_and_status_2() -> None:
    """As found: `try 307 -c aiohttp -H $'X-A: a\\r\\nX-B: c'` ended in a traceback."""
    done = tutor("try", "307", "-c", "aiohttp", "-H", "X-A: a\r\nX-B: c")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "'X-A'" in done.stderr and r"'\r'" in done.stderr


@pytest.mark.parametrize("client", clients.CLIENT_NAMES)
@pytest.mark.parametrize("kind", sorted(ODD_HEADERS))
def test_an_odd_header_is_one_line_naming_it_for_every_client(client: str, kind: str) -> None:
    header = ODD_HEADERS[kind]
    done = CliRunner().invoke(cli, ["try", "307", "-c", client, "-H", header])
    assert done.exit_code == 2, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert done.stdout == ""  # nothing was sent: no trace, no verdict
    line = done.stderr
    assert line.startswith("Error: ") and line.count("\n") == 1
    assert ESC not in line and "\r" not in line  # shown escaped, never raw
    name = header.partition(":")[0]
    assert repr(name)[1:-1] in line or "header name is never empty" in line


def test_the_same_header_twice_is_refused() -> None:
    for twice in (["X-A: 1", "X-A: 2"], ["X-A: 1", "x-a: 2"]):
        done = CliRunner().invoke(cli, ["try", "307", "-H", twice[0], "-H", twice[1]])
        assert done.exit_code == 2 and "twice" in done.stderr and done.stdout == ""


def test_a_body_that_is_not_utf8_is_refused_not_a_traceback() -> None:
    done = tutor("try", "307", "-d", os.fsdecode(b"a\xffb"))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "Error: --body holds bytes that are not UTF-8 text.\n"


def test_a_valid_header_still_arrives() -> None:
    done = tutor("try", "307", "-c", "curl", "-H", "X-A:v", "-H", "X-B: two words", "--json")
    assert done.returncode == 0, done.stderr
    assert '"x-a": "v"' in done.stdout.lower() and "two words" in done.stdout


@pytest.mark.parametrize("client", clients.CLIENT_NAMES)
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-A", "a\r\nX-B: c"),
        ("X-A", "a\x00b"),
        ("", "v"),
        ("X A", "v"),
        ("X-A", "  v"),
        ("X-A", "€"),
        ("@/etc/passwd", "x"),
        ("X:A", "v"),
    ],
)
def test_no_client_sends_a_header_the_rule_refuses(
    lab: LabServer, client: str, name: str, value: str
) -> None:
    """Past the experiment's rule (a caller building a Request itself): nothing is sent and the
    attempt says why, in the rule's words, for every client, installed or not."""
    chosen = clients.get(client)
    token = lab.journal.new_token()
    request = Request("POST", f"{lab.url}/redirect/307?chain={token}", b"a=1", {name: value})
    why = chosen.cannot_send(request)
    assert why is not None and "header" in why
    if chosen.version() is not None:
        (attempt,) = chosen.send_batch([(chosen, request)], 5, threading.Event())
        assert attempt.error == why
    assert lab.journal.chain(token) == []


# Item 15: curl reads `-H @file` as a file of headers.


SECRET_VALUE = "s3cret-1b7e4"
"""The secret file's value: no temporary folder's name can hold it by chance (one held "42")."""


@pytest.fixture
def secret() -> Iterator[Path]:
    """A file curl would send as headers if a header named '@<its path minus ": ">' reached it
    (curl's argument is 'NAME: VALUE', so with an empty value the file it opens ends in ': ').
    A short path, so that only the '@' makes the name wrong, never its length."""
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="s") as folder:
        path = Path(folder) / "secret: "
        path.write_text(f"X-Secret: {SECRET_VALUE}\n")
        yield path


def test_real_curl_reads_a_header_file_so_the_guard_matters(lab: LabServer, secret: Path) -> None:
    """The premise, shown with curl itself: `-H '@FILE'` sends FILE's lines as headers."""
    token = lab.journal.new_token()
    url = f"{lab.url}/redirect/307?chain={token}"
    argument = f"@{str(secret).removesuffix(': ')}: "
    subprocess.run(["curl", "-sS", "-o", os.devnull, "-H", argument, url], timeout=30, check=True)
    assert ("x-secret", SECRET_VALUE) in lab.journal.chain(token)[0].headers


@pytest.mark.parametrize("client", ["curl", "curl-x", "curl-post30x", "wget", "node"])
def test_a_header_named_after_a_file_is_never_read(
    lab: LabServer, installed, client: str, secret: Path
) -> None:
    chosen = installed(client)
    name = "@" + str(secret).removesuffix(": ")
    token = lab.journal.new_token()
    request = Request("POST", f"{lab.url}/redirect/307?chain={token}", b"a=1", {name: ""})
    secrets_before = _secrets_seen(lab)
    (attempt,) = chosen.send_batch([(chosen, request)], 5, threading.Event())
    assert attempt.error is not None and "is not a header name ('@' in it)" in attempt.error
    assert lab.journal.chain(token) == []
    assert _secrets_seen(lab) == secrets_before


def _secrets_seen(lab: LabServer) -> int:
    """How many requests the lab's journal holds that carried the secret file's header."""
    return sum(("x-secret", SECRET_VALUE) in hop.headers for hop in lab.journal.recent(10_000))


def test_try_with_a_header_named_after_a_file_reads_nothing(secret: Path) -> None:
    name = "@" + str(secret).removesuffix(": ")
    done = tutor("try", "307", "-c", "curl", "-H", f"{name}:", "--json")
    assert done.returncode == 2 and SECRET_VALUE not in done.stdout + done.stderr
    assert "is not a header name ('@' in it)" in done.stderr


NAMES = st.one_of(
    st.from_regex(r"@?[-A-Za-z0-9!#$%&'*+.^_`|~]{1,12}", fullmatch=True), st.text(max_size=12)
)
VALUES = st.one_of(
    st.from_regex(r"[!-~]([\t -~]{0,10}[!-~])?", fullmatch=True), st.text(max_size=12)
)
"""Mostly headers curl may be given, '@' first half the time; otherwise any text at all."""


@given(NAMES, VALUES)
def test_curl_is_never_handed_a_header_it_could_misread(name: str, value: str) -> None:
    """Whatever a header holds, curl either refuses to send it or gets `-H NAME: VALUE` that
    starts with a token character and holds no line break or NUL."""
    request = Request("POST", "http://127.0.0.1:9/", b"a=1", {name: value})
    refused = CURL.cannot_send(request) is not None
    event("refused" if refused else "handed to curl")
    if refused:
        return
    argv = CURL.argv(request, 5)
    headers = [argv[i + 1] for i, word in enumerate(argv) if word == "-H"]
    assert headers == [f"{name}: {value}"]
    assert not headers[0].startswith("@")
    assert not set(headers[0]) & {"\r", "\n", "\0"}


# Item 9: the full-screen tutor without a terminal.


@pytest.mark.parametrize("args", [[], ["quiz"], ["quiz", "--due"]])
def test_without_a_terminal_the_tutor_says_what_to_use_and_exits_2(args: list[str]) -> None:
    """As found: `redirect-tutor </dev/null >out` drew the TUI into `out` and never ended."""
    done = tutor(*args, stdin=subprocess.DEVNULL, timeout=20)
    assert done.returncode == 2
    assert done.stdout == ""  # not a byte of escape codes
    assert 1 <= done.stderr.count("\n") <= 2 and ESC not in done.stderr
    for command in ("try", "matrix", "card", "quiz --plain", "lint", "serve"):
        assert command in done.stderr


@pytest.mark.parametrize("terminal", ["stdin", "stdout"])
def test_half_a_terminal_is_not_enough(terminal: str) -> None:
    """A terminal on one side only (`redirect-tutor > file`, `... < /dev/null`) is refused too."""
    parent, child = os.openpty()
    try:
        streams = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, terminal: child}
        done = subprocess.run(
            TUTOR, **streams, stderr=subprocess.PIPE, timeout=20, check=False, text=True
        )
    finally:
        os.close(child)
        os.close(parent)
    assert done.returncode == 2 and "needs a terminal" in done.stderr


# Item 10: NO_COLOR and --color/--no-color.


def _on_a_terminal(args: list[str], env: dict[str, str], timeout: float = 60) -> tuple[int, str]:
    """Run the tutor with a pty as its stdin, stdout and stderr: its exit status and output."""
    parent, child = os.openpty()
    process = subprocess.Popen(
        [*TUTOR, *args], stdin=child, stdout=child, stderr=child, env=env, start_new_session=True
    )
    os.close(child)
    output = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([parent], [], [], 0.1)
            try:
                chunk = os.read(parent, 65536) if ready else b""
            except OSError as error:  # EIO: every end of the terminal's far side is closed
                if error.errno != errno.EIO:
                    raise
                break
            if ready and not chunk:
                break
            output += chunk
        status = process.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        os.close(parent)
        if process.poll() is None:
            process.kill()
    return status, output.decode(errors="replace")


def test_a_dumb_terminal_is_told_what_to_use_instead() -> None:
    """TERM=dumb moves no cursor: drawing the tutor there would print its escape codes."""
    status, output = _on_a_terminal([], {**os.environ, "TERM": "dumb"}, timeout=20)
    assert status == 2 and "(TERM=dumb) cannot draw" in output and ESC not in output


class _Screen:
    """The tutor on a terminal of its own (a pty), shown its lesson list: what it wrote so far."""

    def __init__(self) -> None:
        self.parent, child = os.openpty()
        self.process = subprocess.Popen(
            TUTOR,
            stdin=child,
            stdout=child,
            stderr=child,
            env=dict(os.environ),
            start_new_session=True,
        )
        os.close(child)
        self.output = bytearray()
        self.read_until(b"Lessons")

    def read_until(self, text: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output and time.monotonic() < deadline:
            self.read(0.1)

    def read(self, wait: float) -> None:
        with contextlib.suppress(OSError):  # EIO: the tutor has closed its side
            if select.select([self.parent], [], [], wait)[0]:
                self.output += os.read(self.parent, 65536)

    def close(self) -> None:
        os.close(self.parent)
        if self.process.poll() is None:
            self.process.kill()


@contextlib.contextmanager
def _screen() -> Iterator[_Screen]:
    screen = _Screen()
    try:
        yield screen
    finally:
        screen.close()


def _left_the_screen(output: bytes) -> bool:
    """The terminal left the alternate screen last, and shows its cursor again."""
    return output.rfind(b"\x1b[?1049l") > output.rfind(b"\x1b[?1049h") >= 0 and output.rfind(
        b"\x1b[?25h"
    ) > output.rfind(b"\x1b[?25l")


def test_a_tutor_asked_to_stop_gives_the_terminal_back() -> None:
    """SIGTERM (kill, a closing window): the tutor quits as ctrl+q does, so the terminal leaves
    the alternate screen and shows its cursor again, and the record is closed."""
    with _screen() as screen:
        screen.process.send_signal(signal.SIGTERM)
        status = screen.process.wait(timeout=10)
        screen.read_until(b"\x1b[?25h", timeout=2)
        assert status == 0
        assert _left_the_screen(screen.output)


def test_a_sigcont_while_the_tutor_runs_or_quits_restarts_nothing() -> None:
    """As found (under a sampling profiler, which stops and continues the process): each
    SIGCONT started Textual's terminal mode again, with two more threads, suspended or not; one
    that came as the tutor quit started them after the app had ended, so the process never
    exited and spun on a core. Now only the SIGCONT that ends a ctrl+z resumes the app."""
    with _screen() as screen:
        for _ in range(20):
            screen.process.send_signal(signal.SIGCONT)
            screen.read(0.005)
        os.write(screen.parent, b"\x11")  # ctrl+q
        deadline = time.monotonic() + 10
        while screen.process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(ProcessLookupError):
                screen.process.send_signal(signal.SIGCONT)
            screen.read(0.005)
        assert screen.process.poll() == 0
        assert screen.output.count(b"\x1b[?1049h") == 1  # the alternate screen entered once


def test_ctrl_z_suspends_the_tutor_and_fg_resumes_it() -> None:
    """SIGTSTP (ctrl+z in the shell) gives the terminal back and stops the process; the
    SIGCONT of `fg` redraws the tutor, which still answers its keys."""
    with _screen() as screen:
        screen.process.send_signal(signal.SIGTSTP)
        deadline = time.monotonic() + 10
        while _state(screen.process.pid) != "T" and time.monotonic() < deadline:
            screen.read(0.02)
        assert _state(screen.process.pid) == "T"
        assert _left_the_screen(screen.output)
        suspended = len(screen.output)
        screen.process.send_signal(signal.SIGCONT)
        deadline = time.monotonic() + 10
        # The redraw, not the alternate screen's escape: that is written before flow control is
        # off again, and a ctrl+q (XON) sent then is the terminal's, not the tutor's.
        while b"Lessons" not in screen.output[suspended:] and time.monotonic() < deadline:
            screen.read(0.1)
        assert b"Lessons" in screen.output[suspended:]
        assert not _left_the_screen(screen.output)  # back on the alternate screen
        os.write(screen.parent, b"\x11")  # ctrl+q
        assert screen.process.wait(timeout=10) == 0


def _state(pid: int) -> str:
    """A process's state letter (R, S, T for stopped...)."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


ONE_CELL = ["matrix", "--clients", "urllib", "--codes", "307", "--methods", "POST"]
ONE_TRY = ["try", "307", "-c", "urllib"]


def _environment(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


@pytest.mark.parametrize("command", [ONE_CELL, ONE_TRY], ids=["matrix", "try"])
@pytest.mark.parametrize(
    ("before", "no_color", "coloured"),
    [
        ([], None, True),  # the default on a terminal: colour
        ([], "1", False),  # https://no-color.org: present and not empty
        ([], "", True),  # present but empty: as if absent
        (["--no-color"], None, False),
        (["--color"], "1", True),  # the explicit option wins
    ],
)
def test_colour_on_a_terminal(
    command: list[str], before: list[str], no_color: str | None, coloured: bool
) -> None:
    """As found: NO_COLOR=1 was ignored by `matrix` and `try` on a terminal."""
    status, output = _on_a_terminal([*before, *command], _environment(NO_COLOR=no_color))
    assert status == 0, output
    assert "Verdict" in output or "kept method and body" in output
    assert (ESC in output) is coloured


@pytest.mark.parametrize("command", [ONE_CELL, ONE_TRY], ids=["matrix", "try"])
def test_color_forces_colour_into_a_pipe_and_none_is_the_default(command: list[str]) -> None:
    env = _environment(NO_COLOR="1")
    forced = tutor("--color", *command, env=env)
    plain = tutor(*command, env=_environment())
    assert forced.returncode == plain.returncode == 0
    assert ESC in forced.stdout and ESC not in plain.stdout


def test_no_color_reaches_usage_errors_and_help() -> None:
    status, output = _on_a_terminal(["--no-color", "try", "999"], _environment())
    assert status == 2 and "not a redirect code" in output and ESC not in output


# Item 11: Ctrl+C in the middle of a run.

INTERRUPTED = 130
PROMPTLY = 1.5
"""Seconds from Ctrl+C to the tutor's exit (the issue asks for 1 s; a loaded machine is slower)."""


def _marked(mark: str) -> dict[int, str]:
    """Every live process (zombies are dead) whose environment holds `mark`: the tutor's
    descendants, however they left its process group or session."""
    found = {}
    needle = f"REDIRECT_TUTOR_TEST_MARK={mark}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
            if state not in "ZX" and needle in (entry / "environ").read_bytes():
                found[int(entry.name)] = (entry / "comm").read_text().strip()
    return found


@contextlib.contextmanager
def _interrupted_after(
    seconds: float, args: list[str], env: dict[str, str]
) -> Iterator[dict[str, Any]]:
    """Start the tutor, send it SIGINT after `seconds`, and report what ran, the exit status,
    how long it took to exit, and what was left running shortly after."""
    mark = uuid.uuid4().hex
    process = subprocess.Popen(
        [*TUTOR, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**env, "REDIRECT_TUTOR_TEST_MARK": mark},
        start_new_session=True,  # as a terminal's foreground job: its own group
    )
    report: dict[str, Any] = {}
    try:
        time.sleep(seconds)
        report["running"] = {name for pid, name in _marked(mark).items() if pid != process.pid}
        assert process.poll() is None, "the run ended before the Ctrl+C: nothing was tested"
        interrupted = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C does: the foreground group
        process.wait(timeout=30)
        report["took"] = time.monotonic() - interrupted
        report["status"] = process.returncode
        report["stderr"] = process.stderr.read().decode() if process.stderr else ""
        gone_by = time.monotonic() + 0.5  # SIGKILL is delivered, not waited for
        while _marked(mark) and time.monotonic() < gone_by:
            time.sleep(0.02)
        report["left"] = _marked(mark)
        yield report
    finally:
        if process.poll() is None:
            process.kill()
        for pid in _marked(mark):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_ctrl_c_one_second_into_matrix_ends_it_and_every_client_at_once() -> None:
    """As found: Ctrl+C 1 s into `matrix` took ~15 s, its clients running on."""
    with _interrupted_after(1.0, ["matrix"], dict(os.environ)) as report:
        assert report["running"], "no client program was running at the Ctrl+C"
        assert report["status"] == INTERRUPTED, report["stderr"]
        assert report["took"] < PROMPTLY
        assert report["left"] == {}
        assert "Traceback" not in report["stderr"] and "Aborted" not in report["stderr"]


@pytest.fixture
def hanging_curl(tmp_path: Path) -> dict[str, str]:
    """An environment whose `curl` answers --version, then hangs deaf to SIGINT and SIGTERM."""
    program = tmp_path / "curl"
    program.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "curl 8.0.0"; exit 0; fi\n'
        "trap '' INT TERM\n"
        "sleep 120\n"
    )
    program.chmod(0o755)
    return {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}


def test_ctrl_c_during_try_kills_a_hanging_client(hanging_curl: dict[str, str]) -> None:
    with _interrupted_after(1.0, ["try", "307", "-c", "curl"], hanging_curl) as report:
        assert {"curl", "sleep"} & report["running"]
        assert report["status"] == INTERRUPTED, report["stderr"]
        assert report["took"] < PROMPTLY
        assert report["left"] == {}
