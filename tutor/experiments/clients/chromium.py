"""Headless Chromium: a page the lab serves sends a whole batch by fetch() or by real form posts.

One browser per batch and page origin: `chromium --headless --dump-dom --virtual-time-budget`
loads /client/browser with the plan in its fragment and prints the page once every request has
settled (virtual time stands still while requests are pending). What arrived is read from the
journal; the page's `#result` holds only what the browser itself said.

The page is served where the batch's requests begin (a plain page for an upgrade, an HTTPS page
for a downgrade, as a site's own form would be). To reach the lab's TLS listener, the browser
trusts the lab's CA the way Chromium on Linux trusts a local one: in the NSS certificate store
(`certutil`, from libnss3-tools) of a home folder made for the batch, beside its fresh profile.
Such a batch reaches the lab by the name BROWSER_HOST, which `--host-resolver-rules` maps to
the lab's address: by its loopback address the browser would take the lab's plain HTTP for
secure, and block no mixed content (tutor.lab.authority).
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from functools import partial
from typing import cast
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from tutor.experiments.clients.base import (
    REDIRECT_MODES,
    Attempt,
    Cancel,
    Client,
    Request,
    attempts_said,
)
from tutor.experiments.clients.program import ProgramClient, complaint, run_program
from tutor.experiments.clients.side_by_side import side_by_side
from tutor.lab.authority import BROWSER_HOST

__all__ = ["CHROMIUM_FETCH", "CHROMIUM_FORM", "Chromium"]

_FLAGS = (
    "--headless",
    "--no-sandbox",  # the tutor may run as root (CI, containers), where the sandbox cannot start
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--dump-dom",
)
_RESULT = re.compile(r'<pre id="result">(.*?)</pre>', re.DOTALL)
_PROGRAMS = ("chromium", "chromium-browser", "google-chrome")


def _program() -> str:
    return next((p for p in _PROGRAMS if shutil.which(p)), _PROGRAMS[0])


class Chromium(ProgramClient):
    install_hint = "apt-get install chromium (or your system's package manager)"

    def __init__(self, name: str, label: str, mode: str) -> None:
        self.name = name
        self.label = label
        self.mode = mode
        self.program = _program()
        if mode == "fetch":
            self.redirect_modes = REDIRECT_MODES

    def _cannot_send(self, request: Request) -> str | None:
        if request.ca and shutil.which("certutil") is None:
            return (
                "Chromium trusts a local CA only through its NSS store, and certutil is not "
                "installed to put it there (apt-get install libnss3-tools)"
            )
        carries_body = bool(request.body or request.stream)
        if self.mode == "fetch":
            if request.method in ("GET", "HEAD") and carries_body:
                return f"fetch() refuses a body on a {request.method} (it throws a TypeError)"
            return None
        if request.method == "GET" and carries_body:
            return "an HTML form sends a GET's fields in the URL, never as a body"
        if request.method not in ("GET", "POST"):
            return f"an HTML form sends only GET or POST, not {request.method}"
        if request.stream:
            return "an HTML form cannot send a streamed body"
        fields = parse_qsl(request.body.decode(errors="replace"), keep_blank_values=True)
        if urlencode(fields).encode() != request.body:
            return "an HTML form sends only name=value pairs, and this body is not one"
        if request.headers:
            return "an HTML form cannot add request headers"
        return None

    @property
    def batch_group(self) -> str:
        return "chromium"

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        """One browser per page origin sends its share of the batch, from a page on the lab
        (so fetch() is same-origin), the browsers side by side.

        `work` may mix fetch() and form requests: both are this browser's group.
        """
        by_origin: dict[str, list[int]] = {}
        for index, (_, request) in enumerate(work):
            origin = urlunsplit((*urlsplit(request.url)[:2], "", "", ""))
            by_origin.setdefault(origin, []).append(index)
        shares = list(by_origin.items())
        said = side_by_side(
            [
                partial(self._one_browser, origin, [work[i] for i in indices], timeout, cancel)
                for origin, indices in shares
            ],
            len(shares),
            "chromium",
        )
        attempts: list[Attempt] = [Attempt()] * len(work)
        for (_, indices), share in zip(shares, said, strict=True):
            for index, attempt in zip(indices, share, strict=True):
                attempts[index] = attempt
        return attempts

    def _one_browser(
        self, origin: str, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        """One browser, one page at `origin`, every request of `work` sent from it."""
        ca = next((request.ca for _, request in work if request.ca), None)
        address = urlsplit(origin).hostname or ""
        if ca:
            work = [(client, _by_name(request)) for client, request in work]
            origin = _by_name_url(origin)
        plan = [cast(Chromium, client).planned(request) for client, request in work]
        page = f"{origin}/client/browser#{quote(json.dumps(plan), safe='')}"
        with tempfile.TemporaryDirectory(
            prefix="redirect-tutor-chromium-", ignore_cleanup_errors=True
        ) as folder:
            profile = os.path.join(folder, "profile")
            home = os.path.join(folder, "home")
            trusted = _trust(ca, home, timeout, cancel) if ca else None
            if isinstance(trusted, str):
                return [Attempt(trusted)] * len(work)
            mapped = f"[{address}]" if ":" in address else address
            argv = [
                self.program,
                *_FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={int(timeout * 1000)}",
                *([f"--host-resolver-rules=MAP {BROWSER_HOST} {mapped}"] if ca else []),
                page,
            ]
            env = {"HOME": home} if ca else None
            done = run_program(argv, timeout=timeout + 10, cancel=cancel, env=env)
        if isinstance(done, str):
            return [Attempt(done)] * len(work)
        found = _RESULT.search(done.stdout.decode(errors="replace"))
        said = attempts_said(html.unescape(found.group(1)) if found else "", len(work))
        if said is None:
            why = complaint(done, f"exit status {done.returncode}")
            return [Attempt(f"the browser page did not finish: {why}")] * len(work)
        return said

    def planned(self, request: Request) -> dict[str, object]:
        """What the page needs to send `request` this client's way."""
        if self.mode == "fetch":
            return {
                "mode": "fetch",
                "method": request.method,
                "url": request.url,
                "headers": request.headers,
                "body": base64.b64encode(request.body).decode(),
                "stream": request.stream,
                "redirect": request.redirect,
            }
        # A form GET replaces the action's query with its fields: the query goes in as fields.
        parts = urlsplit(request.url)
        fields = parse_qsl(request.body.decode(), keep_blank_values=True)
        if request.method == "GET":
            fields = parse_qsl(parts.query, keep_blank_values=True) + fields
            action = urlunsplit(parts._replace(query=""))
        else:
            action = request.url
        return {"mode": "form", "method": request.method, "action": action, "fields": fields}


