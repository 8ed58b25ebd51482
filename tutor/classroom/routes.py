"""The classroom's routes beside the lab: students' tutors join and read their own chains, the
teacher reads the class. JSON in and out, never journaled (they are not experiments).

Student routes carry the seat key `join` gave (`Authorization: Seat KEY`) and only ever reach
that student's own chains. Teacher routes carry the teacher key (`Authorization: Bearer KEY`,
see key.py); without it they answer 403 and say why.

  POST /class/join                {"name": N} -> {"name", "seat", "exam"}
  GET  /class/chain?chain=T[&more=N&wait=S]   a chain of the student's, waiting (at most S
                                  seconds, up to 2) until it holds more than N hops
  GET  /class/attempts?route=R    the student's attempts at a bring-your-own route
  GET  /class/feed?after=SEQ[&wait=S]        the student's hops after SEQ, waiting for one
  POST /class/configured          {"exercise", "chain", "answer", "client_version", "error"}:
                                  the lab judges a configure exercise's run from its journal
  GET  /class/exam, POST /class/exam/answer   the exam the teacher set (exam.py)
  GET  /teacher/class[?since=V&wait=S]        the whole class, once it changed after V
  GET  /teacher/chains?student=N[&exercise=ID]   a student's chains, hop by hop (with an
                                  exercise, "met": whether each met its goal)
  POST /teacher/free              {"name": N}: the name may be used from another computer
  POST /teacher/exam              {"seed", "count", "time"}: set the exam (exam.py)
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from tutor.classroom.beacon import Beacon
from tutor.classroom.ledger import Ledger
from tutor.lab.app import Receive, Scope, Send
from tutor.lab.journal import Journal
from tutor.lab.seats import NAME, Seats, Taken
from tutor.lab.wire import hops_to_wire

if TYPE_CHECKING:
    from tutor.classroom.exam import Exam
    from tutor.course import Course

__all__ = ["BODY_LIMIT", "WAIT_LIMIT", "Classroom"]

BODY_LIMIT = 64 * 1024
"""Bytes a call to a class route may send: a join, an answer, a report are a few hundred."""
WAIT_LIMIT = 25.0
"""Seconds a long poll may wait: less than any proxy's or client's idle timeout."""


class _Refused(Exception):
    """Answer with this status and sentence (and `more` fields for the caller's program)."""

    def __init__(self, status: int, sentence: str, **more: object) -> None:
        super().__init__(sentence)
        self.status = status
        self.more = more


Handler = Callable[["_Call"], Awaitable[Any]]


class _Call:
    """One call to a class route: its query, its JSON body, who made it."""

    def __init__(self, scope: Scope, body: bytes) -> None:
        self.scope = scope
        self.params = parse_qsl(scope["query_string"].decode("latin-1"))
        self.body = body
        client = scope.get("client")
        self.address: str = client[0] if client else "-"
        self.name = ""
        """The student whose seat key came with the call."""

    def param(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.params if k == name), default)

    def number(self, name: str, default: float, high: float) -> float:
        raw = self.param(name)
        try:
            value = float(raw) if raw is not None else default
        except ValueError:
            raise _Refused(400, f"?{name}= takes a number.") from None
        return min(max(value, 0.0), high)

    def authorization(self, scheme: str) -> str:
        raw = next((v for k, v in self.scope["headers"] if k == b"authorization"), b"")
        given_scheme, _, value = raw.decode("latin-1").partition(" ")
        return value.strip() if given_scheme.lower() == scheme.lower() else ""

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise _Refused(400, "The body is not JSON.") from None
        if not isinstance(value, dict):
            raise _Refused(400, "The body is a JSON object.")
        return value


