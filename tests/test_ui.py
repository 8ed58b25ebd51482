"""The TUI driven by Pilot at 80x24 against the real lab: lessons, steps, live experiments."""

from __future__ import annotations

import io
from pathlib import Path

from pilot import SIZE, fixture_dir, settle, tutor_app
from rich.console import Console
from textual.widgets import Select

from tutor.lab.journal import Hop, label
from tutor.lab.server import LabServer
from tutor.ui.app import TutorApp
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.lessons import LessonsScreen
from tutor.ui.screens.reader import ReaderScreen
from tutor.ui.widgets.course.lesson_list import LessonList
from tutor.ui.widgets.course.problems import Problems
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import BODY_CHANGED, METHOD_CHANGED, render_ladder
from tutor.ui.widgets.experiment.verdict import VerdictLine
from tutor.ui.widgets.reader.sources import Sources, render_sources


def hop(number: int, method: str, path: str, body: bytes, status: int, location: str | None) -> Hop:
    return Hop(
        seq=number,
        chain="c0ffee",
        at=0.0,
        peer="127.0.0.1:50000",
        method=method,
        path=path,
        query="chain=c0ffee",
        headers=(),
        body=body,
        body_size=len(body),
        body_digest=f"digest-{body!r}",
        status=status,
        location=location,
    )


async def test_lesson_step_runs_its_experiment(lab: LabServer, tmp_path: Path) -> None:
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lessons = app.screen.query_one(LessonList)
        assert [lesson.title for lesson in lessons.lessons] == ["A fixture lesson"]

        await pilot.press("enter")
        assert isinstance(app.screen, ReaderScreen)
        assert "Step 1/2" in str(app.screen.query_one("#step-indicator").visual)
        await pilot.press("r")  # the first step has no experiment: nothing happens
        assert isinstance(app.screen, ReaderScreen)

        await pilot.press("n")
        await pilot.pause()
        assert "Step 2/2 · Watch a 307" in str(app.screen.query_one("#step-indicator").visual)
        sources = app.screen.query_one(Sources)
        assert [citation.title for citation in sources.citations] == [
            "RFC 9110 §15.4.8 307 Temporary Redirect"
        ]
        console = Console(width=76, record=True, file=io.StringIO())
        console.print(render_sources(sources.citations))
        shown = console.export_text()
        assert "• RFC 9110 §15.4.8 307 Temporary Redirect" in shown
        assert "  https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8" in shown

        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExperimentScreen)
        assert screen.query_one(VerdictLine).text == "✓ POST kept, body intact (8 bytes)"
        assert "✓ Confirmed live." in str(screen.query_one("#claim").visual)
        table = screen.query_one(HopTable)
        assert table.row_count == 2
        assert [str(table.get_row_at(i)[1]) for i in range(2)] == ["POST", "POST"]
        assert [table.get_row_at(i)[4] for i in range(2)] == ["307", "200"]

        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, LessonsScreen)


async def test_experiment_panel_by_hand(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ExperimentScreen)
        code = screen.query_one("#code", Select)
        assert app.focused is code

        # Keyboard only: open the code list, type to find 303, pick it, run.
        await pilot.press("enter", "3", "0", "3", "enter")
        assert code.value == 303
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.query_one(VerdictLine).text == "! POST became GET, body dropped"
        assert screen.query_one(VerdictLine).has_class("-changed")
        second = screen.query_one(HopTable).get_row_at(1)
        assert (str(second[1]), second[1].style) == ("GET", METHOD_CHANGED)
        assert (str(second[3]), second[3].style) == ("0", BODY_CHANGED)

        code.value = 307
        screen.query_one("#method", Select).value = "POST"
        screen.query_one("#client", Select).value = "httpx"
        await pilot.press("ctrl+r")
        await settle(pilot)
        verdict = screen.query_one(VerdictLine)
        assert "POST kept, body intact" in verdict.text
        assert verdict.has_class("-kept")
        assert screen.query_one(HopTable).row_count == 2
        assert not screen.query_one("#client-error").display


async def test_clients_are_labelled_with_version_or_not_installed(lab: LabServer) -> None:
    from tutor.experiments import clients

    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        select = app.screen.query_one("#client", Select)
        labels = [str(prompt) for prompt, _ in select._options]
        for name, label in zip(clients.CLIENT_NAMES, labels, strict=True):
            version = clients.get(name).version()
            assert label == (f"{name} {version}" if version else f"{name} (not installed)")
        assert select.value == "httpx"


