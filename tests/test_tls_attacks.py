"""Issue 15 attacked: a hostile student on a shared lab (its TLS listener, the Locations and
policies it builds from a Host header), a hostile local user or a broken computer (the CA
folder), and hostile header values across a change of scheme. Real uvicorn on loopback, real
sockets and TLS, real files; nothing mocked."""

from __future__ import annotations

import datetime
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import trustme
from test_robust_markup import Stage, drive, inert
from test_tls_lab import _closed_within

from tutor.cli.experiments import _print_trace
from tutor.course.lint import lint
from tutor.experiments.outcome import Outcome
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.authority import LAB_NAMES, client_context, local_authority
from tutor.lab.bounds import Bounds
from tutor.lab.evidence import Evidence
from tutor.lab.journal import Journal
from tutor.lab.journal_line import journal_line
from tutor.lab.server import LabServer
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import Ladder
from tutor.ui.widgets.experiment.verdict import VerdictLine

CAP = 4
"""Open connections one address may hold on the crowded lab."""
HEAD_TIMEOUT = 3.0
ATTACKER = "127.0.0.2"
"""A classmate's address (all of 127/8 is loopback on Linux); the honest student is 127.0.0.1."""


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def _connect(port: int, source: str = ATTACKER) -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def _client(lab: LabServer, source: str = "127.0.0.1") -> httpx.Client:
    assert lab.tls.ca is not None
    transport = httpx.HTTPTransport(verify=client_context(lab.tls.ca), local_address=source)
    return httpx.Client(transport=transport, trust_env=False, timeout=5)


@pytest.fixture
def crowded(lab: LabServer) -> Iterator[LabServer]:
    """A lab with TLS that lets one address hold only CAP connections."""
    journal = Journal(Bounds(connections_per_address=CAP, head_timeout=HEAD_TIMEOUT))
    with LabServer(journal=journal, authority=lab.authority) as server:
        yield server


# The TLS listener. asyncio hands a connection to the lab's door only once its handshake is
# over: a handshake in progress must count against its address all the same, or one classmate
# opens thousands of them, each an open file for the whole handshake timeout, and the lab
# can no longer accept anyone (measured: 300 from one address took a lab with 256 open files
# off the network for ten seconds, plain listeners included).


def test_a_handshake_in_progress_counts_against_its_address(crowded: LabServer) -> None:
    port = _port(crowded.secure_url)
    silent = [_connect(port) for _ in range(3 * CAP)]
    try:
        time.sleep(0.5)
        closed = [_closed_within(sock, 0.05) is not None for sock in silent]
        with _client(crowded) as honest:  # another address: untouched
            assert honest.get(f"{crowded.secure_url}/echo").status_code == 200
    finally:
        for sock in silent:
            sock.close()
    assert closed == [False] * CAP + [True] * (2 * CAP), "past the cap, closed at once"
    assert any("TLS handshake" in line for line in crowded.log), list(crowded.log)


def test_an_address_whose_handshakes_failed_is_let_in_again(crowded: LabServer) -> None:
    """Every way a handshake ends (timed out, refused, not TLS at all, the client gone) gives
    its address its place back."""
    port = _port(crowded.secure_url)
    timed_out = [_connect(port) for _ in range(CAP)]
    for sock in timed_out:
        assert _closed_within(sock, HEAD_TIMEOUT + 3) is not None
        sock.close()
    for _ in range(2 * CAP):
        with _connect(port) as plain:
            plain.sendall(b"GET /echo HTTP/1.1\r\nHost: lab\r\n\r\n")
            assert _closed_within(plain, 5) is not None
        _connect(port).close()
    with _client(crowded, ATTACKER) as again:
        assert again.get(f"{crowded.secure_url}/echo").status_code == 200


def test_plain_http_on_the_tls_port_and_tls_on_the_plain_port_say_no_traceback(
    lab: LabServer,
) -> None:
    journal = Journal()
    with LabServer(journal=journal, authority=lab.authority) as server:
        with _connect(_port(server.secure_url), "127.0.0.1") as plain:
            plain.sendall(b"GET /echo HTTP/1.1\r\nHost: lab\r\n\r\n")
            assert _closed_within(plain, 5) is not None
        with (
            _connect(_port(server.url), "127.0.0.1") as raw,
            pytest.raises(ssl.SSLError),
        ):
            client_context(str(lab.authority.ca)).wrap_socket(raw, server_hostname="127.0.0.1")
        time.sleep(0.2)
        log = list(server.log)
    assert log == ["lab warning: Invalid HTTP request received."]
    assert journal.seq == 0


def test_a_client_that_offers_only_h2_is_answered_in_http_1_1(lab: LabServer) -> None:
    assert lab.tls.ca is not None
    context = ssl.create_default_context(cafile=lab.tls.ca)
    context.set_alpn_protocols(["h2"])
    with (
        _connect(_port(lab.secure_url), "127.0.0.1") as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
    ):
        assert sock.selected_alpn_protocol() is None
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        sock.settimeout(5)
        assert sock.recv(4096).startswith(b"HTTP/1.1 400 ")


