"""Headless Firefox (Debian's firefox-esr), driven over Marionette: the lab's page sends a whole
batch by fetch() or by real form posts, as it does for Chromium.

One browser per batch and page origin, with a profile made for it and removed after; every
process of it is killed when the batch ends. Marionette (tutor.experiments.clients.marionette)
opens /client/browser with the plan in its fragment, and reads `#result` once the page wrote
what the browser said of each request; what arrived is read from the lab's journal.

A batch that changes scheme reaches the lab by BROWSER_HOST, which the preference
`network.dns.forceResolve` points at the lab's address, and trusts the lab's CA through the
profile's own NSS certificate store (certutil, as for Chromium). Firefox keeps no HSTS list
here: it can be told no other port for a name, and RFC 6797 §8.3 rewrites only the default one.
HTTPS-First (which would try https:// before the lab's http:// page) is off, so that what is
measured is the redirect, not an upgrade Firefox made up before sending anything.
"""

from __future__ import annotations

import json
import os
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
from tutor.experiments.clients.marionette import Marionette, MarionetteError
from tutor.experiments.clients.program import started

__all__ = ["FIREFOX_FETCH", "FIREFOX_FORM", "Firefox"]

_PREFS: dict[str, object] = {
    "marionette.port": 0,  # a free port, written to MarionetteActivePort in the profile
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "app.update.auto": False,
    "app.update.disabledForTesting": True,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "extensions.update.enabled": False,
    "app.normandy.enabled": False,
    "network.proxy.type": 0,
    "dom.security.https_first": False,
    "dom.security.https_only_mode": False,
    # One page, one site: no spare content processes, no process per site (Fission).
    "dom.ipc.processCount": 1,
    "dom.ipc.processPrelaunch.enabled": False,
    "fission.autostart": False,
    "browser.sessionstore.resume_from_crash": False,
    "browser.shell.skipDefaultBrowserCheckOnFirstRun": True,
    "extensions.autoDisableScopes": 0,
    "extensions.enabledScopes": 0,
}
"""A profile that talks to nothing but the lab (Marionette also sets its own recommended
preferences, which turn off the rest of Firefox's background traffic)."""
POLL = 0.02
"""How often the page's result is looked at."""


def _user_js(prefs: dict[str, object]) -> str:
    return "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())


class Firefox(PageBrowser):
    install_hint = "apt-get install firefox-esr"
    programs = ("firefox-esr", "firefox")
    group = "firefox"
    version_word = 2

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
        ca = next((request.ca for _, request in work if request.ca), None)
        prefs = dict(_PREFS)
        if ca:
            prefs["network.dns.forceResolve"] = urlsplit(origin).hostname or ""
            work = [(client, by_name(request)) for client, request in work]
            origin = by_name_url(origin)
        plan = [page_plan(cast(Firefox, client).mode, request) for client, request in work]
        page = f"{origin}/client/browser#{quote(json.dumps(plan), safe='')}"
        with tempfile.TemporaryDirectory(
            prefix="redirect-tutor-firefox-", ignore_cleanup_errors=True
        ) as profile:
            with open(os.path.join(profile, "user.js"), "w", encoding="utf-8") as user_js:
                user_js.write(_user_js(prefs))
            trusted = trust(ca, profile, timeout, cancel) if ca else None
            if isinstance(trusted, str):
                return [Attempt(trusted)] * len(work)
            argv = [self.program, "--headless", "--marionette", "--no-remote"]
            with started([*argv, "--profile", profile]) as browser:
                if isinstance(browser, str):
                    return [Attempt(browser)] * len(work)
                # The page's requests run one after another, each within the timeout.
                deadline = time.monotonic() + 10 + timeout * max(len(work), 1)
                said, why = _drive(profile, page, deadline, cancel)
        attempts = None if said is None else attempts_said(said, len(work))
        if attempts is None:
            return [Attempt(why or "the browser page wrote no result")] * len(work)
        return attempts


def _marionette_port(port_file: str) -> int | None:
    """The port Firefox wrote to `port_file`, or None until it has written it whole (the file
    is there, empty, for a moment before the number is in it)."""
    try:
        with open(port_file, encoding="ascii") as written:
            said = written.read().strip()
    except OSError:
        return None
    return int(said) if said.isdigit() else None


def _drive(profile: str, page: str, deadline: float, cancel: Cancel) -> tuple[str | None, str]:
    """Open `page` in the browser whose profile is `profile`: the page's result once it is
    written, or None and why not."""
    port = _marionette_port(os.path.join(profile, "MarionetteActivePort"))
    while port is None:
        if cancel.is_set():
            return None, CANCELLED
        if time.monotonic() > deadline:
            return None, "Firefox did not open its Marionette port in time"
        time.sleep(POLL)
        port = _marionette_port(os.path.join(profile, "MarionetteActivePort"))
    try:
        browser = Marionette(port, timeout=max(deadline - time.monotonic(), 1))
    except (OSError, ValueError, MarionetteError) as error:
        return None, f"Firefox could not be driven: {error}"
    try:
        browser.command("WebDriver:NewSession", {"capabilities": {}})
        try:
            browser.command("WebDriver:Navigate", {"url": page})
        except MarionetteError as error:
            if error.code != "insecure certificate":
                raise
            return None, _certificate_refused(browser)
        script = "return document.getElementById('result').textContent"
        while True:
            text = browser.command("WebDriver:ExecuteScript", {"script": script, "args": []})
            if isinstance(text, str) and text != "running":
                return text, ""
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
