"""The Lab (key e) lists the course's edge cases at 80x24; picking one runs it like a lesson's."""

from __future__ import annotations

from pathlib import Path

from pilot import SIZE, fixture_dir, settle, tutor_app
from textual.widgets import OptionList, Select

from tutor.lab.server import LabServer
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import Ladder
from tutor.ui.widgets.experiment.listing import ExperimentList
from tutor.ui.widgets.experiment.verdict import VerdictLine


async def test_the_lab_lists_the_edge_cases_and_runs_the_one_picked(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        lab_screen = app.screen
        assert isinstance(lab_screen, ExperimentScreen)
        assert lab_screen.title == "Lab"
        assert app.focused is lab_screen.query_one("#code", Select)
        listing = lab_screen.query_one(ExperimentList)
        assert listing.display and not lab_screen.query_one(Ladder).display
        course = app.session.course
        assert course is not None
        assert [edge.id for edge in listing.experiments] == [edge.id for edge in course.edges]
        first = str(listing.query_one(OptionList).get_option_at_index(0).prompt)
        assert first.splitlines()[0] == "A 307 without Location"
        assert "RFC 9110 §15.4" in first

        # l goes to the list; ↓ to the sixth edge (a 302 then a 307); Enter runs it.
        await pilot.press("l")
        assert app.focused is listing.query_one(OptionList)
        await pilot.press(*["down"] * 5, "enter")
        await settle(pilot)
        edge_screen = app.screen
        assert isinstance(edge_screen, ExperimentScreen) and edge_screen is not lab_screen
        assert edge_screen.title == "A 302 then a 307"
        assert edge_screen.query_one("#code", Select).value == 302
        assert edge_screen.query_one("#method", Select).value == "POST"
        assert "Each hop follows its own code" in str(edge_screen.query_one("#shows").visual)
        assert edge_screen.query_one(VerdictLine).text == "! POST became GET, body dropped"
        assert edge_screen.query_one(HopTable).row_count == 3

        await pilot.press("escape")
        assert app.screen is lab_screen
        assert listing.display


async def test_an_edge_case_says_what_became_of_its_headers(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        course = app.session.course
        assert course is not None
        edge = course.edge("other-origin")
        assert edge is not None
        await app.push_screen(ExperimentScreen.of_edge(app.session, edge))
        await settle(pilot)
        fates = str(app.screen.query_one("#header-fates").visual)
        assert fates == "Headers at the target: Authorization dropped, Cookie dropped"


async def test_a_free_run_in_the_lab_shows_its_ladder_and_l_brings_the_list_back(
    lab: LabServer,
) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e", "ctrl+r")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one(VerdictLine).text == "✓ POST kept, body intact (8 bytes)"
        assert screen.query_one(Ladder).display and not screen.query_one(ExperimentList).display
        await pilot.press("l")
        assert screen.query_one(ExperimentList).display and not screen.query_one(Ladder).display


async def test_without_edge_cases_the_lab_is_the_free_experiment_alone(
    lab: LabServer, tmp_path: Path
) -> None:
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert not screen.query_one(ExperimentList).display
        assert screen.query_one(Ladder).display
        assert screen.query_one(VerdictLine).text == "Press ctrl+r, or Enter in Body, to run it."
        assert not screen.check_action("edges", ())  # no "Edge cases" key in the footer


async def test_while_the_course_loads_the_lab_says_so_then_lists_the_edges(
    lab: LabServer,
) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        course, app.session.course = app.session.course, None
        screen = ExperimentScreen(app.session)
        await app.push_screen(screen)
        await pilot.pause()
        listing = screen.query_one(ExperimentList)
        assert str(listing.query_one("Static").visual) == "The lab's edge cases are loading…"
        assert not listing.query_one(OptionList).display
        assert not screen.check_action("edges", ())
        app.session.course = course  # as the loader does, and then it tells the app
        assert course is not None
        app.post_message(app.CourseLoaded(course))
        await settle(pilot)
        assert listing.query_one(OptionList).display
        assert course is not None and len(listing.experiments) == len(course.edges)
        assert screen.check_action("edges", ())
