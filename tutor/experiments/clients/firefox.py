"""Headless Firefox (Debian's firefox-esr), driven over Marionette: the lab's page sends a whole
batch by fetch() or by real form posts, as it does for Chromium.

One browser per batch and page origin, with a profile of its own, removed after: a copy of a
pristine one that already did Firefox's first-run work
(tutor.experiments.clients.firefox_profile). Every process of it is killed when the batch ends.
The browser starts on /client/browser with the plan in its fragment, so the page sends the
batch while Firefox finishes starting; Marionette (tutor.experiments.clients.marionette) then
reads `#result` once the page wrote what the browser said of each request. What arrived is
read from the lab's journal.

A batch that changes scheme reaches the lab by BROWSER_HOST, which the preference
`network.dns.forceResolve` points at the lab's address, and trusts the lab's CA through the
profile's own NSS certificate store (certutil, as for Chromium). Firefox keeps no HSTS list
here: it can be told no other port for a name, and RFC 6797 §8.3 rewrites only the default one.
HTTPS-First (which would try https:// before the lab's http:// page) is off, so that what is
measured is the redirect, not an upgrade Firefox made up before sending anything.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from functools import partial
from typing import cast
from urllib.parse import quote, urlsplit

from tutor.experiments.clients.base import (
    CANCELLED,
    Attempt,
    Cancel,
    Client,
    Request,
    attempts_said,
    batch_ca,
)
from tutor.experiments.clients.browser import (
    PageBrowser,
    Work,
    by_name,
    by_name_url,
    by_origin,
    page_plan,
    trust,
)
from tutor.experiments.clients.firefox_profile import (
    PREFS,
    fresh_profile,
    marionette_port,
    template,
)
from tutor.experiments.clients.marionette import Marionette, MarionetteError
from tutor.experiments.clients.program import started

__all__ = ["FIREFOX_FETCH", "FIREFOX_FORM", "Firefox"]

POLL = 0.02
"""How often the page's result is looked at."""
_SHOWN = """
const result = document.getElementById("result");
if (result) return ["result", result.textContent];
const shown = document.documentURI;
return [shown.startsWith("about:certerror") || shown.startsWith("about:neterror")
        ? "error" : "loading", shown];
"""
"""What the tab shows: the lab's page and its result, an error page Firefox showed instead
(about:certerror, about:neterror), or the page still on its way."""


