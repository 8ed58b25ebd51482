"""Lab routes around the redirect: a login's `?next=` (open redirects, CWE-601), and answers that
point elsewhere without being redirects (Refresh, meta refresh, 201/202 with a Location, and a
3xx that asks for a wait with Retry-After).

Routes (any method); `code` is a 3xx, `after` seconds, `to` a path on the lab (default /echo):
  /login?next=PATH[&code=303]        signs anyone in, then redirects to `next` if the lab's own
                                     check accepts it (the one that guards /redirect's ?to=)
  /login/naive?next=...[&code=303]   checks only that `next` starts with "/", then sends it as
                                     the Location as it came: `//host` and `/\\host` pass
  /refresh?to=PATH&after=0           200 with `Refresh: 0; url=...` (HTML standard)
  /page/meta-refresh?to=PATH&after=0 200, an HTML page with <meta http-equiv="refresh">
  /created?to=PATH                   201 Created, Location: PATH (RFC 9110 §15.3.2)
  /accepted?to=PATH                  202 Accepted, Location: PATH as its status monitor (§15.3.3)
  /retry-after?code=307&after=120    a 3xx with `Retry-After: 120` (RFC 9110 §10.2.3)

In `next`, `{other}` stands for the lab's second origin (host:port), the attacker's site of the
lesson: lessons cannot know its port, and students need not look it up.

The lab must never become an open redirect on a school network, so /login/naive keeps its naive
check only up to a point: it sends a Location only when every way clients read it (RFC 3986's,
and the WHATWG URL Standard's, where `\\` is a `/`) leads to a path or to one of the lab's own
two origins. For anything else it answers 403 and says what a naive server would have sent. The
origins are named by the Host the request came with: a link cannot make a victim's browser send
another Host, so only a client that forges one is sent to the host it forged.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

__all__ = ["OWN_ANSWERS", "ROUTES", "Asked", "Reply"]

OTHER = "{other}"
"""In a login's `next`, the lab's second origin as host:port."""

_SECONDS = re.compile(r"^[0-9]{1,9}$")


@dataclass(frozen=True, slots=True)
class Asked:
    """What a route here needs of a request, handed over by the lab app."""

    params: Sequence[tuple[str, str]]
    chain: str
    student: str
    """The name in the request's /s/NAME prefix ("" for none): it stays on every Location."""
    host: str | None
    """The Host header: this origin, as the client named it."""
    other: str | None
    """The lab's other origin as the client would name it (http://host:port), or None."""
    locate: Callable[[str], tuple[str, str | None]]
    """The lab's own check of a target path: the Location (with the chain token) or why not."""
    scheme: str
    """The listener the request came over: "http", or "https" for the TLS one."""
    secure: str | None
    """The lab's TLS listener as the client would name it (https://host:port), or None."""

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    def code(self, default: int) -> tuple[int, str | None]:
        """The 3xx `?code=` asks for (`default` without one), or why it is not one."""
        raw = self.param("code")
        if raw is None:
            return default, None
        if raw.isdigit() and 300 <= int(raw) <= 399:
            return int(raw), None
        return default, f"?code= takes a redirect status from 300 to 399, not {raw!r}.\n"


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer for the lab app to record and send (every answer also gets `no-store`)."""

    status: int
    text: str
    location: str | None = None
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[bytes, bytes], ...] = ()


def _refused(text: str) -> Reply:
    return Reply(400, text)


def _seconds(asked: Asked, default: int) -> tuple[int, str | None]:
    raw = asked.param("after")
    if raw is None:
        return default, None
    if _SECONDS.match(raw):
        return int(raw), None
    return default, f"?after= takes a number of seconds, not {raw!r}.\n"


def _login_target(asked: Asked) -> tuple[int, str, str | None]:
    """A login's answer code and its `next`, with `{other}` written out as the lab's second
    origin; or why the login cannot answer."""
    code, problem = asked.code(303)
    target = asked.param("next") or "/echo"
    if problem or OTHER not in target:
        return code, target, problem
    if asked.other is None:
        return code, target, f"{OTHER} in ?next= needs a second listener; this lab has one.\n"
    return code, target.replace(OTHER, _netloc(asked.other) or ""), None


def _signed_in(code: int, location: str) -> Reply:
    return Reply(code, f"Signed in (the lab checks no password): see {location}\n", location)


def _login(asked: Asked) -> Reply:
    """A login that validates `next` the way a server should: parsed, then compared with its
    own origin, by the very check that guards /redirect's ?to=."""
    code, target, problem = _login_target(asked)
    if problem:
        return _refused(problem)
    location, problem = asked.locate(target)
    if problem:
        return _refused(f"The login checks ?next= as the lab checks ?to=. {problem}")
    return _signed_in(code, location)


def _naive_login(asked: Asked) -> Reply:
    """A login that checks only that `next` starts with "/", the check that `//evil.example`
    and `/\\evil.example` pass; it sends the Location only where it stays on the lab."""
    code, target, problem = _login_target(asked)
    if problem:
        return _refused(problem)
    if not target.startswith("/"):
        return _refused(f"The naive check refused {target!r}: it does not start with '/'.\n")
    location = _as_sent(target, asked.chain)
    own = {name.lower() for name in (asked.host, _netloc(asked.other)) if name}
    authorities = _authorities(location)
    foreign = [authority for authority in authorities if authority.lower() not in own]
    if foreign:
        text = (
            f"The naive check (next starts with '/') let {target!r} through: a server with that "
            f"check answers {code} with Location: {location}, which names the authority "
            f"{foreign[0]!r}. The lab does not send it: it redirects only to exactly its own "
            f"origins ({', '.join(sorted(own))}).\n"
        )
        return Reply(403, text)
    if asked.student:
        location = _prefixed(location, f"/s/{asked.student}", bool(authorities))
    return _signed_in(code, location)


