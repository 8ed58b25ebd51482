"""The one interface every real client implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

__all__ = ["Attempt", "Client", "Request"]


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Attempt:
    """What the client itself reported: the last status it saw, or the error it raised."""

    status: int | None = None
    error: str | None = None


class Client(ABC):
    name: ClassVar[str]
    label: ClassVar[str]
    """How a person would write this client, e.g. ``curl -L``."""
    install_hint: ClassVar[str]

    @abstractmethod
    def version(self) -> str | None:
        """The installed version, or None when the client is not installed."""

    @abstractmethod
    def send(self, request: Request, timeout: float) -> Attempt:
        """Send `request`, following redirects the client's own way. Never raises."""
