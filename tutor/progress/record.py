"""The record in SQLite: every write a short transaction, committed before the learner sees why.

Rows hold ids (lesson, step, bank/question, choice), never positions, so that a course can
reorder its files without muddling anyone's record. WAL and a busy timeout let two copies of
the tutor share one file. A file SQLite cannot read is moved aside, never deleted.

`PRAGMA user_version` says which schema a file has, so that a learner's record outlives upgrades:
an older file is migrated forward one step per transaction; a file from a newer tutor is never
written to (see open_record).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tutor.progress.leitner import Slot
from tutor.progress.location import database_path

__all__ = ["SCHEMA_VERSION", "Answer", "LessonState", "Record", "open_record"]

BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another copy of the tutor holding the file."""

SCHEMA_VERSION = 1
"""The schema version (PRAGMA user_version) this tutor reads and writes. Files made before
versioning are at 0, SQLite's default, with the same tables: migration 1 only creates what is
missing and stamps the version."""

_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS lessons (
            lesson_id TEXT PRIMARY KEY,
            step_id TEXT NOT NULL,
            opened_at REAL NOT NULL,
            done_at REAL
        )""",
        """CREATE TABLE IF NOT EXISTS hints (
            lesson_id TEXT NOT NULL,
            step_id TEXT NOT NULL,
            hint INTEGER NOT NULL,
            used_at REAL NOT NULL,
            PRIMARY KEY (lesson_id, step_id, hint)
        )""",
        """CREATE TABLE IF NOT EXISTS answers (
            id INTEGER PRIMARY KEY,
            question TEXT NOT NULL,
            lesson_id TEXT,
            kind TEXT NOT NULL,
            chosen TEXT NOT NULL,
            correct INTEGER NOT NULL,
            answered_at REAL NOT NULL,
            session TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS answers_by_question ON answers (question)",
        """CREATE TABLE IF NOT EXISTS boxes (
            question TEXT PRIMARY KEY,
            box INTEGER NOT NULL,
            due_at REAL NOT NULL
        )""",
    ),
}
"""The statements that bring a file from version N - 1 to version N, keyed by N. A new schema
adds a step here (never edits an old one) and raises SCHEMA_VERSION to match."""
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
"""Errors that mean another copy of the tutor is busy with a good file: never move it aside."""
_TABLES = ("lessons", "hints", "answers", "boxes", "meta")


@dataclass(frozen=True, slots=True)
class LessonState:
    """Where a learner is in one lesson: the step shown last, and whether they reached the end."""

    step_id: str
    done: bool


@dataclass(frozen=True, slots=True)
class Answer:
    """One quiz answer as the record keeps it."""

    question: str
    """The question's id: ids are unique across banks, so a question may move to another bank."""
    lesson_id: str | None
    kind: str
    chosen: tuple[str, ...]
    """The ids of the choices picked."""
    correct: bool
    answered_at: float
    session: str
    """Which quiz run it belongs to (an exam's name and seed, or a practice run's id)."""


class Record:
    """An open record. Thread-safe: the UI's workers share one."""

    def __init__(self, db: sqlite3.Connection, path: Path | None, notice: str | None) -> None:
        self._db = db
        self._lock = threading.Lock()
        self.path = path
        """The database file; None when the record lives only in memory (the file was unusable)."""
        self.notice = notice
        """What went wrong opening the file, for the learner; None when all is well."""

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short transaction, committed (durably) when the block ends."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, *args: object) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # Lessons

    def show_step(self, lesson_id: str, step_id: str, *, last: bool = False) -> None:
        """The learner is on `step_id` of `lesson_id`; reaching the `last` step finishes it."""
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO lessons (lesson_id, step_id, opened_at, done_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (lesson_id) DO UPDATE SET step_id = excluded.step_id,"
                " opened_at = excluded.opened_at, done_at = COALESCE(done_at, excluded.done_at)",
                (lesson_id, step_id, now, now if last else None),
            )
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_lesson', ?)", (lesson_id,)
            )

    def lessons(self) -> dict[str, LessonState]:
        rows = self._read("SELECT lesson_id, step_id, done_at FROM lessons")
        return {lesson: LessonState(step, done is not None) for lesson, step, done in rows}

    def last_lesson(self) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = 'last_lesson'")
        return rows[0][0] if rows else None

    def use_hints(self, lesson_id: str, step_id: str, count: int) -> None:
        """The learner has seen the first `count` hints of a step's prediction."""
        now = time.time()
        with self._write() as db:
            db.executemany(
                "INSERT OR IGNORE INTO hints (lesson_id, step_id, hint, used_at)"
                " VALUES (?, ?, ?, ?)",
                [(lesson_id, step_id, hint, now) for hint in range(count)],
            )

    def hints_used(self) -> dict[str, int]:
        """How many hints each lesson's learner asked for."""
        rows = self._read("SELECT lesson_id, COUNT(*) FROM hints GROUP BY lesson_id")
        return dict(rows)

    # Quiz

    def answer(self, answer: Answer, slot: Slot) -> None:
        """Keep `answer` and move its question to `slot`, in one transaction."""
        with self._write() as db:
            db.execute(
                "INSERT INTO answers (question, lesson_id, kind, chosen, correct, answered_at,"
                " session) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    answer.question,
                    answer.lesson_id,
                    answer.kind,
                    json.dumps(list(answer.chosen)),
                    int(answer.correct),
                    answer.answered_at,
                    answer.session,
                ),
            )
            db.execute(
                "INSERT OR REPLACE INTO boxes (question, box, due_at) VALUES (?, ?, ?)",
                (answer.question, slot.box, slot.due_at),
            )

    def slots(self) -> dict[str, Slot]:
        """Every question answered at least once, and where it stands."""
        return {q: Slot(box, due) for q, box, due in self._read("SELECT * FROM boxes")}

    def slot(self, question: str) -> Slot | None:
        """Where one question stands, or None if it was never answered."""
        rows = self._read("SELECT box, due_at FROM boxes WHERE question = ?", question)
        return Slot(*rows[0]) if rows else None

    def answers(self) -> list[Answer]:
        """Every answer, oldest first."""
        rows = self._read(
            "SELECT question, lesson_id, kind, chosen, correct, answered_at, session"
            " FROM answers ORDER BY id"
        )
        return [
            Answer(q, lesson, kind, tuple(json.loads(chosen)), bool(correct), at, session)
            for q, lesson, kind, chosen, correct, at, session in rows
        ]

    def reset(self) -> None:
        """Forget everything: lessons, hints, answers and boxes."""
        with self._write() as db:
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")


