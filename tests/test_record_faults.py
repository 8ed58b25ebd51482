"""The learner's record on a disk that is full, read-only or locked: no traceback, no lost answer.

The disk is real: a small tmpfs mounted for the test (filled with a ballast file, or remounted
read-only), so that SQLite meets ENOSPC and EROFS from the kernel. Where the machine does not let
the tests mount one (no root, no CAP_SYS_ADMIN), the tests that need a full disk fail and say
why (a machine that cannot make the fault cannot show it is handled), and the read-only cases
fall back to a folder and file without write permission (as a user other than
root, who ignores it). A lock is another connection holding the write lock, as another program
would. The plain quiz runs as a real process answering on stdin; the TUI runs under Pilot.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pilot import SIZE, settle, tutor_app
from test_quiz_plain import ALL_RIGHT, QUIZ_FIXTURES, Learner, progress, quiz
from textual.pilot import Pilot
from textual.widgets import Static

from tutor.lab.server import LabServer
from tutor.progress.changes import (
    MOST_HINTS,
    Answer,
    Answered,
    Change,
    HintsUsed,
    StepShown,
    from_data,
    to_data,
)
from tutor.progress.leitner import BOXES, Slot
from tutor.progress.location import HOME_VARIABLE
from tutor.progress.record import Record, Unwritable, open_record
from tutor.progress.unsaved import read
from tutor.quiz.plan import Plan
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.screens.reader import ReaderScreen

THREE = ["--count", "3"]
"""The fixture lesson's first three questions: none runs an experiment, so no lab starts."""


class Disk:
    """A folder for the record on a small disk of its own that the test can fill or make
    read-only; or, where no disk can be mounted, a plain folder (see the module's docstring)."""

    def __init__(self, folder: Path, mounted: bool) -> None:
        self.folder = folder
        self.mounted = mounted
        self.record = folder / "progress.db"
        self._ballast = folder / "ballast"

    def fill(self) -> None:
        """Write a ballast file until the kernel says the disk is full."""
        if not self.mounted:
            pytest.fail(
                "no small disk could be mounted here (mount -t tmpfs needs root or "
                "CAP_SYS_ADMIN): a full disk cannot be made",
                pytrace=False,
            )
        descriptor = os.open(self._ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while os.write(descriptor, bytes(4096)):
                pass
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
        finally:
            os.close(descriptor)
        assert os.statvfs(self.folder).f_bavail == 0

    def free(self) -> None:
        self._ballast.unlink()

    def read_only(self) -> None:
        """Remount the disk read-only (nothing may hold a file of it open for writing), or take
        the write permission away where that binds the user."""
        if self.mounted:
            _run("mount", "-o", "remount,ro", str(self.folder))
        elif os.geteuid() != 0:
            for path in (*self.folder.iterdir(), self.folder):
                path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        else:
            pytest.fail(
                "root ignores permissions and no disk could be mounted read-only here",
                pytrace=False,
            )

    def writable(self) -> None:
        if self.mounted:
            _run("mount", "-o", "remount,rw", str(self.folder))
        else:
            for path in (self.folder, *self.folder.iterdir()):
                path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=30)


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Disk]:
    """The record's folder on a 512 KiB tmpfs (REDIRECT_TUTOR_HOME points at it), and a spare
    temporary folder elsewhere (TMPDIR) for what the full disk cannot hold."""
    folder = tmp_path / "disk"
    folder.mkdir()
    try:
        _run("mount", "-t", "tmpfs", "-o", "size=512k,mode=0777", "tmpfs", str(folder))
        mounted = True
    except (OSError, subprocess.CalledProcessError):
        mounted = False
    spare = tmp_path / "spare"
    spare.mkdir()
    monkeypatch.setenv(HOME_VARIABLE, str(folder))
    monkeypatch.setenv("TMPDIR", str(spare))
    monkeypatch.setattr(tempfile, "tempdir", str(spare))
    yield Disk(folder, mounted)
    if mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)
    else:
        Disk(folder, False).writable()


