"""The tutor in a browser, for students who have only one: `web`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tutor.cli.group import class_url, cli, join_options
from tutor.web.limits import lines
from tutor.web.size import DEFAULT_SIZE, TerminalSize

__all__ = ["web"]


def _size(_ctx: click.Context, _param: click.Parameter, text: str) -> TerminalSize:
    try:
        return TerminalSize.parse(text)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


_LIMITS = "\n".join(f"  {line}" for line in lines())


@cli.command(
    short_help="The tutor in a browser, one tutor per visitor.",
    epilog=(
        "\b\nWhat one computer (one address, an IPv6 /64) may make web hold or do; students\n"
        f"behind one shared address (NAT, a proxy) share its limits:\n{_LIMITS}"
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--code",
    help="The access code visitors must enter (6 to 64 letters and digits). Default: a new "
    "random one when listening beyond loopback, none on loopback.",
)
@click.option(
    "--max-sessions",
    default=40,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Tutors running at once; the next visitor is told the class is full.",
)
@click.option(
    "--per-address",
    default=4,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Tutors one computer may have open at once (tabs, windows).",
)
@click.option(
    "--max-size",
    default=str(DEFAULT_SIZE),
    show_default=True,
    callback=_size,
    metavar="COLSxROWS",
    help="The largest terminal a browser may ask for; larger sizes are cut to it.",
)
@join_options(name=False, code=False)
@click.pass_obj
def web(
    lesson_dirs: tuple[Path, ...],
    host: str,
    port: int,
    code: str | None,
    max_sessions: int,
    per_address: int,
    max_size: TerminalSize,
) -> None:
    """The tutor in a browser (textual-serve): each visitor gets their own tutor, lab and record.

    A visitor first enters a name (letters, digits, - and _); their progress is kept in the
    folder NAME under web/ in the teacher's data folder, never in the teacher's own record.
    A name belongs to the browser that entered it first: anyone else who enters it is told it
    is taken. To free a name (a student on a new computer), delete its folder, or only the file
    web-key in it to keep the record. It listens on loopback only, unless --host asks for more
    (e.g. --host 0.0.0.0 for a class): then visitors also need the access code it prints (or
    --code). A name has one tutor open at a time (its own browser's newer tab takes over).
    Only the tutor's own page may open a tutor (the websocket's Origin is checked), and a
    visitor's ticket works only from the address it was given to. The page needs no internet:
    its fonts come from the tutor.

    With --join URL, every visitor's tutor joins the teacher's lab at URL under the visitor's
    name, as `redirect-tutor --join URL --name NAME` would: the class view sees browser
    students too.
    """
    import shlex

    from tutor.lab.addresses import hand_out_urls, http_url, is_loopback
    from tutor.lab.guard import raise_open_file_limit
    from tutor.lab.server import LabError, bind
    from tutor.web.code import code_problem, door_code
    from tutor.web.learners import records_folder
    from tutor.web.server import ClassServer

    loopback = is_loopback(host)
    if code is not None and (problem := code_problem(code)):
        raise click.BadParameter(problem, param_hint="--code")
    code = door_code(code, loopback=loopback)
    try:
        sock = bind(host, port)
    except LabError as error:
        raise click.ClickException(str(error)) from None
    port = sock.getsockname()[1]
    raise_open_file_limit()
    records = records_folder()
    try:
        records.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        sock.close()
        raise click.ClickException(
            f"Cannot make the folder for visitors' records, {records}: {error.strerror or error}."
        ) from None
    if loopback:
        click.echo(f"Open {http_url(host, port)} in a browser.")
    else:
        click.secho(
            f"Warning: the tutor listens on {host}: anyone who can reach this machine and "
            "knows the access code can open it, and each visitor runs a tutor (and a lab) here. "
            "Use it on a classroom network.",
            fg="yellow",
            err=True,
        )
        for shared in hand_out_urls(host, port) or ["(no address found: use this machine's)"]:
            click.echo(f"Hand out: {shared}")
    if code is not None:
        click.echo(f"Access code: {code}  (each visitor enters it once, with their name)")
    click.echo(
        f"At most {max_sessions} tutors at once ({per_address} per computer, one per name), "
        f"each at most {max_size}; each visitor's "
        f"record is in {records}/NAME. Ctrl+C stops it."
    )
    packs = [part for folder in lesson_dirs for part in ("--lessons", str(folder.resolve()))]
    joined = class_url()
    if joined is not None:
        click.echo(f"Each visitor's tutor joins the class lab at {joined} under their name.")
    join = ["--join", joined] if joined else []
    ClassServer(
        shlex.join([sys.executable, "-m", "tutor", *packs, *join]),
        sock,
        joins=joined is not None,
        records=records,
        code=code,
        loopback=loopback,
        max_sessions=max_sessions,
        per_address=per_address,
        max_size=max_size,
    ).serve()
