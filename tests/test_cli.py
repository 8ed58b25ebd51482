"""The command line end to end, as subprocesses: try, serve, version, and clear errors."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

TUTOR = [sys.executable, "-m", "tutor"]


def tutor(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TUTOR, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_version():
    done = tutor("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("redirect-tutor, version ")


@pytest.mark.parametrize(
    ("args", "arrived", "verdict"),
    [
        (["307"], {"method": "POST", "body_intact": True}, "POST kept, body intact (3 bytes)"),
        (
            ["302", "--client", "curl"],
            {"method": "GET", "body_intact": False},
            "POST became GET, body dropped",
        ),
        (["308", "--client", "urllib"], None, "Refused at the 308: nothing reached the target"),
        (
            ["301", "-X", "PUT", "-c", "curl", "-d", "x=9"],
            {"method": "PUT", "body_intact": False},
            "PUT kept, but the body was dropped",
        ),
    ],
)
def test_try_json(args, arrived, verdict):
    done = tutor("try", *args, "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["arrived"] == arrived
    assert document["verdict"] == verdict
    assert document["code"] == int(args[0])
    assert document["hops"][0]["path"] == f"/redirect/{args[0]}"
    assert set(document) >= {
        "client",
        "client_version",
        "code",
        "method",
        "sent",
        "hops",
        "arrived",
        "error",
    }


def test_try_prints_a_trace_for_people():
    done = tutor("try", "303", "-d", "name=ada")
    assert done.returncode == 0
    assert "1. POST /redirect/303" in done.stdout
    assert "2. GET /echo" in done.stdout
    assert "Verdict: POST became GET, body dropped" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["try", "200"], "200 is not a redirect code"),
        (["try", "307", "--client", "netscape"], "unknown client 'netscape'"),
        (["try", "307", "-X", "BREW"], "unknown method 'BREW'"),
        (["try", "307", "-H", "nocolon"], "is not 'Name: value'"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(args, message):
    done = tutor(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_serve_on_a_port_in_use_says_so():
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    try:
        done = tutor("serve", "--port", str(holder.getsockname()[1]))
    finally:
        holder.close()
    assert done.returncode == 1
    assert "already in use" in done.stderr
    assert "Traceback" not in done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _raw(port: int, payload: bytes, reset: bool = False) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        if reset:
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            return b""
        try:
            return sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            return b""


def test_serve_logs_each_request_and_survives_bad_connections():
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [*TUTOR, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        ready = server.stdout.readline()
        assert f"http://127.0.0.1:{port}" in ready
        request = urllib.request.Request(f"http://127.0.0.1:{port}/redirect/303", data=b"a=1")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.load(response)["verdict"] == "POST became GET, body dropped"
        assert _raw(port, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400")
        _raw(port, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc", reset=True)
        _raw(port, b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/echo", timeout=5) as response:
            assert response.status == 200, "the lab still answers after bad connections"
        time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=15)
    lines = out.splitlines()
    assert any(" POST " in line and "/redirect/303 303 -> /echo?chain=" in line for line in lines)
    assert any(" GET " in line and "/echo?chain=" in line and " 200 " in line for line in lines)
    assert "Lab stopped." in out
    assert server.returncode == 0
    assert "Traceback" not in out + err


def test_serve_has_a_second_origin_for_cross_origin_redirects():
    port = _free_port()
    server = subprocess.Popen(
        [*TUTOR, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert f"http://127.0.0.1:{port}" in server.stdout.readline()
        other = server.stdout.readline().split()[-1]
        connection = http.client.HTTPConnection("localhost", port, timeout=5)
        connection.request("POST", "/redirect/307?origin=other", body=b"a=1")
        location = connection.getresponse().headers["location"]
        connection.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=15)
    other_port = other.rsplit(":", 1)[1]
    assert location.startswith(f"http://localhost:{other_port}/echo?chain=")
