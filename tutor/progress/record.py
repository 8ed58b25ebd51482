"""The record in SQLite: every write a short transaction, committed before the learner sees why.

Rows hold ids (lesson, step, bank/question, choice), never positions, so that a course can
reorder its files without muddling anyone's record. WAL and a busy timeout let two copies of
the tutor share one file. Only a file SQLite itself finds damaged is moved aside (never
deleted); a good file that cannot be written (a full disk, read-only, locked) is left as it is,
and what the learner does meanwhile is kept in memory and in a file of unsaved changes
(tutor.progress.unsaved) until the record can take it: no answer whose feedback was shown is
lost.

`PRAGMA user_version` says which schema a file has, so that a learner's record outlives upgrades:
an older file is migrated forward one step per transaction; a file from a newer tutor is never
written to (see open_record).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tutor.progress import unsaved
from tutor.progress.changes import (
    Answer,
    Answered,
    Change,
    HintsUsed,
    PartMet,
    StepShown,
    write,
)
from tutor.progress.faults import Damaged, damaged, why
from tutor.progress.leitner import Slot
from tutor.progress.location import database_path

__all__ = ["SCHEMA_VERSION", "Answer", "LessonState", "Record", "Unwritable", "open_record"]

BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another copy of the tutor holding the file."""
RETRY_TIMEOUT_MS = 200
"""How long a write waits for the lock when it tries again a file that could not be written: the
learner is not kept waiting at every answer while another program holds it."""

SCHEMA_VERSION = 2
"""The schema version (PRAGMA user_version) this tutor reads and writes. Files made before
versioning are at 0, SQLite's default, with the same tables: migration 1 only creates what is
missing and stamps the version. Migration 2 adds the parts of steps met (predictions answered,
exercises met), which a lesson's "done" asks for."""

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
    2: (
        """CREATE TABLE IF NOT EXISTS met (
            lesson_id TEXT NOT NULL,
            step_id TEXT NOT NULL,
            part TEXT NOT NULL,
            met_at REAL NOT NULL,
            PRIMARY KEY (lesson_id, step_id, part)
        )""",
    ),
}
"""The statements that bring a file from version N - 1 to version N, keyed by N. A new schema
adds a step here (never edits an old one) and raises SCHEMA_VERSION to match."""
_TABLES = ("lessons", "hints", "met", "answers", "boxes", "meta")
_TAIL = "this session's progress is kept in memory and saved in it as soon as it can be."


class Unwritable(Exception):
    """The record cannot be written now; the message says why, for the learner."""


@dataclass(frozen=True, slots=True)
class LessonState:
    """Where a learner is in one lesson, as the record knows it (by ids): the step shown last,
    whether they reached the last step, and the parts of steps they met. Whether that makes the
    lesson done depends on what the lesson asks: tutor.progress.standing decides."""

    step_id: str
    ended: bool
    met: frozenset[tuple[str, str]] = frozenset()
    """(step id, part) of each prediction answered and exercise met (changes.PARTS)."""


@dataclass(slots=True)
class _Unsaved:
    """Changes the file has not taken yet, under the name of the file that keeps them."""

    name: str
    changes: list[Change] = field(default_factory=list)
    kept: Path | None = None
    """The file holding them (None: nowhere but memory yet)."""


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One short transaction, committed (durably) when the block ends; rolled back on failure,
    a failed COMMIT included."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise


def _taken(db: sqlite3.Connection, name: str) -> int:
    """How many changes of the unsaved file `name` the record has already taken."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (f"unsaved {name}",)).fetchone()
    return int(row[0]) if row and str(row[0]).isdigit() else 0


def _take(db: sqlite3.Connection, runs: Sequence[_Unsaved]) -> None:
    """Write what `db` has not taken yet of each run, and note how far it got (inside the
    caller's transaction, so that a run is taken whole or not at all)."""
    for run in runs:
        for change in run.changes[_taken(db, run.name) :]:
            write(db, change)
        db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (f"unsaved {run.name}", str(len(run.changes))),
        )


