"""The `redirect-tutor` command group: with no command, the tutor itself."""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from tutor import __version__

if TYPE_CHECKING:
    from textual.app import App

    from tutor.classroom.student import Join
    from tutor.session.study import StudySession

__all__ = [
    "COMMANDS",
    "INTERRUPTED",
    "class_join",
    "class_url",
    "class_url_option",
    "cli",
    "close_session",
    "join_options",
    "prepare_terminal",
    "run_full_screen",
    "say_join_notice",
    "uninterrupted",
]

INTERRUPTED = 130
"""The exit status after a Ctrl+C (128 + SIGINT), as shells report it."""

_LESSON_DIR = click.Path(exists=True, file_okay=False, path_type=Path)

_NO_TERMINAL = (
    "The full-screen tutor needs a terminal on stdin and stdout, and has none here.\n"
    "Without one, use: try, matrix, card, quiz --plain, lint, serve (see --help)."
)


COMMANDS = {
    "card": "course",
    "class": "teacher",
    "lint": "course",
    "matrix": "experiments",
    "new": "course",
    "progress": "learner",
    "quiz": "learner",
    "serve": "lab",
    "try": "experiments",
    "web": "web",
}
"""Each command, and the module of tutor.cli that registers it: imported when the command is
asked for, so that the tutor itself (no command) imports none of them."""


