"""The learner's side: `quiz` (in the tutor or plain) and `progress` (the record)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tutor.cli.group import cli

if TYPE_CHECKING:
    from tutor.quiz.plan import Plan
    from tutor.session.study import StudySession

__all__ = ["progress", "quiz"]


@cli.command()
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
@click.option("--name", help="The student's name, written into the result file.")
@click.option(
    "--result",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the result here: CSV if it ends in .csv, otherwise JSON.",
)
@click.option("--plain", is_flag=True, help="Plain text on stdin/stdout (scripts, screen readers).")
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
    """Answer questions from the course; predict questions run live on the lab."""
    from tutor.quiz.plan import Plan
    from tutor.session.factory import make_session

    plan = Plan(lesson, tag, due, seed, count, time_limit, name, result)
    session = make_session(lesson_dirs)
    if not plain:
        from tutor.ui.app import build_app

        build_app(session, quiz=plan).run()
        return
    sys.exit(_plain_quiz(session, plan))


def _plain_quiz(session: StudySession, plan: Plan) -> int:
    """The plain quiz on stdin and stdout; the exit status (0: it ran, 1: nothing to ask or no
    lab)."""
    from tutor.quiz.plain import run_plain
    from tutor.session.lab import LabUnavailable

    course = session.load_course()
    record = session.open_record()
    if record.notice:
        click.echo(record.notice, err=True)
    try:
        quiz, problem = session.quiz(plan)
        if quiz is None:
            click.echo(problem, err=True)
            return 1
        asked = plan.describe(course.lesson_titles)
        count = len(quiz.items)
        click.echo(
            f"Quiz: {count} question{'s' if count != 1 else ''} ({asked}). "
            "Answer with a choice's number; several as 1,3. End of input ends the quiz.\n"
        )
        run_plain(quiz, sys.stdin, sys.stdout)
        if plan.result is not None:
            click.echo(session.hand_in(quiz, plan))
    except LabUnavailable as error:
        click.echo(str(error), err=True)
        return 1
    finally:
        session.close()
    return 0


@cli.command()
@click.option(
    "--export", "fmt", type=click.Choice(["json", "csv"]), help="Print the record (csv: answers)."
)
@click.option("--reset", is_flag=True, help="Forget the whole record (asks first).")
@click.option("--yes", is_flag=True, help="With --reset: do not ask.")
@click.pass_obj
def progress(lesson_dirs: tuple[Path, ...], fmt: str | None, reset: bool, yes: bool) -> None:
    """The learner's record: lessons done, questions known, due for review."""
    from tutor.progress.export import export
    from tutor.progress.summary import summarize
    from tutor.session.factory import make_session

    session = make_session(lesson_dirs)
    record = session.open_record()
    try:
        if record.notice:
            click.secho(record.notice, fg="yellow", err=True)
        if reset:
            if record.path is None:  # a record in memory: a newer tutor's file, left as it is
                click.echo("Nothing to forget on disk: this record is not saved.", err=True)
            elif yes or click.confirm(f"Forget all progress in {record.path}?"):
                record.reset()
                click.echo("Progress forgotten.")
        elif fmt:
            click.echo(export(record, fmt), nl=False)
        else:
            click.echo("\n".join(summarize(record, session.load_course()).report()))
            click.echo(f"Record: {record.path or 'in memory only'}", err=True)
    finally:
        session.close()
