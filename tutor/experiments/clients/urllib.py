"""urllib.request from the standard library, as scripts use it (no proxies from the environment).

A GET or HEAD with a body sends it (`data=` with `method=`); urllib drops it on every redirect.
An HTTPSHandler with an SSL context that trusts the lab's CA reaches its TLS listener.
"""

from __future__ import annotations

import http.client
import platform
import urllib.error
import urllib.request
from collections.abc import Sequence

from tutor.experiments.clients.base import Attempt, Cancel, Client, Request, batch_ca, one_by_one
from tutor.lab.authority import client_context

__all__ = ["CLIENT"]


class Urllib(Client):
    name = "urllib"
    label = "urllib.request (Python standard library)"
    install_hint = "part of Python"

    def version(self) -> str | None:
        return f"Python {platform.python_version()}"

    def _send(
        self, work: Sequence[tuple[Client, Request]], timeout: float, cancel: Cancel
    ) -> list[Attempt]:
        ca = batch_ca(work)
        handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
        if ca:
            handlers.append(urllib.request.HTTPSHandler(context=client_context(ca)))
        opener = urllib.request.build_opener(*handlers)
        return one_by_one(work, cancel, lambda request: _send(opener, request, timeout))


def _send(opener: urllib.request.OpenerDirector, request: Request, timeout: float) -> Attempt:
    prepared = urllib.request.Request(
        request.url, data=request.body or None, headers=request.headers, method=request.method
    )
    try:
        with opener.open(prepared, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        error.close()
        if 300 <= error.code < 400:
            return Attempt(f"urllib raised HTTPError: {error}")
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
        # e.g. http.client.InvalidURL, an HTTPException: a Location whose port is no number
        return Attempt(f"urllib raised {type(error).__name__}: {error}")
    return Attempt()


CLIENT = Urllib()
