"""A student's tutor on the teacher's lab: it joins the class under the student's name, then runs
every experiment there, under the student's /s/NAME prefix, and reads back its own chains.

`JoinedLab` stands where a lab of the tutor's own would (tutor.session.lab): its `url` is the
student's prefix on the teacher's lab and its `journal` (`ClassJournal`) reads the chains the
teacher's lab witnessed, so an experiment is judged exactly as on a lab of one's own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from tutor.atomic import write_text_atomically
from tutor.classroom.answer import TooLarge, TooSlow, fetch_json_sync
from tutor.lab.authority import FOLDER, TlsLab
from tutor.lab.journal import Hop, tutor_token
from tutor.lab.printable import one_line
from tutor.lab.wire import WireError, hops_from_wire
from tutor.progress.location import home

__all__ = [
    "SEATS_FILE",
    "ClassJournal",
    "ClassLink",
    "ClassRefused",
    "ClassUnreachable",
    "Join",
    "JoinedLab",
    "keep_seat_key",
    "seat_keys",
]

TIMEOUT = 5.0
"""Seconds a call to the class lab may take before the student hears it is not answering."""
FEED_WAIT = 20.0
"""Seconds one poll of the student's feed waits on the lab for a new hop."""


@dataclass(frozen=True, slots=True)
class Join:
    """What `--join URL --name NAME` asked for."""

    url: str
    name: str
    code: str | None = None
    """The code the teacher gave for a name they freed (a student on another computer)."""

    @property
    def base(self) -> str:
        return self.url.rstrip("/")

    @property
    def seat_id(self) -> str:
        """How the student's kept seat keys name this class and name."""
        return f"{self.base} {self.name}"


SEATS_FILE = "class-seats.json"
"""In the student's data folder: the seat key of each class and name the student joined."""


def _seats_file() -> Path | None:
    """The student's seat-key file, or None when something other than a regular file (a link,
    a FIFO someone planted in a shared folder) stands in its place: a key is never read from,
    or written into, anything but the student's own file."""
    path = home() / SEATS_FILE
    try:
        return path if stat.S_ISREG(os.lstat(path).st_mode) else None
    except FileNotFoundError:
        return path
    except OSError:
        return None


def seat_keys() -> dict[str, str]:
    """The seat keys kept so far (none when the file is missing or unreadable)."""
    path = _seats_file()
    with contextlib.suppress(OSError, ValueError, RecursionError):
        kept = json.loads(path.read_text(encoding="utf-8")) if path is not None else None
        if isinstance(kept, dict):
            return {str(k): str(v) for k, v in kept.items()}
    return {}


def keep_seat_key(seat_id: str, key: str) -> None:
    """Keep a seat key (readable by the student alone); a disk that will not take it costs only
    a join from another tutor, which the teacher can allow."""
    kept = seat_keys()
    kept[seat_id] = key
    with contextlib.suppress(OSError):
        home().mkdir(parents=True, exist_ok=True, mode=0o700)
        path = _seats_file()
        if path is not None:
            write_text_atomically(path, json.dumps(kept, indent=1) + "\n", mode=0o600)


_CA_CHARS = 16_384
"""The longest CA certificate a class lab may offer: one is under 1 KB."""
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?")


def _tls_offered(join: Join, offered: object) -> TlsLab:
    """The class lab's TLS listener as its join answer offered it: a port on the lab's own host
    and the certificate of its CA, which this tutor keeps in its data folder and hands only to
    the clients of its experiments on that lab. Anything else is no offer."""
    if offered is None:
        return TlsLab(problem="the class lab has no TLS listener")
    port = offered.get("port") if isinstance(offered, dict) else None
    ca = offered.get("ca") if isinstance(offered, dict) else None
    if not (isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536):
        return TlsLab(problem="the class lab offered a TLS listener on no port")
    if not (isinstance(ca, str) and len(ca) <= _CA_CHARS and _PEM.fullmatch(ca)):
        return TlsLab(problem="the class lab offered no certificate authority a client can use")
    base = urlsplit(join.base)
    host = f"[{base.hostname}]" if ":" in (base.hostname or "") else base.hostname
    kept = home() / FOLDER / f"class-{hashlib.sha256(ca.encode()).hexdigest()[:16]}.pem"
    try:
        kept.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_text_atomically(kept, ca, mode=0o644)
    except OSError as error:
        return TlsLab(problem=f"the class lab's CA cannot be kept in {kept.parent}: {error}")
    return TlsLab(f"https://{host}:{port}/s/{join.name}", str(kept))


class ClassUnreachable(Exception):
    """The class lab did not answer; the message says what happened, for the student."""


class ClassRefused(Exception):
    """The class lab answered no (a name in use elsewhere, a route it does not have); the
    message is the lab's sentence."""


_SAID = 500
"""Characters of a lab's refusal that a student is shown."""


