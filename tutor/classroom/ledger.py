"""The class ledger: who met which exercise, judged by the lab from its own journal.

Every chain a student begins under /s/NAME at an exercise's route is an attempt at it, whatever
client sent it (curl, a browser, a joined tutor's bring-your-own step): the lab judges it with
the same check the student's tutor uses (course.checks). A configure exercise runs the client
the student's tutor picked; the tutor names the chain it ran, and the lab judges that chain
from its own journal. A cell remembers every attempt's count and whether any met the goal; the
journal may forget old hops (its bounds), the ledger does not forget that they counted.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tutor.classroom.beacon import Beacon
from tutor.course.checks import Check, check_attempt, check_configured
from tutor.course.exercises import BringYourOwn, Configure
from tutor.lab.evidence import Evidence
from tutor.lab.journal import Hop, Journal, is_attempt

if TYPE_CHECKING:
    from tutor.course import Course
    from tutor.experiments.outcome import Outcome

__all__ = ["Cell", "Column", "Ledger", "Row"]

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

    def __init__(self, course: Course, journal: Journal, beacon: Beacon | None = None) -> None:
        self.columns = columns_of(course)
        self.journal = journal
        self.beacon = beacon if beacon is not None else Beacon()
        self._rows: dict[str, Row] = {}
        self._lock = threading.Lock()
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

    def settle(self, timeout: float = 2.0) -> None:
        """Wait until every hop heard so far is judged (for tests: the teacher's view follows
        the beacon instead)."""
        done = threading.Event()
        self._heard.put(done)
        done.wait(timeout)

    def _work(self) -> None:
        while True:
            hop = self._heard.get()
            if hop is None:
                return
            if isinstance(hop, threading.Event):
                hop.set()
                continue
            self._judge(hop)
            self.beacon.bump()

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
                self._row(name)
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
