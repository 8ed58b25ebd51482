"""The registry of real clients. Each lives in its own module, imported only when used."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from tutor.experiments.clients.side_by_side import side_by_side

if TYPE_CHECKING:
    from tutor.experiments.clients.base import Client

__all__ = ["CLIENT_NAMES", "UnknownClient", "get", "installed", "versions"]

_CLIENTS = {
    "httpx": ("httpx", "CLIENT"),
    "requests": ("requests", "CLIENT"),
    "aiohttp": ("aiohttp", "CLIENT"),
    "urllib": ("urllib", "CLIENT"),
    "curl": ("curl", "CLIENT"),
    "curl-x": ("curl", "CURL_X"),
    "curl-post30x": ("curl", "CURL_POST30X"),
    "wget": ("wget", "CLIENT"),
    "node": ("node", "CLIENT"),
    "chromium-fetch": ("chromium", "CHROMIUM_FETCH"),
    "chromium-form": ("chromium", "CHROMIUM_FORM"),
    "firefox-fetch": ("firefox", "FIREFOX_FETCH"),
    "firefox-form": ("firefox", "FIREFOX_FORM"),
    "go": ("go", "CLIENT"),
    "java": ("java", "CLIENT"),
}
"""Name -> (module in this package, the instance in it)."""
CLIENT_NAMES = tuple(_CLIENTS)


class UnknownClient(KeyError):
    def __str__(self) -> str:
        return f"unknown client {self.args[0]!r}: choose one of {', '.join(CLIENT_NAMES)}"


def get(name: str) -> Client:
    """The client registered as `name`."""
    if name not in _CLIENTS:
        raise UnknownClient(name)
    module, instance = _CLIENTS[name]
    return getattr(import_module(f"tutor.experiments.clients.{module}"), instance)


def versions(names: Sequence[str]) -> dict[str, str | None]:
    """The installed version of each client named (None: not installed), asked side by side.

    Each program is asked once per process, however many clients it serves.
    """
    chosen = {name: get(name) for name in names}
    asked = side_by_side([client.version for client in chosen.values()], len(chosen), "version")
    return dict(zip(chosen, asked, strict=True))


def installed(names: Sequence[str] = CLIENT_NAMES) -> tuple[str, ...]:
    """The clients named (by default every registered one) that are installed here, in order."""
    return tuple(name for name, version in versions(names).items() if version is not None)
