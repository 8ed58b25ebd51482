"""The teacher's view of the class: `class`, live in the terminal, or `class --export FILE`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import click

from tutor.cli.group import (
    INTERRUPTED,
    class_url_option,
    cli,
    prepare_terminal,
    run_full_screen,
)

__all__ = ["class_view"]

_KEY = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _key(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _KEY.fullmatch(value):
        raise click.BadParameter(
            "a teacher key is letters, digits, - and _, as `serve` keeps it in class-lab.json."
        )
    return value


def _key_file(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """The key in FILE ("-": standard input): the key alone, or class-lab.json as `serve` keeps
    it; a key read from a file never shows in the process list as --key KEY does."""
    if value is None:
        return None
    import json
    import sys

    try:
        text = sys.stdin.read() if value == "-" else Path(value).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.BadParameter(f"{value!r} cannot be read: {error}.") from None
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    key = str(document.get("key", "")) if isinstance(document, dict) else text.strip()
    if not _KEY.fullmatch(key):
        raise click.BadParameter(
            f"{value!r} holds no teacher key: the key alone, or class-lab.json as `serve` keeps it."
        )
    return key


def _lesson_ids(given: tuple[str, ...], lessons: Sequence[str]) -> tuple[str, ...]:
    """The lessons named by id, or by number as the lesson list shows it ("5" or "05": the
    lesson's place in the lab's course, from 1); an id is kept as it is."""
    ids = list(lessons)
    named = []
    for lesson in given:
        if lesson not in ids and lesson.isdigit():
            number = int(lesson)
            if not 1 <= number <= len(ids):
                raise click.ClickException(
                    f"There is no lesson {lesson} on this lab: its course has lessons 01 to "
                    f"{len(ids):02d}."
                )
            lesson = ids[number - 1]
        named.append(lesson)
    return tuple(named)


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
    metavar="ID|NUMBER",
    help="Show this lesson's exercises: its id or its number in the lesson list (5 or 05); "
    "may be given more than once [default: every lesson with exercises].",
)
@click.option(
    "--lab",
    metavar="URL",
    callback=class_url_option,
    help="The class lab on another machine (with --key-file) [default: the one `serve` runs here].",
)
@click.option(
    "--key-file",
    metavar="FILE",
    callback=_key_file,
    help="That lab's teacher key (with --lab), read from FILE: the key alone, or a copy of "
    "class-lab.json; - reads it from standard input.",
)
@click.option(
    "--key",
    metavar="KEY",
    callback=_key,
    help="That lab's teacher key (with --lab). Avoid it: a key on the command line shows to "
    "anyone who lists this machine's processes (ps), and in the shell's history; prefer "
    "--key-file.",
)
@click.option(
    "--export",
    "export_path",
    metavar="FILE.csv|FILE.json",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_export,
    help="Write the class table to FILE and exit: no terminal needed.",
)
def class_view(
    lessons: tuple[str, ...],
    lab: str | None,
    key_file: str | None,
    key: str | None,
    export_path: Path | None,
) -> None:
    """The teacher's live view of the class: one row per student, one column per exercise (✓
    met, attempts, · not tried), each student's latest verdict and exam score. Enter opens a
    student's chains hop by hop; keys free a name, set the exam and export the table.

    On the machine that runs `serve`, it finds the lab and its teacher key by itself; from
    another machine give --lab URL --key-file FILE (FILE: a copy of class-lab.json from the data
    folder of the machine that runs `serve`, or the key alone; - reads it from standard input).
    --key KEY works too, but the key then shows in the process list and the shell's history.
    The exercises are those of the lab's course: the packs `serve` was given with --lessons;
    --lesson names one by id or by its number in the lesson list.

    With --export it writes the same table (CSV: name, then "<exercise> met" and "<exercise>
    attempts" for each exercise, latest verdict, exam score, exam graded, exam answers) and
    exits.
    """
    import asyncio

    from tutor.classroom.export import write_export
    from tutor.classroom.teacher import ClassState, TeacherError, TeacherLink, find_lab

    if key is not None and key_file is not None:
        raise click.UsageError("--key-file or --key: one teacher key.")
    key = key if key is not None else key_file
    if (lab is None) != (key is None):
        raise click.UsageError(
            "--lab and --key go together: the lab's URL and its teacher key (--key-file FILE "
            "keeps it out of the process list)."
        )
    if export_path is None:
        prepare_terminal()
    try:
        access = find_lab(lab, key)

        async def read() -> ClassState:
            async with TeacherLink(access) as link:
                return await link.snapshot()

        state = asyncio.run(read())
        lessons = _lesson_ids(lessons, list(state.lessons))
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
        count, exercises = len(state.students), len(columns)
        click.echo(
            f"Wrote {count} student{'' if count == 1 else 's'} x {exercises} "
            f"exercise{'' if exercises == 1 else 's'} to {export_path}."
        )
        return
    from tutor.ui.class_app import ClassApp

    try:
        run_full_screen(ClassApp(access, lessons, state))
    except KeyboardInterrupt:  # a SIGINT from outside: the app never saw it as a key
        click.get_current_context().exit(INTERRUPTED)
