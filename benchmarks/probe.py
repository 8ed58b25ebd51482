"""One cold start in a fresh process: print the seconds until the first usable screen, then exit.

Run by benchmarks/startup.py, never by hand: `python -m benchmarks.probe tutor|bare [DIR ...]`.
`tutor` is redirect-tutor (usable: the lesson list has its lessons; DIRs are lesson packs);
`bare` is a Textual app with a Header, a Markdown and a Footer (usable: after its first paint).
Both are polled the same way; it prints "ready" and the caller times the whole process.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Markdown

__all__ = ["main"]

POLL = 0.002


class BareApp(App[None]):
    """The yardstick: what any Textual app with a header, some text and a footer costs."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Markdown("# Lessons\n\n- one\n- two\n- three")
        yield Footer()


def _exit_when(app: App[None], usable: Callable[[], bool]) -> None:
    def check() -> None:
        if usable():
            print("ready", flush=True)
            app.exit()

    app.call_after_refresh(lambda: app.set_interval(POLL, check))


def main(argv: list[str]) -> None:
    kind, dirs = argv[0], [Path(arg) for arg in argv[1:]]
    if kind == "bare":
        bare = BareApp()
        bare.call_later(lambda: _exit_when(bare, lambda: bool(bare.query(Markdown))))
        bare.run(headless=True)
        return
    from tutor.session.factory import make_session
    from tutor.ui.app import build_app
    from tutor.ui.widgets.course.lesson_list import LessonList

    tutor = build_app(make_session(dirs))
    tutor.call_later(
        lambda: _exit_when(tutor, lambda: bool(tutor.screen.query_one(LessonList).lessons))
    )
    tutor.run(headless=True)


if __name__ == "__main__":
    main(sys.argv[1:])