def _spare() -> list[Path]:
    """The files of unsaved progress in the spare temporary folder."""
    return sorted(Path(tempfile.gettempdir()).glob("progress.db.unsaved-*.json"))


def _answers(path: Path) -> list[tuple[str, bool]]:
    record = open_record(path)
    try:
        return [(answer.question, answer.correct) for answer in record.answers()]
    finally:
        record.close()


def _seed(path: Path, count: int) -> list[tuple[str, bool]]:
    """A record with `count` answers, written while the disk has room."""
    record = open_record(path)
    for number in range(count):
        answer = Answer(f"q{number}", "quiz-lesson", "single", ("a",), True, 1000.0 + number, "t")
        record.answer(answer, Slot(2, 10**10))
    assert record.saved
    record.close()
    return [(f"q{number}", True) for number in range(count)]


def _clean(stderr: str) -> list[str]:
    """The learner's messages: each one sentence on one line (or where the record is), never
    a traceback."""
    assert "Traceback" not in stderr and "Error:" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line]
    assert all(line.endswith(".") or line.startswith("Record: ") for line in lines), lines
    return lines


def _kept_in(sentence: str) -> Path:
    """The file a closing sentence says the unsaved progress is kept in."""
    found = re.search(r" is kept in (\S+?\.json)", sentence)
    assert found, sentence
    return Path(found[1])


# Item 6: at start.


def test_a_healthy_record_on_a_full_disk_is_kept_and_shown(disk: Disk) -> None:
    seeded = _seed(disk.record, 3)
    before = disk.record.read_bytes()
    disk.fill()

    shown = progress(disk.folder)

    assert shown.returncode == 0
    (notice, where) = _clean(shown.stderr)
    assert notice == (
        f"Your progress file {disk.record} cannot be written (the disk is full): it was left as "
        "it is, and this session's progress is kept in memory and saved in it as soon as it can be."
    )
    assert where == f"Record: {disk.record} (cannot be written now)"
    assert disk.record.read_bytes() == before
    assert not list(disk.folder.glob("*broken*"))
    disk.free()
    again = progress(disk.folder)
    assert again.stderr == f"Record: {disk.record}\n" and again.stdout == shown.stdout
    assert _answers(disk.record) == seeded


def test_a_damaged_record_is_moved_aside_and_the_message_says_where(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    _seed(path, 40)
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 2 + 64] = b"\xa5" * 64  # a b-tree page's header: quick_check fails
    path.write_bytes(data)

    shown = progress(tmp_path)

    (notice, _) = _clean(shown.stderr)
    aside = re.search(r"it was kept as (\S+), and a fresh record started\.$", notice)
    assert aside and notice.startswith("Your progress file could not be read (")
    assert Path(aside[1]).read_bytes() == data
    assert _answers(path) == []


# Item 7: during the quiz, plain and in the TUI.


def test_the_disk_filling_during_the_plain_quiz_loses_no_answer(disk: Disk) -> None:
    _seed(disk.record, 0)
    learner = Learner(disk.folder, *THREE)
    learner.answer(ALL_RIGHT[0])
    learner.wait_for("Score 1/1")
    for answer, score in zip(ALL_RIGHT[1:3], ("Score 2/2", "Score 3/3"), strict=True):
        disk.fill()  # before each: closing SQLite's log on the first failure gives room back
        learner.answer(answer)
        learner.wait_for(score)  # the feedback is out: this answer must never be lost
    learner.finish()
    assert learner.process.stderr is not None
    (lost, farewell) = _clean(learner.process.stderr.read().decode())

    assert lost == (
        f"Your progress cannot be saved in {disk.record} now (the disk is full): it is kept in "
        "memory, and saved there as soon as it can be."
    )
    kept = _kept_in(farewell)
    assert farewell.startswith(f"Your progress file {disk.record} still cannot be written")
    assert "(2 answers)" in farewell and kept.parent == Path(tempfile.gettempdir())
    assert f"`redirect-tutor progress --import {kept}`." in farewell
    assert not list(disk.folder.glob("*.unsaved-*"))  # moved to the spare folder, not copied
    disk.free()
    assert "2 changes from" in progress(disk.folder, "--import", str(kept)).stdout
    questions = ["single-307", "multiple-keep", "truefalse-303"]
    assert _answers(disk.record) == [(question, True) for question in questions]