def _prefixed(location: str, prefix: str, has_authority: bool) -> str:
    """`location` with a student's prefix at the start of its path, after any authority (both
    readings of `_authorities` end it at the first slash, backslash, `?` or `#` after it)."""
    if not has_authority:
        return prefix + location
    authority = re.match(r"[/\\]+[^/\\?#]*", location)
    end = authority.end() if authority else 0
    return location[:end] + prefix + location[end:]


def _netloc(origin: str | None) -> str | None:
    return urlsplit(origin).netloc if origin else None


def _as_sent(target: str, chain: str) -> str:
    """`target` as a naive server sends it, the chain token added before any fragment. Only what
    is not printable ASCII is percent-encoded: a backslash stays a backslash, but no control
    character or space can make the header invalid or reach a terminal."""
    head, hash_, fragment = target.partition("#")
    head += f"{'&' if '?' in head else '?'}chain={chain}"
    return "".join(c if "!" <= c <= "~" else quote(c, safe="") for c in head + hash_ + fragment)


def _authorities(location: str) -> list[str]:
    """The hosts (with port and any userinfo) a client may take from a Location that starts
    with "/"; none for a plain path. Parsers differ, so both readings count: RFC 3986's (`//`
    starts an authority that runs to the next `/`, `?` or `#`), and the WHATWG URL Standard's
    for http(s), where `\\` is a `/` and further slashes are skipped (relative slash state,
    special authority ignore slashes state)."""
    found = []
    if location.startswith("//"):
        found.append(re.split(r"[/?#]", location[2:], maxsplit=1)[0])
    slashed = location.replace("\\", "/")
    if slashed.startswith("//"):
        found.append(re.split(r"[/?#]", slashed.lstrip("/"), maxsplit=1)[0])
    return [authority for authority in found if authority]


def _pointing(status: int, what: str) -> Callable[[Asked], Reply]:
    """A route answering `status` with a Location to `?to=`: not a redirect (RFC 9110 §10.2.2)."""

    def route(asked: Asked) -> Reply:
        location, problem = asked.locate(asked.param("to") or "/echo")
        if problem:
            return _refused(problem)
        return Reply(status, f"{what} {location}. Not a redirect.\n", location)

    return route


def _target(asked: Asked, default_seconds: int) -> tuple[int, str, str | None]:
    """`?after=` seconds and the Location of `?to=`, or why the lab will not answer."""
    after, problem = _seconds(asked, default_seconds)
    if problem:
        return after, "", problem
    location, problem = asked.locate(asked.param("to") or "/echo")
    return after, location, problem


def _refresh(asked: Asked) -> Reply:
    """200 with a Refresh header: a browser loading it as a page goes on (HTML standard)."""
    after, location, problem = _target(asked, 0)
    if problem:
        return _refused(problem)
    value = f"{after}; url={location}"
    text = f"Refresh: {value}. Not a redirect: a page that asks to be replaced.\n"
    return Reply(200, text, headers=((b"refresh", value.encode()),))


def _meta_refresh(asked: Asked) -> Reply:
    """200, an HTML page whose <meta http-equiv="refresh"> asks the browser to go on."""
    after, location, problem = _target(asked, 0)
    if problem:
        return _refused(problem)
    page = (
        '<!doctype html>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="{html.escape(f"{after}; url={location}")}">\n'
        "<title>redirect-tutor lab: meta refresh</title>\n"
        f"<p>Not a redirect: a page that asks to be replaced by {html.escape(location)}.\n"
    )
    return Reply(
        200,
        page,
        content_type="text/html; charset=utf-8",
        headers=((b"content-security-policy", b"default-src 'none'"),),  # no script, ever
    )


def _retry_after(asked: Asked) -> Reply:
    """A 3xx that asks the client to wait before it follows (RFC 9110 §10.2.3)."""
    code, problem = asked.code(307)
    if problem:
        return _refused(problem)
    after, location, problem = _target(asked, 120)
    if problem:
        return _refused(problem)
    text = f"See {location}, after {after} seconds.\n"
    return Reply(code, text, location, headers=((b"retry-after", str(after).encode()),))


ROUTES: dict[str, Callable[[Asked], Reply]] = {
    "/login": _login,
    "/login/naive": _naive_login,
    "/refresh": _refresh,
    "/page/meta-refresh": _meta_refresh,
    "/created": _pointing(201, "Created: the new resource is"),
    "/accepted": _pointing(202, "Accepted: the job's status is at"),
    "/retry-after": _retry_after,
}
"""Each route by its path (without a student's /s/NAME prefix)."""

OWN_ANSWERS: dict[str, str] = {
    "/refresh": "200 OK + Refresh header",
    "/page/meta-refresh": "200 OK + meta refresh",
    "/created": "201 Created + Location",
    "/accepted": "202 Accepted + Location",
}
"""The routes that answer a status of their own rather than a ?code=, as a learner reads them."""
