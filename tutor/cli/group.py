"""The `redirect-tutor` command group: with no command, the tutor itself."""

from __future__ import annotations

from pathlib import Path

import click

from tutor import __version__

__all__ = ["cli"]

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
        from tutor.session.factory import make_session
        from tutor.ui.app import build_app

        build_app(make_session(lesson_dirs)).run()
