"""The command line: `redirect-tutor` opens the tutor; subcommands serve scripts and classrooms.

Heavy modules (Textual, uvicorn, httpx, pydantic) are imported inside the commands that use
them, so `--version` and `--help` answer at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tutor import __version__

if TYPE_CHECKING:
    from tutor.experiments.outcome import Outcome

__all__ = ["cli", "main"]

_LESSON_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--lessons",
    "lesson_dirs",
    multiple=True,
    type=_LESSON_DIR,
    help="Add a lesson pack (a folder of YAML lessons). May be given more than once.",
)
@click.version_option(__version__, prog_name="redirect-tutor")
@click.pass_context
def cli(ctx: click.Context, lesson_dirs: tuple[Path, ...]) -> None:
    """Watch what really crosses an HTTP redirect: 301, 302, 303, 307 and 308, live.

    With no command, opens the tutor on the built-in course.
    """
    ctx.obj = lesson_dirs
    if ctx.invoked_subcommand is None:
        from tutor.ui.app import build_app

        build_app(lesson_dirs).run()


def _code(_ctx: click.Context, _param: click.Parameter, value: int) -> int:
    from tutor.experiments.spec import KNOWN_CODES

    if value not in KNOWN_CODES:
        raise click.BadParameter(f"{value} is not a redirect code the lab answers; use 300-308.")
    return value


def _client(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from tutor.experiments.clients import CLIENT_NAMES

    if value not in CLIENT_NAMES:
        raise click.BadParameter(
            f"unknown client {value!r}; choose one of {', '.join(CLIENT_NAMES)}."
        )
    return value


def _header(_ctx: click.Context, _param: click.Parameter, values: Sequence[str]) -> dict[str, str]:
    headers = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not 'Name: value'.")
        headers[name.strip()] = content.strip()
    return headers


@cli.command("try")
@click.argument("code", type=int, callback=_code)
@click.option("--method", "-X", default="POST", show_default=True, help="The request method.")
@click.option(
    "--client",
    "-c",
    default="httpx",
    show_default=True,
    callback=_client,
    help="The real client that sends it.",
)
@click.option(
    "--body", "-d", default=None, help="The request body [default: a=1 for methods that carry one]."
)
@click.option(
    "--header",
    "-H",
    "headers",
    multiple=True,
    callback=_header,
    help="Add a header, 'Name: value'.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the trace.")
def try_(
    code: int, method: str, client: str, body: str | None, headers: dict[str, str], as_json: bool
) -> None:
    """Send one request through a CODE redirect on a fresh local lab and show what arrived."""
    import json

    from pydantic import ValidationError

    from tutor.experiments.runner import run
    from tutor.experiments.spec import BODY_METHODS, ExperimentSpec
    from tutor.lab.server import LabError, LabServer

    method = method.upper()
    if body is None:
        body = "a=1" if method in BODY_METHODS else ""
    try:
        spec = ExperimentSpec(code=code, method=method, body=body, headers=headers, client=client)
    except ValidationError as error:
        raise click.UsageError(
            "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        ) from None
    try:
        with LabServer() as lab:
            outcome = run(spec, lab.url, lab.journal)
    except LabError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(outcome.to_json(), indent=2))
    else:
        _print_trace(outcome)
    if outcome.client_version is None:
        sys.exit(1)


def _names(
    kind: str, allowed: Callable[[], Sequence[str]], convert: Callable[[str], Any] = str
) -> Callable[[click.Context, click.Parameter, str | None], tuple[Any, ...] | None]:
    """A click callback for a comma-separated list drawn from `allowed()` (looked up late)."""

    def parse(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple | None:
        if value is None:
            return None
        chosen = tuple(part.strip() for part in value.split(",") if part.strip())
        if kind == "method":
            chosen = tuple(part.upper() for part in chosen)
        unknown = [part for part in chosen if part not in allowed()]
        if unknown or not chosen:
            raise click.BadParameter(
                f"unknown {kind} {', '.join(unknown) or '(none given)'}; "
                f"choose from {', '.join(allowed())}."
            )
        return tuple(convert(part) for part in chosen)

    return parse


def _client_names() -> Sequence[str]:
    from tutor.experiments.clients import CLIENT_NAMES

    return CLIENT_NAMES


def _code_names() -> Sequence[str]:
    from tutor.experiments.spec import KNOWN_CODES

    return [str(code) for code in KNOWN_CODES]


def _method_names() -> Sequence[str]:
    from tutor.experiments.spec import METHODS

    return METHODS


@cli.command()
@click.option(
    "--clients",
    "client_names",
    callback=_names("client", _client_names),
    help="Comma-separated clients [default: every installed one].",
)
@click.option(
    "--codes",
    callback=_names("code", _code_names, int),
    help="Comma-separated redirect codes [default: 301,302,303,307,308].",
)
@click.option(
    "--methods",
    callback=_names("method", _method_names),
    help="Comma-separated methods [default: POST,PUT,DELETE,PATCH,GET,HEAD].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the list of outcomes as JSON.")
def matrix(
    client_names: tuple[str, ...] | None,
    codes: tuple[int, ...] | None,
    methods: tuple[str, ...] | None,
    as_json: bool,
) -> None:
    """Every client, code and method, live on a fresh lab: who keeps what across a redirect."""
    import json
    import time

    from tutor.experiments import matrix as grid
    from tutor.lab.server import LabError, LabServer

    codes = codes or grid.CODES
    methods = methods or grid.METHODS
    try:
        with LabServer() as lab:
            started = time.perf_counter()
            outcomes = grid.run_matrix(lab.url, lab.journal, client_names, codes, methods)
            took = time.perf_counter() - started
    except LabError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps([outcome.to_json() for outcome in outcomes], indent=2))
        return
    _print_matrix(outcomes, codes, methods, took)


def _print_matrix(
    outcomes: Sequence[Outcome], codes: Sequence[int], methods: Sequence[str], took: float
) -> None:
    from tutor.experiments import clients
    from tutor.experiments.matrix import BODY, LEGEND, Cell, cell, cell_text
    from tutor.experiments.spec import BODY_METHODS

    colour = {
        Cell.KEPT: "green",
        Cell.BECAME_GET: "yellow",
        Cell.BODY_DROPPED: "magenta",
        Cell.CHANGED: "yellow",
        Cell.REFUSED: "red",
        Cell.NOT_FOLLOWED: "red",
        Cell.CANNOT: "bright_black",
        Cell.ABSENT: "bright_black",
    }
    names = list(dict.fromkeys(outcome.client for outcome in outcomes))
    versions = {outcome.client: outcome.client_version for outcome in outcomes}
    found = {(o.client, o.method, o.code): o for o in outcomes}
    titles = {m: f'{m} (body "{BODY}")' if m in BODY_METHODS else m for m in methods}
    width = 1 + max(
        *(len(f"  {n} {versions[n] or ''}") for n in names), *(len(t) for t in titles.values())
    )
    counted = ", ".join(
        _count(len(items), noun)
        for items, noun in ((names, "client"), (codes, "code"), (methods, "method"))
    )
    click.echo(
        f"{counted}: {_count(len(outcomes), 'request')}, live, in {took:.1f} s. "
        "Each cell: the method that arrived.\n"
    )
    for method in methods:
        header = titles[method].ljust(width) + "".join(f"{c:<9}" for c in codes)
        click.echo(click.style(header.rstrip(), bold=True))
        for name in names:
            cells = [found[(name, method, code)] for code in codes]
            row = f"  {name} {versions[name] or ''}".ljust(width)
            texts = [cell_text(o) for o in cells]
            padded = [text.ljust(9) for text in texts[:-1]] + texts[-1:]
            row += "".join(
                click.style(text, fg=colour[cell(o)]) for text, o in zip(padded, cells, strict=True)
            )
            click.echo(row)
        click.echo()
    line, shown = "", 0
    for kind, text in LEGEND.items():
        if shown and shown + len(text) + 2 > 79:
            click.echo(line)
            line, shown = "", 0
        line += ("  " if shown else "") + click.style(text, fg=colour[kind])
        shown += len(text) + (2 if shown else 0)
    click.echo(line)
    for name in names:
        if versions[name] is None:
            client = clients.get(name)
            click.echo(f"{name}: not installed (install: {client.install_hint})")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _print_trace(outcome: Outcome) -> None:
    from tutor.lab.app import reason
    from tutor.lab.journal_line import size_text
    from tutor.lab.verdict import VerdictKind

    sent = f', body "{outcome.body}" ({len(outcome.body.encode())} bytes)' if outcome.body else ""
    click.echo(
        f"{outcome.method} answered with {outcome.code} {reason(outcome.code)}, sent by "
        f"{outcome.client} {outcome.client_version or '(not installed)'}{sent}\n"
    )
    for index, hop in enumerate(outcome.hops, 1):
        request = f"{hop.method} {hop.path}"
        answer = f"{hop.status} {reason(hop.status)}"
        if hop.location:
            answer += f" -> {hop.location}"
        click.echo(f"  {index}. {request:<22} {size_text(hop.body_size):>9}   {answer}")
    if outcome.hops:
        click.echo()
    if outcome.error:
        click.echo(click.style("Client said: ", bold=True) + outcome.error)
    colour = {
        VerdictKind.KEPT: "green",
        VerdictKind.REFUSED: "red",
        VerdictKind.NOT_FOLLOWED: "red",
        VerdictKind.UNAVAILABLE: "bright_black",
    }.get(outcome.verdict.kind, "yellow")
    click.echo(click.style("Verdict: ", bold=True) + click.style(outcome.verdict.text, fg=colour))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8307,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
def serve(host: str, port: int) -> None:
    """Run the lab alone, for curl, browsers and classrooms; one line per request.

    It listens on loopback only, unless --host asks for more (e.g. --host 0.0.0.0 for a class).
    """
    from tutor.lab.addresses import hand_out_urls, is_loopback
    from tutor.lab.journal import Journal
    from tutor.lab.journal_line import journal_line
    from tutor.lab.server import LabError
    from tutor.lab.server import serve as run_lab
    from tutor.lab.watch import Watch

    journal = Journal()
    watch = Watch(lambda hop: click.echo(journal_line(hop, journal)))

    def ready(url: str, other_url: str) -> None:
        click.echo(f"Lab listening on {url}  (Ctrl+C stops it)")
        click.echo(f"Its other origin (for ?origin=other) is {other_url}")
        if not is_loopback(host):
            click.secho(
                f"Warning: the lab listens on {host}: anyone who can reach this machine can send "
                "it requests, and read the journal's echo of them. Use it on a classroom network.",
                fg="yellow",
                err=True,
            )
            other_port = other_url.rsplit(":", 1)[1]
            for shared in hand_out_urls(host, port) or ["(no address found: use this machine's)"]:
                click.echo(f"Hand out: {shared}  (other origin: port {other_port})")
            click.echo("Each student picks a prefix: curl -L -d a=1 URL/s/NAME/redirect/307")
        click.echo(f"Try: curl -L -d a=1 {url}/redirect/307")

    try:
        run_lab(
            host,
            port,
            on_ready=ready,
            on_hop=watch.hear,
            on_log=lambda line: click.echo(line, err=True),
            journal=journal,
        )
    except LabError as error:
        raise click.ClickException(str(error)) from None
    finally:
        watch.stop()
    click.echo("Lab stopped.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.pass_obj
def web(lesson_dirs: tuple[Path, ...], host: str, port: int) -> None:
    """The tutor in a browser (textual-serve): each visitor gets their own tutor and lab.

    It listens on loopback only, unless --host asks for more (e.g. --host 0.0.0.0 for a class).
    """
    import shlex

    from textual_serve.server import Server

    from tutor.lab.addresses import hand_out_urls, is_loopback

    packs = [part for folder in lesson_dirs for part in ("--lessons", str(folder.resolve()))]
    command = shlex.join([sys.executable, "-m", "tutor", *packs])
    urls = hand_out_urls(host, port)
    if not is_loopback(host):
        click.secho(
            f"Warning: the tutor listens on {host}: anyone who can reach this machine can open "
            "it, and each visitor runs a tutor (and a lab) here. Use it on a classroom network.",
            fg="yellow",
            err=True,
        )
        for shared in urls:
            click.echo(f"Hand out: {shared}")
    Server(
        command, host=host, port=port, title="redirect-tutor", public_url=next(iter(urls), None)
    ).serve()


@cli.command()
@click.argument("code", type=int)
@click.pass_obj
def card(lesson_dirs: tuple[Path, ...], code: int) -> None:
    """The reference card of one status code (e.g. 307), as plain text for the terminal."""
    import shutil

    from tutor.course.card_text import card_markdown
    from tutor.course.loader import load_course
    from tutor.course.plain import markdown_to_plain
    from tutor.experiments.spec import KNOWN_CODES

    course = load_course(lesson_dirs)
    found = course.card(code)
    if found is None:
        codes = ", ".join(str(c.code) for c in sorted(course.cards, key=lambda c: c.code))
        problem = "is not a redirect code (300-308)" if code not in KNOWN_CODES else "has no card"
        raise click.ClickException(f"{code} {problem}. Cards: {codes or 'none'}.")
    width = min(shutil.get_terminal_size().columns, 100)
    click.echo(markdown_to_plain(card_markdown(found), width), nl=False)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def lint(lesson_dirs: tuple[Path, ...], paths: tuple[Path, ...]) -> None:
    """Check lesson files (default: the --lessons packs, else the built-in course), each beside
    the built-in course: an id it already has is a clash. Prints file:line:col: message."""
    from tutor.course.lint import lint as check

    problems = check([*paths, *lesson_dirs])
    for problem in problems:
        click.echo(str(problem))
    if problems:
        sys.exit(1)
    click.echo("All course files are valid.", err=True)


@cli.command()
@click.option("--lesson", metavar="ID", help="Only the questions of this lesson.")
@click.option("--tag", metavar="TAG", help="Only the questions with this tag.")
@click.option("--due", is_flag=True, help="Only the questions due for review.")
@click.option("--seed", type=int, help="An exam: the same questions, same order, for this seed.")
@click.option("--count", type=click.IntRange(min=1), help="Ask at most this many questions.")
@click.option(
    "--time-limit", type=click.IntRange(min=1), metavar="SECONDS", help="End the quiz after this."
)
@click.option("--name", help="The student's name, written into the result file.")
@click.option(
    "--result",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the result here: CSV if it ends in .csv, otherwise JSON.",
)
@click.option("--plain", is_flag=True, help="Plain text on stdin/stdout (scripts, screen readers).")
@click.pass_obj
def quiz(
    lesson_dirs: tuple[Path, ...],
    lesson: str | None,
    tag: str | None,
    due: bool,
    seed: int | None,
    count: int | None,
    time_limit: int | None,
    name: str | None,
    result: Path | None,
    plain: bool,
) -> None:
    """Answer questions from the course; predict questions run live on the lab."""
    from tutor.quiz.plan import Plan

    plan = Plan(lesson, tag, due, seed, count, time_limit, name, result)
    if not plain:
        from tutor.ui.app import build_app

        build_app(lesson_dirs, quiz=plan).run()
        return
    from tutor.quiz.command import plain_quiz

    sys.exit(plain_quiz(plan, lesson_dirs, sys.stdin, sys.stdout, sys.stderr))


@cli.command()
@click.option(
    "--export", "fmt", type=click.Choice(["json", "csv"]), help="Print the record (csv: answers)."
)
@click.option("--reset", is_flag=True, help="Forget the whole record (asks first).")
@click.option("--yes", is_flag=True, help="With --reset: do not ask.")
@click.pass_obj
def progress(lesson_dirs: tuple[Path, ...], fmt: str | None, reset: bool, yes: bool) -> None:
    """The learner's record: lessons done, questions known, due for review."""
    from tutor.course.loader import load_course
    from tutor.progress.export import export
    from tutor.progress.record import open_record
    from tutor.progress.summary import summarize

    record = open_record()
    if record.notice:
        click.secho(record.notice, fg="yellow", err=True)
    if reset:
        if yes or click.confirm(f"Forget all progress in {record.path}?"):
            record.reset()
            click.echo("Progress forgotten.")
    elif fmt:
        click.echo(export(record, fmt), nl=False)
    else:
        click.echo("\n".join(summarize(record, load_course(lesson_dirs)).report()))
        click.echo(f"Record: {record.path or 'in memory only'}", err=True)
    record.close()


@cli.group()
def new() -> None:
    """Start a new course file for a teacher's own lesson pack."""


@new.command("lesson")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Write the file here [default: the current folder].",
)
def new_lesson(name: str, folder: Path) -> None:
    """Write NAME's starting lesson file (valid as written); never overwrites a file."""
    from tutor.course.starter import StarterExists, write_starter

    try:
        path = write_starter(name, folder)
    except StarterExists as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {path}. Check it with: redirect-tutor lint {path}")
    click.echo(f"Open it in the tutor with: redirect-tutor --lessons {path.parent}")


def main() -> None:
    """The console script: the CLI, with Ctrl+C ending quietly rather than in a traceback."""
    try:
        cli.main(prog_name="redirect-tutor")
    except KeyboardInterrupt:
        sys.exit(130)
