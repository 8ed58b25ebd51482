"""The learner's record is versioned: an old file migrates keeping every answer, a newer one is
left alone.

tests/fixtures/progress-v0.db was made by the record code from before versioning (user_version
0); it is only ever copied, never opened in place (SQLite would leave -shm files beside it).
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import cli
from tutor.progress.leitner import Slot
from tutor.progress.location import DATABASE_NAME, HOME_VARIABLE
from tutor.progress.record import _MIGRATIONS, SCHEMA_VERSION, Answer, open_record

V0_FIXTURE = Path(__file__).parent / "fixtures" / "progress-v0.db"
TABLES = ("meta", "lessons", "hints", "answers", "boxes")

V0_ANSWERS = [
    Answer("single-301", "get-301-302", "single", ("b",), True, 1_700_000_000.0, "practice-1"),
    Answer("single-301", "get-301-302", "single", ("a",), False, 1_700_000_100.0, "practice-1"),
    Answer(
        "truefalse-303", "post-302-303-307", "truefalse", ("true",), True, 1_700_000_200.0,
        "practice-1",
    ),
    Answer(
        "multi-307", "post-302-303-307", "multiple", ("a", "c"), True, 1_700_000_300.0,
        "exam-final-42",
    ),
    Answer("predict-308", None, "predict", ("get",), False, 1_700_000_400.0, "exam-final-42"),
    Answer("single-301", "get-301-302", "single", ("b",), True, 1_700_000_500.0, "exam-final-42"),
]  # fmt: skip
V0_SLOTS = {
    "truefalse-303": Slot(2, 1_700_086_600.0),
    "multi-307": Slot(2, 1_700_086_700.0),
    "predict-308": Slot(1, 1_700_000_400.0),
    "single-301": Slot(2, 1_700_086_900.0),
}


def _header_version(path: Path) -> int:
    """user_version straight from the file header (bytes 60-63), without opening it in SQLite."""
    return int.from_bytes(path.read_bytes()[60:64], "big")


def _user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read through a read-only connection."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}
    finally:
        db.close()


@pytest.fixture
def v0_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A REDIRECT_TUTOR_HOME holding a copy of the version 0 record; the record's path."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(V0_FIXTURE, home / DATABASE_NAME)
    monkeypatch.setenv(HOME_VARIABLE, str(home))
    return home / DATABASE_NAME


def test_the_fixture_is_a_version_0_record() -> None:
    assert _header_version(V0_FIXTURE) == 0
    assert not V0_FIXTURE.with_name(V0_FIXTURE.name + "-wal").exists()


def test_every_migration_step_is_there() -> None:
    assert sorted(_MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))


def test_a_version_0_record_migrates_keeping_every_answer_slot_step_and_hint(
    v0_home: Path,
) -> None:
    before = _rows(v0_home)
    assert len(before["answers"]) == len(V0_ANSWERS)

    record = open_record()

    assert record.path == v0_home and record.notice is None
    assert record.answers() == V0_ANSWERS
    assert record.slots() == V0_SLOTS
    lessons = record.lessons()
    assert {k: (s.step_id, s.ended) for k, s in lessons.items()} == {
        "get-301-302": ("end", True),
        "post-302-303-307": ("why-303", False),
    }
    assert record.last_lesson() == "post-302-303-307"
    assert record.hints_used() == {"post-302-303-307": 2, "get-301-302": 1}
    record.close()

    assert _user_version(v0_home) == SCHEMA_VERSION
    assert _rows(v0_home) == before
    assert not list(v0_home.parent.glob("*.broken-*"))


def test_a_migrated_record_keeps_recording_and_reopens_as_it_is(v0_home: Path) -> None:
    record = open_record()
    new = Answer("single-301", "get-301-302", "single", ("b",), True, 1_700_001_000.0, "later")
    record.answer(new, Slot(3, 1_700_260_000.0))
    record.show_step("post-302-303-307", "end", last=True)
    record.close()
    migrated = _rows(v0_home)

    again = open_record()
    assert again.notice is None
    assert again.answers() == [*V0_ANSWERS, new]
    assert again.slot("single-301") == Slot(3, 1_700_260_000.0)
    assert again.lessons()["post-302-303-307"].ended
    again.close()
    assert _rows(v0_home) == migrated and _user_version(v0_home) == SCHEMA_VERSION


def test_two_copies_migrating_one_file_at_once_both_open_it(v0_home: Path) -> None:
    start = threading.Barrier(2)
    opened: list[str | None] = []

    def open_it() -> None:
        start.wait()
        record = open_record(v0_home)
        opened.append(record.notice)
        record.close()

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert opened == [None, None]
    assert _user_version(v0_home) == SCHEMA_VERSION
    assert len(_rows(v0_home)["answers"]) == len(V0_ANSWERS)


def test_a_fresh_record_is_created_at_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / DATABASE_NAME
    record = open_record(path)
    assert record.notice is None and record.answers() == [] and record.lessons() == {}
    record.close()
    assert _user_version(path) == SCHEMA_VERSION
    assert _rows(path) == {t: [] for t in TABLES}


def _make_newer(path: Path, *changes: str) -> None:
    """Turn the record at `path` into one a newer tutor made: a later version, maybe new SQL."""
    record = open_record(path)
    record.close()
    db = sqlite3.connect(path, isolation_level=None)
    for change in changes:
        db.execute(change)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()  # the last connection: the WAL is checkpointed into the file and removed


def _untouched(path: Path, data: bytes) -> None:
    assert path.read_bytes() == data
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert not list(path.parent.glob("*.broken-*"))


def test_a_record_from_a_newer_tutor_is_shown_but_never_written(v0_home: Path) -> None:
    _make_newer(
        v0_home,
        "ALTER TABLE answers ADD COLUMN seconds REAL",
        "CREATE TABLE streaks (session TEXT PRIMARY KEY, best INTEGER NOT NULL)",
    )
    data, rows = v0_home.read_bytes(), _rows(v0_home)

    record = open_record()

    assert record.notice is not None
    assert (
        "newer redirect-tutor" in record.notice and f"version {SCHEMA_VERSION + 1}" in record.notice
    )
    assert str(v0_home) in record.notice and "will not be saved" in record.notice
    assert record.path is None
    assert record.answers() == V0_ANSWERS and record.slots() == V0_SLOTS
    assert record.hints_used() == {"post-302-303-307": 2, "get-301-302": 1}
    record.answer(V0_ANSWERS[0], Slot(3, 0.0))  # this session still works, in memory
    record.show_step("post-302-303-307", "end", last=True)
    record.use_hints("post-302-303-307", "end", 3)
    assert len(record.answers()) == len(V0_ANSWERS) + 1
    record.reset()
    record.close()

    _untouched(v0_home, data)
    assert _rows(v0_home) == rows
    assert _user_version(v0_home) == SCHEMA_VERSION + 1


def test_a_newer_record_this_tutor_cannot_read_is_still_left_alone(v0_home: Path) -> None:
    _make_newer(v0_home, "ALTER TABLE boxes RENAME TO leitner")
    data = v0_home.read_bytes()

    record = open_record()

    assert record.notice is not None and "newer redirect-tutor" in record.notice
    assert "cannot be shown" in record.notice and "will not be saved" in record.notice
    assert record.answers() == [] and record.slots() == {}
    record.answer(V0_ANSWERS[0], Slot(2, 0.0))
    assert record.answers() == V0_ANSWERS[:1]
    record.close()

    _untouched(v0_home, data)
    assert _user_version(v0_home) == SCHEMA_VERSION + 1


def test_progress_reset_on_a_newer_record_forgets_nothing_and_says_so(v0_home: Path) -> None:
    _make_newer(v0_home)
    data = v0_home.read_bytes()
    result = CliRunner().invoke(cli, ["progress", "--reset", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Nothing to forget on disk" in result.output
    assert "Progress forgotten" not in result.output
    _untouched(v0_home, data)
