"""Course files from the command line: `lint`, `card` and `new lesson`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tutor.cli.group import cli

__all__ = ["card", "lint", "new"]


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