class _Newer(Exception):
    """The file was written by a newer tutor (its user_version is above SCHEMA_VERSION).

    Not a sqlite3.DatabaseError: such a file is good, so it must never be moved aside.
    """

    def __init__(self, version: int) -> None:
        super().__init__(f"record version {version}")
        self.version = version


def _version(db: sqlite3.Connection) -> int:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    return int(version)


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the file up to SCHEMA_VERSION, one transaction per step.

    The version is read again inside each transaction, so two copies of the tutor opening an old
    file together apply each step once; a step that fails leaves the file at the last good one.
    An up-to-date file still gets one (empty) write transaction, as before versioning: a file
    that cannot be written shows up now, not at the learner's first answer.
    """
    for target in range(min(_version(db) + 1, SCHEMA_VERSION), SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            version = _version(db)
            if version > SCHEMA_VERSION:
                raise _Newer(version)  # a newer tutor upgraded it since we looked
            if version < target:
                for statement in _MIGRATIONS[target]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _connect(path: Path | str) -> sqlite3.Connection:
    """An open, checked database at SCHEMA_VERSION; sqlite3.DatabaseError if unusable.

    _Newer, before anything is written (not even the journal mode), if a newer tutor made it.
    """
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = _version(db)
        if version > SCHEMA_VERSION:
            raise _Newer(version)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        (check,) = db.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise sqlite3.DatabaseError(f"the file is damaged ({check})")
        _migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def _read_newer(path: Path, version: int) -> Record:
    """A record in memory holding what this tutor understands of a newer tutor's file.

    The file is attached read-only (a `mode=ro` URI: SQLite refuses any write to it) and the
    columns this tutor knows are copied into its own schema, so the learner still sees their
    progress and every write of this session goes to memory. If the newer schema lacks one of
    those tables or columns, the copy starts empty instead.
    """
    newer = (
        f"Your progress file {path} was made by a newer redirect-tutor (record version "
        f"{version}; this one knows up to {SCHEMA_VERSION}). It was left exactly as it is"
    )
    db = sqlite3.connect(":memory:", uri=True, isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # for the attached file
    _migrate(db)
    try:
        db.execute("ATTACH DATABASE ? AS newer", (f"{path.resolve().as_uri()}?mode=ro",))
        try:
            db.execute("BEGIN")
            for table in _TABLES:
                columns = ", ".join(
                    row[1] for row in db.execute(f"PRAGMA main.table_info({table})")
                )
                db.execute(
                    f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM newer.{table}"
                )
            db.execute("COMMIT")
        finally:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.execute("DETACH DATABASE newer")
    except (sqlite3.Error, OSError):
        notice = f"{newer}, but it cannot be shown here."
    else:
        notice = f"{newer}: your progress is shown as this version understands it."
    return Record(db, None, f"{notice} This session's progress will not be saved.")


def _move_aside(path: Path) -> Path:
    """Rename the database (and its WAL files) to <name>.broken-<timestamp>; the new name."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    for suffix in ("-wal", "-shm", ""):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(aside.with_name(aside.name + suffix))
    return aside


def open_record(path: Path | None = None) -> Record:
    """The record at `path` (default: database_path()), migrated to SCHEMA_VERSION. Never raises.

    A file SQLite cannot read is moved aside and a fresh record started; if even that fails,
    the record lives in memory for this session. A file a newer tutor made (user_version above
    SCHEMA_VERSION) is never written to, nor moved aside: this tutor cannot know what its
    schema means, and the learner's answers must not be lost when they go back to the newer
    one. It is read into memory instead (see _read_newer), so this session works and is
    simply not kept. `Record.notice` then says what happened.
    """
    path = path or database_path()
    try:
        return Record(_connect(path), path, None)
    except _Newer as newer:
        return _read_newer(path, newer.version)
    except (sqlite3.DatabaseError, OSError) as error:
        problem, busy = str(error), getattr(error, "sqlite_errorname", None) in _BUSY
    try:
        if busy or not path.exists():
            raise sqlite3.OperationalError("not moved aside: another copy holds it, or it is gone")
        aside = _move_aside(path)
        notice = (
            f"Your progress file could not be read ({problem}). It was kept as {aside} "
            "and a fresh record started."
        )
        return Record(_connect(path), path, notice)
    except (sqlite3.DatabaseError, OSError):
        notice = (
            f"Your progress file {path} cannot be used ({problem}). "
            "This session's progress will not be saved."
        )
        return Record(_connect(":memory:"), None, notice)
