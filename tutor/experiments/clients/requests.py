"""requests, as scripts use it: `requests.request(...)`, which follows redirects by default.

Each batch gets a fresh `requests.Session`, closed at its end (no proxies from the environment).
Its `verify` names the lab's CA file when the batch goes to the lab's TLS listener.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tutor.experiments.clients.base import (
    Attempt,
    Cancel,
    Client,
    Request,
    batch_ca,
    one_by_one,
    stream_of,
)
from tutor.experiments.clients.library import LibraryClient

if TYPE_CHECKING:
    import requests

__all__ = ["CLIENT"]


class Requests(LibraryClient):
    name = "requests"
    package = "requests"
    label = "requests"
    install_hint = "pip install requests"

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        import requests

        with requests.Session() as session:
            session.trust_env = False
            session.verify = batch_ca(work) or True
            return one_by_one(work, cancel, lambda request: _send(session, request, timeout))


def _send(session: requests.Session, request: Request, timeout: float) -> Attempt:
    import requests

    data = stream_of(request.body) if request.stream else request.body or None
    try:
        session.request(
            request.method, request.url, data=data, headers=request.headers, timeout=timeout
        )
    except (requests.RequestException, ValueError) as error:
        # ValueError: a Location requests cannot parse or decode (UnicodeDecodeError among them)
        return Attempt(f"requests raised {type(error).__name__}: {error}")
    return Attempt()


CLIENT = Requests()