# Host header games: the lab names its other listeners by the Host a client sent (a student who
# reached it at 192.0.2.7 is sent to 192.0.2.7). A Host that is no host must not make it fail.

NO_HOSTS = ["[", "a[b", "[zz]", "x]"]
ROUTES = [
    "/redirect/307?scheme=https",
    "/redirect/307?origin=other",
    "/redirect/307?location=invalid",
    "/hsts/site?code=301",
    "/login?next=/echo",
    "/client/browser",
]


def _raw(port: int, target: str, host: str) -> bytes:
    request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    with _connect(port, "127.0.0.1") as sock:
        sock.sendall(request)
        sock.settimeout(5)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("host", NO_HOSTS)
@pytest.mark.parametrize("target", ROUTES)
def test_a_host_that_is_no_host_names_the_lab_itself(
    lab: LabServer, target: str, host: str
) -> None:
    before = lab.journal.seq
    answer = _raw(_port(lab.url), target, host)
    status = int(answer.split(b" ", 2)[1])
    assert status != 500, answer[:300]
    assert lab.journal.seq == before + 1, "journaled like any other request"
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1").lower()
    for line in head.split("\r\n"):
        if line.startswith("location: ") and "://" in line:
            named = urlsplit(line.removeprefix("location: ")).hostname
            assert named in ("127.0.0.1", "lab"), line  # "lab": ?location=invalid's own word


def test_a_forged_host_adds_nothing_to_a_pages_policy(lab: LabServer) -> None:
    """A Host with a policy's punctuation in it: the page's CSP stays the lab's own."""
    answer = _raw(_port(lab.url), "/client/browser", "x;script-src *")
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1")
    policy = next(
        line.partition(": ")[2]
        for line in head.split("\r\n")
        if line.lower().startswith("content-security-policy:")
    )
    assert "*" not in policy and policy.count("script-src") == 1, policy


# The CA folder: whatever stands there under one of its names, the keys are written into the
# folder itself, and a start never waits on it.

FILES = ("ca.pem", "ca-key.pem", "lab.pem", "lab-key.pem", "lab.json")


