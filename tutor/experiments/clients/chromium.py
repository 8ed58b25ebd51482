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

A request that first teaches the browser HSTS (`Request.hsts`) gets a browser of its own, whose
list then holds the lab's name: it reaches the lab on the default ports, 80 mapped to the plain
listener and 443 to the TLS one, since a browser rewrites http:// to https:// only there (RFC
6797 §8.3 keeps any other port), and its net log (`--log-net-log`) tells the redirect it made
up: Chromium's "307 Internal Redirect" (net/url_request/url_request_http_job.cc).
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from functools import partial
from typing import cast
from urllib.parse import quote, urlsplit

from tutor.experiments.clients.base import (
    Attempt,
    Cancel,
    Client,
    Request,
    attempts_said,
    batch_ca,
)
from tutor.experiments.clients.browser import (
    RESULT,
    PageBrowser,
    Work,
    by_name,
    by_name_url,
    by_origin,
    page_plan,
    trust,
)
from tutor.experiments.clients.program import complaint, run_program
from tutor.lab.authority import BROWSER_HOST
from tutor.lab.reported import Reported

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


class Chromium(PageBrowser):
    install_hint = "apt-get install chromium (or your system's package manager)"
    programs = ("chromium", "chromium-browser", "google-chrome")
    group = "chromium"
    keeps_hsts = True

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        """One browser per page origin sends its share of the batch, from a page on the lab
        (so fetch() is same-origin), the browsers side by side; a request that first teaches
        the browser HSTS has one of its own, so that no other request meets its HSTS list.

        `work` may mix fetch() and form requests: both are this browser's group.
        """
        one = partial(self._one_browser, timeout=timeout, cancel=cancel)
        return by_origin(work, one, "chromium", alone=True)

    def _one_browser(
        self, origin: str, work: Work, *, timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        """One browser, one page at `origin`, every request of `work` sent from it."""
        ca = batch_ca(work)
        address = urlsplit(origin).hostname or ""
        address = f"[{address}]" if ":" in address else address
        hsts = next((request for _, request in work if request.hsts), None)
        rules = _rules(address, hsts)
        if ca:
            work = [(client, by_name(request, hsts is not None)) for client, request in work]
            origin = by_name_url(origin, hsts is not None)
        plan = [page_plan(cast(Chromium, client).mode, request) for client, request in work]
        page = f"{origin}/client/browser#{quote(json.dumps(plan), safe='')}"
        with tempfile.TemporaryDirectory(
            prefix="redirect-tutor-chromium-", ignore_cleanup_errors=True
        ) as folder:
            profile = os.path.join(folder, "profile")
            home = os.path.join(folder, "home")
            net_log = os.path.join(folder, "net-log.json")
            nss = os.path.join(home, ".pki", "nssdb")  # where Chromium on Linux reads it
            trusted = trust(ca, nss, timeout, cancel) if ca else None
            if isinstance(trusted, str):
                return [Attempt(trusted)] * len(work)
            argv = [
                self.program,
                *_FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={int(timeout * 1000)}",
                *([f"--host-resolver-rules={rules}"] if ca else []),
                *([f"--log-net-log={net_log}"] if hsts else []),
                page,
            ]
            env = {"HOME": home} if ca else None
            done = run_program(argv, timeout=timeout + 10, cancel=cancel, env=env)
            logged = _net_log(net_log) if hsts else {}
        if isinstance(done, str):
            return [Attempt(done)] * len(work)
        found = RESULT.search(done.stdout.decode(errors="replace"))
        said = attempts_said(html.unescape(found.group(1)) if found else "", len(work))
        if said is None:
            why = complaint(done, f"exit status {done.returncode}")
            return [Attempt(f"the browser page did not finish: {why}")] * len(work)
        return [
            _with_logged(attempt, logged.get(request.url))
            for attempt, (_, request) in zip(said, work, strict=True)
        ]


def _rules(address: str, hsts: Request | None) -> str:
    """Where the browser finds BROWSER_HOST: at the lab's `address`, on the port it is asked
    for; for `hsts`'s browser, port 80 is the lab's plain listener and 443 its TLS one (no one,
    when `hsts` never meets it: nothing else on this computer is reached by mistake)."""
    everywhere = f"MAP {BROWSER_HOST} {address}"
    if hsts is None or hsts.hsts is None:
        return everywhere
    sts = urlsplit(hsts.hsts)
    secure = f"{address}:{sts.port}" if sts.scheme == "https" else "~NOTFOUND"
    plain = f"{address}:{urlsplit(hsts.url).port}"
    return f"MAP {BROWSER_HOST}:80 {plain},MAP {BROWSER_HOST}:443 {secure},{everywhere}"


_NET_LOG_BYTES = 64 * 1024 * 1024
"""The largest net log read: one page's few requests log well under a megabyte."""
_STATUS_LINE = re.compile(r"HTTP/1\.[01] ([1-5][0-9]{2})(?: ([A-Za-z -]{1,40}))?")
_MADE_UP_BY = re.compile(r"Non-Authoritative-Reason: ([A-Za-z -]{1,40})")


@dataclasses.dataclass(frozen=True, slots=True)
class _Logged:
    """What the browser's net log says of one request: the redirect it made up, and the status
    of the last answer it received."""

    internal: str
    status: int | None


def _net_log(path: str) -> dict[str, _Logged]:
    """Each request URL of Chromium's net log (JSON; event types are numbers named in
    constants.logEventTypes) that met a redirect the browser made up, e.g. "307 Internal
    Redirect with Non-Authoritative-Reason: HSTS"; {} when the log cannot be read whole."""
    try:
        if os.path.getsize(path) > _NET_LOG_BYTES:
            return {}
        with open(path, "rb") as log:
            document = json.load(log)
        named: Mapping[str, int] = document["constants"]["logEventTypes"]
        events = [event for event in document["events"] if isinstance(event, dict)]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    kind = {number: name for name, number in named.items()}
    urls: dict[int, str] = {}
    made_up: dict[int, str] = {}
    statuses: dict[int, int] = {}
    for event in events:
        origin, params, number = event.get("source"), event.get("params"), event.get("type")
        source = origin.get("id") if isinstance(origin, dict) else None
        if not (isinstance(source, int) and isinstance(number, int)):
            continue  # the log's own numbers, or an event that is not one
        params = params if isinstance(params, dict) else {}
        name = kind.get(number)
        lines = [line for line in params.get("headers") or () if isinstance(line, str)]
        said = _made_up(lines) if lines else None
        status = _STATUS_LINE.fullmatch(lines[0]) if lines else None
        if name == "URL_REQUEST_START_JOB" and isinstance(params.get("url"), str):
            urls.setdefault(source, params["url"])
        elif name == "URL_REQUEST_FAKE_RESPONSE_HEADERS_CREATED" and said is not None:
            made_up[source] = said
        elif name == "HTTP_TRANSACTION_READ_RESPONSE_HEADERS" and status is not None:
            statuses[source] = int(status.group(1))
    return {
        urls[source]: _Logged(said, statuses.get(source))
        for source, said in made_up.items()
        if source in urls
    }


def _made_up(lines: Sequence[str]) -> str | None:
    """A made-up answer's status line and reason, from its header lines, as DevTools shows
    them: "307 Internal Redirect with Non-Authoritative-Reason: HSTS"."""
    status = _STATUS_LINE.fullmatch(lines[0])
    if status is None:
        return None
    said = " ".join(part for part in status.groups() if part)
    reason = next(filter(None, map(_MADE_UP_BY.fullmatch, lines[1:])), None)
    return f"{said} with Non-Authoritative-Reason: {reason.group(1)}" if reason else said


def _with_logged(attempt: Attempt, logged: _Logged | None) -> Attempt:
    """`attempt` with the redirect the browser logged that it made up: beside the answer the
    page reported, or, for a form, whose page reports none, beside the status it logged."""
    if logged is None:
        return attempt
    if attempt.reported is not None:
        reported = dataclasses.replace(attempt.reported, internal=logged.internal)
    elif logged.status is not None:
        reported = Reported(logged.status, internal=logged.internal)
    else:
        return attempt
    return dataclasses.replace(attempt, reported=reported)


CHROMIUM_FETCH = Chromium("chromium-fetch", "Chromium fetch()", "fetch")
CHROMIUM_FORM = Chromium("chromium-form", "Chromium HTML form", "form")