def _reason(error: httpx.HTTPError) -> str:
    """What went wrong, as a person reads it: "connection refused", not "[Errno 111] ..."."""
    text = re.sub(r"\[Errno -?\d+\]\s*", "", str(error)).strip() or type(error).__name__
    return one_line(text[:1].lower() + text[1:], _SAID)


class ClassLink:
    """Calls to the class routes (tutor.classroom.routes) for one student. Thread-safe."""

    def __init__(self, join: Join, timeout: float = TIMEOUT) -> None:
        self.join_asked = join
        self.seat = ""
        self.exam: dict[str, Any] | None = None
        """The exam the teacher set, as the lab summarised it when the tutor joined."""
        self.tls = TlsLab(problem="the class lab offered no TLS listener")
        """The class lab's TLS listener under the student's prefix, with the CA it offered
        (kept in the student's data folder); or why there is none."""
        self.problem: str | None = None
        """Why the last call did not reach the lab (None: it did)."""
        self.timeout = timeout
        """Seconds a call may take, all of its answer read (tutor.classroom.answer)."""
        self._client = httpx.Client(base_url=join.base, trust_env=False, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def join(self) -> None:
        """Take the student's seat, with the key kept from an earlier join (the lab gives a name
        joined before only to its key): ClassUnreachable or ClassRefused say why not."""
        asked = self.join_asked
        kept = seat_keys().get(asked.seat_id) or None
        document = self.call(
            "POST",
            "/class/join",
            {"name": asked.name, "seat": self.seat or kept, "code": asked.code},
            seat=False,
        )
        self.seat = str(document.get("seat", ""))
        if self.seat != kept:
            keep_seat_key(asked.seat_id, self.seat)
        exam = document.get("exam")
        self.exam = exam if isinstance(exam, dict) else None
        self.tls = _tls_offered(self.join_asked, document.get("tls"))

    def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, object] | None = None,
        *,
        params: Mapping[str, str | int | float] | None = None,
        seat: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """One call, its JSON answer; ClassUnreachable, or ClassRefused with the lab's sentence.
        A lab that no longer knows the seat (it restarted) is joined again, once, under the
        same name."""
        seconds = self.timeout if timeout is None else timeout

        def send() -> tuple[int, dict[str, Any]]:
            headers = {"authorization": f"Seat {self.seat}"} if seat else {}
            request = self._client.build_request(
                method, path, json=body, params=params, headers=headers
            )
            return self._answer(request, seconds)

        status, document = send()
        if status != 200 and seat and document.get("rejoin") is True:
            self.join()
            status, document = send()
        if status == 200:
            return document
        said = document.get("error")
        if not isinstance(said, str):
            said = f"status {status}"
        raise ClassRefused(one_line(said, _SAID))  # another's program wrote it

    def _answer(self, request: httpx.Request, seconds: float) -> tuple[int, dict[str, Any]]:
        """The status and JSON object the lab answered `request` with; ClassUnreachable when
        it did not answer, in time, as a class lab does."""
        where, path = self.join_asked.base, request.url.path
        try:
            answer = fetch_json_sync(self._client, request, seconds)
        except (httpx.TimeoutException, TooSlow):
            self.problem = f"the class lab at {where} did not answer in time"
            raise ClassUnreachable(self.problem) from None
        except TooLarge as error:
            raise ClassUnreachable(
                f"{where} {error} to {path}: is it a redirect-tutor lab (serve)?"
            ) from None
        except httpx.HTTPError as error:
            self.problem = f"the class lab at {where} cannot be reached ({_reason(error)})"
            raise ClassUnreachable(self.problem) from None
        self.problem = None
        if not isinstance(answer.document, dict):
            raise ClassUnreachable(
                f"{where} answered {answer.status} to {path}, not as a class lab does: is "
                "it a redirect-tutor lab (serve)?"
            )
        return answer.status, answer.document

    def hops(self, document: Mapping[str, Any], field: str = "hops") -> list[Hop]:
        try:
            return hops_from_wire(document.get(field))
        except WireError as error:
            why = f"the class lab sent a hop this tutor cannot read ({error})"
            raise ClassUnreachable(why) from None


