"""Course files from the command line: `lint`, `card` and `new lesson|quiz|card`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tutor.cli.group import cli
from tutor.cli.problems import warn_problems

__all__ = ["card", "lint", "new", "new_card", "new_lesson", "new_quiz"]


@cli.command(short_help="The reference card of one status code, as text.")
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
    warn_problems(course)
    found = course.card(code)
    if found is None:
        codes = ", ".join(str(c.code) for c in sorted(course.cards, key=lambda c: c.code))
        problem = "is not a redirect code (300-308)" if code not in KNOWN_CODES else "has no card"
        raise click.ClickException(f"{code} {problem}. Cards: {codes or 'none'}.")
    width = min(shutil.get_terminal_size().columns, 100)
    click.echo(markdown_to_plain(card_markdown(found), width), nl=False)


@cli.command(short_help="Check course files: file:line:col: message.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def lint(lesson_dirs: tuple[Path, ...], paths: tuple[Path, ...]) -> None:
    """Check lesson files (default: the --lessons packs, else the built-in course), each beside
    the built-in course: an id it already has is a clash. Prints file:line:col: message."""
    from tutor.course.lint import each_problem

    found = False
    for problem in each_problem([*paths, *lesson_dirs]):  # printed as found: memory stays flat
        click.echo(str(problem))
        found = True
    if found:
        sys.exit(1)
    click.echo("All course files are valid.", err=True)


@cli.group(short_help="Start a lesson, quiz bank or card for your own pack.")
def new() -> None:
    """Start a new course file for a teacher's own lesson pack."""


_FOLDER = click.option(
    "--dir",
    "folder",
    default=".",
    type=click.Path(path_type=Path),
    help="Write the file here, making the folder if needed [default: the current folder].",
)


@new.command("lesson", short_help="A valid starting file for a lesson.")
@click.argument("name")
@_FOLDER
def new_lesson(name: str, folder: Path) -> None:
    """Write NAME's starting lesson file (valid as written); never overwrites a file."""
    _write(name, folder)


@new.command("quiz", short_help="A valid starting file for a question bank.")
@click.argument("name")
@click.option(
    "--lesson",
    metavar="ID",
    default="temporary-redirect-307",
    show_default=True,
    help="The lesson the bank's questions belong to (built-in or your pack's).",
)
@_FOLDER
def new_quiz(name: str, lesson: str, folder: Path) -> None:
    """Write NAME's starting question bank (valid as written): one question of each kind."""
    from tutor.course.starter import lesson_id, starter_quiz

    _write(f"quiz-{lesson_id(name)}", folder, starter_quiz(name, lesson_id(lesson)))


@new.command("card", short_help="A valid starting file for a reference card.")
@click.argument("code", type=int)
@_FOLDER
@click.pass_obj
def new_card(lesson_dirs: tuple[Path, ...], code: int, folder: Path) -> None:
    """Write a starting reference card for CODE (valid as written), a code with no card yet."""
    from tutor.course.loader import load_course
    from tutor.course.starter import starter_card
    from tutor.experiments.spec import KNOWN_CODES

    if code not in KNOWN_CODES:
        raise click.ClickException(f"{code} is not a redirect code (300-308).")
    course = load_course(lesson_dirs)
    warn_problems(course)
    if course.card(code) is not None:
        free = [str(c) for c in KNOWN_CODES if course.card(c) is None]
        raise click.ClickException(
            f"The course already has a {code} card (one card per code); "
            f"codes without one: {', '.join(free) or 'none'}."
        )
    _write(f"card-{code}", folder, starter_card(code))


def _write(name: str, folder: Path, text: str | None = None) -> None:
    """Write a starter file into `folder` (made if missing) and say where, and how to check it;
    one line when the folder cannot be made or the file is already there."""
    from tutor.course.starter import StarterExists, write_starter

    if folder.exists() and not folder.is_dir():
        raise click.ClickException(f"{folder} is a file, not a folder: give --dir a folder.")
    made = not folder.exists()
    try:
        path = write_starter(name, folder, text)
    except StarterExists as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"Cannot write into {folder}: {error.strerror}.") from None
    if made:
        click.echo(f"Made the folder {folder}.")
    click.echo(f"Wrote {path}. Check it with: redirect-tutor lint {path}")
    click.echo(f"Open it in the tutor with: redirect-tutor --lessons {path.parent}")
