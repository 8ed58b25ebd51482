"""The one interface every real client implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

__all__ = ["Attempt", "Client", "Request", "stream_of"]


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: bool = False
    """Send the body as a stream of unknown length, which a client cannot rewind to replay."""


def stream_of(body: bytes) -> Iterator[bytes]:
    """`body` as a generator: a stream of unknown length, which a client cannot rewind."""
    yield body


@dataclass(frozen=True, slots=True)
class Attempt:
    """What the client itself reported: the last status it saw, or the error it raised."""

    status: int | None = None
    error: str | None = None


class Client(ABC):
    # Instance attributes with class-level defaults: several curls or browsers share one class.
    name: str
    label: str
    """How a person would write this client, e.g. ``curl -L``."""
    install_hint: ClassVar[str]

    @abstractmethod
    def version(self) -> str | None:
        """The installed version, or None when the client is not installed."""

    @abstractmethod
    def send(self, request: Request, timeout: float) -> Attempt:
        """Send `request`, following redirects the client's own way. Never raises."""

    def cannot_send(self, request: Request) -> str | None:
        """Why this client has no way to express `request` at all (None: it can send it)."""
        return None

    def send_many(self, requests: Sequence[Request], timeout: float) -> list[Attempt]:
        """Send each request (one after another unless a client batches); never raises."""
        return [self.send(request, timeout) for request in requests]

    @property
    def batch_group(self) -> str:
        """Clients with the same group share one batch (two ways of using one browser)."""
        return self.name

    def send_group(self, work: Sequence[tuple[Client, Request]], timeout: float) -> list[Attempt]:
        """Send a batch of requests from clients of this one's group; never raises."""
        return self.send_many([request for _, request in work], timeout)
