"""The journal: every request the lab receives, grouped by redirect chain, bounded in memory.

The journal is the witness of the whole tutor: whether a POST "survived" is read from here,
never from what a client library reports.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from http import HTTPStatus
from typing import Protocol
from urllib.parse import parse_qsl

from tutor.lab.addresses import counted_as
from tutor.lab.bounds import FIELD_COST, HOP_COST, Bounds

__all__ = [
    "EXAMS",
    "STUDENT",
    "TUTORS",
    "ChainReader",
    "Hop",
    "Journal",
    "Standing",
    "bytes_text",
    "exam_token",
    "is_attempt",
    "is_token",
    "label",
    "new_token",
    "reason",
    "shows_schemes",
    "split_student",
    "tutor_token",
    "without_tokens",
]


STUDENT = re.compile(r"/s/([A-Za-z0-9_-]{1,32})(/.*)", re.DOTALL)  # the name: lab.seats.NAME
"""A student's path prefix on a shared lab: /s/{name}/redirect/302 is /redirect/302 for `name`."""


def split_student(path: str) -> tuple[str, str]:
    """The student's name in `path` ("" for none) and the lab route under it."""
    if not path.startswith("/s/"):  # most requests: no pattern to run
        return "", path
    match = STUDENT.fullmatch(path)
    return (match.group(1), match.group(2)) if match else ("", path)


@lru_cache(maxsize=1024)
def reason(status: int) -> str:
    """The reason phrase of a status code, as RFC 9110 names it (306 is "(Unused)", §15.4.7)."""
    if status == 306:
        return "(Unused)"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unassigned"


def bytes_text(size: int) -> str:
    """A size in bytes as a person reads it: "0 bytes", "1 byte", "12 bytes"."""
    return "1 byte" if size == 1 else f"{size} bytes"


