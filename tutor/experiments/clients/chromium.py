"""Headless Chromium: a page the lab serves sends a whole batch by fetch() or by real form posts.

One browser per batch: `chromium --headless --dump-dom --virtual-time-budget` loads
/client/browser with the plan in its fragment and prints the page once every request has
settled (virtual time stands still while requests are pending). What arrived is read from the
journal; the page's `#result` holds only what the browser itself said.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import tempfile
from collections.abc import Sequence
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
        """One browser sends the whole batch, from a page on the lab (so fetch() is same-origin).

        `work` may mix fetch() and form requests: both are this browser's group.
        """
        plan = [cast(Chromium, client).planned(request) for client, request in work]
        origin = urlunsplit((*urlsplit(work[0][1].url)[:2], "", "", ""))
        page = f"{origin}/client/browser#{quote(json.dumps(plan), safe='')}"
        with tempfile.TemporaryDirectory(
            prefix="redirect-tutor-chromium-", ignore_cleanup_errors=True
        ) as profile:
            argv = [
                self.program,
                *_FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={int(timeout * 1000)}",
                page,
            ]
            done = run_program(argv, timeout=timeout + 10, cancel=cancel)
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


CHROMIUM_FETCH = Chromium("chromium-fetch", "Chromium fetch()", "fetch")
CHROMIUM_FORM = Chromium("chromium-form", "Chromium HTML form", "form")
