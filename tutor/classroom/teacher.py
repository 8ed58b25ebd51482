"""The teacher's link to the class lab: it reads the whole class, a student's chains hop by hop,
frees a name, sets and ends the exam, with the teacher key (routes.py lists the routes).

On the teacher's machine it finds the lab by itself, from the card `serve` wrote (key.py); from
another machine it is given the lab's URL and the key. It is asynchronous (httpx): the class
view waits on a long poll without a thread of its own, and quitting cancels the wait at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutor.classroom.answer import TooLarge, TooSlow, fetch_json
from tutor.classroom.key import read_card
from tutor.lab.journal import Hop
from tutor.lab.printable import one_line
from tutor.lab.wire import WireError, hops_from_wire

__all__ = [
    "NO_LAB",
    "Access",
    "Chain",
    "ClassState",
    "ExamAnswer",
    "ExamResult",
    "ExamSummary",
    "Exercise",
    "NoLab",
    "Refused",
    "Student",
    "StudentCell",
    "TeacherError",
    "TeacherLink",
    "UnknownLesson",
    "Unreachable",
    "WrongKey",
    "find_lab",
]

TIMEOUT = 5.0
"""Seconds a call may take before the teacher hears the lab is not answering."""
POLL_WAIT = 20.0
"""Seconds one long poll waits on the lab for a change (the lab allows up to 25)."""
GAP = 0.2
"""Seconds between two polls: a busy class changes many times a second, and five views a
second are all a person reads; the lab keeps its time for the students."""

NO_LAB = (
    "No class lab is running here: start one with `redirect-tutor serve --host 0.0.0.0`, "
    "or reach another machine's with --lab URL --key KEY."
)


class TeacherError(Exception):
    """The class cannot be read or changed; the message is one sentence for the teacher."""


class NoLab(TeacherError):
    """No `serve` on this machine wrote a card that is still valid."""


class Unreachable(TeacherError):
    """The lab did not answer, or not as a class lab does."""


class WrongKey(TeacherError):
    """The lab refused the teacher key."""


class Refused(TeacherError):
    """The lab said no to what was asked (an exam it cannot set); the message is its own."""


class UnknownLesson(TeacherError):
    """`--lesson` named a lesson the lab's course does not have, or one without exercises."""


@dataclass(frozen=True, slots=True)
class Access:
    """Where the lab is and the teacher key; `from_card` when found on this machine."""

    url: str
    key: str
    from_card: bool = False


def find_lab(url: str | None = None, key: str | None = None) -> Access:
    """The lab given (both `url` and `key`), or the one the card on this machine names; NoLab."""
    if url is not None and key is not None:
        return Access(url.rstrip("/"), key)
    card = read_card()
    if card is None:
        raise NoLab(NO_LAB)
    return Access(card.url.rstrip("/"), card.key, from_card=True)


class _Read(BaseModel):
    """A part of the lab's answer: what the view needs, checked; anything more is ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Exercise(_Read):
    id: str
    lesson: str
    step: str
    title: str
    kind: str


class StudentCell(_Read):
    """One student at one exercise, as the lab judged it."""

    met: bool = False
    attempts: int = 0
    problems: tuple[str, ...] = ()
    """Why the newest attempt did not meet the goal."""


class ExamAnswer(_Read):
    number: int
    question: str = ""
    chosen: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    correct: bool = False
    void: str | None = None
    """Why the answer was not graded (a prediction whose run failed); None when it was."""


class ExamResult(_Read):
    """One student's exam as the lab graded it (exam.py, `results`)."""

    score: int = 0
    graded: int = 0
    answered: int = 0
    questions: int = 0
    started: str | None = None
    finished: str | None = None
    """None while the student may still answer."""
    answers: tuple[ExamAnswer, ...] = ()

    @property
    def score_text(self) -> str:
        """E.g. "7/10"."""
        return f"{self.score}/{self.questions}"

    @property
    def answers_text(self) -> str:
        """Each answer as "number:choices", e.g. "1:a;2:b,c"."""
        return ";".join(f"{a.number}:{','.join(a.chosen)}" for a in self.answers)


