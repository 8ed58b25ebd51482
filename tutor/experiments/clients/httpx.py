"""httpx with `follow_redirects=True` (it does not follow at all by default, since 0.20)."""

from __future__ import annotations

import threading

from tutor.experiments.clients.base import Attempt, Request, stream_of
from tutor.experiments.clients.library import LibraryClient

__all__ = ["CLIENT"]


class Httpx(LibraryClient):
    name = "httpx"
    package = "httpx"
    label = "httpx (follow_redirects=True)"
    install_hint = "pip install httpx"

    def __init__(self) -> None:
        self._client = None
        self._lock = threading.Lock()

    def _shared(self):  # -> httpx.Client; one per process, since building one loads TLS roots
        import httpx

        with self._lock:
            if self._client is None:
                self._client = httpx.Client(follow_redirects=True, trust_env=False)
            return self._client

    def send(self, request: Request, timeout: float) -> Attempt:
        import httpx

        content = stream_of(request.body) if request.stream else request.body or None
        try:
            response = self._shared().request(
                request.method,
                request.url,
                content=content,
                headers=request.headers,
                timeout=timeout,
            )
        except (httpx.HTTPError, httpx.StreamError) as error:
            return Attempt(error=f"httpx raised {type(error).__name__}: {error}")
        return Attempt(status=response.status_code)


CLIENT = Httpx()
