"""Faults a careless learner or a hostile client could cause in the TUI, reproduced as found.

A blank drop-down entry must never reach a model, and text from the network or a lesson file
is shown as it is: never read as markup, never acted on by the terminal (issue 13, items 1-2).
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from pilot import SIZE, settle, tutor_app
from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Select, Static

from tutor.lab.server import LabServer
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.journal import JournalScreen
from tutor.ui.screens.lessons import LessonsScreen
from tutor.ui.screens.progress import ProgressScreen
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.screens.reader import ReaderScreen
from tutor.ui.widgets.course.lesson_list import LessonList
from tutor.ui.widgets.course.problems import Problems
from tutor.ui.widgets.experiment.ladder import Ladder
from tutor.ui.widgets.experiment.verdict import VerdictLine
from tutor.ui.widgets.quiz.choices import ChoiceList
from tutor.ui.widgets.quiz.feedback import Feedback
from tutor.ui.widgets.reader.exercise import ExercisePanel

# Item 1: the blank entry of a drop-down.


async def _tab_to(pilot: Pilot[None], selector: str) -> None:
    """Press Tab until `selector` has the focus, as a learner finds a control."""
    for _ in range(12):
        focused = pilot.app.focused
        if focused is not None and focused.id == selector.removeprefix("#"):
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached {selector}")


async def test_the_configure_exercise_offers_no_blank_code_and_checks(lab: LabServer) -> None:
    """Found: Tab to the Code drop-down, choose its blank entry, Check -> ValidationError."""
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lesson = app.session.course.lesson("choosing-a-code")
        await app.push_screen(ReaderScreen(app.session, lesson, "your-turn-checkout-moves"))
        await settle(pilot)
        screen = app.screen
        await _tab_to(pilot, "#exercise-code")
        await pilot.press("enter", "home", "enter")  # the top entry: where the blank one was
        await _tab_to(pilot, "#exercise-check")
        await pilot.press("enter")
        await settle(pilot)
        result = str(screen.query_one("#exercise-result", Static).visual)
        assert "Not yet" in result and "301 says the move is permanent" in result
        assert screen.query_one("#exercise-code", Select).value == 301, "the first code offered"
        for name in ("code", "location", "cache"):
            assert not screen.query_one(f"#exercise-{name}", Select).is_blank()


async def test_every_drop_down_of_an_exercise_is_never_blank(lab: LabServer, tmp_path: Path):
    """Each step's own offer replaces the last one's, and none has a blank entry."""
    (tmp_path / "markup.yaml").write_text(MARKUP_LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lesson = app.session.course.lesson("markup-everywhere")
        await app.push_screen(ReaderScreen(app.session, lesson, "configure"))
        await settle(pilot)
        panel = app.screen.query_one(ExercisePanel)
        offered = {
            name: [value for _, value in panel.query_one(f"#exercise-{name}", Select)._options]
            for name in ("code", "location", "cache")
        }
        assert offered == {
            "code": [301, 307],
            "location": ["path", "relative"],
            "cache": ["no-store"],
        }


async def test_a_body_no_client_could_send_is_refused_in_the_panel(lab: LabServer) -> None:
    """The Lab's Body takes any text pasted into it; what no client could send is refused in
    the verdict line (one sentence, printable), not raised, and the form is ready again."""
    app = tutor_app(builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExperimentScreen)
        body = screen.query_one("#body", Input)
        body.value = ""
        body.focus()
        body.post_message(events.Paste("a=\ud800"))
        await pilot.pause()
        await pilot.press("enter")  # Enter in Body runs it
        await settle(pilot)
        verdict = screen.query_one(VerdictLine).text
        assert verdict.startswith("✗ Not run: ") and "\\ud800" in verdict, verdict
        assert str(screen.query_one("#run", Button).label) == "Run"


# Item 2: text from the network, or from a lesson's fields, is never markup.


async def test_the_journal_shows_a_path_that_looks_like_markup(lab: LabServer) -> None:
    """Found: open the Journal (j), then `curl -g 'http://127.0.0.1:PORT/x[/nope]'`."""
    app = tutor_app(builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        for path in ("/x[/nope]", "/y[link=https://example.org]z[/link]", "/[@click=app.quit]q"):
            curl = ["curl", "-sg", "-o", "/dev/null", f"{lab.url}{path}"]
            subprocess.run(curl, check=True, timeout=10)
        subprocess.run(["curl", "-s", "-o", "/dev/null", f"{lab.url}/e%1b%5B2J%e2%80%ae"])
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, JournalScreen)
        table = app.screen.query_one(DataTable)
        paths = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert "/x[/nope]" in paths
        assert "/y[link=https://example.org]z[/link]" in paths
        assert "/[@click=app.quit]q" in paths
        assert "/e\\x1b[2J\\u202e" in paths


MARKUP_LESSON = textwrap.dedent(
    """\
    format: 1
    id: markup-everywhere
    title: "Markup [/t] in every field [link=https://x]x[/link]"
    summary: "A summary with [/s] and [bold]"
    minutes: 3
    citations:
      - id: c1
        title: "A source [/c]"
        url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8
        quote: "A quote [/q]"
    steps:
      - id: run
        title: "Step [/st]"
        cite: [c1]
        text: "Text with [/x] and **bold**."
        experiments:
          - id: post-307
            label: "POST [/l] through 307"
            code: 307
            to: "/echo/[/x]"
            method: POST
            body: "a=[/b]"
            headers: {X-Tag: "[/h]"}
            client: httpx
            expect: {method: POST, body: intact}
      - id: configure
        title: "Configure [/cf]"
        cite: [c1]
        text: Choose.
        exercise:
          kind: configure
          task: "Keep the POST [/task]"
          client: httpx
          method: POST
          body: "order=[/e]"
          codes: [301, 307]
          locations: [path, relative]
          goal: {method: POST, body: intact}
          answer: {code: 307}
          hints: ["A hint [/hint]"]
    """
)
MARKUP_BANK = textwrap.dedent(
    """\
    format: 1
    kind: quiz
    id: markup-bank
    title: "Questions [/qt]"
    lesson: markup-everywhere
    citations:
      - id: c1
        title: "A source [/c]"
        url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8
    questions:
      - id: markup-single
        kind: single
        prompt: "Which one [/p]?"
        cite: [c1]
        choices:
          - id: right
            text: "[/a] this one"
            correct: true
            explanation: "Because [/why]."
          - id: wrong
            text: "[/b] that one"
            explanation: "No [/no]."
            misconception: "A belief [/mis]."
    """
)


def _markup_pack(folder: Path) -> Path:
    (folder / "lesson.yaml").write_text(MARKUP_LESSON, encoding="utf-8")
    (folder / "bank.yaml").write_text(MARKUP_BANK, encoding="utf-8")
    return folder


async def _highlight(pilot: Pilot[None], lesson_id: str) -> None:
    lessons = pilot.app.screen.query_one(LessonList)
    lessons.highlighted = [listed.id for listed in lessons.lessons].index(lesson_id)
    await pilot.pause()


async def test_a_lesson_experiment_to_a_markup_path_runs_on_r(lab: LabServer, tmp_path: Path):
    """Found: a lesson pack with `to: "/echo/[/x]"` passes lint and crashed the TUI on `r`."""
    app = tutor_app([_markup_pack(tmp_path)], lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _highlight(pilot, "markup-everywhere")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        assert "Step [/st]" in str(screen.query_one("#step-indicator", Static).visual)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExperimentScreen)
        assert screen.title == "POST [/l] through 307"
        ladder = screen.query_one(Ladder).render().plain
        assert "POST /echo/[/x] · 6 B" in ladder, ladder
        assert screen.query_one(VerdictLine).text == "✓ POST kept, body intact (6 bytes)"
        assert "✓ Confirmed live." in str(screen.query_one("#claim", Static).visual)
        assert "X-Tag arrived" in str(screen.query_one("#header-fates", Static).visual)
        await pilot.press("escape")
        await pilot.press("n")  # the configure exercise, its task and body as written
        await settle(pilot)
        panel = app.screen.query_one(ExercisePanel)
        assert "Keep the POST [/task]" in str(panel.query_one("#exercise-task", Static).visual)
        assert "'order=[/e]'" in str(panel.query_one("#exercise-url", Static).visual)
        await pilot.press("h")
        assert "A hint [/hint]" in str(panel.query_one("#exercise-hints", Static).visual)


async def test_markup_in_a_packs_fields_reaches_progress_and_quiz(lab: LabServer, tmp_path: Path):
    """The lesson list, the Progress screen (g) and a quiz (q) on a pack full of brackets."""
    app = tutor_app([_markup_pack(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, ProgressScreen)
        titles = [str(label.visual) for label in app.screen.query(".lesson-title")]
        assert titles == ["  Markup [/t] in every field [link=https://x]x[/link]"]
        await pilot.press("escape")
        assert isinstance(app.screen, LessonsScreen)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        choices = app.screen.query_one(ChoiceList)
        shown = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        wrong = next(number for number, text in enumerate(shown, 1) if "[/b] that one" in text)
        await pilot.press(str(wrong))
        await settle(pilot)
        feedback = str(app.screen.query_one(Feedback).visual)
        assert "✗ Wrong. The answer: “[/a] this one”" in feedback
        assert "A belief [/mis]." in feedback


async def test_a_broken_files_name_is_shown_as_it_is(lab: LabServer, tmp_path: Path) -> None:
    """A lesson file's name is the teacher's: brackets shown, an escape shown escaped."""
    (tmp_path / "bad[red]\x1b[2J.yaml").write_text("format: 1\nid: [unclosed\n", encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        problems = app.screen.query_one(Problems)
        assert problems.display
        assert "bad[red]\\x1b[2J.yaml:" in problems.text, problems.text