class _Tutor(click.Group):
    """The group: commands are imported when asked for (COMMANDS); a Ctrl+C kills every client
    program at once, then ends with status 130."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            importlib.import_module(f"tutor.cli.{COMMANDS[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        with _killing_programs_on_interrupt():
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt:
                click.echo(err=True)  # the shell's prompt starts on a line of its own after ^C
                ctx.exit(INTERRUPTED)


@contextmanager
def _killing_programs_on_interrupt() -> Iterator[None]:
    """While a command runs, a SIGINT first kills every client program (each runs in a session
    of its own, out of the terminal's reach), then interrupts as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread hears signals
        return
    previous = signal.signal(signal.SIGINT, _interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def _interrupted(_signal: int, _frame: FrameType | None) -> None:
    from tutor.experiments.clients.program import kill_every_program

    kill_every_program()
    raise KeyboardInterrupt


def _colour(ctx: click.Context, _param: click.Parameter, value: bool | None) -> None:
    """Set colour once for everything click prints (every command's context inherits it): the
    option, else off when NO_COLOR is set and not empty (https://no-color.org), else on a
    terminal only."""
    ctx.color = value if value is not None else (False if os.environ.get("NO_COLOR") else None)


def prepare_terminal() -> None:
    """Before the full-screen tutor: without a terminal to draw on (stdin or stdout redirected)
    say what to use instead and exit with status 2; with one, hand Textual the colour choice
    (it reads NO_COLOR). `web` runs the tutor with a driver of its own, which needs neither."""
    ctx = click.get_current_context()
    if os.environ.get("TEXTUAL_DRIVER"):
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo(_NO_TERMINAL, err=True)
        ctx.exit(2)
    if os.environ.get("TERM") == "dumb":  # a terminal that moves no cursor: nothing to draw on
        click.echo(
            _NO_TERMINAL.replace("has none here", "this one (TERM=dumb) cannot draw"), err=True
        )
        ctx.exit(2)
    if ctx.color is False:
        os.environ["NO_COLOR"] = "1"
    elif ctx.color:
        os.environ.pop("NO_COLOR", None)


def run_full_screen(app: App[Any]) -> None:
    """Run `app` on the terminal, on a driver that a stray SIGCONT does not restart
    (tutor.ui.terminal); on Windows, or under `web`, on the driver Textual chose."""
    if sys.platform != "win32":  # Textual's Linux driver serves every other system
        from textual.drivers.linux_driver import LinuxDriver

        if app.driver_class is LinuxDriver:
            from tutor.ui.terminal import JobControlDriver

            app.driver_class = JobControlDriver
    app.run()


_JOIN = "tutor.join"
"""Where the --join and --name given so far are kept, in the context's shared `meta`."""


def _remember(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        ctx.meta.setdefault(_JOIN, {})[param.name] = value
    return value


def class_url_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A lab's URL as a teacher writes it on the board: http://HOST:PORT (http:// may be left
    out); nothing after the port."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    url = value.strip() if "://" in value else f"http://{value.strip()}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not a lab's URL, such as http://192.0.2.7:8307.")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise click.BadParameter(
            f"give the lab's URL alone (http://{parts.netloc}), without {parts.path or '?'}..."
        )
    return _remember(ctx, param, f"{parts.scheme}://{parts.netloc}")


def join_options(*, name: bool = True, code: bool = True) -> Any:
    """`--join URL`, `--name NAME` (unless the command has its own) and `--code CODE` (unless
    the command means another code) for a command a student may run on the teacher's lab; read
    them with `class_join`."""

    def decorate(command: Any) -> Any:
        command = click.option(
            "--join",
            metavar="URL",
            callback=class_url_option,
            expose_value=False,
            help="Run on the teacher's lab at URL (with --name), not a lab of your own.",
        )(command)
        if name:
            command = click.option(
                "--name",
                metavar="NAME",
                callback=_remember,
                expose_value=False,
                help="Your name in the class: letters, digits, - or _.",
            )(command)
        if not code:
            return command
        return click.option(
            "--code",
            "class_code",
            metavar="CODE",
            callback=_remember,
            expose_value=False,
            help="With --join: the code the teacher gave you when they freed your name.",
        )(command)

    return decorate


def class_url() -> str | None:
    """The lab `--join` named, or None."""
    url = click.get_current_context().meta.get(_JOIN, {}).get("join")
    return str(url) if url is not None else None


def class_join(name: str | None = None) -> Join | None:
    """The class the command line asked to join (`--join`, `--name`, or `name` when the command
    has a --name of its own), or None; a usage error when a part is missing or wrong."""
    ctx = click.get_current_context()
    asked = ctx.meta.get(_JOIN, {})
    url, name, code = asked.get("join"), name or asked.get("name"), asked.get("class_code")
    if url is None:
        if code is not None:
            raise click.UsageError("--code goes with --join URL --name NAME.")
        return None
    from tutor.classroom.student import Join  # only then: it imports httpx and the class's models

    if name is None:
        raise click.UsageError("--join needs --name NAME: the name the class knows you by.")
    from tutor.lab.seats import NAME

    if not NAME.fullmatch(name):
        raise click.UsageError(
            f"{name!r} cannot be a name in the class: use 1 to 32 letters, digits, - or _."
        )
    return Join(url, name, code)


def say_join_notice(session: StudySession) -> None:
    """The one line a student hears when the class they asked to join is not the lab in use."""
    if session.lab.notice:
        click.secho(session.lab.notice, fg="yellow", err=True)


@click.group(
    cls=_Tutor,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--lessons",
    "lesson_dirs",
    multiple=True,
    type=_LESSON_DIR,
    help="Add a lesson pack (a folder of YAML lessons). May be given more than once.",
)
@click.option(
    "--color/--no-color",
    default=None,
    is_eager=True,
    expose_value=False,
    callback=_colour,
    help="Colour the output [default: on a terminal, unless NO_COLOR is set].",
)
@join_options()
@click.version_option(__version__, prog_name="redirect-tutor")
@click.pass_context
def cli(ctx: click.Context, lesson_dirs: tuple[Path, ...]) -> None:
    """Watch what really crosses an HTTP redirect: 301, 302, 303, 307 and 308, live.

    With no command, opens the tutor on the built-in course.
    """
    ctx.obj = lesson_dirs
    if ctx.invoked_subcommand is None:
        prepare_terminal()
        gc.disable()  # while the tutor starts: its app enables it again (tutor.ui.app)
        from tutor.session.factory import make_session
        from tutor.ui.app import build_app

        session = make_session(lesson_dirs, join=class_join())
        status = 0
        try:
            run_full_screen(build_app(session))
        except KeyboardInterrupt:  # a SIGINT from outside: the app never saw it as a key
            status = INTERRUPTED
        ctx.exit(status or close_session(session))


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Ctrl+C waits while a result file or the record is written: half of either helps no one."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def close_session(session: StudySession) -> int:
    """Close the session, then say what the learner must still read (where unsaved progress is
    kept, an exam broken off and handed in): 0, or 1 when something could not be kept."""
    with uninterrupted():
        session.close()
    for sentence in session.farewell:
        click.echo(sentence, err=True)
    return 1 if session.lost else 0
