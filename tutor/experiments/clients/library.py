"""Clients that are Python libraries: installed when their distribution is, at its version."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import ClassVar

from tutor.experiments.clients.base import Client

__all__ = ["LibraryClient"]


class LibraryClient(Client):
    """A client whose version is that of the installed distribution `package`."""

    package: ClassVar[str]

    @cache  # noqa: B019 - one instance per library, living as long as the process
    def version(self) -> str | None:
        try:
            return version(self.package)
        except PackageNotFoundError:
            return None