def test_space_freed_during_the_quiz_saves_what_was_kept(disk: Disk) -> None:
    _seed(disk.record, 0)
    learner = Learner(disk.folder, *THREE)
    learner.wait_for("Your answer: ")  # the record is open: the disk fills during the quiz
    disk.fill()
    learner.answer(ALL_RIGHT[0])
    learner.wait_for("Score 1/1")
    disk.free()
    learner.answer(ALL_RIGHT[1])
    learner.wait_for("Score 2/2")
    assert len(_answers(disk.record)) == 2  # written at once, before the quiz ends
    learner.answer(ALL_RIGHT[2])
    learner.finish()
    assert learner.process.stderr is not None
    (lost, again) = _clean(learner.process.stderr.read().decode())

    assert lost.startswith(f"Your progress cannot be saved in {disk.record} now (the disk is full)")
    assert again == f"Your progress is saved in {disk.record} again: nothing was lost."
    assert len(_answers(disk.record)) == 3
    assert _spare() == [] and not list(disk.folder.glob("*.unsaved-*"))


def test_a_read_only_disk_at_start_keeps_the_answers_for_later(disk: Disk) -> None:
    seeded = _seed(disk.record, 1)
    disk.read_only()
    learner = Learner(disk.folder, *THREE)
    for answer in ALL_RIGHT[:3]:
        learner.answer(answer)
    out = learner.finish()
    assert learner.process.stderr is not None
    (notice, farewell) = _clean(learner.process.stderr.read().decode())

    assert "Quiz over: 3 right of 3 graded" in out
    assert notice.startswith(f"Your progress file {disk.record} cannot be written (")
    assert ("read-only" in notice) and notice.endswith("as soon as it can be.")
    assert "(3 answers)" in farewell
    kept = _kept_in(farewell)
    disk.writable()
    assert "3 changes from" in progress(disk.folder, "--import", str(kept)).stdout
    assert len(_answers(disk.record)) == len(seeded) + 3