class ClassJournal:
    """The journal a joined tutor reads: the teacher's lab's, the student's own chains only.

    It offers what the runner and the screens read of a `Journal` (tutor.lab.journal): chains by
    token, the student's attempts, the student's recent hops and a feed of new ones.
    """

    KEPT = 500
    """Hops kept here for the screens (chains whose hops came through the feed)."""

    def __init__(self, link: ClassLink) -> None:
        self.link = link
        self.new_token = tutor_token
        self._kept: OrderedDict[int, Hop] = OrderedDict()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Hop], None]] = []
        self._polling: threading.Thread | None = None
        self._stopped = threading.Event()
        self._after = 0

    def chain(self, token: str) -> list[Hop]:
        """The chain's hops; ClassUnreachable when the lab does not answer (a run cannot be
        judged then, and must not look as if nothing arrived)."""
        try:
            return self.link.hops(self.link.call("GET", "/class/chain", params={"chain": token}))
        except ClassRefused:
            return []

    def wait_for_more(self, seen: Mapping[str, int], timeout: float) -> None:
        for token, count in seen.items():
            params: dict[str, str | int | float] = {"chain": token, "more": count, "wait": timeout}
            try:
                self.link.call("GET", "/class/chain", params=params, timeout=timeout + TIMEOUT)
            except (ClassUnreachable, ClassRefused):
                return

    def chain_until(self, hop: Hop) -> list[Hop]:
        with self._lock:
            kept = [h for h in self._kept.values() if h.chain == hop.chain and h.seq <= hop.seq]
        return kept or [h for h in self.chain(hop.chain) if h.seq <= hop.seq]

    def started(self, student: str, route: str) -> list[list[Hop]]:
        """The student's attempts at `route` (the lab knows whose: the seat says)."""
        try:
            document = self.link.call("GET", "/class/attempts", params={"route": route})
            chains = document.get("chains")
            return [self.link.hops({"hops": chain}) for chain in chains or []]
        except (ClassUnreachable, ClassRefused):
            return []

    def recent(self, count: int = 100) -> list[Hop]:
        with self._lock:
            return list(self._kept.values())[-count:]

    def subscribe(self, listener: Callable[[Hop], None]) -> None:
        """Call `listener` with each new hop of the student's, from a thread polling the lab."""
        with self._lock:
            self._listeners.append(listener)
            if self._polling is None:
                self._polling = threading.Thread(target=self._poll, name="class-feed", daemon=True)
                self._polling.start()

    def unsubscribe(self, listener: Callable[[Hop], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def stop(self) -> None:
        self._stopped.set()

    def _poll(self) -> None:
        while not self._stopped.is_set():
            try:
                document = self.link.call(
                    "GET",
                    "/class/feed",
                    params={"after": self._after, "wait": FEED_WAIT},
                    timeout=FEED_WAIT + TIMEOUT,
                )
                hops = self.link.hops(document)
            except (ClassUnreachable, ClassRefused):
                self._stopped.wait(2.0)
                continue
            for hop in hops:
                self._heard(hop)
            if not hops:  # a lab that answers at once with nothing is not asked again at once
                self._stopped.wait(0.5)

    def _heard(self, hop: Hop) -> None:
        with self._lock:
            self._after = max(self._after, hop.seq)
            self._kept[hop.seq] = hop
            while len(self._kept) > self.KEPT:
                self._kept.popitem(last=False)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(hop)


class JoinedLab:
    """The teacher's lab as a joined tutor uses it, in place of a lab of its own."""

    def __init__(self, join: Join) -> None:
        self.join = join
        self.link = ClassLink(join)
        self.journal = ClassJournal(self.link)
        self.url = f"{join.base}/s/{join.name}"
        """Where the student's experiments go: their own prefix on the teacher's lab."""
        self.base_url = join.base
        self._running = False
        self.refused: str | None = None
        """The lab's sentence when it would not take the student back after it stopped."""

    @property
    def tls(self) -> TlsLab:
        """The class lab's TLS listener, under the student's prefix, as the join offered it."""
        return self.link.tls

    def start(self) -> JoinedLab:
        """Join the class: ClassUnreachable or ClassRefused say why not."""
        try:
            self.link.join()
        except BaseException:
            self.link.close()
            raise
        self._running = True
        return self

    def stop(self) -> None:
        self._running = False
        self.journal.stop()
        self.link.close()

    @property
    def running(self) -> bool:
        """Joined, and the lab answered the last call. When it did not (it stopped, perhaps to
        start again), the tutor joins again, as `quiz --join` does (its name, its seat key), so
        that the lab, restarted, takes its runs from wherever it is now."""
        if self._running and self.link.problem is not None:
            self.refused = None
            try:
                self.link.join()
            except ClassUnreachable:
                pass
            except ClassRefused as refused:
                self.refused = str(refused)
                self.link.problem = f"it no longer takes you as {self.join.name}"
        return self._running and self.link.problem is None

    @property
    def problem(self) -> str | None:
        """Why the class lab is not answering now."""
        return self.link.problem

    @property
    def trouble(self) -> str:
        """What is wrong with the class lab, in a sentence for the student, and what to do."""
        if self.refused is not None:
            return (
                f"The class lab no longer takes you as {self.join.name}: {self.refused} Or quit "
                f"and start the tutor without --join {self.join.base} to work on a lab of your own."
            )
        return (
            f"The class lab does not answer: {self.problem}. Ask the teacher; or quit and start "
            f"the tutor without --join {self.join.base} to work on a lab of your own."
        )