class ExamSummary(_Read):
    seed: int
    count: int
    time: int | None = None
    """Seconds each student has, from their first question; None: no limit."""
    questions: int
    """The questions drawn: `count`, or fewer when the banks hold fewer."""
    over: str | None = None
    """Why the exam is over ("teacher", "time"): students see their grades then, and answer no
    more; None while it runs."""

    def describe(self) -> str:
        """E.g. "seed 42, 10 questions, 10 min each" (", over" once it is)."""
        limit = f"{self.time / 60:g} min each" if self.time else "no time limit"
        over = ", over" if self.over else ""
        return f"seed {self.seed}, {self.questions} questions, {limit}{over}"


class Student(_Read):
    name: str
    cells: dict[str, StudentCell] = Field(default_factory=dict)
    verdict: str | None = None
    """The verdict of the student's newest chain that met a redirect."""
    at: float = 0.0
    requests: int = 0
    exam: ExamResult | None = None

    def cell(self, exercise_id: str) -> StudentCell:
        return self.cells.get(exercise_id) or StudentCell()


class ClassState(_Read):
    """The class as the lab sees it at one `version`."""

    version: int
    exercises: tuple[Exercise, ...]
    lessons: dict[str, str]
    """Every lesson of the lab's course: id -> title."""
    students: tuple[Student, ...]
    exam: ExamSummary | None = None
    hand_out: tuple[str, ...] = ()
    """The lab's URLs as students type them (none: it listens on loopback only)."""

    @property
    def join_url(self) -> str | None:
        """The URL a student joins with: the first the lab hands out."""
        return self.hand_out[0] if self.hand_out else None

    def columns(self, lessons: Iterable[str] = ()) -> list[Exercise]:
        """The exercises of the lessons asked for, in course order (all when none are);
        UnknownLesson for a lesson the lab does not have or that has no exercise."""
        wanted = list(dict.fromkeys(lessons))
        with_exercises = list(dict.fromkeys(exercise.lesson for exercise in self.exercises))
        for lesson in wanted:
            if lesson not in with_exercises:
                why = "has no exercise" if lesson in self.lessons else "is not in its course"
                raise UnknownLesson(
                    f"The lesson {lesson!r} {why} on this lab; lessons with exercises: "
                    f"{', '.join(with_exercises) or 'none'}."
                )
        return [e for e in self.exercises if not wanted or e.lesson in wanted]

    def student(self, name: str) -> Student | None:
        return next((student for student in self.students if student.name == name), None)


@dataclass(frozen=True, slots=True)
class Chain:
    """One of a student's chains, and whether it met the exercise's goal as the lab judged it
    (None: not asked about an exercise)."""

    hops: list[Hop]
    met: bool | None = None


