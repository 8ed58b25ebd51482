"""The lab alone for curl, browsers and classrooms: `serve`."""

from __future__ import annotations

import click

from tutor.cli.group import cli

__all__ = ["serve"]


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
