"""The lab's throughput on POST /redirect/307 (journal on) against httpbin on gunicorn, by wrk.

Both servers get the same load, one after the other: wrk from the system's packages, 20
connections, 2 threads, a POST with a small body, on loopback only. httpbin and gunicorn live in a
venv of their own (made on first use under the temp folder), never in the project's deps.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path

from tutor.lab.journal import Journal
from tutor.session.factory import make_session

__all__ = ["Load", "main", "wrk"]

CONNECTIONS = 20
HTTPBIN_VENV = Path(tempfile.gettempdir()) / "redirect-tutor-bench-httpbin"
POST = 'wrk.method = "POST"\nwrk.body = "{body}"\n'
POST += 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'


@dataclass(frozen=True)
class Load:
    """What wrk measured: requests per second, p99 latency, any errors or non-2xx/3xx, and how
    many requests it made."""

    rps: float
    p99_ms: float
    errors: int
    requests: int


def wrk(url: str, seconds: int, connections: int = CONNECTIONS, body: str = "name=ada") -> Load:
    """Run wrk against `url` with the POST script (`body` as its form) and read its figures."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(POST.format(body=body))
        script.flush()
        command = ["wrk", f"-c{connections}", "-t2", f"-d{seconds}s", "--latency", "-s"]
        out = subprocess.run(
            [*command, script.name, url], capture_output=True, text=True, check=True
        ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Load(rps, p99, errors, requests)


def _httpbin_python() -> Path:
    python = HTTPBIN_VENV / "bin" / "python"
    if not (HTTPBIN_VENV / "bin" / "gunicorn").exists():
        venv.create(HTTPBIN_VENV, with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "httpbin", "gunicorn"], check=True)
    return python


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _httpbin(seconds: int) -> Load:
    port = _free_port()
    gunicorn = _httpbin_python().with_name("gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "httpbin:app"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("httpbin did not start") from None
                time.sleep(0.1)
        wrk(f"http://127.0.0.1:{port}/redirect-to?url=/anything&status_code=307", 1)
        return wrk(f"http://127.0.0.1:{port}/redirect-to?url=/anything&status_code=307", seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _lab(seconds: int) -> tuple[Load, int, int]:
    with make_session().lab as session:
        lab = session.wait()
        wrk(f"{lab.url}/redirect/307", 1)
        load = wrk(f"{lab.url}/redirect/307", seconds)
        journal = lab.journal
        assert isinstance(journal, Journal)  # a lab of its own, not a class's
        return load, len(journal), journal.bytes_kept


def main(seconds: int = 10) -> None:
    if shutil.which("wrk") is None:
        print("lab throughput: skipped, wrk is not installed (apt-get install wrk)")
        return
    lab, hops, kept = _lab(seconds)
    httpbin = _httpbin(seconds)
    print(f"throughput, POST answered with 307, wrk -c{CONNECTIONS} -t2 -d{seconds}s, loopback:")
    for name, load in (("lab (journal on)", lab), ("httpbin, gunicorn -w 2", httpbin)):
        print(f"  {name:24} {load.rps:8.0f} req/s  p99 {load.p99_ms:6.2f} ms  errors {load.errors}")
    print(
        f"  ratio {lab.rps / httpbin.rps:.2f}x httpbin (target >= 2x), lab p99 {lab.p99_ms:.2f} ms "
        f"(target < 25 ms); journal after: {hops} hops, {kept} body bytes (bounded)"
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
