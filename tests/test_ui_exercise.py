"""Exercises in the reader at 80x24, live: your own client, and a configured answer."""

from __future__ import annotations

import subprocess

from pilot import SIZE, settle, tutor_app
from textual.widgets import Input, Select, Static

from tutor.lab.server import LabServer
from tutor.ui.screens.reader import ReaderScreen
from tutor.ui.widgets.reader.exercise import ExercisePanel


def _result(screen: ReaderScreen) -> str:
    return str(screen.query_one("#exercise-result", Static).visual)


async def _reader(app, pilot, lesson_id: str, step_id: str) -> ReaderScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    lesson = app.session.course.lesson(lesson_id)
    screen = ReaderScreen(app.session, lesson, step_id)
    await app.push_screen(screen)
    await settle(pilot)
    return screen


async def test_bring_your_own_waits_then_is_met_by_curl(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _reader(app, pilot, "found-302", "your-turn-keep-the-post")
        panel = screen.query_one(ExercisePanel)
        assert panel.display
        url = f"{lab.url}/s/me/redirect/302"
        assert url in str(screen.query_one("#exercise-url", Static).visual)
        assert "Not yet: nothing has arrived from you" in _result(screen)
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-L", "--post302", "-d", "a=1", url])
        await settle(pilot)  # the lab posted the hops before it answered curl
        assert "✓ Met · POST kept, body intact (3 bytes)" in _result(screen)
        await settle(pilot)  # the record keeps it: part of what makes the lesson done
        record = app.session.record
        assert record is not None
        met = record.lessons()["found-302"].met
        assert met == {("your-turn-keep-the-post", "exercise")}


async def test_a_joined_tutor_does_the_exercise_on_the_class_lab_under_its_name() -> None:
    from tutor.classroom.routes import Classroom
    from tutor.classroom.student import Join
    from tutor.course.loader import load_course
    from tutor.lab.journal import Journal

    journal = Journal()
    room = Classroom(load_course(), journal, "k" * 43)
    with LabServer(journal=journal, annex=room) as class_lab:
        app = tutor_app(join=Join(class_lab.url, "ada"))
        async with app.run_test(size=SIZE) as pilot:
            screen = await _reader(app, pilot, "found-302", "your-turn-keep-the-post")
            await settle(pilot)
            assert app.sub_title == f"class lab {class_lab.url.removeprefix('http://')} as ada"
            name = screen.query_one("#exercise-name", Input)
            assert (name.value, name.disabled) == ("ada", True), "the class knows ada by it"
            url = f"{class_lab.url}/s/ada/redirect/302"
            assert url in str(screen.query_one("#exercise-url", Static).visual)
            curl = ["curl", "-s", "-o", "/dev/null", "-L", "--post302", "-d", "a=1", url]
            subprocess.run(curl, check=True)
            for _ in range(20):  # the hop comes through the class lab's feed, then a check
                await settle(pilot)
                if "✓ Met" in _result(screen):
                    break
                await pilot.pause(0.1)
            assert "✓ Met · POST kept, body intact (3 bytes)" in _result(screen)
            screen = await _reader(app, pilot, "choosing-a-code", "your-turn-checkout-moves")
            screen.query_one("#exercise-code", Select).value = 307
            screen.query_one(ExercisePanel).check_answer()
            await settle(pilot)
            assert "✓ Met · POST kept, body intact" in _result(screen)
    room.ledger.settle()
    cells = {row["name"]: row["cells"] for row in room.ledger.rows()}["ada"]
    assert cells["found-302/your-turn-keep-the-post"]["met"]
    assert cells["choosing-a-code/your-turn-checkout-moves"] == {
        "met": True,
        "attempts": 1,
        "problems": [],
    }
    room.close()


async def test_configure_runs_the_client_against_the_chosen_answer(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _reader(app, pilot, "choosing-a-code", "your-turn-checkout-moves")
        screen.query_one("#exercise-code", Select).value = 308
        screen.query_one(ExercisePanel).check_answer()
        await settle(pilot)
        assert "Not yet" in _result(screen)
        assert "308 says the move is permanent" in _result(screen)
        screen.query_one("#exercise-code", Select).value = 307
        screen.query_one(ExercisePanel).check_answer()
        await settle(pilot)
        assert "✓ Met · POST kept, body intact" in _result(screen)


async def test_h_shows_an_exercises_hints_one_at_a_time(lab: LabServer) -> None:
    app = tutor_app(lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _reader(app, pilot, "choosing-a-code", "your-turn-checkout-moves")
        exercise = screen.step.exercise
        assert exercise is not None and len(exercise.hints) >= 2
        hints = screen.query_one("#exercise-hints", Static)
        assert not hints.display
        await pilot.press("h")
        assert hints.display
        shown = str(hints.visual)
        assert f"Hint 1/{len(exercise.hints)}" in shown and exercise.hints[0] in shown
        assert "Hint 2/" not in shown
        for _ in exercise.hints:
            await pilot.press("h")
        assert str(hints.visual).count("Hint ") == len(exercise.hints)
        assert screen.check_action("hint", ()) is None, "no hint left: the key is dimmed"


async def test_bring_your_own_on_a_stopped_lab_says_so() -> None:
    with LabServer() as stopped:
        pass
    app = tutor_app(lab=stopped)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _reader(app, pilot, "found-302", "your-turn-keep-the-post")
        url = str(screen.query_one("#exercise-url", Static).visual)
        assert url.startswith("The lab server is not running")
