"""The learner's side: `quiz` (in the tutor or plain) and `progress` (the record)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tutor.cli.group import (
    INTERRUPTED,
    class_join,
    cli,
    close_session,
    join_options,
    prepare_terminal,
    run_full_screen,
    uninterrupted,
)
from tutor.cli.problems import warn_problems

if TYPE_CHECKING:
    from tutor.progress.record import Record
    from tutor.quiz.plan import Plan
    from tutor.session.study import StudySession

__all__ = ["progress", "quiz"]


@cli.command(short_help="Answer the course's questions (--plain for scripts).")
@click.option("--lesson", metavar="ID", help="Only the questions of this lesson.")
@click.option("--tag", metavar="TAG", help="Only the questions with this tag.")
@click.option("--due", is_flag=True, help="Only the questions due for review.")
@click.option(
    "--seed", type=int, help="An exam: the same questions and choices, in one order, for this seed."
)
@click.option("--count", type=click.IntRange(min=1), help="Ask at most this many questions.")
@click.option(
    "--time-limit", type=click.IntRange(min=1), metavar="SECONDS", help="End the quiz after this."
)
@click.option(
    "--name", help="The student's name: written into the result file; with --join, the class's."
)
@click.option(
    "--result",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the result here: CSV if it ends in .csv, otherwise JSON.",
)
@click.option("--plain", is_flag=True, help="Plain text on stdin/stdout (scripts, screen readers).")
@join_options(name=False)
@click.pass_obj
def quiz(
    lesson_dirs: tuple[Path, ...],
    lesson: str | None,
    tag: str | None,
    due: bool,
    seed: int | None,
    count: int | None,
    time_limit: int | None,
    name: str | None,
    result: Path | None,
    plain: bool,
) -> None:
    """Answer questions from the course; predict questions run live on the lab.

    With --join, on the teacher's lab: when the teacher set an exam there, that exam, graded by
    the lab (run it again to go on after an interruption)."""
    from tutor.quiz.plan import Plan
    from tutor.session.factory import make_session

    plan = Plan(lesson, tag, due, seed, count, time_limit, name, result)
    join = class_join(name)
    session = make_session(lesson_dirs, join=join)
    if not plain:
        prepare_terminal()
        from tutor.ui.app import build_app

        status = 0
        try:
            run_full_screen(build_app(session, quiz=plan))
        except KeyboardInterrupt:  # a SIGINT from outside: the app never saw it as a key
            status = INTERRUPTED
        closing = close_session(session)
        sys.exit(status or closing)
    sys.exit(_plain_quiz(session, plan, joining=join is not None))


def _plain_quiz(session: StudySession, plan: Plan, *, joining: bool) -> int:
    """The plain quiz on stdin and stdout; the exit status (0: it ran, 1: nothing to ask, no lab,
    a class lab lost mid-exam or a result not written, 130: interrupted, an exam's partial
    result handed in). `joining`: on the class lab, whose exam it is when the teacher set one."""
    from tutor.classroom.student import ClassRefused, ClassUnreachable
    from tutor.quiz.feedback import score_line
    from tutor.quiz.plain import run_plain
    from tutor.session.lab import LabUnavailable

    status = 0
    try:
        course = session.load_course()
        warn_problems(course)
        session.listen(lambda sentence: click.echo(sentence, err=True))
        record = session.open_record()
        if record.notice:
            click.echo(record.notice, err=True)
        if joining:
            session.lab.start()  # the class's lab; or not, and the quiz says why
        quiz, problem = session.quiz(plan)
        if quiz is None:
            click.echo(problem, err=True)
            close_session(session)
            return 1
        count = len(quiz.items)
        asked = (
            f"graded by {quiz.graded_by}"
            if quiz.graded_by
            else f"({plan.describe(course.lesson_titles)})"
        )
        click.echo(
            f"{'Exam' if quiz.graded_by else 'Quiz'}: {count} question{'s' if count != 1 else ''}"
            f" {asked}. Answer with a choice's number; several as 1,3. End of input ends the quiz."
        )
        if quiz.position:
            score = f" ({score_line(quiz)})" if quiz.scored else ""
            click.echo(f"Resumed: {quiz.position} answered before{score}.")
        click.echo()
        try:
            run_plain(quiz, sys.stdin, sys.stdout)
        except KeyboardInterrupt:
            quiz.stop(interrupted=True)
            click.echo("\nInterrupted.")
            status = INTERRUPTED
        except (ClassUnreachable, ClassRefused) as error:
            quiz.stop(interrupted=True)
            click.echo(
                f"\nThat answer was not counted: {str(error).rstrip('.')}. Run the same command "
                "again to go on with the exam where you are.",
                err=True,
            )
            status = 1
        if plan.result is not None:
            with uninterrupted():
                click.echo(session.hand_in(quiz, plan))
    except LabUnavailable as error:
        click.echo(str(error), err=True)
        status = 1
    except KeyboardInterrupt:
        click.echo("\nInterrupted before the quiz began.", err=True)
        status = INTERRUPTED
    closing = close_session(session)
    return status or closing


@cli.command(short_help="Your record: lessons done, questions known, due.")
@click.option(
    "--export",
    "fmt",
    type=click.Choice(["json", "csv"]),
    is_flag=False,
    flag_value="json",
    help="Print the record: json (the default) or csv (the answers).",
)
@click.option(
    "--import",
    "kept",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Add progress kept in FILE while the record could not be written.",
)
@click.option("--reset", is_flag=True, help="Forget the whole record (asks first).")
@click.option("--yes", is_flag=True, help="With --reset: do not ask.")
@click.pass_obj
def progress(
    lesson_dirs: tuple[Path, ...], fmt: str | None, kept: Path | None, reset: bool, yes: bool
) -> None:
    """The learner's record: lessons done, questions known, due for review."""
    from tutor.progress.export import export
    from tutor.progress.summary import summarize
    from tutor.session.factory import make_session

    session = make_session(lesson_dirs)
    session.listen(lambda sentence: click.echo(sentence, err=True))
    status = 0
    try:
        record = session.open_record()
        if record.notice:
            click.secho(record.notice, fg="yellow", err=True)
        if kept is not None:
            status = _import(record, kept)
        elif reset:
            status = _forget(record, yes)
        elif fmt:
            click.echo(export(record, fmt), nl=False)
        else:
            course = session.load_course()
            warn_problems(course)
            click.echo("\n".join(summarize(record, course).report()))
            click.echo(f"Record: {_where(record)}", err=True)
    finally:
        closing = close_session(session)
    sys.exit(status or closing)


