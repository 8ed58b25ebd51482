"""urllib.request from the standard library, as scripts use it (no proxies from the environment)."""

from __future__ import annotations

import platform
import urllib.error
import urllib.request

from tutor.experiments.clients.base import Attempt, Client, Request

__all__ = ["CLIENT"]


class Urllib(Client):
    name = "urllib"
    label = "urllib.request (Python standard library)"
    install_hint = "part of Python"

    def version(self) -> str | None:
        return f"Python {platform.python_version()}"

    def send(self, request: Request, timeout: float) -> Attempt:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        prepared = urllib.request.Request(
            request.url,
            data=request.body if request.method not in ("GET", "HEAD") else None,
            headers=request.headers,
            method=request.method,
        )
        try:
            with opener.open(prepared, timeout=timeout) as response:
                response.read()
                return Attempt(status=response.status)
        except urllib.error.HTTPError as error:
            error.close()
            if 300 <= error.code < 400:
                return Attempt(status=error.code, error=f"urllib raised HTTPError: {error}")
            return Attempt(status=error.code)
        except (urllib.error.URLError, OSError, ValueError) as error:
            return Attempt(error=f"urllib raised {type(error).__name__}: {error}")


CLIENT = Urllib()
