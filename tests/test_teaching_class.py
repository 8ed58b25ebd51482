"""TEACHING.md's forty-minute class, run as a teacher types it: every command of the section, in
order, against a real lab, with real students (a joined tutor, curl, the exam), ending in the
export the teacher keeps."""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

TEACHING = Path(__file__).resolve().parent.parent / "TEACHING.md"
TUTOR = [sys.executable, "-m", "tutor"]
BOARD = "192.0.2.7"
"""The address TEACHING.md writes on the board; here, this machine's loopback."""


def class_commands() -> list[str]:
    """Every `$ ` line of the console blocks in "Running a class", in order."""
    text = TEACHING.read_text(encoding="utf-8")
    section = text.split("## Running a class (forty minutes)", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", section, re.DOTALL)
    return [line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ ")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Terminal:
    """A command in a pseudo-terminal, as a teacher or a student runs it: what it drew so far."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24)):
        import fcntl
        import struct
        import termios

        self.parent, child = os.openpty()
        columns, rows = size
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            argv, stdin=child, stdout=child, stderr=child, env=env, start_new_session=True
        )
        os.close(child)
        self.output = bytearray()

    def wait_for(self, *texts: str, timeout: float = 30) -> str:
        """Read until every one of `texts` has been drawn; what was drawn."""
        self.read(timeout, until=lambda drawn: all(text in drawn for text in texts))
        drawn = self.output.decode(errors="replace")
        missing = [text for text in texts if text not in drawn]
        assert not missing, f"never drawn: {missing}; what was drawn:\n{_texts(drawn)[-3000:]}"
        return drawn

    def press(self, keys: bytes) -> None:
        os.write(self.parent, keys)

    def read(self, seconds: float, until: Callable[[str], bool] = lambda _drawn: False) -> None:
        """Keep reading what it draws for `seconds`, until it ends or `until` what it drew (a
        terminal nobody reads stops the program that draws on it)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until(self.output.decode(errors="replace")):
            if select.select([self.parent], [], [], 0.1)[0]:
                try:
                    self.output += os.read(self.parent, 65536)
                except OSError as error:
                    if error.errno != errno.EIO:
                        raise
                    return

    def quit(self) -> int:
        self.press(b"\x11")  # ctrl+q
        try:
            self.read(15)
            return self.process.wait(timeout=1)
        finally:
            self.close()

    def close(self) -> None:
        """Kill it if it still runs: a program whose terminal is gone must not outlive the
        test (Textual would read the closed terminal forever)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self.parent)


_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-_])")


def _texts(drawn: str) -> str:
    """The pieces of text a terminal program drew, each once, in the order they first came: a
    failure shows what the screen said (a clock redrawn every second would fill the tail)."""
    pieces = [piece.strip() for piece in _ESCAPE.split(drawn)]
    return "\n".join(dict.fromkeys(piece for piece in pieces if piece))


@contextmanager
def _running(argv: list[str], env: dict[str, str], ready: str) -> Iterator[str]:
    """A command that serves until stopped, once it printed `ready`: all it printed so far."""
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    assert process.stdout is not None
    printed = ""
    deadline = time.monotonic() + 30
    try:
        while ready not in printed and time.monotonic() < deadline:
            if select.select([process.stdout], [], [], 0.2)[0]:
                printed += os.read(process.stdout.fileno(), 65536).decode(errors="replace")
        assert ready in printed, printed
        yield printed
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_teaching_md_lists_the_class_as_a_teacher_runs_it() -> None:
    commands = [shlex.split(command) for command in class_commands()]
    assert [argv[:2] for argv in commands] == [
        ["redirect-tutor", "--lessons"],  # lint the pack
        ["redirect-tutor", "--lessons"],  # serve
        ["redirect-tutor", "class"],
        ["redirect-tutor", "--join"],
        ["curl", "-L"],
        ["redirect-tutor", "web"],
        ["curl", "-d"],  # a curl student claims a freed name with its code
        ["redirect-tutor", "quiz"],
        ["redirect-tutor", "class"],
    ]


def test_the_forty_minute_class_runs_as_written(tmp_path: Path) -> None:
    lab_port, web_port = _free_port(), _free_port()
    teacher, ada = tmp_path / "teacher", tmp_path / "ada"
    pack = tmp_path / "mypack"
    pack.mkdir()
    made = subprocess.run(
        [*TUTOR, "new", "lesson", "Checkout moves", "--dir", str(pack)],
        capture_output=True,
        text=True,
        env={**os.environ, "REDIRECT_TUTOR_HOME": str(teacher)},
    )
    assert made.returncode == 0, made.stderr

    def argv(command: str) -> list[str]:
        command = command.replace(BOARD, "127.0.0.1").replace(":8307", f":{lab_port}")
        command = command.replace("--port 8307", f"--port {lab_port}")
        command = command.replace("--port 8000", f"--port {web_port}")
        words = [str(pack) if word == "mypack" else word for word in shlex.split(command)]
        words = [str(tmp_path / word) if word == "class.csv" else word for word in words]
        return [*TUTOR, *words[1:]] if words[0] == "redirect-tutor" else words

    def env(home: Path) -> dict[str, str]:
        return {**os.environ, "REDIRECT_TUTOR_HOME": str(home), "TERM": "xterm-256color"}

    terminals = contextlib.ExitStack()

    def closing(terminal: Terminal) -> Terminal:
        terminals.callback(terminal.close)
        return terminal

    (lint, serve, view, join, curl, web, claim, quiz, export) = class_commands()
    checked = subprocess.run(argv(lint), capture_output=True, text=True, env=env(teacher))
    assert checked.returncode == 0, checked.stdout + checked.stderr

    with terminals, _running(argv(serve), env(teacher), "Try: curl") as banner:
        assert "Teacher key kept in" in banner
        key = json.loads((teacher / "class-lab.json").read_text())["key"]
        assert key not in banner

        screen = closing(Terminal(argv(view), env(teacher)))  # minute 0: the teacher's view
        screen.wait_for("found-302")

        student = closing(Terminal(argv(join), env(ada)))  # minute 2: ada joins with the tutor
        student.wait_for("as ada")
        assert subprocess.run(argv(curl), capture_output=True, timeout=30).returncode == 0
        screen.wait_for("ada")
        assert student.quit() == 0

        with _running(argv(web), env(teacher), "joins the class lab"):
            pass

        httpx.post(  # minute 30: the exam, as the class view's `e` sets it
            f"http://127.0.0.1:{lab_port}/teacher/exam",
            json={"seed": 42, "count": 3, "time": 600},
            headers={"authorization": f"Bearer {key}"},
            timeout=10,
        ).raise_for_status()
        exam = closing(Terminal(argv(quiz), env(ada)))
        exam.wait_for("1/3")
        # The exam is drawn with the lab's own secret, so the first question's kind varies: one
        # of several answers takes its ticks, then Enter (the hint under the question says so).
        hints = ("one answer:", "one or more:", "true or false:", "predict by its number")
        exam.read(30, until=lambda drawn: any(hint in drawn for hint in hints))
        asked = exam.wait_for("1/3 · 0 recorded")
        exam.press(b"1\r" if "one or more:" in asked else b"1")
        exam.wait_for("1/3 · 1 recorded")  # the lab recorded one answer (grades come at the end)
        assert exam.quit() == 0
        assert screen.quit() == 0

        freed = httpx.post(  # ada on a new computer, with curl only: the teacher frees her name
            f"http://127.0.0.1:{lab_port}/teacher/free",
            json={"name": "ada"},
            headers={"authorization": f"Bearer {key}"},
            timeout=10,
        ).json()
        assert subprocess.run(argv(curl), capture_output=True, timeout=30).stdout.startswith(
            b"The teacher freed the name ada"
        ), "a curl student is told how to claim it"
        claimed = argv(claim.replace("K7M3QXPA", freed["code"]))
        assert subprocess.run(claimed, capture_output=True, timeout=30).returncode == 0
        assert subprocess.run(argv(curl), capture_output=True, timeout=30).returncode == 0
        assert b"freed" not in subprocess.run(argv(curl), capture_output=True, timeout=30).stdout

        written = subprocess.run(argv(export), capture_output=True, text=True, env=env(teacher))
        assert written.returncode == 0, written.stderr
    rows = {row["name"]: row for row in csv.DictReader((tmp_path / "class.csv").open())}
    assert rows["ada"]["found-302/your-turn-keep-the-post met"] == "yes"
    assert rows["ada"]["exam graded"] == "1", "the answer ada gave in the exam, graded by the lab"
