"""requests, as scripts use it: `requests.request(...)`, which follows redirects by default."""

from __future__ import annotations

from tutor.experiments.clients.base import Attempt, Request, stream_of
from tutor.experiments.clients.library import LibraryClient

__all__ = ["CLIENT"]


class Requests(LibraryClient):
    name = "requests"
    package = "requests"
    label = "requests"
    install_hint = "pip install requests"

    def send(self, request: Request, timeout: float) -> Attempt:
        try:
            import requests
        except ImportError:
            return Attempt(error="requests is not installed")
        data = stream_of(request.body) if request.stream else request.body or None
        try:
            with requests.Session() as session:
                session.trust_env = False
                response = session.request(
                    request.method, request.url, data=data, headers=request.headers, timeout=timeout
                )
        except requests.RequestException as error:
            return Attempt(error=f"requests raised {type(error).__name__}: {error}")
        return Attempt(status=response.status_code)


CLIENT = Requests()
