"""httpx with `follow_redirects=True` (it does not follow at all by default, since 0.20).

Each batch gets a fresh `httpx.Client`, closed at its end: no cookies or connections carry over
from one batch to the next. They share one SSL context, which holds only the trusted roots
(building it is most of a client's cost, about 15 ms); a batch that goes to the lab's TLS
listener is given an SSL context that trusts the lab's CA instead (`verify=`, as httpx's users
do), and verification stays on.
"""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from functools import cache
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
from tutor.lab.authority import client_context

if TYPE_CHECKING:
    import httpx

__all__ = ["CLIENT"]


class Httpx(LibraryClient):
    name = "httpx"
    package = "httpx"
    label = "httpx (follow_redirects=True)"
    install_hint = "pip install httpx"

    def prepare(self) -> None:
        super().prepare()
        _roots()

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        import httpx

        ca = batch_ca(work)
        verify = client_context(ca) if ca else _roots()
        with httpx.Client(follow_redirects=True, trust_env=False, verify=verify) as client:
            return one_by_one(work, cancel, lambda request: _send(client, request, timeout))


@cache
def _roots() -> ssl.SSLContext:
    import httpx

    return httpx.create_ssl_context()


def _send(client: httpx.Client, request: Request, timeout: float) -> Attempt:
    import httpx

    content = stream_of(request.body) if request.stream else request.body or None
    try:
        client.request(
            request.method, request.url, content=content, headers=request.headers, timeout=timeout
        )
    except (httpx.HTTPError, httpx.StreamError, ValueError) as error:
        # ValueError: a request httpx cannot encode (UnicodeEncodeError: a header not in ASCII)
        return Attempt(f"httpx raised {type(error).__name__}: {error}")
    return Attempt()


CLIENT = Httpx()
