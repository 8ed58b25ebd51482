"""The class ledger: who met which exercise, judged by the lab from its own journal.

Every chain a student begins under /s/NAME at an exercise's route is an attempt at it, whatever
client sent it (curl, a browser, a joined tutor's bring-your-own step): the lab judges it with
the same check the student's tutor uses (course.checks). A configure exercise runs the client
the student's tutor picked; the tutor names the chain it ran, and the lab judges that chain
from its own journal. A cell remembers every attempt's count and whether any met the goal; the
journal may forget old hops (its bounds), the ledger does not forget that they counted.

With a `path` (LEDGER_FILE in the teacher's data folder, beside the names the seats keep), the
ledger is written there (mode 0600) a moment after it changes and when the lab stops, and read
back when `serve` starts again within the same class (the names' KEPT_FOR): a restart keeps
every student's cells and verdict, though the journal starts empty.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.atomic import write_text_atomically
from tutor.classroom.beacon import Beacon
from tutor.course.checks import Check, check_attempt, check_configured
from tutor.course.exercises import BringYourOwn, Configure
from tutor.lab.evidence import Evidence
from tutor.lab.journal import Hop, Journal, is_attempt
from tutor.lab.seats import KEPT_FOR, NAME

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.experiments.outcome import Outcome

__all__ = ["LEDGER_FILE", "Cell", "Column", "Ledger", "Row"]

LEDGER_FILE = "class-ledger.json"
"""In the teacher's data folder: the ledger, kept across a restart of `serve`."""
SAVE_AFTER = 1.0
"""Seconds the ledger waits after a change before it writes itself (a busy class changes it
many times a second)."""

KEPT_CHAINS = 20
"""Chains a cell names for the teacher to open, newest last; older ones still count."""
FEED = 200
"""A student's most recent hops, for their joined tutor's journal screen."""


@dataclass(frozen=True, slots=True)
class Column:
    """One exercise of the course: `id` is "lesson/step"."""

    id: str
    lesson: str
    step: str
    title: str
    exercise: BringYourOwn | Configure

    @property
    def route(self) -> str | None:
        """Where a bring-your-own attempt starts (a configure one is named by its tutor)."""
        return self.exercise.route() if isinstance(self.exercise, BringYourOwn) else None


@dataclass(slots=True)
class Cell:
    """One student at one exercise."""

    met: bool = False
    """Some attempt met the goal."""
    results: dict[str, bool] = field(default_factory=dict)
    """Each attempt's chain token and whether it met the goal, oldest first (the last
    KEPT_CHAINS)."""
    older: int = 0
    """Attempts counted before the ones in `results`."""
    latest: Check | None = None

    @property
    def attempts(self) -> int:
        return self.older + len(self.results)

    def judged(self, token: str, check: Check) -> None:
        if token not in self.results and len(self.results) >= KEPT_CHAINS:
            del self.results[next(iter(self.results))]
            self.older += 1
        self.results[token] = check.met
        self.met = self.met or check.met
        self.latest = check

    def to_json(self) -> dict[str, object]:
        return {
            "met": self.met,
            "attempts": self.attempts,
            "problems": list(self.latest.problems) if self.latest else [],
        }

    def kept(self) -> dict[str, object]:
        """The cell as the ledger's file keeps it."""
        latest = asdict(self.latest) if self.latest else None
        return {"met": self.met, "results": self.results, "older": self.older, "latest": latest}

    @classmethod
    def taken_back(cls, kept: dict[str, Any]) -> Cell:
        """A cell from the ledger's file (TypeError, ValueError or KeyError when it is not one)."""
        results = {str(token): bool(met) for token, met in dict(kept["results"]).items()}
        latest = kept.get("latest")
        check = None
        if isinstance(latest, dict):
            check = Check(
                met=bool(latest["met"]),
                story=str(latest["story"]),
                verdict=str(latest["verdict"]),
                problems=tuple(str(problem) for problem in latest["problems"]),
                client=str(latest["client"]),
            )
        return cls(bool(kept["met"]), results, int(kept["older"]), check)


