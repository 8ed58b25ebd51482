"""What every browser client shares: the lab's page that sends a batch by fetch() or by real
form posts (/client/browser, tutor/lab/pages.py), what such a page can send, the lab reached by
a name, and a local CA put in the browser's NSS certificate store.

By its loopback address a browser takes the lab for a secure context and blocks no mixed
content, so a batch that changes scheme reaches the lab by BROWSER_HOST (tutor.lab.authority),
which each browser maps to the lab's address its own way.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import shutil
from collections.abc import Callable, Sequence
from functools import partial
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tutor.experiments.clients.base import REDIRECT_MODES, Attempt, Cancel, Client, Request
from tutor.experiments.clients.program import ProgramClient, complaint, run_program
from tutor.experiments.clients.side_by_side import side_by_side
from tutor.lab.authority import BROWSER_HOST

__all__ = [
    "RESULT",
    "PageBrowser",
    "Work",
    "by_name",
    "by_name_url",
    "by_origin",
    "page_plan",
    "page_refusal",
    "trust",
]

Work = Sequence[tuple[Client, Request]]
OneBrowser = Callable[[str, Work], list[Attempt]]

RESULT = re.compile(r'<pre id="result">(.*?)</pre>', re.DOTALL)
"""Where the page writes what the browser said of each request, as JSON, once all settled."""


class PageBrowser(ProgramClient):
    """A browser that sends its batch from the lab's page, by fetch() or by form posts (`mode`);
    its program is the first of `programs` found on PATH; both modes share one batch group."""

    programs: tuple[str, ...]
    group: str
    starts_slowly = True

    def __init__(self, name: str, label: str, mode: str) -> None:
        self.name = name
        self.label = label
        self.mode = mode
        self.program = next((p for p in self.programs if shutil.which(p)), self.programs[0])
        if mode == "fetch":
            self.redirect_modes = REDIRECT_MODES

    def _cannot_send(self, request: Request) -> str | None:
        return page_refusal(self.mode, request)

    @property
    def batch_group(self) -> str:
        return self.group


def by_origin(work: Work, one_browser: OneBrowser, name: str, alone: bool = False) -> list[Attempt]:
    """Each request of `work` sent by `one_browser(origin, share)`: one browser per page origin
    (so fetch() is same-origin), the browsers side by side. With `alone`, a request that first
    teaches the browser HSTS has a browser of its own, so that no other request meets its list."""
    groups: dict[tuple[str, int], list[int]] = {}
    for index, (_, request) in enumerate(work):
        origin = urlunsplit((*urlsplit(request.url)[:2], "", "", ""))
        groups.setdefault((origin, index if alone and request.hsts else -1), []).append(index)
    shares = list(groups.items())
    said = side_by_side(
        [
            partial(one_browser, origin, [work[i] for i in indices])
            for (origin, _), indices in shares
        ],
        len(shares),
        name,
    )
    attempts: list[Attempt] = [Attempt()] * len(work)
    for (_, indices), share in zip(shares, said, strict=True):
        for index, attempt in zip(indices, share, strict=True):
            attempts[index] = attempt
    return attempts


def page_refusal(mode: str, request: Request) -> str | None:
    """Why the lab's page cannot send `request` by `mode` ("fetch" or "form"); None if it can."""
    if request.ca and shutil.which("certutil") is None:
        return (
            "a browser trusts a local CA only through its NSS store, and certutil is not "
            "installed to put it there (apt-get install libnss3-tools)"
        )
    carries_body = bool(request.body or request.stream)
    if mode == "fetch":
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


def page_plan(mode: str, request: Request) -> dict[str, object]:
    """What the page needs to send `request` by `mode`."""
    if mode == "fetch":
        return {
            "mode": "fetch",
            "method": request.method,
            "url": request.url,
            "headers": request.headers,
            "body": base64.b64encode(request.body).decode(),
            "stream": request.stream,
            "redirect": request.redirect,
            "hsts": request.hsts,
        }
    # A form GET replaces the action's query with its fields: the query goes in as fields.
    parts = urlsplit(request.url)
    fields = parse_qsl(request.body.decode(), keep_blank_values=True)
    if request.method == "GET":
        fields = parse_qsl(parts.query, keep_blank_values=True) + fields
        action = urlunsplit(parts._replace(query=""))
    else:
        action = request.url
    return {
        "mode": "form",
        "method": request.method,
        "action": action,
        "fields": fields,
        "hsts": request.hsts,
    }


def by_name_url(url: str, default_port: bool = False) -> str:
    """`url` with the lab's address replaced by BROWSER_HOST, its port kept (or left out, for
    the scheme's default port, which a browser may map to the lab's listener)."""
    parts = urlsplit(url)
    port = None if default_port else parts.port
    netloc = BROWSER_HOST if port is None else f"{BROWSER_HOST}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def by_name(request: Request, default_port: bool = False) -> Request:
    """`request` sent to the lab by BROWSER_HOST (its HSTS route too)."""
    return dataclasses.replace(
        request,
        url=by_name_url(request.url, default_port),
        hsts=request.hsts and by_name_url(request.hsts, default_port),
    )


def trust(ca: str, store: str, timeout: float, cancel: Cancel) -> str | None:
    """Make the NSS certificate store in folder `store` trust `ca` for websites (`-t C,,`), as
    a person would add a local CA; None when done, else why not."""
    os.makedirs(store, mode=0o700, exist_ok=True)
    nss = f"sql:{store}"
    for argv in (
        ["certutil", "-N", "-d", nss, "--empty-password"],
        ["certutil", "-A", "-d", nss, "-t", "C,,", "-n", "redirect-tutor lab CA", "-i", ca],
    ):
        done = run_program(argv, timeout=timeout, cancel=cancel)
        if isinstance(done, str):
            return f"the browser's certificate store could not be made: {done}"
        if done.returncode:
            why = complaint(done, f"exit status {done.returncode}")
            return f"the browser could not be made to trust the lab's CA: certutil: {why}"
    return None
