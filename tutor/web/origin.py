"""Which pages may open a tutor: only the tutor's own page (the websocket's Origin is the Host it
was served from), and on loopback only under a loopback name, so that a web site which re-points
its own name at 127.0.0.1 (DNS rebinding) cannot drive the teacher's tutor from their browser.
"""

from __future__ import annotations

from yarl import URL

from tutor.lab.addresses import is_loopback

__all__ = ["names_loopback", "same_origin"]


def _site(url: str) -> tuple[str, str | None, int | None] | None:
    """(scheme, host, port) of an origin-like URL, or None when it is not one."""
    try:
        parsed = URL(url)
    except ValueError:
        return None
    if not parsed.absolute or parsed.user is not None or parsed.path not in ("", "/"):
        return None
    return parsed.scheme, parsed.host, parsed.port


def same_origin(origin: str | None, scheme: str, host: str) -> bool:
    """Whether a request's Origin header names the page it was served from (scheme://Host)."""
    served = _site(f"{scheme}://{host}")
    return origin is not None and served is not None and _site(origin) == served


def names_loopback(host: str) -> bool:
    """Whether a Host header names this machine by a loopback name (127.0.0.1, ::1, localhost)."""
    site = _site(f"http://{host}")
    return site is not None and site[1] is not None and is_loopback(site[1])
