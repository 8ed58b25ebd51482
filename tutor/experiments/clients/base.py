"""The one interface every real client implements."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal, Protocol

from tutor.lab.reported import Reported

__all__ = [
    "CANCELLED",
    "REDIRECT_MODES",
    "Attempt",
    "Cancel",
    "Client",
    "RedirectMode",
    "Request",
    "attempts_said",
    "batch_ca",
    "one_by_one",
    "stream_of",
    "unsendable_headers",
]

CANCELLED = "cancelled"
"""The error of an attempt that a cancel stopped before it finished."""

RedirectMode = Literal["follow", "manual", "error"]
REDIRECT_MODES: tuple[RedirectMode, ...] = ("follow", "manual", "error")
"""fetch()'s redirect modes (https://fetch.spec.whatwg.org/#concept-request-redirect-mode)."""


class Cancel(Protocol):
    """Asked while a batch runs (a threading.Event, or a worker's cancellation): once it is set,
    the batch stops and kills what it started."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: bool = False
    """Send the body as a stream of unknown length, which a client cannot rewind to replay."""
    redirect: RedirectMode = "follow"
    """fetch()'s redirect mode; every client follows, only fetch() can be asked otherwise."""
    ca: str | None = None
    """The CA file that verifies the lab's TLS listener: the client trusts it the way its users
    would configure one (a CA file, an SSL context, a browser's certificate store)."""
    hsts: str | None = None
    """The lab's Strict-Transport-Security route, for a browser to fetch before the request, so
    that it may note the lab's host (RFC 6797 §8.1); the request then goes to the lab by name,
    on the default ports."""


def stream_of(body: bytes) -> Iterator[bytes]:
    """`body` as a generator: a stream of unknown length, which a client cannot rewind."""
    yield body


@dataclass(frozen=True, slots=True)
class Attempt:
    """What the client itself said about one request: the error it reported, or the answer it
    handed its caller (None when it tells nothing of it).

    What arrived is never taken from here: the lab's journal is the witness.
    """

    error: str | None = None
    reported: Reported | None = None


def batch_ca(work: Sequence[tuple[Client, Request]]) -> str | None:
    """The lab's CA file, when a request of the batch needs it (a change of scheme)."""
    return next((request.ca for _, request in work if request.ca), None)


def attempts_said(text: str, count: int) -> list[Attempt] | None:
    """The attempts a fetch() script printed as JSON, one `{error, reported}` per request in
    order; None when it printed anything else."""
    try:
        said = json.loads(text)
    except ValueError:
        return None
    if not isinstance(said, list) or len(said) != count:
        return None
    if not all(isinstance(one, dict) for one in said):
        return None
    return [
        Attempt(
            None if one.get("error") is None else str(one["error"]),
            Reported.from_json(one.get("reported")),
        )
        for one in said
    ]


class Client(ABC):
    # Instance attributes with class-level defaults: several curls or browsers share one class.
    name: str
    label: str
    """How a person would write this client, e.g. ``curl -L``."""
    install_hint: ClassVar[str]
    redirect_modes: tuple[RedirectMode, ...] = ("follow",)
    """The fetch() redirect modes it can be asked for."""
    keeps_hsts: bool = False
    """It keeps an HSTS list of its own, which a request can first teach the lab's host."""
    starts_slowly: bool = False
    """Its batch takes longest to get going (a browser): it starts before the others."""

    @abstractmethod
    def version(self) -> str | None:
        """The installed version, or None when the client is not installed."""

    def prepare(self) -> None:
        """Do now what the first request would otherwise wait for (the version, asked once per
        process; a library's own set-up), e.g. while the lab starts."""
        self.version()

    def cannot_send(self, request: Request) -> str | None:
        """Why this client cannot send `request` as asked, in one sentence (None: it can)."""
        if request.redirect not in self.redirect_modes:
            return f"{self.label} has no redirect mode {request.redirect!r} (a fetch() option)"
        if request.hsts and not self.keeps_hsts:
            return (
                f"only a browser keeps an HSTS list here: {self.label} does not note "
                "Strict-Transport-Security"
            )
        return unsendable_headers(request) or self._cannot_send(request)

    def _cannot_send(self, request: Request) -> str | None:
        """`cannot_send` for a request in a redirect mode this client has."""
        return None

    @property
    def batch_group(self) -> str:
        """Clients with the same group share one batch (two ways of using one browser)."""
        return self.name

    def send_batch(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        """Send every request of `work`, each following redirects its client's own way.

        `work` holds requests of clients of this client's `batch_group`; the answer has one
        attempt per item, in order. Never raises. Once `cancel` is set, the batch stops as soon
        as it can, every program it started is killed, and what did not finish is CANCELLED.
        A request with a header no client may be given is never sent: its attempt says why.
        """
        if not work:
            return []
        if self.version() is None:
            return [Attempt(f"{self.label} is not installed")] * len(work)
        refused = [unsendable_headers(request) for _, request in work]
        sendable = [item for item, why in zip(work, refused, strict=True) if why is None]
        try:
            said = iter(self._send(sendable, timeout, cancel) if sendable else [])
        except Exception as error:  # a library's failure it does not document: still an outcome
            said = iter(
                [Attempt(f"{self.label} failed: {type(error).__name__}: {error}")] * len(sendable)
            )
        return [Attempt(why) if why else next(said) for why in refused]

    @abstractmethod
    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        """`send_batch` for a client that is installed, with work to do."""


def unsendable_headers(request: Request) -> str | None:
    """Why a header of `request` must not be handed to any client (None: all may be).

    The rule is the experiment's own (tutor.experiments.spec), checked again here because a
    client given anything else could be misled: curl reads `-H @name` as a file to send, and a
    CR or LF in a value starts a header of its own.
    """
    from tutor.experiments.spec import header_name_problem, header_value_problem

    for name, value in request.headers.items():
        if problem := header_name_problem(name):
            return problem
        if problem := header_value_problem(value):
            return f"header {name}: {problem}"
    return None


def one_by_one(
    work: Sequence[tuple[Client, Request]],
    cancel: Cancel,
    send: Callable[[Request], Attempt],
) -> list[Attempt]:
    """Send each request of `work` in turn with `send`; once `cancel` is set, the rest are not."""
    return [Attempt(CANCELLED) if cancel.is_set() else send(request) for _, request in work]
