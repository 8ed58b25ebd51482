"""What a teacher's walk of the class view found, at 80x24 against a real class lab: each chain
row fits the screen (a cut cell ends in "…") and shows its query, the list gets half the screen,
a student without chains is told as such, the ladder names the lab by the address students use,
and every class screen and dialog has help written for the teacher."""

from __future__ import annotations

import asyncio
import csv
import inspect
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot import SIZE
from test_class_export import KEY, SAME, TUTOR, class_lab, curl, tutor
from test_class_view import send, text, until
from textual.screen import Screen

from tutor.classroom.routes import Classroom
from tutor.classroom.teacher import Access
from tutor.course.loader import load_course
from tutor.lab.server import LabServer
from tutor.ui.class_app import ClassApp
from tutor.ui.screens import class_chains, class_exam, class_export, class_free, class_view
from tutor.ui.screens.class_chains import ChainsScreen
from tutor.ui.screens.class_dialog import ClassDialog
from tutor.ui.screens.class_view import ClassScreen
from tutor.ui.widgets.classroom.chains import ChainList, ChainVerdict
from tutor.ui.widgets.experiment.ladder import Ladder

HANDED = "http://192.0.2.7:8307"
"""The address `serve` hands out, as the class types it."""


@pytest.fixture
def classroom() -> Iterator[tuple[LabServer, Classroom]]:
    with class_lab(load_course()) as (lab, room):
        room.hand_out = [HANDED]
        yield lab, room


def class_screens() -> list[type[Screen[object]]]:
    """Every screen and dialog of the class view."""
    modules = (class_chains, class_exam, class_export, class_free, class_view)
    return [
        kind
        for module in modules
        for _, kind in inspect.getmembers(module, inspect.isclass)
        if issubclass(kind, Screen) and kind.__module__ == module.__name__
    ]


def test_every_class_screen_has_its_own_help() -> None:
    """Written for the teacher, never a docstring (which says how the code works)."""
    screens = class_screens()
    assert {kind.__name__ for kind in screens} >= {
        "ChainsScreen", "EndExam", "ExamForm", "ExportForm", "FreeName", "ClassScreen"
    }  # fmt: skip
    for kind in screens:
        if kind is ClassDialog:
            continue
        assert "HELP" in vars(kind) and kind.HELP, kind.__name__
        if issubclass(kind, ClassDialog):
            assert "Enter" in kind.HELP and "Escape" in kind.HELP, kind.__name__
    assert "Enter keeps the exam going" in (class_view.EndExam.HELP or "")


async def test_the_chain_list_fits_and_shows_what_differs(
    classroom: tuple[LabServer, Classroom],
) -> None:
    lab, _ = classroom
    for query in ("", "?origin=other", "?location=twice", "?loop=1"):
        options = ("--max-redirs", "3") if query == "?loop=1" else ()
        url = f"{lab.url}/s/hal/redirect/307{query}"
        command = ["curl", "-sS", "-L", "-d", "a=1", "-o", os.devnull, *options, url]
        await asyncio.to_thread(subprocess.run, command, check=False, timeout=30)
    for _ in range(6):
        await asyncio.to_thread(curl, lab, "hal", 302)
    app = ClassApp(Access(lab.url, KEY))
    async with app.run_test(size=SIZE) as pilot:
        grid = app.screen.query_one("#class-grid")
        await until(pilot, lambda: "hal" in grid.rows)
        await pilot.press("left", "enter")
        chains = app.screen
        assert isinstance(chains, ChainsScreen)
        listing = chains.query_one(ChainList)
        await until(pilot, lambda: listing.row_count == 10)
        await pilot.pause()
        requests = [listing.get_row_at(row)[2].plain for row in range(4)]
        assert requests == [
            "POST /redirect/307",
            "POST /redirect/307?origin=other",
            "POST /redirect/307?location=twice",
            "POST /redirect/307?loop=1",
        ]
        # Every row fits 80 columns: no sideways scrolling, a cut verdict ends in "…".
        assert listing.virtual_size.width <= listing.size.width
        loop = listing.get_row_at(3)[-1].plain
        assert loop.startswith("Not followed") and loop.endswith("…")
        # Half the screen for the list: ten rows of the twelve lines.
        assert listing.size.height >= 10
        # The ladder names the lab as the class types it.
        ladder = chains.query_one(Ladder)
        assert "192.0.2.7:8307" in str(ladder.render())
        assert "127.0.0.1" not in str(ladder.render())


async def test_a_student_without_chains_is_told_so(
    classroom: tuple[LabServer, Classroom],
) -> None:
    lab, _ = classroom
    await send(lab, "ada", 307)
    app = ClassApp(Access(lab.url, KEY))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ClassScreen)
        grid = screen.query_one("#class-grid")
        await until(pilot, lambda: "ada" in grid.rows)
        await pilot.press("right", "right", "enter")  # the third exercise: not tried
        chains = app.screen
        assert isinstance(chains, ChainsScreen)
        verdict = chains.query_one(ChainVerdict)
        await until(pilot, lambda: text(verdict) == "No chain of ada at this exercise yet.")
        assert not chains.query_one("#chains-trace").display
        assert "not tried" in text(chains.query_one("#chains-about"))


def columns_of(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as file:
        return [name for name in next(csv.reader(file)) if name.endswith(" met")]


@pytest.mark.parametrize("number", ["5", "05", "temporary-redirect-307"])
def test_a_lesson_by_its_number_as_the_list_shows_it(
    classroom: tuple[LabServer, Classroom], tmp_path: Path, number: str
) -> None:
    out = tmp_path / "class.csv"
    done = tutor("class", "--lesson", number, "--export", str(out))
    assert done.returncode == 0, done.stderr
    assert columns_of(out) == [f"{SAME} met"]


def test_a_lesson_number_past_the_course_is_one_sentence(
    classroom: tuple[LabServer, Classroom], tmp_path: Path
) -> None:
    done = tutor("class", "--lesson", "42", "--export", str(tmp_path / "class.csv"))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: There is no lesson 42 on this lab: its course has lessons 01 to 17."
    )


def test_the_key_from_a_file_or_standard_input_stays_out_of_argv(
    classroom: tuple[LabServer, Classroom], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """class-lab.json copied from the teacher's machine, the key alone, or `-` for stdin."""
    lab, _ = classroom
    card = Path(os.environ["REDIRECT_TUTOR_HOME"]) / "class-lab.json"
    alone = tmp_path / "key.txt"
    alone.write_text(KEY + "\n", encoding="utf-8")
    monkeypatch.setenv("REDIRECT_TUTOR_HOME", str(tmp_path / "elsewhere"))  # no card here
    out = tmp_path / "class.csv"
    for source in (card, alone):
        done = tutor("class", "--lab", lab.url, "--key-file", str(source), "--export", str(out))
        assert done.returncode == 0, done.stderr
    piped = subprocess.run(
        [*TUTOR, "class", "--lab", lab.url, "--key-file", "-", "--export", str(out)],
        input=KEY,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    empty = tmp_path / "empty"
    empty.write_text("", encoding="utf-8")
    done = tutor("class", "--lab", lab.url, "--key-file", str(empty), "--export", str(out))
    assert done.returncode == 2 and "holds no teacher key" in done.stderr
    both = tutor("class", "--lab", lab.url, "--key", KEY, "--key-file", str(alone))
    assert both.returncode == 2 and "one teacher key" in both.stderr
    assert "prefer --key-file" in " ".join(tutor("class", "--help").stdout.split())
