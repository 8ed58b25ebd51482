"""`redirect-tutor web` in real headless Chromium: a visitor enters a name, and the page starts
their tutor, whose first screen shows in the terminal element."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Route, sync_playwright

from tutor.course.loader import load_course

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DOM_RENDERER = """
// xterm.js paints on a canvas (WebGL, else 2D), where no text can be read back. Without either
// it falls back to its DOM renderer: the same screen, as text in the terminal element.
const getContext = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
  const inTerminal = this.closest && this.closest(".xterm-screen");
  if (String(kind).includes("webgl") || (kind === "2d" && inTerminal)) return null;
  return getContext.call(this, kind, ...rest);
};
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"redirect-tutor web did not listen on {port}")


def test_the_tutor_in_a_browser_shows_the_first_lesson(tmp_path: Path, learner_home: Path) -> None:
    title = load_course().lessons[0].title
    port = _free_port()
    origin = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "tutor", "web", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    elsewhere: list[str] = []

    def only_the_tutor(route: Route) -> None:
        """Nothing leaves this machine: the page must not even ask (a classroom may be offline)."""
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    try:
        _wait_listening(port)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                str(tmp_path / "profile"),
                executable_path=CHROMIUM,
                args=FLAGS,
                viewport={"width": 1000, "height": 640},
            )
            try:
                page = browser.new_page()
                page.add_init_script(DOM_RENDERER)
                page.route("**/*", only_the_tutor)
                page.goto(f"{origin}/")
                page.fill("#name", "ada")
                page.click("#enter")
                page.wait_for_url(f"{origin}/")
                page.goto(f"{origin}/?delay=1")
                page.click("#start", timeout=15_000)
                # Polled from here: wait_for_function evaluates a string, which the page's
                # Content-Security-Policy (rightly) forbids.
                screen = ""
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not (
                    title in screen and "lab 127.0.0.1:" in screen and "Quit" in screen
                ):
                    page.wait_for_timeout(200)
                    rows = page.query_selector("#terminal .xterm-rows")
                    screen = rows.inner_text() if rows else ""
                page.screenshot(path=str(tmp_path / "web.png"))
                typing_goes_to = page.evaluate("document.activeElement.className")
            finally:
                browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            log, _ = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            log, _ = server.communicate()
    assert title in screen
    assert "Lessons" in screen
    assert "lab 127.0.0.1:" in screen, "the tutor in the browser started its own lab"
    # Without a click in the terminal: the page gives it the focus, so the app paints its footer
    # (Textual leaves it empty while the app is not focused) and the keys reach the tutor.
    assert "Quit" in screen.splitlines()[-1], "the footer is painted before any click"
    assert typing_goes_to == "xterm-helper-textarea"
    assert (tmp_path / "web.png").stat().st_size > 10_000
    assert "Traceback" not in log
    assert elsewhere == [], "the page asked another host for something"
    assert (learner_home / "web" / "ada" / "progress.db").is_file(), "the visitor's own record"
