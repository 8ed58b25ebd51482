"""The command line across a change of scheme, as processes: `try --scheme` prints the scheme of
each hop and what the credentials became, `serve` names its TLS listener and the CA to trust it
with, and a data folder that cannot hold the CA makes a sentence, not a traceback."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx

TUTOR = [sys.executable, "-m", "tutor"]


def tutor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TUTOR, *args], capture_output=True, text=True, timeout=60, check=False, env=env
    )


def test_try_a_downgrade_shows_the_schemes_and_the_authorization_sent_in_clear():
    done = tutor(
        "try",
        "307",
        "--scheme",
        "downgrade",
        "-c",
        "wget",
        "-H",
        "Authorization: Bearer x",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    first, arrived = document["hops"]
    assert (first["scheme"], first["method"], first["status"]) == ("https", "POST", 307)
    assert first["location"].startswith("http://127.0.0.1:")
    assert (arrived["scheme"], arrived["method"], arrived["path"]) == ("http", "POST", "/echo")
    assert arrived["headers"]["authorization"] == "Bearer x"  # wget sends it over plain HTTP
    assert document["scheme"] == {"from": "https", "to": "http"}
    assert document["arrived"] == {"method": "POST", "body_intact": True}
    assert (
        document["verdict"] == "POST kept, body intact (3 bytes); https → http: Authorization kept"
    )


def test_try_an_upgrade_when_the_data_folder_cannot_hold_a_ca(tmp_path: Path):
    regular = tmp_path / "a-file"
    regular.write_text("not a folder\n")
    env = {**os.environ, "REDIRECT_TUTOR_HOME": str(regular / "home")}
    done = tutor("try", "301", "--scheme", "upgrade", "--json", env=env)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["verdict_kind"] == "unavailable"
    assert document["verdict"] == "the lab has no TLS listener"
    assert document["error"] == (
        f"The lab's certificate authority cannot be kept in {regular / 'home' / 'tls'}: "
        "Not a directory"
    )
    assert document["hops"] == []
    assert "Traceback" not in done.stderr


class _Serving:
    """`serve --port 0` as a process; its stdout read line by line, its stderr kept, each by a
    thread of its own (a pipe nobody reads would stop the lab once full)."""

    def __init__(self, env: dict[str, str] | None = None, *options: str) -> None:
        self.process = subprocess.Popen(
            [*TUTOR, "serve", "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**(env or os.environ), "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.lines.put)),
            threading.Thread(target=self._read, args=(self.process.stderr, self.errors.append)),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(pipe: IO[str], keep: Callable[[str], object]) -> None:
        for line in pipe:
            keep(line.rstrip("\n"))

    def until(self, start: str) -> list[str]:
        """The lines printed up to the first that starts with `start` (15 s at most)."""
        seen: list[str] = []
        while not seen or not seen[-1].startswith(start):
            seen.append(self.lines.get(timeout=15))
        return seen

    def stop(self) -> str:
        """Ctrl+C, as a teacher stops it; what it wrote to stderr."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=15)
        for reader in self._readers:
            reader.join(timeout=5)
        return "\n".join(self.errors)


def test_serve_names_its_tls_listener_and_the_ca_to_trust(learner_home: Path):
    serving = _Serving()
    try:
        printed = serving.until("Try: ")
        listening = next(line for line in printed if line.startswith("Lab listening on "))
        plain = listening.split()[3]
        tls_line = next(line for line in printed if line.startswith("  TLS listener"))
        assert tls_line.startswith("  TLS listener (?scheme=https):  https://127.0.0.1:")
        secure = tls_line.rsplit(" ", 1)[1]
        ca = learner_home / "tls" / "ca.pem"
        assert f"  its certificate authority:     {ca}" in printed
        # What it names works: the CA verifies the listener, which leads back to plain HTTP.
        context = ssl.create_default_context(cafile=ca)
        with httpx.Client(verify=context, trust_env=False, timeout=5) as client:
            answer = client.post(f"{secure}/redirect/308?scheme=http", content=b"a=1")
        assert answer.status_code == 308
        assert urlsplit(answer.headers["location"]).port == urlsplit(plain).port
        console = serving.until("")  # the request's line on the console
    finally:
        err = serving.stop()
    assert any(" https POST " in line and "/redirect/308" in line for line in console)
    assert "Traceback" not in err
    assert serving.process.returncode == 0


def test_serve_without_a_ca_says_why_and_serves_plain_http(tmp_path: Path):
    regular = tmp_path / "a-file"
    regular.write_text("not a folder\n")
    serving = _Serving({**os.environ, "REDIRECT_TUTOR_HOME": str(regular / "home")})
    try:
        printed = serving.until("Try: ")
        plain = next(line for line in printed if line.startswith("Lab listening on ")).split()[3]
        with httpx.Client(trust_env=False, timeout=5) as client:
            assert client.post(f"{plain}/redirect/303", content=b"a=1").status_code == 303
            refused = client.post(f"{plain}/redirect/307?scheme=https", content=b"a=1")
        assert refused.status_code == 400
    finally:
        err = serving.stop()
    assert not any(line.startswith("  TLS listener") for line in printed)
    assert (
        f"No TLS listener: The lab's certificate authority cannot be kept in "
        f"{regular / 'home' / 'tls'}: Not a directory"
    ) in err
    assert "Traceback" not in err


def test_a_student_on_another_machine_takes_the_ca_from_the_lab_and_curl_verifies_it() -> None:
    """`serve --host 0.0.0.0`: the lab's certificate names the addresses it hands out, and
    GET /ca.pem gives a student's curl the CA's certificate (never its key)."""
    serving = _Serving(None, "--host", "0.0.0.0")
    try:
        printed = serving.until("Try: ")
        hand_out = next(line for line in printed if line.startswith("Lab listening on ")).split()[3]
        assert f"  curl -o lab-ca.pem {hand_out}/ca.pem" in printed
        secure_port = next(line for line in printed if line.startswith("  TLS listener")).rsplit(
            ":", 1
        )[1]
        address = urlsplit(hand_out).hostname
        with httpx.Client(trust_env=False, timeout=5) as client:
            pem = client.get(f"{hand_out}/ca.pem")
        assert pem.status_code == 200
        assert pem.headers["content-type"] == "application/x-pem-file"
        assert pem.text.startswith("-----BEGIN CERTIFICATE-----")
        assert "PRIVATE KEY" not in pem.text
        context = ssl.create_default_context(cadata=pem.text)
        with httpx.Client(verify=context, trust_env=False, timeout=5) as client:
            answer = client.post(
                f"https://{address}:{secure_port}/s/ada/redirect/307?scheme=http", content=b"a=1"
            )
        assert answer.status_code == 307
        assert answer.headers["location"].startswith(f"{hand_out}/s/ada/echo?chain=")
    finally:
        err = serving.stop()
    assert "Traceback" not in err


def _three_free_ports() -> int:
    """A port with the two after it free too, on loopback."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base > 65500:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", base + 1))
                b.bind(("127.0.0.1", base + 2))
        except OSError:
            continue
        return base
    raise AssertionError("no three free ports in a row on loopback")


def test_a_restarted_serve_finds_its_tls_listener_where_it_was() -> None:
    """With --port P the listeners are P, P+1 (the other origin) and P+2 (TLS), each time."""
    base = _three_free_ports()
    for _ in range(2):
        serving = _Serving(None, "--port", str(base))
        try:
            printed = serving.until("Try: ")
        finally:
            serving.stop()
        assert f"  TLS listener (?scheme=https):  https://127.0.0.1:{base + 2}" in printed