@pytest.mark.parametrize("name", FILES)
def test_a_link_in_the_ca_folder_is_never_written_through(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "tls"
    local_authority(folder)
    outside = tmp_path / "precious.txt"
    outside.write_text("the user's own file\n", encoding="utf-8")
    (folder / name).unlink()
    (folder / name).symlink_to(outside)
    if name != "lab.json":  # a pair that no longer matches: the certificate is issued again
        (folder / "lab.json").unlink()
    local_authority(folder)
    assert outside.read_text(encoding="utf-8") == "the user's own file\n"
    assert not (folder / name).is_symlink()
    assert (folder / name).is_file()


def _starts_within(folder: Path, seconds: float) -> bool:
    started = threading.Thread(target=local_authority, args=(folder,), daemon=True)
    started.start()
    started.join(seconds)
    return not started.is_alive()


@pytest.mark.parametrize("name", FILES)
def test_a_fifo_in_the_ca_folder_does_not_hang_a_start(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "tls"
    local_authority(folder)
    (folder / name).unlink()
    os.mkfifo(folder / name)
    try:
        assert _starts_within(folder, 10), f"a FIFO named {name} held the start"
    finally:  # release a start that waits on the FIFO, had it been opened
        if (folder / name).exists() and not (folder / name).is_file():
            os.close(os.open(folder / name, os.O_RDWR | os.O_NONBLOCK))
    assert (folder / name).is_file()


def test_a_certificate_issued_by_a_clock_ahead_is_issued_again(tmp_path: Path) -> None:
    """A computer whose clock ran a day ahead at the first start (a lab laptop with a flat
    battery, set right since): lab.json says the certificate is current, yet every client
    would refuse it as not yet valid, until that day comes."""
    folder = tmp_path / "tls"
    authority = local_authority(folder)
    ca = trustme.CA.from_pem(authority.ca.read_bytes(), (folder / "ca-key.pem").read_bytes())
    ahead = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    leaf = ca.issue_cert(
        *LAB_NAMES,
        common_name="redirect-tutor lab",
        not_before=ahead - datetime.timedelta(minutes=5),
        not_after=ahead + datetime.timedelta(days=397),
    )
    leaf.private_key_pem.write_to_path(str(authority.key))
    authority.cert.write_text("".join(b.bytes().decode() for b in leaf.cert_chain_pems))
    said = json.loads((folder / "lab.json").read_text(encoding="utf-8"))
    said.update(
        not_before=(ahead - datetime.timedelta(minutes=5)).isoformat(),
        not_after=(ahead + datetime.timedelta(days=397)).isoformat(),
    )
    (folder / "lab.json").write_text(json.dumps(said), encoding="utf-8")

    with (
        LabServer(authority=local_authority(folder)) as lab,
        httpx.Client(verify=client_context(str(authority.ca)), trust_env=False) as client,
    ):
        assert client.get(f"{lab.secure_url}/echo").status_code == 200


STARTS = 6
"""Tutors that start at once on one data folder (a teacher who opens serve and the tutor)."""


def test_tutors_that_start_at_once_keep_one_ca_and_a_matching_pair(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    code = (
        "import sys; from pathlib import Path; from tutor.lab.authority import local_authority; "
        "print(local_authority(Path(sys.argv[1])).ca.read_text(), end='')"
    )
    starts = [
        subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE)
        for _ in range(STARTS)
    ]
    cas = {start.communicate(timeout=60)[0] for start in starts}
    assert [start.returncode for start in starts] == [0] * STARTS
    assert cas == {(folder / "ca.pem").read_bytes()}
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "lab.pem", folder / "lab-key.pem")  # the key matches
    with (
        LabServer(authority=local_authority(folder)) as lab,
        httpx.Client(verify=client_context(str(folder / "ca.pem")), trust_env=False) as client,
    ):
        assert client.get(f"{lab.secure_url}/echo").status_code == 200


# Hostile header values across a change of scheme: the verdict names the credentials, never
# their values, and every view shows them inert.

HOSTILE = {
    "Authorization": "Bearer [bold red]x[/] [link=file:///etc/passwd]y[/link]",
    "Cookie": "id=\x9b31m; $title=[@click=app.quit]q[/]",
    "Referer": "http://x/<script>alert(1)</script>\xe2\x80\xae",
}


def _hostile_upgrade(lab: LabServer) -> Outcome:
    """A student's own POST (a raw socket, no client library) across http -> https, each
    credential hostile, the redirect followed by hand with other hostile values."""
    head = "".join(f"{name}: {value}\r\n" for name, value in HOSTILE.items())
    request = (
        f"POST /redirect/307?scheme=https HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
        "Content-Length: 3\r\nConnection: close\r\n\r\na=1"
    ).encode("latin-1")
    with _connect(_port(lab.url), "127.0.0.1") as sock:
        sock.sendall(request)
        sock.settimeout(5)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    location = next(
        line.partition(": ")[2]
        for line in answer.decode("latin-1").split("\r\n")
        if line.lower().startswith("location:")
    )
    with _client(lab) as client:
        client.post(location, content=b"a=1", headers={"Cookie": "[/]\\[x]"})
    chain = lab.journal.chain(urlsplit(location).query.rpartition("chain=")[2])
    spec = ExperimentSpec(code=307, method="POST", body="a=1", scheme="upgrade")
    return Outcome(spec, "raw", Evidence.of_chain(chain))


def test_a_hostile_upgrade_is_shown_inert_everywhere(
    lab: LabServer, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = _hostile_upgrade(lab)
    assert [hop.scheme for hop in outcome.hops] == ["http", "https"]
    verdict = outcome.verdict.text
    assert "http → https: Authorization dropped, Cookie changed, Referer dropped" in verdict
    assert all(value not in verdict for value in HOSTILE.values())
    for hop in outcome.hops:
        assert inert(journal_line(hop, lab.journal))
    _print_trace(outcome, all_headers=True)
    printed = capsys.readouterr().out
    assert inert(printed, "\n"), printed

    def scene(app: Stage) -> None:
        app.query_one(VerdictLine).show(outcome)
        app.query_one(Ladder).show(outcome.hops, client="raw", lab="lab 127.0.0.1:1")
        app.query_one(HopTable).show(outcome.hops)

    drive(lab, scene)


# A teacher's lesson pack with `scheme` and `hsts` in odd company: lint says what is wrong,
# with its line, and loads the rest.

ODD = """\
format: 1
id: odd
title: Odd
summary: Scheme and HSTS fields in odd company.
minutes: 2
citations:
  - id: rfc6797
    title: RFC 6797
    url: https://www.rfc-editor.org/rfc/rfc6797
steps:
  - id: one
    title: One
    cite: [rfc6797]
    text: Odd experiments.
    experiments:
      - {id: a, label: a, code: 301, hsts: https, scheme: upgrade, client: chromium-fetch}
      - {id: b, label: b, code: 301, hsts: ftp, client: chromium-fetch}
      - {id: c, label: c, code: 301, scheme: Upgrade}
      - {id: d, label: d, code: 301, scheme: downgrade, location: none}
      - {id: e, label: e, code: 301, scheme: upgrade, start: /login}
      - {id: f, label: f, code: 301, hsts: http, origin: other, client: chromium-form}
      - {id: g, label: g, code: 301, hsts: true, client: chromium-fetch}
"""


def test_lint_says_what_is_wrong_with_each_odd_experiment(tmp_path: Path) -> None:
    (tmp_path / "odd.yaml").write_text(ODD, encoding="utf-8")
    said = [f"{p.line}: {p.message}" for p in lint([tmp_path / "odd.yaml"])]
    assert len(said) == 7, said
    assert all(line.split(":")[0] in {"16", "17", "18", "19", "20", "21", "22"} for line in said)
