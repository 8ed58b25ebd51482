"""The lab alone for curl, browsers and classrooms: `serve`."""

from __future__ import annotations

import click

from tutor.cli.group import cli
from tutor.lab.bounds import Bounds

__all__ = ["serve"]


_DEFAULT = Bounds()
_CLASS = 40
"""The class the defaults are meant for."""
_BOUNDS = "\n".join(f"  {line}" for line in _DEFAULT.lines())


@cli.command(
    epilog=(
        "\b\nWhat one student can make the lab keep or wait for is bounded\n"
        f"(the defaults suit a class of 40):\n{_BOUNDS}"
    )
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
def serve(
    host: str,
    port: int,
    chain_hops: int,
    journal_mib: int,
    per_address: int,
    head_timeout: float,
    body_timeout: float,
) -> None:
    """Run the lab alone, for curl, browsers and classrooms; one line per request.

    It listens on loopback only, unless --host asks for more (e.g. --host 0.0.0.0 for a class).
    The console names each chain by a short label, never by its token: a token lets its holder
    read the chain, so the wall must not show it.
    """
    from tutor.lab.addresses import hand_out_urls, is_loopback
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
    journal = Journal(bounds)
    watch = Watch(
        lambda hop: click.echo(journal_line(hop, journal)),
        lambda count: click.echo(
            f"... {count} request{'' if count == 1 else 's'} not shown: the console fell behind."
        ),
        bounds.console_lines,
    )
    open_files = raise_open_file_limit()

    def ready(url: str, other_url: str) -> None:
        click.echo(f"Lab listening on {url}  (Ctrl+C stops it)")
        click.echo(f"Its other origin (for ?origin=other) is {other_url}")
        if not is_loopback(host):
            click.secho(
                f"Warning: the lab listens on {host}: anyone who can reach this machine can send "
                "it requests (each reads back only the chains it holds the token of). Use it "
                "on a classroom network.",
                fg="yellow",
                err=True,
            )
            other_port = other_url.rsplit(":", 1)[1]
            for shared in hand_out_urls(host, port) or ["(no address found: use this machine's)"]:
                click.echo(f"Hand out: {shared}  (other origin: port {other_port})")
            click.echo("Each student picks a prefix: curl -L -d a=1 URL/s/NAME/redirect/307")
            if open_files is not None and open_files < _CLASS * per_address:
                click.secho(
                    f"Warning: this system lets the lab hold only {open_files} connections "
                    f"open, less than {_CLASS} students at --per-address {per_address}; "
                    "raise it (ulimit -n) or lower --per-address.",
                    fg="yellow",
                    err=True,
                )
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
