"""Lab routes for HSTS (RFC 6797): the header that makes a browser go to https by itself, and a
site that redirects plain HTTP to https, so that the browser's own "307 Internal Redirect" can
be watched beside the server's real one.

Routes (any method):
  /hsts?max-age=N       200 with `Strict-Transport-Security: max-age=N`, over whichever listener
                        it is asked on: a browser notes the host from an answer over HTTPS, and
                        must ignore the header over plain HTTP (RFC 6797 §8.1)
  /hsts/site?code=301   a site as §7.2 asks it to be: over plain HTTP, `code` with a Location to
                        the same URL on the TLS listener; over HTTPS, 200 (the site's page)

A browser notes a host by name, never an IP address (§8.1.1), and for every port of it: once it
noted the shared lab's name, the lab's plain listeners are out of its reach by that name until
max-age runs out (§8.3 keeps an explicit port when it rewrites http:// to https://). So max-age
is short by default and capped, and `max-age=0` makes a browser forget the host (§6.1.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tutor.lab.beyond import Asked, Reply

__all__ = ["DEFAULT_MAX_AGE", "MAX_AGE", "ROUTES"]

DEFAULT_MAX_AGE = 60
MAX_AGE = 600
"""The longest max-age (seconds) the lab sends: ten minutes without its plain listeners, at
most, for a browser that visited it by name."""

_SECONDS = re.compile(r"^[0-9]{1,9}$")


def _note(asked: Asked) -> Reply:
    """200 with Strict-Transport-Security: a browser that gets it over HTTPS notes the host."""
    raw = asked.param("max-age")
    if raw is not None and not (_SECONDS.match(raw) and int(raw) <= MAX_AGE):
        return Reply(400, f"?max-age= takes a number of seconds up to {MAX_AGE}, not {raw!r}.\n")
    value = f"max-age={DEFAULT_MAX_AGE if raw is None else int(raw)}"
    over = (
        "over HTTPS: a browser notes this host as an HSTS host (RFC 6797 §8.1)"
        if asked.scheme == "https"
        else "over plain HTTP: a browser must ignore it (RFC 6797 §8.1)"
    )
    return Reply(
        200,
        f"Strict-Transport-Security: {value}, sent {over}.\n",
        headers=((b"strict-transport-security", value.encode()),),
    )


def _site(asked: Asked) -> Reply:
    """A site that redirects plain HTTP to https (RFC 6797 §7.2), and serves its page there."""
    if asked.scheme == "https":
        return Reply(200, "The site's page, served over HTTPS.\n")
    code, problem = asked.code(301)
    if problem:
        return Reply(400, problem)
    if asked.secure is None:
        return Reply(400, "This lab has no TLS listener to send plain HTTP to.\n")
    location, problem = asked.locate(f"/hsts/site?code={code}")
    if problem:
        return Reply(400, problem)
    location = asked.secure + location
    return Reply(code, f"This site is served over HTTPS only: see {location}\n", location)


ROUTES: dict[str, Callable[[Asked], Reply]] = {"/hsts": _note, "/hsts/site": _site}
"""Each route by its path (without a student's /s/NAME prefix)."""