async def test_broken_lesson_file_is_listed_and_the_others_load(
    lab: LabServer, tmp_path: Path
) -> None:
    fixture_dir(tmp_path)
    (tmp_path / "zz-broken.yaml").write_text("format: 1\nid: [unclosed\n", encoding="utf-8")
    app = tutor_app([tmp_path], lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        problems = app.screen.query_one(Problems)
        assert problems.display
        assert "zz-broken.yaml:" in problems.text
        line = next(line for line in problems.text.splitlines() if "zz-broken.yaml:" in line)
        row, col, message = line.rsplit("zz-broken.yaml:", 1)[1].split(":", 2)
        assert row.isdigit() and col.isdigit() and message.strip()
        titles = [lesson.title for lesson in app.screen.query_one(LessonList).lessons]
        assert "A fixture lesson" in titles
        assert len(titles) >= 2  # the built-in course loads too


async def test_command_palette_offers_the_screen_keys(lab: LabServer, tmp_path: Path) -> None:
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Next", "Lessons", "Quit"} <= titles
        assert "Prev step" not in titles  # on the first step there is no previous one
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_stopped_lab_is_a_message_not_a_crash() -> None:
    with LabServer() as stopped:
        pass
    app = tutor_app(builtin=False, lab=stopped)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e", "ctrl+r")
        await settle(pilot)
        verdict = app.screen.query_one(VerdictLine)
        assert verdict.text.startswith("✗ The lab server is not running")
        assert verdict.has_class("-failed")


async def test_the_app_starts_its_own_lab_when_needed_and_stops_it() -> None:
    app = tutor_app(builtin=False)
    assert isinstance(app, TutorApp)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.lab.url is None  # nothing needed it yet: start-up is not slowed
        assert app.sub_title == "lab starting…"
        own = app.session.lab.wait()  # the first use starts it
        assert own.running
        await settle(pilot)
        assert app.sub_title == f"lab {own.url.removeprefix('http://')}"
    assert not own.running


def test_ladder_marks_a_method_change_and_a_dropped_body() -> None:
    hops = [
        hop(1, "POST", "/redirect/303", b"name=ada", 303, "/echo?chain=c0ffee"),
        hop(2, "GET", "/echo", b"", 200, None),
    ]
    text = render_ladder(hops, client="httpx 0.28.1", lab="lab 127.0.0.1:8307", width=78)
    lines = text.plain.splitlines()
    assert len(lines) == 5  # a title, then a request and a response arrow per hop
    assert all(len(line) <= 78 for line in lines)
    assert lines[0].startswith("   httpx 0.28.1") and lines[0].endswith("lab 127.0.0.1:8307")
    assert "POST /redirect/303 · 8 B" in lines[1] and lines[1].endswith("▶│")
    assert f"303 See Other → /echo?chain={label('c0ffee')}" in lines[2] and "│◀" in lines[2]
    assert "POST→GET /echo · 0 B, body dropped" in lines[3]
    assert "200 OK" in lines[4]

    def styled(style: str) -> list[str]:
        return [text.plain[span.start : span.end] for span in text.spans if span.style == style]

    assert styled(METHOD_CHANGED) == ["POST→GET"]
    assert styled(BODY_CHANGED) == ["0 B, body dropped"]


def test_ladder_of_a_kept_post_marks_nothing_and_fits_80_columns() -> None:
    long_location = "/echo/" + "x" * 120 + "?chain=c0ffee"
    hops = [
        hop(1, "POST", "/redirect/307", b"a=1", 307, long_location),
        hop(2, "POST", "/echo/" + "x" * 120, b"a=1", 200, None),
    ]
    text = render_ladder(hops, width=76)
    assert all(len(line) <= 76 for line in text.plain.splitlines())
    assert "…" in text.plain
    assert not [span for span in text.spans if span.style in (METHOD_CHANGED, BODY_CHANGED)]


def test_ladder_of_a_redirect_not_followed_says_so() -> None:
    text = render_ladder([hop(1, "POST", "/redirect/300", b"a=1", 300, "/echo")])
    assert "the client sent nothing more" in text.plain
    assert render_ladder([]).plain == "No request reached the lab."