class Firefox(PageBrowser):
    install_hint = "apt-get install firefox-esr"
    programs = ("firefox-esr", "firefox")
    group = "firefox"
    version_word = 2

    def prepare(self) -> None:
        """The version, and the pristine profile made if it is not yet (while the lab starts)."""
        if (version := self.version()) is not None:
            template(self.program, version)

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        """One browser per page origin; `work` may mix fetch() and form requests."""
        one = partial(self._one_browser, timeout=timeout, cancel=cancel)
        return by_origin(work, one, "firefox")

    def _one_browser(
        self, origin: str, work: Work, *, timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        """One browser, one page at `origin`, every request of `work` sent from it."""
        ca = batch_ca(work)
        pristine = template(self.program, self.version() or "")
        if isinstance(pristine, str):
            return [Attempt(pristine)] * len(work)
        prefs = dict(PREFS)
        if ca:
            prefs["network.dns.forceResolve"] = urlsplit(origin).hostname or ""
            work = [(client, by_name(request)) for client, request in work]
            origin = by_name_url(origin)
        plan = [page_plan(cast(Firefox, client).mode, request) for client, request in work]
        page = f"{origin}/client/browser#{quote(json.dumps(plan), safe='')}"
        with tempfile.TemporaryDirectory(
            prefix="redirect-tutor-firefox-", ignore_cleanup_errors=True
        ) as profile:
            fresh_profile(pristine, profile, prefs)
            trusted = trust(ca, profile, timeout, cancel) if ca else None
            if isinstance(trusted, str):
                return [Attempt(trusted)] * len(work)
            argv = [self.program, "--headless", "--marionette", "--no-remote"]
            with started([*argv, "--profile", profile, page]) as browser:
                if isinstance(browser, str):
                    return [Attempt(browser)] * len(work)
                # The page's requests run one after another, each within the timeout.
                deadline = time.monotonic() + 10 + timeout * max(len(work), 1)
                said, why = _drive(profile, deadline, cancel)
        attempts = None if said is None else attempts_said(said, len(work))
        if attempts is None:
            return [Attempt(why or "the browser page wrote no result")] * len(work)
        return attempts


def _drive(profile: str, deadline: float, cancel: Cancel) -> tuple[str | None, str]:
    """The result of the page the browser whose profile is `profile` was started on, once the
    page has written it; or None and why not."""
    port = marionette_port(profile)
    while port is None:
        if cancel.is_set():
            return None, CANCELLED
        if time.monotonic() > deadline:
            return None, "Firefox did not open its Marionette port in time"
        time.sleep(POLL)
        port = marionette_port(profile)
    try:
        browser = Marionette(port, timeout=max(deadline - time.monotonic(), 1))
    except (OSError, ValueError, MarionetteError) as error:
        return None, f"Firefox could not be driven: {error}"
    try:
        # NewSession answers once Firefox's idle start-up tasks are done (about a second):
        # the page, opened from the command line, sends its batch meanwhile.
        browser.command("WebDriver:NewSession", {"capabilities": {}})
        while True:
            said = browser.command("WebDriver:ExecuteScript", {"script": _SHOWN, "args": []})
            if not (isinstance(said, list) and len(said) == 2):
                return None, "the browser page did not say what it shows"
            kind, text = said
            if kind == "result" and isinstance(text, str) and text != "running":
                return text, ""
            if kind == "error" and str(text).startswith("about:certerror"):
                return None, _certificate_refused(browser)
            if kind == "error":
                return None, f"Firefox could not open the lab's page ({str(text)[:80]})"
            if cancel.is_set():
                return None, CANCELLED
            if time.monotonic() > deadline:
                return None, "the browser page did not finish in time"
            time.sleep(POLL)
    except (OSError, MarionetteError) as error:
        return None, f"Firefox could not be driven: {error}"
    finally:
        browser.close()


_CERTIFICATE_PROBLEMS = {
    # NSS's codes (as about:certerror gives them) for what the lab's tests make wrong, in words.
    "SEC_ERROR_EXPIRED_CERTIFICATE": "the certificate has expired",
    "SSL_ERROR_BAD_CERT_DOMAIN": "the certificate is not valid for this host name",
    "SEC_ERROR_UNKNOWN_ISSUER": "the certificate is not from an authority it trusts",
}
_CERTIFICATE_ERROR = """
try {
  const info = document.getFailedCertSecurityInfo();
  return [info.errorCodeString, info.overridableErrorCategory];
} catch (e) { return null; }
"""
"""What the certificate error page (about:certerror) knows of the refused certificate."""


def _certificate_refused(browser: Marionette) -> str:
    """Why the page was not loaded, from the error page Firefox showed instead: Marionette says
    only "insecure certificate"; the page has NSS's code (SEC_ERROR_EXPIRED_CERTIFICATE)."""
    said = "Firefox refused the lab's certificate"
    try:
        info = browser.command(
            "WebDriver:ExecuteScript", {"script": _CERTIFICATE_ERROR, "args": []}
        )
    except (OSError, MarionetteError):
        info = None
    if not (isinstance(info, list) and info and isinstance(info[0], str) and info[0]):
        return said
    code = info[0]
    category = info[1] if len(info) > 1 and isinstance(info[1], str) else ""
    words = _CERTIFICATE_PROBLEMS.get(code) or category.replace("-", " ")
    return f"{said}: {words} ({code})" if words else f"{said}: {code}"


FIREFOX_FETCH = Firefox("firefox-fetch", "Firefox fetch()", "fetch")
FIREFOX_FORM = Firefox("firefox-form", "Firefox form", "form")