class _Randomness:
    """The operating system's random bytes (`secrets`' source), read a few kilobytes at a time
    and written in base64url at once: one system call and one encoding for 186 tokens rather
    than one of each per request. Each character carries 6 bits as unguessable as
    `secrets.token_bytes`'; each is handed out once, and a forked child starts afresh, so two
    processes never share any."""

    _BATCH = 3 * 1365
    """Bytes read at once: a multiple of 3, so that their base64url has no padding."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool = ""
        self._at = 0
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        """In a forked child: the parent's characters, and a lock another thread may have held."""
        self._lock = threading.Lock()
        self._pool, self._at = "", 0

    def take(self, count: int) -> str:
        """`count` random base64url characters (A-Z, a-z, 0-9, - and _)."""
        with self._lock:
            if self._at + count > len(self._pool):
                batch = max(self._BATCH, 3 * -(-count // 4))  # 4 characters per 3 bytes
                self._pool = base64.urlsafe_b64encode(secrets.token_bytes(batch)).decode("ascii")
                self._at = 0
            taken = self._pool[self._at : self._at + count]
            self._at += count
            return taken


_RANDOM = _Randomness()


def new_token() -> str:
    """A fresh chain token: 22 base64url characters (132 random bits), URL-safe. A chain is a
    capability: whoever holds its token can read it (with its Authorization and body) through
    /echo, so it must be unguessable."""
    return _RANDOM.take(22)


TUTORS = "tutor-"
"""How a joined tutor's own chains begin (its experiments and predictions): the lab can tell them
from what a student sends by hand, which alone counts as an attempt at an exercise."""


def tutor_token() -> str:
    """A chain token for a run the tutor makes on a shared lab (see TUTORS)."""
    return TUTORS + new_token()


EXAMS = "exam-"
"""How the chains of an exam's questions begin, run by the class lab itself: what arrived is
an answer to a question, and the projected console does not show it."""


def exam_token() -> str:
    return EXAMS + new_token()


_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")


def is_token(text: str) -> bool:
    """Whether a client may name a chain with `text`: URL-safe, and long enough (22 characters of
    base64url, 128 bits) that a token cannot be guessed, even a client's own choice."""
    return _TOKEN.fullmatch(text) is not None


@lru_cache(maxsize=1024)
def label(token: str) -> str:
    """A chain's short name for a screen that others can read, such as the projected console:
    it tells chains apart and gives away nothing of the token."""
    return f"<{hashlib.sha256(token.encode()).hexdigest()[:6]}>"


_NAMED_TOKEN = re.compile(r"(chain(?:=|%3[Dd]))([A-Za-z0-9_-]+)")


def without_tokens(text: str) -> str:
    """`text` (a path, a query, a Location) with every chain token it names replaced by the
    token's label: a request may name a chain that is not its own (refused, or full), and
    whatever is on a screen the class can see must not hand that chain to anyone."""
    return _NAMED_TOKEN.sub(lambda named: named[1] + label(named[2]), text)


@dataclass(frozen=True, slots=True)
class Hop:
    """One request as the lab saw it, and what the lab answered."""

    seq: int
    chain: str
    at: float
    peer: str
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    body_size: int
    body_digest: str
    status: int
    """What the lab answered; 0 when it answered nothing, because the client hung up first."""
    location: str | None = None
    """The Location the lab sent; two fields are kept as their combined value "a, b" (RFC 9110
    §5.3)."""
    hung_up: bool = False
    """The client closed the connection before its request was complete: the lab saw the head
    and `body_size` bytes of the body, and answered nothing."""
    scheme: str = "http"
    """"https" for a request that came over the lab's TLS listener."""
    rejected: str = ""
    """Why the lab's HTTP parser refused the request ("" for one it parsed): it was answered
    400 before the lab saw more of it than its request line and header lines."""

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400

    @property
    def status_text(self) -> str:
        """The status for a column: "307", or "hung up"."""
        return "hung up" if self.hung_up else str(self.status)

    @property
    def answer(self) -> str:
        """What the lab answered, in words: "307 Temporary Redirect", or "none: the client hung
        up before the body"."""
        if self.hung_up:
            return f"none: the client hung up {self.hang_up_point}"
        if self.rejected:
            return f"{self.status} {reason(self.status)}: rejected by the lab's HTTP parser"
        return f"{self.status} {reason(self.status)}"

    @property
    def hang_up_point(self) -> str:
        """Where the client of a request it abandoned hung up: "before the body", "after 3
        bytes of the body", or (a request that announced no body) "before the lab answered"."""
        if self.body_size:
            return f"after {bytes_text(self.body_size)} of the body"
        length = self.header("content-length")
        if self.header("transfer-encoding") is not None or (length or "0").strip() != "0":
            return "before the body"
        return "before the lab answered"

    @property
    def kept_bytes(self) -> int:
        """The bytes this hop holds: what its client chose (target, header fields, body, and
        the Location made from them) and what holding them costs. The journal's byte bound
        counts this."""
        return _held(self.path, self.query, _fields_bytes(self.headers), self.body, self.location)

    @property
    def client(self) -> str:
        """Who sent the request, as per-client limits count it (see `counted_as`)."""
        return _client(self.peer)

    @property
    def label(self) -> str:
        """The chain's non-secret name (see `label`)."""
        return label(self.chain)

    @property
    def student(self) -> str:
        """The name in the path's /s/{name} prefix, or "" for a request without one."""
        return split_student(self.path)[0]

    @property
    def route(self) -> str:
        """The lab route the request asked for, without a student's prefix."""
        return split_student(self.path)[1]

    @property
    def target(self) -> str:
        """The route and query the request asked for, decoded, without a student's prefix or
        the chain's token: "/echo", "/echo?n=1, /echo?n=2" (what a client made of a Location)."""
        pairs = [
            f"{name}={value}"
            for name, value in parse_qsl(self.query, keep_blank_values=True)
            if (name, value) != ("chain", self.chain)
        ]
        return self.route + (f"?{'&'.join(pairs)}" if pairs else "")

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def body_text(self) -> str:
        text = self.body.decode("utf-8", errors="backslashreplace")
        return text if self.body_size <= len(self.body) else text + "…"

    def to_json(self) -> dict[str, object]:
        headers: dict[str, str] = {}
        for name, value in self.headers:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return {
            "scheme": self.scheme,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "hung_up": self.hung_up,
            "location": self.location,
            "headers": headers,
            "body": self.body_text(),
            "body_size": self.body_size,
        }


def _client(peer: str) -> str:
    """Who sent a request from `peer` ("address:port"), as per-client limits count it."""
    return counted_as(peer.rpartition(":")[0])


def _fields_bytes(headers: Sequence[tuple[str, str]]) -> int:
    """What header fields count for in a hop's `kept_bytes`."""
    return sum([FIELD_COST + len(name) + len(value) for name, value in headers])


def _held(path: str, query: str, fields: int, body: bytes, location: str | None) -> int:
    """A hop's `kept_bytes`, from its parts (`fields`: its header fields' `_fields_bytes`)."""
    return HOP_COST + len(path) + len(query) + fields + len(body) + len(location or "")


def shows_schemes(hops: Iterable[Hop]) -> bool:
    """Whether a chain's scheme is worth showing: some hop came over the lab's TLS listener.
    A chain all over plain http is shown as it always was (every view asks this here)."""
    return any(hop.scheme != "http" for hop in hops)


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def kept_headers(
    headers: Sequence[tuple[str, str]], budget: int
) -> tuple[tuple[tuple[str, str], ...], int]:
    """The header fields the journal keeps, and the bytes they count for (their share of
    `Hop.kept_bytes`): in order, until `budget` bytes (each field counted with `FIELD_COST`);
    the field that crosses the budget is cut and ends in "…", and the fields after it are not
    kept. Most requests fit whole, and are counted in one pass."""
    size = _fields_bytes(headers)
    if size <= budget:
        return tuple(headers), size
    kept = []
    size = 0
    for name, value in headers:
        field = FIELD_COST + len(name) + len(value)
        if size + field > budget:
            value = value[: max(budget - size - FIELD_COST - len(name), 0)] + "…"
            kept.append((name, value))
            size += FIELD_COST + len(name) + len(value)
            break
        kept.append((name, value))
        size += field
    return tuple(kept), size


def is_attempt(first: Hop, route: str) -> bool:
    """Whether a chain that began with `first` is an attempt at an exercise that starts at
    `route`: a redirect there, sent by the student rather than by a tutor's own run."""
    return (
        first.route.rstrip("/") == route
        and first.is_redirect
        and not first.chain.startswith(TUTORS)
    )


class Standing(Enum):
    """Whether a request may join the chain its token names (see `Journal.standing`)."""

    NEW = "new"
    OPEN = "open"
    FULL = "full"
    """The chain has as many hops as `Bounds.chain_hops`."""
    FOREIGN = "foreign"
    """The chain began under another student's prefix (or none)."""


class ChainReader(Protocol):
    """What a run reads of a journal: a `Journal`, or a joined tutor's view of the teacher's
    (tutor.classroom.student.ClassJournal)."""

    def new_token(self) -> str: ...

    def chain(self, token: str) -> list[Hop]: ...

    def wait_for_more(self, seen: Mapping[str, int], timeout: float) -> None: ...

    def chain_until(self, hop: Hop) -> list[Hop]: ...


class Journal:
    """A thread-safe, bounded record of hops, indexed by chain.

    The lab writes from its event loop thread; experiments and screens read from others.
    When either the hop count or the bytes kept pass their bound (`Bounds.journal_hops`,
    `Bounds.journal_bytes`), the client (`Hop.client`) holding the most loses its oldest hops
    first: one student flooding the lab forgets their own requests, not the class's. Each hop
    keeps at most `Bounds.head_kept` bytes of headers and `Bounds.body_kept` of its body.
    """

    def __init__(self, bounds: Bounds | None = None, tokens: Callable[[], str] = new_token) -> None:
        self.bounds = bounds if bounds is not None else Bounds()
        self.new_token = tokens
        """Makes the token of each new chain (tests give a counter, for stable screens)."""
        self._hops: dict[int, Hop] = {}
        """Every hop by its `seq`, oldest first."""
        self._chains: dict[str, list[Hop]] = {}
        self._clients: dict[str, deque[tuple[Hop, int]]] = {}
        """Each client's hops, oldest first, with the bytes each holds (`Hop.kept_bytes`)."""
        self._client_bytes: Counter[str] = Counter()
        self._bytes = 0
        self._seq = 0
        self._lock = threading.Lock()
        self._grew = threading.Condition(self._lock)
        """Notified of every hop while a reader waits for a chain to grow."""
        self._readers = 0
        """How many wait on `_grew` (changed under the lock)."""
        self._listeners: tuple[Callable[[Hop], None], ...] = ()
        """Replaced, never changed in place: `record` reads it without a copy."""

    def record(
        self,
        *,
        chain: str,
        peer: str,
        method: str,
        path: str,
        query: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        body_size: int,
        body_digest: str,
        status: int,
        location: str | None = None,
        hung_up: bool = False,
        scheme: str = "http",
        rejected: str = "",
    ) -> Hop:
        """Add a hop (the `Hop` fields but `seq` and `at`; the headers and body as received,
        which it keeps up to their bounds) and tell the listeners."""
        bounds = self.bounds
        kept, head_bytes = kept_headers(headers, bounds.head_kept)
        body = body[: bounds.body_kept]
        size = _held(path, query, head_bytes, body, location)
        client = _client(peer)
        with self._lock:
            self._seq += 1
            hop = Hop(
                seq=self._seq,
                chain=chain,
                at=time.time(),
                peer=peer,
                method=method,
                path=path,
                query=query,
                headers=kept,
                body=body,
                body_size=body_size,
                body_digest=body_digest,
                status=status,
                location=location,
                hung_up=hung_up,
                scheme=scheme,
                rejected=rejected,
            )
            self._hops[hop.seq] = hop
            hops = self._chains.get(chain)
            if hops is None:
                self._chains[chain] = [hop]
            else:
                hops.append(hop)
            held = self._clients.get(client)
            if held is None:
                held = self._clients[client] = deque()
            held.append((hop, size))
            self._bytes += size
            self._client_bytes[client] += size
            while len(self._hops) > bounds.journal_hops:
                self._forget(max(self._clients, key=lambda client: len(self._clients[client])))
            while self._bytes > bounds.journal_bytes:
                self._forget(max(self._client_bytes, key=self._client_bytes.__getitem__))
            listeners = self._listeners
            if self._readers:
                self._grew.notify_all()
        for listener in listeners:
            listener(hop)
        return hop

    def _forget(self, client: str) -> None:
        """Forget the oldest hop of `client`."""
        hops = self._clients[client]
        old, size = hops.popleft()
        if not hops:
            del self._clients[client]
        self._bytes -= size
        self._client_bytes[client] -= size
        if not self._client_bytes[client]:
            del self._client_bytes[client]
        del self._hops[old.seq]
        chain = self._chains.get(old.chain)
        if chain:
            chain.remove(old)
            if not chain:
                del self._chains[old.chain]

    def standing(self, token: str, student: str) -> Standing:
        """Whether a request from `student` ("" without a prefix) may add a hop to the chain
        `token` names: a chain is extended (and read) only under the prefix it began under, and
        holds at most `Bounds.chain_hops` hops."""
        with self._lock:
            hops = self._chains.get(token)
            if not hops:
                return Standing.NEW
            if hops[0].student != student:
                return Standing.FOREIGN
            return Standing.FULL if len(hops) >= self.bounds.chain_hops else Standing.OPEN

    def chain(self, token: str) -> list[Hop]:
        """Every hop of one chain still in the journal, oldest first."""
        with self._lock:
            return list(self._chains.get(token, ()))

    def wait_for_more(self, seen: Mapping[str, int], timeout: float) -> None:
        """Wait until each chain in `seen` holds more hops than the count given, or `timeout`
        seconds pass: a request whose client hung up mid-way is journaled a moment after the
        client has gone, when the client's own call may have returned already."""
        with self._grew:
            self._readers += 1
            try:
                self._grew.wait_for(
                    lambda: all(len(self._chains.get(t, ())) > n for t, n in seen.items()),
                    timeout,
                )
            finally:
                self._readers -= 1

    def chain_until(self, hop: Hop) -> list[Hop]:
        """The hops of `hop`'s chain still in the journal, oldest first, up to `hop` itself."""
        with self._lock:
            return [
                earlier for earlier in self._chains.get(hop.chain, ()) if earlier.seq <= hop.seq
            ]

    def started(self, student: str, route: str) -> list[list[Hop]]:
        """Every chain `student` began with a redirect at `route` (their /s/NAME prefix aside),
        oldest first: a learner's attempts at an exercise. A tutor's own runs are not attempts."""
        with self._lock:
            chains = [list(chain) for chain in self._chains.values()]
        return [
            chain
            for chain in sorted(chains, key=lambda chain: chain[0].seq)
            if chain[0].student == student and is_attempt(chain[0], route)
        ]

    def held(self, seqs: Iterable[int]) -> list[Hop]:
        """The hops numbered `seqs` that the journal still holds, in the order asked."""
        with self._lock:
            return [hop for seq in seqs if (hop := self._hops.get(seq)) is not None]

    def recent(self, count: int = 100) -> list[Hop]:
        with self._lock:
            return list(self._hops.values())[-count:]

    @property
    def seq(self) -> int:
        """How many hops it has recorded, forgotten ones too: the number of the latest."""
        return self._seq

    def __len__(self) -> int:
        with self._lock:
            return len(self._hops)

    @property
    def bytes_kept(self) -> int:
        """Bytes of targets, headers and bodies held now: what bounds the journal's memory."""
        return self._bytes

    def subscribe(self, listener: Callable[[Hop], None]) -> None:
        """Call `listener` with every new hop, on the thread that recorded it."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

    def unsubscribe(self, listener: Callable[[Hop], None]) -> None:
        """Stop calling `listener` (no error if it was not subscribed)."""
        with self._lock:
            self._listeners = tuple(kept for kept in self._listeners if kept != listener)
