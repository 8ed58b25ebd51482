"""The teacher's view of the class: `class`, live in the terminal, or `class --export FILE`."""

from __future__ import annotations

import re
from pathlib import Path

import click

from tutor.cli.group import INTERRUPTED, class_url_option, cli, prepare_terminal

__all__ = ["class_view"]

_KEY = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _key(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _KEY.fullmatch(value):
        raise click.BadParameter(
            "a teacher key is letters, digits, - and _, as `serve` keeps it in class-lab.json."
        )
    return value


def _export(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    from tutor.classroom.export import FORMATS

    if value is not None and value.suffix.lower() not in FORMATS:
        raise click.BadParameter(f"{value.name!r}: the file's name ends in .csv or .json.")
    return value


@cli.command("class", short_help="The teacher's live view of the class.")
@click.option(
    "--lesson",
    "lessons",
    multiple=True,
    metavar="ID",
    help="Show this lesson's exercises; may be given more than once [default: every lesson "
    "with exercises].",
)
@click.option(
    "--lab",
    metavar="URL",
    callback=class_url_option,
    help="The class lab on another machine (with --key) [default: the one `serve` runs here].",
)
@click.option("--key", metavar="KEY", callback=_key, help="That lab's teacher key (with --lab).")
@click.option(
    "--export",
    "export_path",
    metavar="FILE.csv|FILE.json",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_export,
    help="Write the class table to FILE and exit: no terminal needed.",
)
def class_view(
    lessons: tuple[str, ...], lab: str | None, key: str | None, export_path: Path | None
) -> None:
    """The teacher's live view of the class: one row per student, one column per exercise (✓
    met, attempts, · not tried), each student's latest verdict and exam score. Enter opens a
    student's chains hop by hop; keys free a name, set the exam and export the table.

    On the machine that runs `serve`, it finds the lab and its teacher key by itself; from
    another machine give --lab URL --key KEY (the key is in class-lab.json in the data folder
    of the machine that runs `serve`). The exercises are those of the lab's course: the packs
    `serve` was given with --lessons.

    With --export it writes the same table (CSV: name, then "<exercise> met" and "<exercise>
    attempts" for each exercise, latest verdict, exam score, exam graded, exam answers) and
    exits.
    """
    import asyncio

    from tutor.classroom.export import write_export
    from tutor.classroom.teacher import ClassState, TeacherError, TeacherLink, find_lab

    if (lab is None) != (key is None):
        raise click.UsageError("--lab and --key go together: the lab's URL and its teacher key.")
    if export_path is None:
        prepare_terminal()
    try:
        access = find_lab(lab, key)

        async def read() -> ClassState:
            async with TeacherLink(access) as link:
                return await link.snapshot()

        state = asyncio.run(read())
        columns = state.columns(lessons)
    except TeacherError as error:
        raise click.ClickException(str(error)) from None
    if export_path is not None:
        try:
            write_export(export_path, state, columns, access.url)
        except OSError as error:
            raise click.ClickException(
                f"Cannot write {export_path}: {error.strerror or error}."
            ) from None
        count = len(state.students)
        click.echo(
            f"Wrote {count} student{'' if count == 1 else 's'} x {len(columns)} exercises "
            f"to {export_path}."
        )
        return
    from tutor.ui.class_app import ClassApp

    try:
        ClassApp(access, lessons, state).run()
    except KeyboardInterrupt:  # a SIGINT from outside: the app never saw it as a key
        click.get_current_context().exit(INTERRUPTED)
