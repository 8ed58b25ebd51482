"""The tutor in a browser, for students who have only one: `web`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tutor.cli.group import cli

__all__ = ["web"]


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