@dataclass(slots=True)
class Row:
    """One student: their cells, the verdict of their newest chain, their recent hops."""

    name: str
    cells: dict[str, Cell] = field(default_factory=dict)
    verdict: str | None = None
    at: float = 0.0
    requests: int = 0
    recent: deque[int] = field(default_factory=lambda: deque(maxlen=FEED))
    """The numbers of the student's latest hops: the journal holds the hops (and bounds them)."""


def columns_of(course: Course, lessons: Iterable[str] = ()) -> list[Column]:
    """The exercises of the lessons asked for (every lesson when none are), in course order."""
    wanted = set(lessons)
    return [
        Column(f"{lesson.id}/{step.id}", lesson.id, step.id, step.title, step.exercise)
        for lesson in course.lessons
        if not wanted or lesson.id in wanted
        for step in lesson.steps
        if step.exercise is not None
    ]


class Ledger:
    """Follows the journal (judging in a thread of its own, so the lab never waits for it) and
    keeps one Row per student; `beacon` is bumped at every change."""

    def __init__(
        self,
        course: Course,
        journal: Journal,
        beacon: Beacon | None = None,
        path: Path | None = None,
    ) -> None:
        self.columns = columns_of(course)
        self.journal = journal
        self.beacon = beacon if beacon is not None else Beacon()
        self._rows: dict[str, Row] = {}
        self._lock = threading.Lock()
        self._path = path
        self._changed_at: float | None = None
        """When the ledger changed since it was last written (None: it has not)."""
        if path is not None:
            self._load(path)
        self._heard: queue.SimpleQueue[Hop | threading.Event | None] = queue.SimpleQueue()
        """Hops to judge; an event to set once those before it are judged; None: stop."""
        self._worker = threading.Thread(target=self._work, name="class-ledger", daemon=True)
        self._worker.start()
        journal.subscribe(self.hear)

    def hear(self, hop: Hop) -> None:
        """The journal's listener, on the lab's loop: hand the hop over and return."""
        if hop.student:
            self._heard.put(hop)

    def stop(self) -> None:
        self.journal.unsubscribe(self.hear)
        self._heard.put(None)
        self._worker.join(timeout=2)
        self._save()

    def settle(self, timeout: float = 2.0) -> None:
        """Wait until every hop heard so far is judged (for tests: the teacher's view follows
        the beacon instead)."""
        done = threading.Event()
        self._heard.put(done)
        done.wait(timeout)

    def _work(self) -> None:
        while True:
            try:
                hop = self._heard.get(timeout=SAVE_AFTER)
            except queue.Empty:  # a quiet moment: time to write what changed
                self._save_if_due()
                continue
            if hop is None:
                return
            if isinstance(hop, threading.Event):
                hop.set()
                continue
            self._judge(hop)
            self._changed()
            self.beacon.bump()
            self._save_if_due()

    def _save_if_due(self) -> None:
        with self._lock:
            changed = self._changed_at
        if changed is not None and time.monotonic() - changed >= SAVE_AFTER:
            self._save()

    def _changed(self) -> None:
        with self._lock:
            if self._changed_at is None:
                self._changed_at = time.monotonic()

    def _save(self) -> None:
        """Write the ledger to its file, if it has one and changed. A disk that will not take it
        costs only this: after a restart, the cells begin again from what arrives."""
        with self._lock:
            if self._path is None or self._changed_at is None:
                return
            self._changed_at = None
            rows = {
                row.name: {
                    "cells": {cid: cell.kept() for cid, cell in row.cells.items()},
                    "verdict": row.verdict,
                    "at": row.at,
                    "requests": row.requests,
                }
                for row in self._rows.values()
            }
        with contextlib.suppress(OSError):
            text = json.dumps({"format": 1, "rows": rows}) + "\n"
            write_text_atomically(self._path, text, mode=0o600)

    def _load(self, path: Path) -> None:
        """Take back the ledger of the class this lab served last, unless that class is over
        (as the seats do: tutor.lab.seats.KEPT_FOR); a row that cannot be read is left out."""
        with contextlib.suppress(OSError, ValueError, RecursionError, TypeError, AttributeError):
            if time.time() - path.stat().st_mtime > KEPT_FOR:
                return
            kept = json.loads(path.read_text(encoding="utf-8"))["rows"]
            known = {column.id for column in self.columns}
            for name, row in dict(kept).items():
                if not NAME.fullmatch(name):
                    continue
                with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
                    cells = {
                        str(cid): Cell.taken_back(cell)
                        for cid, cell in dict(row["cells"]).items()
                        if cid in known
                    }
                    verdict = row.get("verdict")
                    self._rows[name] = Row(
                        name,
                        cells,
                        verdict if isinstance(verdict, str) else None,
                        float(row.get("at") or 0.0),
                        int(row.get("requests") or 0),
                    )

    def _judge(self, hop: Hop) -> None:
        chain = self.journal.chain_until(hop) or [hop]
        first = chain[0]
        if len(chain) == 1 and hop.status == 403:
            return  # refused at once (the name is another computer's): nobody's work
        evidence = Evidence.of_chain(chain)
        with self._lock:
            row = self._row(hop.student)
            row.requests += 1
            row.recent.append(hop.seq)
            if first.is_redirect:
                row.verdict, row.at = evidence.verdict.text, hop.at
            for column in self.columns:
                exercise, route = column.exercise, column.route
                if isinstance(exercise, BringYourOwn) and route and is_attempt(first, route):
                    cell = row.cells.setdefault(column.id, Cell())
                    cell.judged(first.chain, check_attempt(exercise, evidence))

    def _row(self, name: str) -> Row:
        row = self._rows.get(name)
        if row is None:
            row = self._rows[name] = Row(name)
        return row

    def column(self, column_id: str) -> Column | None:
        return next((column for column in self.columns if column.id == column_id), None)

    def configured(self, name: str, column: Column, outcome: Outcome) -> Check:
        """Count a configure exercise's run that `name`'s tutor made (`outcome`, its hops read
        from this lab's journal), and judge it."""
        assert isinstance(column.exercise, Configure)
        check = check_configured(column.exercise, outcome)
        token = outcome.hops[0].chain if outcome.hops else f"unsent-{outcome.client}"
        with self._lock:
            self._row(name).cells.setdefault(column.id, Cell()).judged(token, check)
        self._changed()
        self.beacon.bump()
        return check

    def attempts(self, name: str, column_id: str) -> list[tuple[list[Hop], bool]]:
        """The chains of `name`'s attempts at an exercise that the journal still holds, each
        with whether it met the goal."""
        with self._lock:
            row = self._rows.get(name)
            cell = row.cells.get(column_id) if row else None
            results = dict(cell.results) if cell else {}
        return [
            (hops, met) for token, met in results.items() if (hops := self.journal.chain(token))
        ]

    def feed(self, name: str, after: int, limit: int = FEED) -> list[Hop]:
        """`name`'s hops after the hop numbered `after`, oldest first, at most `limit`."""
        with self._lock:
            row = self._rows.get(name)
            seqs = [seq for seq in row.recent if seq > after] if row else []
        return self.journal.held(seqs[-limit:])

    def rows(self, names: Sequence[str] = ()) -> list[dict[str, object]]:
        """Every student's row (and those named, even before their first request), by name."""
        with self._lock:
            for name in names:
                if name not in self._rows:
                    self._row(name)
                    self._changed_at = self._changed_at or time.monotonic()
            return [
                {
                    "name": row.name,
                    "cells": {cid: cell.to_json() for cid, cell in row.cells.items()},
                    "verdict": row.verdict,
                    "at": row.at,
                    "requests": row.requests,
                }
                for row in sorted(self._rows.values(), key=lambda row: row.name.lower())
            ]