class Record:
    """An open record. Thread-safe: the UI's workers share one.

    While its file takes writes, `_db` is the file. When a write fails (or the file could not be
    written from the start), `_db` becomes a copy in memory holding everything so far; each
    later write tries the file again with every change kept since, and the changes are also
    kept in a file of unsaved changes, so that even a killed tutor loses none.
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        path: Path | None,
        notice: str | None,
        *,
        problem: str | None = None,
    ) -> None:
        self._db = db
        self._lock = threading.Lock()
        self.path = path
        """The database file; None when nothing is ever written to it (a newer tutor's file)."""
        self.notice = notice
        """What went wrong opening the file, for the learner; None when all is well."""
        self.problem = problem
        """Why the file cannot be written now, in words; None while it takes every write."""
        self._runs: list[_Unsaved] = []
        """Changes the file has not taken: files found beside it, then this session's."""
        self._own: _Unsaved | None = None
        self._said: list[str] = []
        self._listener: Callable[[str], object] | None = None
        self.lost = False
        """Set on close when changes the file could not take could not be kept in any file."""

    @property
    def saved(self) -> bool:
        """Whether everything the learner did is in the file."""
        return self.path is not None and self.problem is None

    def listen(self, listener: Callable[[str], object]) -> None:
        """Tell `listener` each later change of fortune (the file could not be written, or can
        be again) once, as a sentence, from the thread that met it; what was said before it
        listened is told now. `notice` (the opening) is not repeated."""
        with self._lock:
            self._listener = listener
        self._tell()

    def _say(self, text: str) -> None:
        self._said.append(text)

    def _tell(self) -> None:
        """Hand what was said to the listener, outside the lock (it may read the record)."""
        with self._lock:
            listener, said = self._listener, self._said
            if listener is None:
                return
            self._said = []
        for text in said:
            listener(text)

    def close(self) -> list[str]:
        """Try the file one last time, then close. What the learner must still hear: e.g. where
        the changes the file could not take are kept."""
        with self._lock:
            if self.path is not None and self.problem is not None:
                self._retry()
            if self._own is not None and self.problem is not None:
                self._say(self._farewell(self._own))
            self._db.close()
            said, self._said = self._said, []
        return said

    def _farewell(self, own: _Unsaved) -> str:
        assert self.path is not None
        answers = sum(isinstance(change, Answered) for change in own.changes)
        others = len(own.changes) - answers
        what = " and ".join(
            f"{count} {noun}{'s' if count != 1 else ''}"
            for count, noun in ((answers, "answer"), (others, "other change"))
            if count
        )
        head = (
            f"Your progress file {self.path} still cannot be written ({self.problem}): "
            f"what this session did ({what})"
        )
        if own.kept is None:
            self.lost = True
            return f"{head} could not be kept in any file either."
        if own.kept.parent == self.path.parent:
            return f"{head} is kept in {own.kept}, and goes into the record at the next start."
        return (
            f"{head} is kept in {own.kept}; add it to the record with "
            f"`redirect-tutor progress --import {own.kept}`."
        )

    # Keeping changes while the file cannot take them.

    def _lose_file(self, error: BaseException) -> None:
        """The file failed: go on with a copy of it in memory, and say so once."""
        assert self.path is not None
        file, self.problem = self._db, why(self.path, error)
        try:
            self._db = _copy(file)
        except sqlite3.Error:
            try:
                self._db = _snapshot(self.path)
            except _Newer:  # a newer tutor took the file over meanwhile: this tutor cannot read it
                self._db = _connect(":memory:")
        with contextlib.suppress(sqlite3.Error):
            file.close()
        self._say(
            f"Your progress cannot be saved in {self.path} now ({self.problem}): "
            "it is kept in memory, and saved there as soon as it can be."
        )

    def _retry(self) -> bool:
        """Try the file again with every change it has not taken; whether it took them."""
        assert self.path is not None
        try:
            file = _connect(self.path, RETRY_TIMEOUT_MS)
        except (sqlite3.Error, OSError, _Newer):
            return False
        try:
            with _transaction(file) as db:
                _take(db, self._runs)
        except (sqlite3.Error, OSError):
            file.close()
            return False
        self._db.close()
        self._db, self.problem = file, None
        self._taken()
        return True

    def _taken(self) -> None:
        """The file has taken every change kept for it: their files go, and the learner hears."""
        for run in self._runs:
            if run.kept is not None:
                with contextlib.suppress(OSError):
                    run.kept.unlink()
        if any(run.changes for run in self._runs):
            self._say(f"Your progress is saved in {self.path} again: nothing was lost.")
        self._runs, self._own = [], None

    def catch_up(self, files: Sequence[Path]) -> None:
        """Take the unsaved changes earlier sessions left in `files`: into the file when it
        takes them (the files are then deleted), else into the copy in memory, so that the
        learner sees them, until it does."""
        with self._lock:
            for kept in files:
                try:
                    changes = unsaved.read(kept)
                except (OSError, ValueError) as error:
                    self._say(f"{kept} could not be added to your record ({error}); it was left.")
                    continue
                self._runs.append(_Unsaved(kept.name, changes, kept))
            if self._runs and self.problem is None:
                try:
                    with _transaction(self._db) as db:
                        _take(db, self._runs)
                except (sqlite3.Error, OSError) as error:
                    self._lose_file(error)
                else:
                    self._taken()
            for run in self._runs:  # into the copy in memory: the learner sees them
                with _transaction(self._db) as db:
                    for change in run.changes[_taken(db, run.name) :]:
                        write(db, change)
        self._tell()

    def _keep(self, change: Change) -> None:
        """Write `change` to the file; failing that, to memory and to the unsaved file."""
        with self._lock:
            if self.problem is None:
                try:
                    with _transaction(self._db) as db:
                        write(db, change)
                except (sqlite3.Error, OSError) as error:
                    if self.path is None:
                        raise
                    self._lose_file(error)
                    self._keep_in_memory(change, retry=False)
            else:
                self._keep_in_memory(change, retry=True)
        self._tell()

    def _keep_in_memory(self, change: Change, *, retry: bool) -> None:
        assert self.path is not None  # a record never written to never fails to be
        with _transaction(self._db) as db:
            write(db, change)
        if self._own is None:
            self._own = _Unsaved(unsaved.new_name(self.path))
            self._runs.append(self._own)
        self._own.changes.append(change)
        if retry and self._retry():
            return
        own, before = self._own, self._own.kept
        try:
            own.kept = unsaved.keep(self.path, own.name, own.changes, before and before.parent)
        except OSError:
            own.kept = None
        if before is not None and before != own.kept:
            with contextlib.suppress(OSError):
                before.unlink()

    def _read(self, sql: str, *args: object) -> list[tuple]:
        with self._lock:
            try:
                rows = self._db.execute(sql, args).fetchall()
            except sqlite3.Error as error:
                if self.path is None or self.problem is not None:
                    raise
                self._lose_file(error)
                rows = self._db.execute(sql, args).fetchall()
        self._tell()
        return rows

    # Lessons

    def show_step(self, lesson_id: str, step_id: str, *, last: bool = False) -> None:
        """The learner is on `step_id` of `lesson_id`; `last`: it is the lesson's last step."""
        self._keep(StepShown(lesson_id, step_id, time.time(), last))

    def meet(self, lesson_id: str, step_id: str, part: str) -> None:
        """The learner met `part` ("prediction" or "exercise") of a step."""
        self._keep(PartMet(lesson_id, step_id, part, time.time()))

    def lessons(self) -> dict[str, LessonState]:
        rows = self._read("SELECT lesson_id, step_id, done_at FROM lessons")
        met: dict[str, set[tuple[str, str]]] = {}
        for lesson, step, part in self._read("SELECT lesson_id, step_id, part FROM met"):
            met.setdefault(lesson, set()).add((step, part))
        return {
            lesson: LessonState(step, ended is not None, frozenset(met.get(lesson, ())))
            for lesson, step, ended in rows
        }

    def last_lesson(self) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = 'last_lesson'")
        return rows[0][0] if rows else None

    def use_hints(self, lesson_id: str, step_id: str, count: int) -> None:
        """The learner has seen the first `count` hints of a step's prediction."""
        self._keep(HintsUsed(lesson_id, step_id, count, time.time()))

    def hints_used(self) -> dict[str, int]:
        """How many hints each lesson's learner asked for."""
        rows = self._read("SELECT lesson_id, COUNT(*) FROM hints GROUP BY lesson_id")
        return dict(rows)

    # Quiz

    def answer(self, answer: Answer, slot: Slot) -> None:
        """Keep `answer` and move its question to `slot`, in one transaction."""
        self._keep(Answered(answer, slot))

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
        """Forget everything: lessons, hints, answers and boxes. Unwritable (saying why) when the
        file cannot take it: forgetting is never kept for later."""

        def forget(db: sqlite3.Connection) -> None:
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")

        with self._lock:
            if self.path is not None:
                self._must_write()
            self._write_now(forget)

    def import_file(self, kept: Path) -> int:
        """Add the changes of an unsaved file (tutor.progress.unsaved) the record has not taken
        yet; how many it took. ValueError when it is not such a file, OSError when it cannot be
        read, Unwritable when the record cannot take them now."""
        run = _Unsaved(kept.name, unsaved.read(kept))
        with self._lock:
            self._must_write()
            taken = len(run.changes) - _taken(self._db, run.name)
            self._write_now(lambda db: _take(db, [run]))
        return max(taken, 0)

    def _must_write(self) -> None:
        """Unwritable unless the file takes writes now (tried again if it did not)."""
        if self.path is None:
            raise Unwritable("this record is not saved: a newer redirect-tutor made it")
        if self.problem is not None and not self._retry():
            raise Unwritable(f"{self.path} cannot be written now ({self.problem})")

    def _write_now(self, body: Callable[[sqlite3.Connection], object]) -> None:
        """`body` in one transaction, or Unwritable saying why not; nothing kept for later."""
        try:
            with _transaction(self._db) as db:
                body(db)
        except (sqlite3.Error, OSError) as error:
            where = self.path or Path("the record")
            raise Unwritable(f"{where} cannot be written now ({why(where, error)})") from None


class _Newer(Exception):
    """The file was written by a newer tutor (its user_version is above SCHEMA_VERSION).

    Not a sqlite3.DatabaseError: such a file is good, so it must never be moved aside.
    """

    def __init__(self, version: int) -> None:
        super().__init__(f"record version {version}")
        self.version = version


_TABLES_HELD = "SELECT name FROM sqlite_master WHERE type = 'table'"


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
        with _transaction(db):
            version = _version(db)
            if version > SCHEMA_VERSION:
                raise _Newer(version)  # a newer tutor upgraded it since we looked
            if version < target:
                for statement in _MIGRATIONS[target]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")


def _connect(path: Path | str, busy_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """An open, checked, writable database at SCHEMA_VERSION; sqlite3.Error (Damaged when its
    check fails) or OSError if unusable.

    _Newer, before anything is written (not even the journal mode), if a newer tutor made it.
    """
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, timeout=busy_ms / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        db.execute(f"PRAGMA busy_timeout = {busy_ms}")
        version = _version(db)
        if version > SCHEMA_VERSION:
            raise _Newer(version)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        (check,) = db.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise Damaged(f"the file is damaged: {' '.join(str(check).split())[:200]}")
        _migrate(db)
        missing = set(_TABLES) - {name for (name,) in db.execute(_TABLES_HELD)}
        if missing:  # its version says they are there: something else took them out
            raise Damaged(f"the file is damaged: it has no table {', '.join(sorted(missing))}")
    except BaseException:
        db.close()
        raise
    return db


def _memory() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)


def _read_only(path: Path, mode: str) -> sqlite3.Connection:
    """`path` opened so that SQLite refuses to write it: "mode=ro", or "immutable=1" (for a file
    whose folder cannot even hold SQLite's shared-memory file)."""
    db = sqlite3.connect(
        f"{path.resolve().as_uri()}?{mode}",
        uri=True,
        timeout=RETRY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    db.execute(f"PRAGMA busy_timeout = {RETRY_TIMEOUT_MS}")
    return db


def _copy(source: sqlite3.Connection) -> sqlite3.Connection:
    """A copy in memory of an open record, at SCHEMA_VERSION."""
    copy = _memory()
    source.backup(copy)
    _migrate(copy)
    return copy


def _snapshot(path: Path) -> sqlite3.Connection:
    """A copy in memory of the file at `path`, read without writing a byte to it (an empty
    record when it cannot be read); _Newer if a newer tutor made it."""
    for mode in ("mode=ro", "immutable=1"):
        try:
            source = _read_only(path, mode)
            try:
                version = _version(source)
                if version > SCHEMA_VERSION:
                    raise _Newer(version)
                return _copy(source)
            finally:
                source.close()
        except sqlite3.Error:
            continue
    return _connect(":memory:")


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
    db = _memory()
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


def _open(path: Path) -> Record:
    """The record at `path`, or why not in the notice, one sentence (see open_record)."""
    try:
        return Record(_connect(path), path, None)
    except _Newer as newer:
        return _read_newer(path, newer.version)
    except (sqlite3.Error, OSError) as error:
        failed = error
    if not damaged(failed):
        try:
            copy = _snapshot(path)
        except _Newer as newer:
            return _read_newer(path, newer.version)
        problem = why(path, failed)
        notice = f"Your progress file {path} cannot be written ({problem})"
        notice += ": it was left as it is, and " if path.exists() else ", so "
        return Record(copy, path, notice + _TAIL, problem=problem)
    unread = f"Your progress file could not be read ({failed})"
    try:
        aside = _move_aside(path)
    except OSError as error:
        notice = (
            f"Your progress file could be neither read ({failed}) nor moved aside ({error}): "
            f"it was left as {path}"
        )
        return Record(
            _connect(":memory:"), path, f"{notice}, and {_TAIL}", problem=why(path, error)
        )
    try:
        return Record(
            _connect(path), path, f"{unread}: it was kept as {aside}, and a fresh record started."
        )
    except (sqlite3.Error, OSError, _Newer) as error:
        problem = why(path, error)
        notice = (
            f"{unread}: it was kept as {aside}, but a fresh record cannot be written ({problem})"
        )
        return Record(_connect(":memory:"), path, f"{notice}, so {_TAIL}", problem=problem)


def open_record(path: Path | None = None) -> Record:
    """The record at `path` (default: database_path()), migrated to SCHEMA_VERSION. Never raises.

    Only a file SQLite finds damaged (corrupt, not a database, a failed quick_check) is moved
    aside, and a fresh record started in its place. A good file that cannot be written (a full
    disk, a read-only file, folder or disk, another program's lock) is left as it is: the record
    works on a copy in memory and writes to the file as soon as it can (see Record). A file a
    newer tutor made (user_version above SCHEMA_VERSION) is never written to, nor moved aside:
    this tutor cannot know what its schema means, and the learner's answers must not be lost
    when they go back to the newer one. It is read into memory instead (see _read_newer), so
    this session works and is simply not kept. `Record.notice` then says what happened.

    Changes an earlier session could not write, left beside the file, are taken in now.
    """
    path = path or database_path()
    record = _open(path)
    if record.path is not None:
        record.catch_up(unsaved.beside(path))
    return record
