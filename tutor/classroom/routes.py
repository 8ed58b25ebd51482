"""The classroom's routes beside the lab: students' tutors join and read their own chains, the
teacher reads the class. JSON in and out, never journaled (they are not experiments).

Student routes carry the seat key `join` gave (`Authorization: Seat KEY`) and only ever reach
that student's own chains. Teacher routes carry the teacher key (`Authorization: Bearer KEY`,
see key.py); without it they answer 403 and say why.

  POST /class/join                {"name": N[, "seat": KEY][, "code": C]} -> {"name", "seat",
                                  "exam"}: a name joined before needs its seat key; one the
                                  teacher freed, the code the teacher was given
  GET  /class/chain?chain=T[&more=N&wait=S]   a chain of the student's, waiting (at most S
                                  seconds, up to 2) until it holds more than N hops
  GET  /class/attempts?route=R    the student's attempts at a bring-your-own route
  GET  /class/feed?after=SEQ[&wait=S]        the student's hops after SEQ, waiting for one
  POST /class/configure           {"exercise", "answer"}: the lab runs the configure exercise's
                                  client against the answer, judges it, and returns the outcome
  GET  /class/exam, POST /class/exam/answer   the exam the teacher set (exam.py): answers are
                                  graded there, and shown only once the exam is over
  GET  /teacher/class[?since=V&wait=S]        the whole class, once it changed after V
  GET  /teacher/chains?student=N[&exercise=ID]   a student's chains, hop by hop (with an
                                  exercise, "met": whether each met its goal)
  POST /teacher/free              {"name": N} -> {"code"}: the name is kept for whoever joins
                                  with that code (a student on another computer)
  POST /teacher/exam              {"seed", "count", "time"}: set the exam (exam.py)
  POST /teacher/exam/end          end the exam for the class: no more answers, grades shown
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import math
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from tutor.classroom.beacon import Beacon
from tutor.classroom.ledger import KEPT_CHAINS, LEDGER_FILE, Ledger
from tutor.lab.addresses import counted_as, http_url
from tutor.lab.app import Disconnected, Receive, Scope, Send, TooLarge, read_body
from tutor.lab.authority import TlsLab
from tutor.lab.journal import Hop, Journal
from tutor.lab.seats import NAME, Seats, Taken, TooManyCodes
from tutor.lab.wire import hops_to_wire

if TYPE_CHECKING:
    from tutor.classroom.exam import Exam
    from tutor.course import Course

__all__ = ["BODY_LIMIT", "WAIT_LIMIT", "Classroom"]

BODY_LIMIT = 64 * 1024
"""Bytes a call to a class route may send: a join, an answer, a report are a few hundred."""
POLLS = 2
"""Long polls one seat may hold at once (its tutor uses one)."""
RUNS_PER_CLIENT = 4
"""Of the RUNS, how many one computer's students may hold at once (a NAT's, or `web`'s, are
many students: they wait their turn, they are not refused)."""
RUNS = 8
"""Runs the class may make at once (exam answers, predictions, configure exercises): each may
start a client program; more wait their turn."""
WAIT_LIMIT = 25.0
"""Seconds a long poll may wait: less than any proxy's or client's idle timeout."""


class _Refused(Exception):
    """Answer with this status and sentence (and `more` fields for the caller's program)."""

    def __init__(self, status: int, sentence: str, **more: object) -> None:
        super().__init__(sentence)
        self.status = status
        self.more = more


Handler = Callable[["_Call"], Awaitable[Any]]
T = TypeVar("T")


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
            value = math.nan
        if not math.isfinite(value):  # nan would make every wait endless
            raise _Refused(400, f"?{name}= takes a number.")
        return min(max(value, 0.0), high)

    def authorization(self, scheme: str) -> str:
        raw = next((v for k, v in self.scope["headers"] if k == b"authorization"), b"")
        given_scheme, _, value = raw.decode("latin-1").partition(" ")
        return value.strip() if given_scheme.lower() == scheme.lower() else ""

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
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
        names: Path | None = None,
    ) -> None:
        self.course = course
        self.journal = journal
        self.key = key
        self.seats = Seats(path=names)
        """Who holds each name; kept in `names` (the teacher's data folder) across restarts."""
        self.beacon = Beacon()
        self.ledger = Ledger(
            course, journal, self.beacon, names.with_name(LEDGER_FILE) if names else None
        )
        """Who met which exercise; kept beside `names` across restarts, like the seats."""
        self.exam = exam
        self._runs = ThreadPoolExecutor(RUNS, thread_name_prefix="class-run")
        self._running: set[str] = set()
        """The students one of whose runs is under way (see `_run_for`)."""
        self._stopping = False
        """The lab is stopping: no call waits any more (see `stop_waiting`)."""
        self._turns: dict[str, asyncio.Semaphore] = {}
        self._answering: dict[str, asyncio.Lock] = {}
        self._polls: Counter[str] = Counter()
        self.hand_out: list[str] = []
        """The lab's URLs as students type them (`serve` sets them; none on loopback)."""
        self.lab_url = ""
        """The lab's own URL on this machine, once it listens: the runs the lab makes for the
        class (an exam's predictions, configure exercises) go there."""
        self.tls = TlsLab(problem="the lab is still starting")
        """Its TLS listener, for an exam's prediction that changes scheme and for joined
        tutors' experiments (`serve` sets it)."""
        self._ca_pem: str | None = None
        self._student: dict[tuple[str, str], Handler] = {
            ("POST", "/class/join"): self._join,
            ("GET", "/class/chain"): self._chain,
            ("GET", "/class/attempts"): self._attempts,
            ("GET", "/class/feed"): self._feed,
            ("POST", "/class/configure"): self._configure,
            ("GET", "/class/exam"): self._exam_sheet,
            ("POST", "/class/exam/answer"): self._exam_answer,
        }
        self._teacher: dict[tuple[str, str], Handler] = {
            ("GET", "/teacher/class"): self._class,
            ("GET", "/teacher/chains"): self._chains,
            ("POST", "/teacher/free"): self._free,
            ("POST", "/teacher/exam"): self._set_exam,
            ("POST", "/teacher/exam/end"): self._end_exam,
        }

    def stop_waiting(self) -> None:
        self._stopping = True
        self.beacon.bump()

    def close(self) -> None:
        self.ledger.stop()
        self._runs.shutdown(wait=False, cancel_futures=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, document = 200, {}
        try:
            async with asyncio.timeout(self.journal.bounds.body_timeout):
                body = await read_body(scope, receive, BODY_LIMIT)
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
                    seat = call.authorization("Seat")
                    name = self.seats.holder(seat)
                    if name is None:
                        raise _Refused(
                            403,
                            "This route is for a tutor that joined the class: it needs the "
                            "seat key `POST /class/join` gave it. Join again.",
                            rejoin=True,
                        )
                    with contextlib.suppress(Taken):  # the key follows its tutor's address
                        self.seats.join(name, call.address, seat)
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
        except TooLarge:
            status, document = 413, {"error": f"A class call sends at most {BODY_LIMIT} bytes."}
        except TimeoutError:
            seconds = self.journal.bounds.body_timeout
            status, document = 408, {"error": f"The call's body took over {seconds:g} seconds."}
        except Disconnected:  # the caller hung up: nobody to answer
            return
        await _send(send, status, document)

    # Students.

    async def _join(self, call: _Call) -> dict[str, Any]:
        asked = call.json()
        name, key, code = asked.get("name"), asked.get("seat"), asked.get("code")
        if not (isinstance(name, str) and NAME.fullmatch(name)):
            raise _Refused(400, "A name is 1 to 32 letters, digits, '-' or '_'.")
        if not all(isinstance(text, str | None) and (text or "").isascii() for text in (key, code)):
            raise _Refused(400, "A seat key and a code are ASCII text.")
        new = name not in self.seats.names()
        try:
            seat = self.seats.join(name, call.address, key, code, self.journal.seq)
        except TooManyCodes as taken:
            raise _Refused(429, str(taken)) from None
        except Taken as taken:
            raise _Refused(403, str(taken)) from None
        if new:
            self.ledger.rows([name])
            self.beacon.bump()
        exam = self.exam.summary() if self.exam is not None else None
        return {"name": name, "seat": seat, "exam": exam, "tls": self._tls_offered()}

    def _tls_offered(self) -> dict[str, Any] | None:
        """The TLS listener's port and the CA's certificate (never its key), for a joined
        tutor's experiments that change scheme; None when the lab has no TLS listener."""
        if not self.tls.url or self.tls.ca is None:
            return None
        if self._ca_pem is None:
            try:
                self._ca_pem = Path(self.tls.ca).read_text(encoding="ascii")
            except (OSError, ValueError):
                return None
        return {"port": urlsplit(self.tls.url).port, "ca": self._ca_pem}

    async def _chain(self, call: _Call) -> dict[str, Any]:
        token = call.param("chain") or ""
        more = int(call.number("more", -1, 10**6)) if call.param("more") else None
        hops = self._own(call, self.journal.chain(token))
        if more is not None and len(hops) <= more:  # waiting on the loop: no thread is held
            with self._polling(call):
                loop = asyncio.get_running_loop()
                deadline = loop.time() + call.number("wait", 0.0, 2.0)
                since = self.beacon.version
                while len(hops) <= more and loop.time() < deadline and not self._stopping:
                    since = await self.beacon.wait(since, deadline - loop.time())
                    hops = self._own(call, self.journal.chain(token))
        return {"hops": hops_to_wire(hops)}

    def _own(self, call: _Call, hops: list[Hop]) -> list[Hop]:
        """`hops`, a chain the caller may read: one begun under their name since their seat
        was made; 403 for another's."""
        if hops and (hops[0].student != call.name or hops[0].seq <= self.seats.since(call.name)):
            raise _Refused(403, "That chain is not one of yours.")
        return hops

    @contextmanager
    def _polling(self, call: _Call) -> Iterator[None]:
        """A long poll of the caller's: at most POLLS at once per seat, since each holds one of
        the connections its address may open (a NAT's, or `web`'s, are a whole class's)."""
        if self._polls[call.name] >= POLLS:
            raise _Refused(429, f"At most {POLLS} waiting calls at once for one seat.")
        self._polls[call.name] += 1
        try:
            yield
        finally:
            self._polls[call.name] -= 1

    async def _attempts(self, call: _Call) -> dict[str, Any]:
        route = call.param("route") or ""
        since = self.seats.since(call.name)
        chains = [c for c in self.journal.started(call.name, route) if c[0].seq > since]
        return self._bounded(chains)

    def _bounded(self, chains: list[list[Hop]], **more: object) -> dict[str, Any]:
        """Chains for an answer, newest kept: at most KEPT_CHAINS, and about `echo_bytes` of
        hops in all (as /echo), so that no caller makes the lab hold more, however many
        answers it asks for and leaves unread. `left_off` counts the older ones left out."""
        room = self.journal.bounds.echo_bytes
        kept: list[list[dict[str, object]]] = []
        for chain in reversed(chains[-KEPT_CHAINS:]):
            room -= sum(hop.kept_bytes * 4 // 3 for hop in chain)  # bodies go as base64
            if room < 0 and kept:
                break
            kept.append(hops_to_wire(chain))
        return {"chains": kept[::-1], "left_off": len(chains) - len(kept), **more}

    async def _feed(self, call: _Call) -> dict[str, Any]:
        after = max(int(call.number("after", 0, 2**62)), self.seats.since(call.name))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + call.number("wait", 0.0, WAIT_LIMIT)
        since = self.beacon.version
        with self._polling(call):
            while (
                not (hops := self.ledger.feed(call.name, after))
                and loop.time() < deadline
                and not self._stopping
            ):
                since = await self.beacon.wait(since, deadline - loop.time())  # anyone's change
        room, kept = self.journal.bounds.echo_bytes, 0
        for hop in hops:  # oldest first: the rest come with the next call
            room -= hop.kept_bytes * 4 // 3
            if room < 0 and kept:
                break
            kept += 1
        return {"hops": hops_to_wire(hops[:kept])}

    async def _configure(self, call: _Call) -> dict[str, Any]:
        from tutor.classroom.configured import Unrunnable, run_configure
        from tutor.classroom.runs import outcome_to_wire

        asked = call.json()
        try:
            column, outcome = await self._run_for(
                call, run_configure, self.ledger, self.seats, self._own_url(call), call.name, asked
            )
        except Unrunnable as unrunnable:
            raise _Refused(400, str(unrunnable)) from None
        check = self.ledger.configured(call.name, column, outcome)
        return {"met": check.met, "problems": list(check.problems), **outcome_to_wire(outcome)}

    async def _off_loop(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in the class's own threads (it runs clients, or waits on the disk):
        the threads the lab's other work uses are never all taken by a class."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._runs, partial(work, *args))

    async def _run_for(self, call: _Call, work: Callable[..., T], *args: Any) -> T:
        """`_off_loop`, one at a time for each student and RUNS_PER_CLIENT at a time for each
        computer: a run starts a client program on the teacher's machine, and one student must
        not start them by the dozen, under one name or many."""
        if call.name in self._running:
            raise _Refused(429, "One run at a time: the lab is still running your last one.")
        client = counted_as(call.address)
        turns = self._turns.setdefault(client, asyncio.Semaphore(RUNS_PER_CLIENT))
        self._running.add(call.name)
        try:
            async with turns:
                return await self._off_loop(work, *args)
        finally:
            self._running.discard(call.name)

    async def _exam_sheet(self, call: _Call) -> dict[str, Any]:
        exam = self._the_exam()
        began = exam.began(call.name)
        document = await asyncio.to_thread(exam.sheet, call.name, self.seats.names())
        if not began:
            self.beacon.bump()  # the class view sees the student start
        return document

    async def _exam_answer(self, call: _Call) -> dict[str, Any]:
        from tutor.classroom.exam import ExamError

        exam = self._the_exam()
        answer = call.json()
        try:
            async with self._answering.setdefault(call.name, asyncio.Lock()):  # a resend waits
                document = await self._run_for(
                    call,
                    partial(exam.answer, tls=self.tls),
                    call.name,
                    answer,
                    self._own_url(call),
                    self.seats.names(),
                )
        except ExamError as error:
            raise _Refused(400, str(error)) from None
        self.beacon.bump()
        return document

    def _own_url(self, call: _Call) -> str:
        """Where the lab's own runs go: its URL on this machine, else the address the call
        reached it at."""
        if self.lab_url:
            return self.lab_url
        host, port = call.scope.get("server") or ("127.0.0.1", 80)
        return http_url(host, port)

    def _the_exam(self) -> Exam:
        if self.exam is None:
            raise _Refused(404, "The teacher has not set an exam on this lab.")
        return self.exam

    # The teacher.

    async def _class(self, call: _Call) -> dict[str, Any]:
        since = int(call.number("since", -1, 2**62)) if call.param("since") else None
        if since is not None and not self._stopping:
            await self.beacon.wait(since, call.number("wait", 0.0, WAIT_LIMIT))
        version = self.beacon.version
        exam = self.exam.results() if self.exam is not None else {}
        rows = self.ledger.rows([*self.seats.names(), *exam])  # those back after a restart too
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
            "hand_out": self.hand_out,
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
        answer = self._bounded(chains, student=student)
        if met is not None:
            answer["met"] = met[len(met) - len(answer["chains"]) :]
        return answer

    async def _free(self, call: _Call) -> dict[str, Any]:
        name = str(call.json().get("name", ""))
        code = self.seats.free(name)
        return {"name": name, "freed": code is not None, "code": code}

    async def _set_exam(self, call: _Call) -> dict[str, Any]:
        from tutor.classroom.exam import Exam, ExamError

        try:
            self.exam = Exam.set(self.course, self.journal, call.json(), previous=self.exam)
        except ExamError as error:
            raise _Refused(400, str(error)) from None
        self.beacon.bump()
        return {"exam": self.exam.summary()}

    async def _end_exam(self, call: _Call) -> dict[str, Any]:
        exam = self._the_exam()
        await self._off_loop(exam.end)  # it writes to the disk
        self.beacon.bump()
        return {"exam": exam.summary()}


async def _send(send: Send, status: int, document: object) -> None:
    body = json.dumps(document).encode() + b"\n"
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
    ]
    if status == 429:  # a caller told to wait does not keep its connection meanwhile
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
