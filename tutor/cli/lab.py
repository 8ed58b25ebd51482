"""The lab alone for curl, browsers and classrooms: `serve`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from tutor.cli.group import cli
from tutor.lab.bounds import Bounds

if TYPE_CHECKING:
    from tutor.classroom.key import LabCard
    from tutor.classroom.routes import Classroom
    from tutor.lab.authority import Authority
    from tutor.lab.journal import Journal

__all__ = ["CONSOLE_RATE", "serve"]


_DEFAULT = Bounds()
_CLASS = 40
"""The class the defaults are meant for."""
CONSOLE_RATE = 1000
"""Request lines the console prints a second at most; past it they are counted, and the console
says how many it did not show (the journal keeps every request)."""
_BOUNDS = "\n".join(f"  {line}" for line in _DEFAULT.lines())


@cli.command(
    short_help="Run the lab alone, for curl, browsers and a class.",
    epilog=(
        "\b\nWhat one student can make the lab keep or wait for is bounded\n"
        f"(the defaults suit a class of 40):\n{_BOUNDS}"
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8307,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--chain-hops",
    default=_DEFAULT.chain_hops,
    show_default=True,
    type=click.IntRange(2, 10_000),
    help="Requests in one chain; the next gets 429.",
)
@click.option(
    "--journal-mib",
    default=_DEFAULT.journal_bytes // 2**20,
    show_default=True,
    type=click.IntRange(1, 4096),
    help="MiB of headers and bodies the journal keeps.",
)
@click.option(
    "--per-address",
    default=_DEFAULT.connections_per_address,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Open connections from one client address; one more gets 503.",
)
@click.option(
    "--head-timeout",
    default=_DEFAULT.head_timeout,
    show_default=True,
    type=click.FloatRange(0.5, 600),
    help="Seconds a client has to send a request head (408 after).",
)
@click.option(
    "--body-timeout",
    default=_DEFAULT.body_timeout,
    show_default=True,
    type=click.FloatRange(0.5, 3600),
    help="Seconds a client has to send a request body (408 after).",
)
@click.option(
    "--exam-seed",
    type=int,
    help="Set an exam: every student who joins takes the questions this seed draws.",
)
@click.option(
    "--exam-count",
    type=click.IntRange(1, 200),
    help="With --exam-seed: how many questions [default: 10].",
)
@click.option(
    "--exam-time",
    type=click.IntRange(10, 24 * 3600),
    metavar="SECONDS",
    help="With --exam-seed: each student's time, from their first question [default: none].",
)
@click.pass_obj
def serve(
    lesson_dirs: tuple[Path, ...],
    host: str,
    port: int,
    chain_hops: int,
    journal_mib: int,
    per_address: int,
    head_timeout: float,
    body_timeout: float,
    exam_seed: int | None,
    exam_count: int | None,
    exam_time: int | None,
) -> None:
    """Run the lab alone, for curl, browsers and classrooms; one line per request.

    It listens on loopback only, unless --host asks for more (e.g. --host 0.0.0.0 for a class).
    The console names each chain by a short label, never by its token: a token lets its holder
    read the chain, so the wall must not show it.

    It is also the class's lab: students' tutors join it (redirect-tutor --join URL --name
    NAME), it judges every student's exercises from what arrives, whatever the client, and it
    grades the exam set with --exam-seed. The teacher's key for `redirect-tutor class` is kept
    in the teacher's data folder, never printed.
    """
    from tutor.classroom.key import remove_card
    from tutor.lab.addresses import hand_out_urls, is_loopback
    from tutor.lab.authority import TlsLab
    from tutor.lab.guard import raise_open_file_limit
    from tutor.lab.journal import Journal
    from tutor.lab.journal_line import journal_line
    from tutor.lab.server import LabError
    from tutor.lab.server import serve as run_lab
    from tutor.lab.watch import Watch

    bounds = Bounds(
        chain_hops=chain_hops,
        journal_bytes=journal_mib * 2**20,
        connections_per_address=per_address,
        head_timeout=head_timeout,
        body_timeout=body_timeout,
    )
    if exam_seed is None and (exam_count is not None or exam_time is not None):
        raise click.UsageError("--exam-count and --exam-time set an exam: give --exam-seed too.")
    journal = Journal(bounds)
    classroom = _classroom(lesson_dirs, journal, exam_seed, exam_count, exam_time)
    console: list[str] = []  # the lines of one batch, written at once when the queue runs dry

    def write_console() -> None:
        if console:
            click.echo("\n".join(console))
            console.clear()

    watch = Watch(
        lambda hop: console.append(journal_line(hop, journal)),
        lambda count: console.append(
            f"... {count} request{'' if count == 1 else 's'} not shown: the console fell behind."
        ),
        bounds.console_lines,
        per_second=CONSOLE_RATE,
        idle=write_console,
    )
    open_files = raise_open_file_limit()
    # The addresses students reach the lab at, which its certificate names too.
    authority, no_authority = _authority([] if is_loopback(host) else hand_out_urls(host, port))

    card: LabCard | None = None

    def ready(url: str, other_url: str, secure_url: str, no_tls: str | None) -> None:
        nonlocal card
        classroom.lab_url = _own_url(host, url)
        port_of = {
            name: where.rsplit(":", 1)[1]
            for name, where in (("plain", url), ("other", other_url), ("tls", secure_url))
            if where
        }
        shared = [] if is_loopback(host) else hand_out_urls(host, int(port_of["plain"]))
        classroom.hand_out = shared
        # On every address (0.0.0.0, ::), the URLs to read are those students reach.
        shown = shared[0] if shared else url
        base = shown.rsplit(":", 1)[0]
        click.echo(f"Lab listening on {shown}  (Ctrl+C stops it)")
        click.echo(f"  other origin (?origin=other):  {base}:{port_of['other']}")
        if secure_url and authority is not None:
            classroom.tls = TlsLab(_own_url(host, secure_url), str(authority.ca))
            secure_base = base.replace("http://", "https://", 1)
            click.echo(f"  TLS listener (?scheme=https):  {secure_base}:{port_of['tls']}")
            click.echo(f"  its certificate authority:     {authority.ca}")
        else:
            click.secho(f"No TLS listener: {no_authority or no_tls}", fg="yellow", err=True)
        if not is_loopback(host):
            click.secho(
                f"Warning: the lab listens on {host}: anyone who can reach this machine can\n"
                "send it requests (each reads back only the chains it holds the token of).\n"
                "Use it on a classroom network.",
                fg="yellow",
                err=True,
            )
            for other_address in shared[1:]:
                click.echo(f"  also reachable at:             {other_address}")
            if not shared:
                click.echo("  (no address found to hand out: use this machine's)")
            click.echo("Each student picks a name and joins with:")
            click.echo(f"  redirect-tutor --join {shown} --name NAME")
            if secure_url:
                click.echo("For ?scheme=, a student's curl trusts the lab's CA (never its key):")
                click.echo(f"  curl -o lab-ca.pem {shown}/ca.pem")
                click.echo("  curl --cacert lab-ca.pem ...")
            if open_files is not None and open_files < _CLASS * per_address:
                click.secho(
                    f"Warning: this system lets the lab hold only {open_files} connections\n"
                    f"open, less than {_CLASS} students at --per-address {per_address};\n"
                    "raise it (ulimit -n) or lower --per-address.",
                    fg="yellow",
                    err=True,
                )
        card = _keep_card(classroom)
        if classroom.exam is not None:
            click.echo(f"Exam set: {classroom.exam.describe()}")
        if classroom.hand_out:  # a class's lab: tried the way a student with curl only would
            click.echo(f"Try: curl -L -d a=1 {classroom.hand_out[0]}/s/NAME/redirect/307")
        else:
            click.echo(f"Try: curl -L -d a=1 {url}/redirect/307")

    try:
        run_lab(
            host,
            port,
            on_ready=ready,
            on_hop=watch.hear,
            on_log=lambda line: click.echo(line, err=True),
            journal=journal,
            annex=classroom,
            authority=authority,
        )
    except LabError as error:
        raise click.ClickException(str(error)) from None
    finally:
        watch.stop()
        classroom.close()
        if card is not None:
            remove_card(card)
    click.echo("Lab stopped.")


def _classroom(
    lesson_dirs: tuple[Path, ...],
    journal: Journal,
    seed: int | None,
    count: int | None,
    time: int | None,
) -> Classroom:
    """The class beside the lab: the course it judges exercises by (the built-in one and the
    packs), the teacher's key, and the exam when one is set."""
    from tutor.classroom.exam import Exam, ExamError
    from tutor.classroom.key import NAMES_FILE, new_key
    from tutor.classroom.routes import Classroom
    from tutor.cli.problems import warn_problems
    from tutor.course.files import builtin_lessons_dir
    from tutor.course.loader import load_paths
    from tutor.progress.location import home

    course = load_paths([builtin_lessons_dir(), *lesson_dirs])
    warn_problems(course)  # the lab judges only what loaded
    exam = None
    if seed is not None:
        try:
            exam = Exam.set(course, journal, {"seed": seed, "count": count, "time": time})
        except ExamError as error:
            raise click.UsageError(str(error)) from None
    return Classroom(course, journal, new_key(), exam, names=home() / NAMES_FILE)


