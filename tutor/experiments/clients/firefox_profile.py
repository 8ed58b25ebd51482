"""Firefox's profile for a batch: its preferences, and the pristine profile each batch's is a
copy of.

A new profile costs Firefox about 0.8 CPU-seconds of first-run work before it answers
Marionette (creating its databases, importing the settings it ships); on two cores that work
competes with every other client of the matrix. So that work is done once per Firefox version:
a browser is started on an empty profile in the tutor's cache (tutor.experiments.clients.built)
and quit once Marionette answers, having loaded no page. What it leaves holds no site's
cookies, cache, history or HSTS list; what could carry anything from one run to the next (its
certificate store, session, preferences and locks) is removed, so each batch's copy starts as
fresh as an empty profile, only without the first-run work.

Run as a program (`python -m tutor.experiments.clients.firefox_profile FIREFOX FOLDER`), it
makes that profile in FOLDER: `built` runs it like a compiler, with a timeout and in a process
group that is killed whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tutor.experiments.clients.built import built
from tutor.experiments.clients.marionette import Marionette, MarionetteError

__all__ = ["PREFS", "fresh_profile", "marionette_port", "template"]

PREFS: dict[str, object] = {
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
_NOT_COPIED = (
    "lock",
    ".parentlock",
    "MarionetteActivePort",
    "user.js",
    "prefs.js",
    "cert9.db",
    "key4.db",
    "pkcs11.txt",
    "cache2",
    "sessionstore.jsonlz4",
    "sessionstore-backups",
    "sessionCheckpoints.json",
    "crashes",
    "minidumps",
)
"""What the first run leaves that a batch's profile must not start with: locks, preferences
(each batch writes its own user.js), the certificate store (a batch may add the lab's CA to an
empty one), the HTTP cache and the session."""
_STARTS = 60.0
"""Seconds for Firefox to start on the empty profile and quit."""


def _write_prefs(profile: str, prefs: dict[str, object]) -> None:
    """`prefs` as `profile`'s user.js, which Firefox reads at start."""
    with open(os.path.join(profile, "user.js"), "w", encoding="utf-8") as written:
        for name, value in prefs.items():
            written.write(f"user_pref({json.dumps(name)}, {json.dumps(value)});\n")


def marionette_port(profile: str) -> int | None:
    """The port Firefox wrote to `profile`'s MarionetteActivePort, or None until it has
    written it whole (the file is there, empty, for a moment before the number is in it)."""
    try:
        with open(os.path.join(profile, "MarionetteActivePort"), encoding="ascii") as written:
            said = written.read().strip()
    except OSError:
        return None
    return int(said) if said.isdigit() else None


def template(program: str, version: str) -> Path | str:
    """The pristine profile for Firefox `program` at `version`, made first if need be; or why
    it could not be made."""
    return built(
        "Firefox",
        Path(__file__),
        version,
        lambda out: [sys.executable, "-m", __name__, program, out],
    )


def fresh_profile(pristine: Path, profile: str, prefs: dict[str, object]) -> None:
    """Make the empty folder `profile` a copy of `pristine`, with `prefs` in its user.js."""
    shutil.copytree(pristine, profile, dirs_exist_ok=True)
    _write_prefs(profile, prefs)


def _make(program: str, folder: str) -> None:
    """Start Firefox on `folder`, quit it once Marionette answers, and remove _NOT_COPIED."""
    _write_prefs(folder, PREFS)
    argv = [program, "--headless", "--marionette", "--no-remote", "--profile", folder]
    browser = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + _STARTS
    while (port := marionette_port(folder)) is None:
        if time.monotonic() > deadline or browser.poll() is not None:
            sys.exit("Firefox did not open its Marionette port")
        time.sleep(0.02)
    marionette = Marionette(port, timeout=_STARTS)
    marionette.command("WebDriver:NewSession", {"capabilities": {}})
    with contextlib.suppress(OSError, MarionetteError):  # the socket may close as it quits
        marionette.command("Marionette:Quit", {"flags": ["eAttemptQuit"]})
    browser.wait(max(deadline - time.monotonic(), 1))
    for name in _NOT_COPIED:
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)


if __name__ == "__main__":
    _make(sys.argv[1], sys.argv[2])
