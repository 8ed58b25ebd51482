"""requests, as scripts use it: `requests.request(...)`, which follows redirects by default."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

from tutor.experiments.clients.base import Attempt, Client, Request
from tutor.experiments.clients.httpx import stream_of

__all__ = ["CLIENT"]


class Requests(Client):
    name = "requests"
    label = "requests"
    install_hint = "pip install requests"

    @cache  # noqa: B019 - one instance, lives as long as the process
    def version(self) -> str | None:
        try:
            return version("requests")
        except PackageNotFoundError:
            return None

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
