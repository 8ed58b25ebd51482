"""The registry of real clients. Each lives in its own module, imported only when used."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.experiments.clients.base import Client

__all__ = ["CLIENT_NAMES", "UnknownClient", "get"]

_MODULES = {"httpx": "httpx", "urllib": "urllib", "curl": "curl"}
CLIENT_NAMES = tuple(_MODULES)


class UnknownClient(KeyError):
    def __str__(self) -> str:
        return f"unknown client {self.args[0]!r}: choose one of {', '.join(CLIENT_NAMES)}"


def get(name: str) -> Client:
    """The client registered as `name`."""
    if name not in _MODULES:
        raise UnknownClient(name)
    module = import_module(f"tutor.experiments.clients.{_MODULES[name]}")
    return module.CLIENT