def _by_name_url(url: str) -> str:
    """`url` with the lab's address replaced by BROWSER_HOST (its port kept)."""
    parts = urlsplit(url)
    netloc = BROWSER_HOST if parts.port is None else f"{BROWSER_HOST}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _by_name(request: Request) -> Request:
    return dataclasses.replace(request, url=_by_name_url(request.url))


def _trust(ca: str, home: str, timeout: float, cancel: Cancel) -> str | None:
    """Make `home`'s NSS certificate store (~/.pki/nssdb, which Chromium on Linux reads) trust
    `ca` for websites (`-t C,,`); None when done, else why not."""
    store = f"sql:{os.path.join(home, '.pki', 'nssdb')}"
    os.makedirs(os.path.join(home, ".pki", "nssdb"), mode=0o700)
    for argv in (
        ["certutil", "-N", "-d", store, "--empty-password"],
        ["certutil", "-A", "-d", store, "-t", "C,,", "-n", "redirect-tutor lab CA", "-i", ca],
    ):
        done = run_program(argv, timeout=timeout, cancel=cancel)
        if isinstance(done, str):
            return f"the browser's certificate store could not be made: {done}"
        if done.returncode:
            why = complaint(done, f"exit status {done.returncode}")
            return f"the browser could not be made to trust the lab's CA: certutil: {why}"
    return None


CHROMIUM_FETCH = Chromium("chromium-fetch", "Chromium fetch()", "fetch")
CHROMIUM_FORM = Chromium("chromium-form", "Chromium HTML form", "form")