class Classroom:
    """The lab's annex (tutor.lab.app.Annex) for a class: seats, the ledger, the teacher's key,
    and the exam when one is set."""

    def __init__(
        self,
        course: Course,
        journal: Journal,
        key: str,
        exam: Exam | None = None,
    ) -> None:
        self.course = course
        self.journal = journal
        self.key = key
        self.seats = Seats()
        self.beacon = Beacon()
        self.ledger = Ledger(course, journal, self.beacon)
        self.exam = exam
        self.lab_url = ""
        """The lab's own URL on this machine, once it listens (the exam's predictions run
        there)."""
        self._student: dict[tuple[str, str], Handler] = {
            ("POST", "/class/join"): self._join,
            ("GET", "/class/chain"): self._chain,
            ("GET", "/class/attempts"): self._attempts,
            ("GET", "/class/feed"): self._feed,
            ("POST", "/class/configured"): self._configured,
            ("GET", "/class/exam"): self._exam_sheet,
            ("POST", "/class/exam/answer"): self._exam_answer,
        }
        self._teacher: dict[tuple[str, str], Handler] = {
            ("GET", "/teacher/class"): self._class,
            ("GET", "/teacher/chains"): self._chains,
            ("POST", "/teacher/free"): self._free,
            ("POST", "/teacher/exam"): self._set_exam,
        }

    def close(self) -> None:
        self.ledger.stop()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, document = 200, {}
        try:
            body = await _read(receive)
            call = _Call(scope, body)
            route = (scope["method"], scope["path"].rstrip("/") or "/")
            if route in self._teacher:
                given = call.authorization("Bearer")
                if not (given and hmac.compare_digest(given.encode(), self.key.encode())):
                    raise _Refused(
                        403,
                        "This route is the teacher's: it needs the teacher key that `serve` "
                        "keeps in the teacher's data folder (`class` finds it by itself).",
                    )
                document = await self._teacher[route](call)
            elif route in self._student:
                if route != ("POST", "/class/join"):
                    name = self.seats.holder(call.authorization("Seat"))
                    if name is None:
                        raise _Refused(
                            403,
                            "This route is for a tutor that joined the class: it needs the "
                            "seat key `POST /class/join` gave it. Join again.",
                            rejoin=True,
                        )
                    call.name = name
                document = await self._student[route](call)
            else:
                known = {path for _, path in (*self._student, *self._teacher)}
                raise _Refused(
                    404 if route[1] not in known else 405,
                    f"No class route {scope['method']} {scope['path']}.",
                )
        except _Refused as refused:
            status, document = refused.status, {"error": str(refused), **refused.more}
        except _TooLarge:
            status, document = 413, {"error": f"A class call sends at most {BODY_LIMIT} bytes."}
        except _Gone:
            return
        await _send(send, status, document)

    # Students.

    async def _join(self, call: _Call) -> dict[str, Any]:
        name = str(call.json().get("name", ""))
        if not NAME.fullmatch(name):
            raise _Refused(400, "A name is 1 to 32 letters, digits, '-' or '_'.")
        try:
            seat = self.seats.join(name, call.address)
        except Taken as taken:
            raise _Refused(403, str(taken)) from None
        self.ledger.rows([name])
        self.beacon.bump()
        exam = self.exam.summary() if self.exam is not None else None
        return {"name": name, "seat": seat, "exam": exam}

    async def _chain(self, call: _Call) -> dict[str, Any]:
        token = call.param("chain") or ""
        more = int(call.number("more", -1, 10**6)) if call.param("more") else None
        hops = self.journal.chain(token)
        if hops and hops[0].student != call.name:
            raise _Refused(403, "That chain began under another prefix: it is not yours.")
        if more is not None and len(hops) <= more:
            wait = call.number("wait", 0.0, 2.0)
            await asyncio.to_thread(self.journal.wait_for_more, {token: more}, wait)
            hops = self.journal.chain(token)
            if hops and hops[0].student != call.name:
                raise _Refused(403, "That chain began under another prefix: it is not yours.")
        return {"hops": hops_to_wire(hops)}

    async def _attempts(self, call: _Call) -> dict[str, Any]:
        route = call.param("route") or ""
        chains = self.journal.started(call.name, route)
        return {"chains": [hops_to_wire(chain) for chain in chains]}

    async def _feed(self, call: _Call) -> dict[str, Any]:
        after = int(call.number("after", 0, 2**62))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + call.number("wait", 0.0, WAIT_LIMIT)
        since = self.beacon.version
        while not (hops := self.ledger.feed(call.name, after)) and loop.time() < deadline:
            since = await self.beacon.wait(since, deadline - loop.time())  # anyone's change
        return {"hops": hops_to_wire(hops)}

    async def _configured(self, call: _Call) -> dict[str, Any]:
        from tutor.classroom.configured import Unwitnessed, witnessed

        try:
            column, outcome = witnessed(self.ledger, self.journal, call.name, call.json())
        except Unwitnessed as unwitnessed:
            raise _Refused(400, str(unwitnessed)) from None
        check = self.ledger.configured(call.name, column, outcome)
        return {"met": check.met, "problems": list(check.problems)}

    async def _exam_sheet(self, call: _Call) -> dict[str, Any]:
        exam = self._the_exam()
        document = await asyncio.to_thread(exam.sheet, call.name)
        self.beacon.bump()  # the class view sees the student start
        return document

    async def _exam_answer(self, call: _Call) -> dict[str, Any]:
        from tutor.classroom.exam import ExamError

        exam = self._the_exam()
        answer = call.json()
        try:
            document = await asyncio.to_thread(exam.answer, call.name, answer, self.lab_url)
        except ExamError as error:
            raise _Refused(400, str(error)) from None
        self.beacon.bump()
        return document

    def _the_exam(self) -> Exam:
        if self.exam is None:
            raise _Refused(404, "The teacher has not set an exam on this lab.")
        return self.exam

    # The teacher.

    async def _class(self, call: _Call) -> dict[str, Any]:
        since = int(call.number("since", -1, 2**62)) if call.param("since") else None
        if since is not None:
            await self.beacon.wait(since, call.number("wait", 0.0, WAIT_LIMIT))
        version = self.beacon.version
        rows = self.ledger.rows()
        exam = self.exam.results() if self.exam is not None else {}
        for row in rows:
            row["exam"] = exam.get(str(row["name"]))
        return {
            "version": version,
            "exercises": [
                {
                    "id": c.id,
                    "lesson": c.lesson,
                    "step": c.step,
                    "title": c.title,
                    "kind": c.exercise.kind,
                }
                for c in self.ledger.columns
            ],
            "lessons": {lesson.id: lesson.title for lesson in self.course.lessons},
            "students": rows,
            "exam": self.exam.summary() if self.exam is not None else None,
        }

    async def _chains(self, call: _Call) -> dict[str, Any]:
        student = call.param("student") or ""
        exercise = call.param("exercise")
        met: list[bool] | None = None
        if exercise:
            if self.ledger.column(exercise) is None:
                raise _Refused(404, f"No exercise {exercise!r} in the course.")
            attempts = self.ledger.attempts(student, exercise)
            chains, met = [hops for hops, _ in attempts], [met for _, met in attempts]
        else:
            tokens = dict.fromkeys(hop.chain for hop in self.ledger.feed(student, 0))
            chains = [hops for token in tokens if (hops := self.journal.chain(token))]
        document = {"student": student, "chains": [hops_to_wire(chain) for chain in chains]}
        return {**document, "met": met}

    async def _free(self, call: _Call) -> dict[str, Any]:
        name = str(call.json().get("name", ""))
        return {"name": name, "freed": self.seats.free(name)}

    async def _set_exam(self, call: _Call) -> dict[str, Any]:
        from tutor.classroom.exam import Exam, ExamError

        try:
            self.exam = Exam.set(self.course, self.journal, call.json(), previous=self.exam)
        except ExamError as error:
            raise _Refused(400, str(error)) from None
        self.beacon.bump()
        return {"exam": self.exam.summary()}


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    """The caller hung up: nothing to answer."""


async def _read(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > BODY_LIMIT:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, status: int, document: object) -> None:
    body = json.dumps(document).encode() + b"\n"
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