def _authority(hand_out: list[str]) -> tuple[Authority | None, str | None]:
    """The local CA of the teacher's data folder, its lab certificate naming the addresses
    students reach the lab at too; or why there is none."""
    from urllib.parse import urlsplit

    from tutor.lab.authority import FOLDER, LAB_NAMES, AuthorityError, local_authority
    from tutor.progress.location import home

    addresses = [urlsplit(url).hostname or "" for url in hand_out]
    try:
        return local_authority(home() / FOLDER, (*LAB_NAMES, *filter(None, addresses))), None
    except AuthorityError as error:
        return None, str(error)


def _own_url(host: str, url: str) -> str:
    """The lab's URL (http or https) from this machine: loopback for a lab that listens on every
    address."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if host in ("0.0.0.0", ""):
        return f"{parts.scheme}://127.0.0.1:{parts.port}"
    if host == "::":
        return f"{parts.scheme}://[::1]:{parts.port}"
    return url


def _keep_card(classroom: Classroom) -> LabCard | None:
    """Write where the lab is and its teacher key for `class` (never to the console)."""
    import os

    from tutor.classroom.key import LabCard, write_card

    card = LabCard(classroom.lab_url, classroom.key, os.getpid())
    try:
        path = write_card(card)
    except OSError as error:
        click.secho(
            f"Warning: the teacher key could not be kept ({error.strerror or error}): "
            "`redirect-tutor class` will not find this lab.",
            fg="yellow",
            err=True,
        )
        return None
    click.echo(f"Teacher key kept in {path} (not shown):")
    click.echo("  redirect-tutor class  opens the class.")
    return card