class TeacherLink:
    """Calls to the teacher's routes of one lab; use it as `async with TeacherLink(access)`."""

    def __init__(self, access: Access) -> None:
        self.access = access
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> TeacherLink:
        self._client = httpx.AsyncClient(timeout=TIMEOUT, trust_env=False, follow_redirects=False)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def url(self) -> str:
        return self.access.url

    async def snapshot(self, since: int | None = None, wait: float = POLL_WAIT) -> ClassState:
        """The class; with `since`, once its version is past `since` (or `wait` seconds on)."""
        if since is None:
            params: dict[str, str | float] = {}
            wait = 0.0
        else:
            params = {"since": since, "wait": wait}
        document = await self._call("GET", "/teacher/class", params=params, wait=wait)
        try:
            return ClassState.model_validate(document)
        except ValidationError:
            raise self._not_a_lab() from None

    async def changes(self, wait: float = POLL_WAIT) -> AsyncIterator[ClassState]:
        """The class now, then each new state of it as soon as the lab has it (long polls,
        GAP apart). A lab found anew (serve restarted) starts again from its whole class."""
        since: int | None = None
        access = self.access
        while True:
            state = await self.snapshot(since, wait)  # `_call` forgets `since` for a new lab
            if state.version != since or self.access != access:
                yield state
            since, access = state.version, self.access
            await asyncio.sleep(GAP)

    async def chains(self, student: str, exercise: str | None = None) -> list[Chain]:
        """`student`'s chains at `exercise` ("lesson/step"), or their recent chains, oldest
        first, as far as the lab's journal still holds them."""
        params = {"student": student, **({"exercise": exercise} if exercise else {})}
        document = await self._call("GET", "/teacher/chains", params=params)
        chains, met = document.get("chains"), document.get("met")
        try:
            if not isinstance(chains, list):
                raise WireError("chains come as a JSON list")
            hops = [hops_from_wire(chain) for chain in chains]
        except WireError:
            raise self._not_a_lab() from None
        if not (isinstance(met, list) and len(met) == len(hops)):
            met = [None] * len(hops)
        return [
            Chain(chain, m if isinstance(m, bool) else None)
            for chain, m in zip(hops, met, strict=True)
        ]

    async def free(self, name: str) -> str | None:
        """Free `name` for the student who joins with the code returned (from any computer);
        None when no computer held it."""
        document = await self._call("POST", "/teacher/free", body={"name": name})
        code = document.get("code")
        return code if isinstance(code, str) and code.isalnum() and len(code) <= 16 else None

    async def set_exam(self, seed: int, count: int, time: int | None) -> ExamSummary:
        """Set the exam every student who joins takes; Refused with the lab's sentence."""
        body = {"seed": seed, "count": count, "time": time}
        return self._exam(await self._call("POST", "/teacher/exam", body=body))

    async def end_exam(self) -> ExamSummary:
        """End the exam for the class: nobody answers any more, and each student's tutor shows
        their grades; Refused with the lab's sentence (no exam set)."""
        return self._exam(await self._call("POST", "/teacher/exam/end"))

    def _exam(self, document: Mapping[str, Any]) -> ExamSummary:
        try:
            return ExamSummary.model_validate(document.get("exam"))
        except ValidationError:
            raise self._not_a_lab() from None

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | float] | None = None,
        body: Mapping[str, object] | None = None,
        wait: float = 0.0,
    ) -> dict[str, Any]:
        """One call, its JSON answer. When it fails and the lab was found on this machine, the
        card is read again: a `serve` started anew has a new key (and maybe port)."""
        try:
            return await self._call_once(method, path, params, body, wait)
        except (Unreachable, WrongKey):
            card = read_card() if self.access.from_card else None
            if card is None or (card.url, card.key) == (self.access.url, self.access.key):
                raise
            self.access = replace(self.access, url=card.url.rstrip("/"), key=card.key)
            fresh = {k: v for k, v in (params or {}).items() if k not in ("since", "wait")}
            return await self._call_once(method, path, fresh, body, 0.0)

    async def _call_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | float] | None,
        body: Mapping[str, object] | None,
        wait: float,
    ) -> dict[str, Any]:
        assert self._client is not None, "use the link as `async with TeacherLink(access)`"
        where = self.access.url
        request = self._client.build_request(
            method,
            f"{where}{path}",
            params=params,
            json=body,
            headers={"authorization": f"Bearer {self.access.key}"},
        )
        try:
            answer = await fetch_json(self._client, request, TIMEOUT + wait)
        except (httpx.TimeoutException, TooSlow):
            raise Unreachable(f"The class lab at {where} did not answer in time.") from None
        except TooLarge as error:
            raise Unreachable(
                f"The class lab at {where} {error}: is it `redirect-tutor serve`?"
            ) from None
        except httpx.HTTPError as error:
            why = one_line(str(error)) or type(error).__name__
            raise Unreachable(
                f"The class lab at {where} cannot be reached ({why}): is `redirect-tutor serve` "
                "still running there?"
            ) from None
        document = answer.document
        if not isinstance(document, dict):
            raise self._not_a_lab()
        if answer.status == 403:
            raise WrongKey(
                f"The class lab at {where} refused the teacher key: use the key that lab's "
                "`serve` kept (in class-lab.json in its data folder), or run `class` on the "
                "machine that runs it."
            )
        if answer.status != 200:
            said = document.get("error")
            if not isinstance(said, str):
                said = f"The lab answered {answer.status}."
            raise Refused(one_line(said))  # the lab's sentence, shown as it is
        return document

    def _not_a_lab(self) -> Unreachable:
        return Unreachable(
            f"{self.access.url} did not answer as a class lab does: is it `redirect-tutor serve`?"
        )