def test_killed_while_the_record_is_locked_loses_no_answer(disk: Disk) -> None:
    """A lock leaves the folder writable: the kept answers wait beside the record, written
    after each one, and the next start takes them in, even after a SIGKILL."""
    _seed(disk.record, 0)
    learner = Learner(disk.folder, *THREE)
    learner.wait_for("Your answer: ")
    holder = sqlite3.connect(disk.record, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program writing, for longer than the tutor waits
    try:
        for answer, score in zip(ALL_RIGHT[:2], ("Score 1/1", "Score 2/2"), strict=True):
            learner.answer(answer)
            learner.wait_for(score)
    finally:
        learner.process.send_signal(signal.SIGKILL)
        learner.process.wait(timeout=30)
        holder.execute("ROLLBACK")
        holder.close()
    assert learner.process.stderr is not None
    (locked,) = _clean(learner.process.stderr.read().decode())
    assert locked.startswith(
        f"Your progress cannot be saved in {disk.record} now (another program is holding it locked)"
    )
    (beside,) = disk.folder.glob("progress.db.unsaved-*.json")
    assert len(read(beside)) == 2

    reopened = progress(disk.folder)

    assert _clean(reopened.stderr) == [
        f"Your progress is saved in {disk.record} again: nothing was lost.",
        f"Record: {disk.record}",
    ]
    assert len(_answers(disk.record)) == 2 and not beside.exists()


async def _open_lesson_on(disk: Disk, lab: LabServer, when: str) -> list[str]:
    """Open the fixture lesson in the TUI and walk its steps, the disk made full `when` the
    app has "started" or before it does; the farewell the session leaves."""
    app = tutor_app([QUIZ_FIXTURES], builtin=False, lab=lab)
    if when == "before":
        disk.fill()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if when == "started":
            disk.fill()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n", "n")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        record = app.session.record
        assert record is not None and record.problem == "the disk is full"
        assert record.lessons()["quiz-lesson"].ended
        assert app.is_running
        told = [n.message for n in app._notifications if n.title == "Your progress"]
        assert len(told) == 1 and "cannot be" in told[0], told  # said once, at start or later
    return app.session.farewell


@pytest.mark.parametrize("when", ["started", "before"])
async def test_a_lesson_opens_and_is_remembered_on_a_full_disk(
    disk: Disk, lab: LabServer, when: str
) -> None:
    _seed(disk.record, 0)

    *_, farewell = await _open_lesson_on(disk, lab, when)

    kept = _kept_in(farewell)
    assert "(3 other changes)" in farewell
    disk.free()
    record = open_record()
    assert record.import_file(kept) == 3
    assert record.lessons()["quiz-lesson"].ended and record.last_lesson() == "quiz-lesson"
    record.close()


def _key(pilot: Pilot[None], text: str) -> str:
    """The digit key of the choice shown with `text` (t/f: as they are)."""
    screen = pilot.app.screen
    assert isinstance(screen, QuizScreen) and screen.quiz and screen.quiz.current
    texts = [choice.text for choice in screen.quiz.current.choices]
    return str(texts.index(text) + 1) if text in texts else "1" if text == "t" else "2"


async def test_the_quiz_screen_on_a_full_disk_keeps_every_answer_shown(
    disk: Disk, lab: LabServer
) -> None:
    _seed(disk.record, 0)
    app = tutor_app([QUIZ_FIXTURES], builtin=False, lab=lab, quiz=Plan(count=3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        disk.fill()
        for answer in ALL_RIGHT[:3]:
            keys = [_key(pilot, text) for text in answer]
            await pilot.press(*keys, *(["enter"] if len(keys) > 1 else []))
            await settle(pilot)
            feedback = str(app.screen.query_one("#quiz-feedback", Static).render())
            assert feedback.startswith("✓ Right."), feedback
            await pilot.press("n")
            await settle(pilot)
    *_, farewell = app.session.farewell

    assert "(3 answers)" in farewell
    disk.free()
    record = open_record()
    assert record.import_file(_kept_in(farewell)) == 3
    assert len(record.answers()) == 3
    record.close()


# Item 8: an exam broken off.


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_ctrl_c_during_a_plain_exam_writes_a_partial_result(tmp_path: Path, suffix: str) -> None:
    result = tmp_path / f"ada{suffix}"
    learner = Learner(tmp_path, "--seed", "7", "--name", "ada", "--result", str(result))
    learner.type("1")  # an answer to a question of any kind
    learner.wait_for("Score ")
    learner.wait_for("Your answer: ", 2)
    learner.process.send_signal(signal.SIGINT)
    assert learner.process.wait(timeout=60) == 130
    assert learner.process.stderr is not None
    assert _clean(learner.process.stderr.read().decode()) == []

    assert "Aborted!" not in learner.out and "\nInterrupted.\n" in learner.out
    assert (
        f"Partial result written to {result} (1 of 5 questions answered; interrupted): "
        "the file marks it as partial." in learner.out
    )
    if suffix == ".json":
        data = json.loads(result.read_text())
        assert data["partial"] is True and data["interrupted"] is True
        assert [a["chosen"] is not None for a in data["answers"]] == [True] + [False] * 4
    else:
        header, *rows = result.read_text().splitlines()
        assert header.endswith(",graded,partial") and len(rows) == 5
        assert all(row.endswith(",True") for row in rows)


async def test_quitting_the_tutor_during_an_exam_hands_in_a_partial_result(
    lab: LabServer, tmp_path: Path
) -> None:
    result = tmp_path / "grace.json"
    plan = Plan(seed=7, count=3, name="grace", result=result)
    app = tutor_app([QUIZ_FIXTURES], builtin=False, lab=lab, quiz=plan)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.quiz and screen.quiz.current
        several = screen.quiz.current.question.kind == "multiple"
        await pilot.press("1", *(["enter"] if several else []))
        await settle(pilot)
        await pilot.press("ctrl+q")

    assert app.session.farewell == [
        f"Partial result written to {result} (1 of 3 questions answered; interrupted): "
        "the file marks it as partial."
    ]
    data = json.loads(result.read_text())
    assert (data["partial"], data["interrupted"], data["questions"]) == (True, True, 3)


def test_an_exam_result_the_disk_cannot_take_goes_to_the_temporary_folder(disk: Disk) -> None:
    result = disk.folder / "ada.json"
    disk.fill()

    done = quiz(disk.folder, "1\n1\n1\n", "--seed", "7", "--count", "3", "--result", str(result))

    spare = Path(tempfile.gettempdir()) / "ada.json"
    assert done.returncode == 0 and not result.exists()
    assert (
        f"The result could not be written to {result} (the disk is full). "
        f"Result written to {spare}." in done.stdout
    )
    assert [a["chosen"] is not None for a in json.loads(spare.read_text())["answers"]] == [True] * 3


# What the record keeps for later is exact: taken once, whoever takes it.


def test_a_file_of_unsaved_progress_is_taken_once_even_while_it_grows(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    first = open_record(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    for number in range(2):
        first.answer(Answer(f"q{number}", None, "single", ("a",), True, 1.0, "t"), Slot(2, 1.0))
    assert first.problem == "another program is holding it locked"
    holder.execute("ROLLBACK")

    second = open_record(path)  # takes the two answers kept beside the record
    assert len(second.answers()) == 2
    first.answer(Answer("q2", None, "single", ("a",), True, 1.0, "t"), Slot(2, 1.0))

    assert first.saved and [a.question for a in second.answers()] == ["q0", "q1", "q2"]
    lost, again = first.close()
    assert lost.startswith(f"Your progress cannot be saved in {path} now (another program")
    assert again == f"Your progress is saved in {path} again: nothing was lost."
    second.close()
    holder.close()
    assert not list(tmp_path.glob("*.unsaved-*"))


def test_a_record_that_cannot_be_written_refuses_to_forget(disk: Disk) -> None:
    seeded = _seed(disk.record, 2)
    disk.fill()
    record = open_record()
    with pytest.raises(Unwritable, match=r"cannot be written now \(the disk is full\)"):
        record.reset()
    assert record.close() == []
    refused = progress(disk.folder, "--reset", "--yes")
    assert refused.returncode == 1 and "Progress forgotten." not in refused.stdout
    assert _clean(refused.stderr)[-1] == (
        f"Progress not forgotten: {disk.record} cannot be written now (the disk is full)."
    )
    disk.free()
    assert _answers(disk.record) == seeded
    forgotten = progress(disk.folder, "--reset", "--yes")
    assert forgotten.returncode == 0 and _answers(disk.record) == []


def test_importing_a_file_that_is_not_unsaved_progress_says_so(tmp_path: Path) -> None:
    other = tmp_path / "notes.json"
    other.write_text('{"changes": []}')

    refused = progress(tmp_path, "--import", str(other))

    assert refused.returncode == 1
    assert _clean(refused.stderr) == [
        f"{other} was not added: it is not a file of unsaved progress written by redirect-tutor."
    ]


_TIMES = st.floats(allow_nan=False, allow_infinity=False)
_CHANGES = st.one_of(
    st.builds(StepShown, st.text(), st.text(), _TIMES, st.booleans()),
    st.builds(HintsUsed, st.text(), st.text(), st.integers(0, MOST_HINTS), _TIMES),
    st.builds(
        Answered,
        st.builds(
            Answer,
            st.text(),
            st.none() | st.text(),
            st.text(),
            st.lists(st.text()).map(tuple),
            st.booleans(),
            _TIMES,
            st.text(),
        ),
        st.builds(Slot, st.sampled_from(BOXES), _TIMES),
    ),
)


@settings(max_examples=300, deadline=None)
@given(change=_CHANGES)
def test_every_change_survives_its_file(change: Change) -> None:
    assert from_data(json.loads(json.dumps(to_data(change)))) == change


@pytest.mark.parametrize(
    "change",
    [
        {"answered": {"question": "q"}},
        {"hints_used": {"lesson_id": "l", "step_id": "s", "count": 10**9, "at": 1.0}},
        {"step_shown": {"lesson_id": "l", "step_id": "s", "at": float("inf"), "last": False}},
        {"step_shown": {"lesson_id": 1, "step_id": "s", "at": 1.0, "last": False}},
        {"step_shown": {"lesson_id": "l", "step_id": "s", "at": 1.0, "last": 0}},
        {"dropped": {}},
        ["step_shown"],
    ],
)
def test_a_change_this_tutor_did_not_write_is_refused(change: object) -> None:
    with pytest.raises(ValueError):
        from_data(change)


def test_a_record_flapping_between_full_and_free_keeps_each_answer_once(disk: Disk) -> None:
    record: Record = open_record()
    for number in range(24):
        if number % 6 == 2:
            disk.fill()
        if number % 6 == 4:
            disk.free()
        answer = Answer(f"q{number}", None, "single", ("a",), True, float(number), "t")
        record.answer(answer, Slot(2, 1.0))
        assert len(record.answers()) == number + 1
    said = record.close()
    lost = f"Your progress cannot be saved in {disk.record} now (the disk is full): "
    assert [sentence.startswith(lost) for sentence in said] == [True, False] * 4
    assert said[-1] == f"Your progress is saved in {disk.record} again: nothing was lost."
    assert [question for question, _ in _answers(disk.record)] == [f"q{n}" for n in range(24)]
    assert _spare() == []


def test_a_result_written_through_a_link_or_to_a_device_replaces_neither(tmp_path: Path) -> None:
    """`--result link.json` keeps the link and writes its target; `--result /dev/null` (or a
    terminal, or /dev/stdout) is written to, never replaced by a regular file of that name."""
    from tutor.atomic import write_text_atomically

    (tmp_path / "real").mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "real" / "target.json")
    write_text_atomically(link, "{}")
    assert link.is_symlink() and (tmp_path / "real" / "target.json").read_text() == "{}"
    device = Path("/dev/null")
    write_text_atomically(device, "{}")
    assert device.is_char_device()
    with pytest.raises(OSError):
        write_text_atomically(Path("/dev/full"), "{}")  # the disk of a device that is always full
    assert Path("/dev/full").is_char_device()


def test_a_record_missing_a_table_is_damaged_moved_aside_and_the_quiz_goes_on(
    tmp_path: Path,
) -> None:
    """Its version says 1, but its answers table is gone: the quiz must not die on it."""
    path = tmp_path / "progress.db"
    open_record(path).close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE answers")
    db.close()
    record = open_record(path)
    assert record.notice is not None and "no table answers" in record.notice
    moved = list(tmp_path.glob("progress.db.broken-*"))
    assert len(moved) == 1 and str(moved[0]) in record.notice
    record.answer(Answer("q1", "quiz-lesson", "single", ("a",), True, 1.0, "t"), Slot(2, 0.0))
    assert len(record.answers()) == 1 and record.saved
    record.close()