def _forget(record: Record, yes: bool) -> int:
    """`progress --reset`: the exit status (1: the record cannot be written now)."""
    from tutor.progress.record import Unwritable

    if record.path is None:  # a record in memory: a newer tutor's file, left as it is
        click.echo("Nothing to forget on disk: this record is not saved.", err=True)
    elif yes or click.confirm(f"Forget all progress in {record.path}?"):
        try:
            record.reset()
        except Unwritable as error:
            click.echo(f"Progress not forgotten: {error}.", err=True)
            return 1
        click.echo("Progress forgotten.")
    return 0


def _where(record: Record) -> str:
    if record.path is None:
        return "in memory only"
    return str(record.path) if record.saved else f"{record.path} (cannot be written now)"


def _import(record: Record, kept: Path) -> int:
    """`progress --import FILE`: the exit status (1: not added). A file beside the record was
    taken in as the record opened."""
    from tutor.progress.record import Unwritable

    if not kept.exists():
        click.echo(f"{kept} was added to the record as it opened.")
        return 0
    try:
        taken = record.import_file(kept)
    except (Unwritable, ValueError, OSError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        click.echo(f"{kept} was not added: {reason}.", err=True)
        return 1
    click.echo(f"{taken} change{'s' if taken != 1 else ''} from {kept} added to the record.")
    return 0
