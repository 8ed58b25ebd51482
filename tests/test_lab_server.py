"""The lab server runner: each LabServer keeps its own log, starts without busy-waiting, and
says in a sentence why it cannot listen. Real uvicorn on loopback, real sockets."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.lab.server import _ROUTER, LOG_LINES, LabError, LabServer

BAD_REQUEST = b"GARBAGE\r\n\r\n"
WARNING = "lab warning: Invalid HTTP request received."


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _send_garbage(url: str) -> bytes:
    """A malformed request; uvicorn logs its warning before it answers 400 and closes."""
    with socket.create_connection(("127.0.0.1", _port(url)), timeout=10) as sock:
        sock.sendall(BAD_REQUEST)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_two_labs_in_one_process_keep_separate_logs() -> None:
    with LabServer() as first, LabServer() as second:
        assert _send_garbage(first.url).startswith(b"HTTP/1.1 400 ")
        assert list(first.log) == [WARNING]
        assert list(second.log) == []
        _send_garbage(second.other_url)
        _send_garbage(second.url)
        assert list(second.log) == [WARNING, WARNING]
        assert list(first.log) == [WARNING]
    assert first.log.maxlen == second.log.maxlen == LOG_LINES


def test_a_lab_starts_and_stops_many_times() -> None:
    lab = LabServer()
    for _ in range(20):
        with lab:
            assert lab.running
            with socket.create_connection(("127.0.0.1", _port(lab.url)), timeout=10) as sock:
                sock.sendall(
                    b"POST /redirect/307 HTTP/1.1\r\nHost: lab\r\nContent-Length: 0\r\n\r\n"
                )
                assert sock.recv(65536).startswith(b"HTTP/1.1 307 ")
        assert not lab.running
    assert list(lab.log) == []


def test_a_port_in_use_is_a_lab_error_in_a_sentence() -> None:
    with LabServer() as taken:
        port = _port(taken.url)
        with pytest.raises(LabError, match=rf"^Port {port} on 127\.0\.0\.1 is already in use\. "):
            LabServer(port=port).start()
        assert taken.running


def test_a_log_record_becomes_one_line_without_its_traceback() -> None:
    lines: list[str] = []
    logger = logging.getLogger("uvicorn.error")
    with LabServer():  # installs the router on uvicorn's logger
        pass
    with _ROUTER.hearing(lines.append):
        try:
            raise ValueError("inside")
        except ValueError:
            logger.exception("bad\nrequest \x1b[31mred\x1b[0m")
    logger.warning("heard by nobody: this thread no longer serves a lab")
    assert lines == ["lab error: bad\\nrequest \\x1b[31mred\\x1b[0m"]


def test_serve_hands_each_log_line_to_on_log(tmp_path: Path) -> None:
    """`redirect-tutor serve` (a real process) prints uvicorn's warning as one line on stderr."""
    command = [str(Path(sys.executable).with_name("redirect-tutor")), "serve", "--port", "0"]
    stderr = tmp_path / "stderr.txt"
    with stderr.open("wb") as err:
        lab = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err)
        try:
            assert lab.stdout is not None
            ready = lab.stdout.readline().decode()  # "Lab listening on URL  (Ctrl+C stops it)"
            assert ready.startswith("Lab listening on http://127.0.0.1:"), ready
            url = ready.split()[3]
            assert _send_garbage(url).startswith(b"HTTP/1.1 400 ")
        finally:
            lab.terminate()
            lab.communicate(timeout=10)
    said = stderr.read_text().splitlines()
    assert WARNING in said
    assert not any("Traceback" in line for line in said)
