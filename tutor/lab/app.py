"""The lab: a small ASGI app that answers redirects and reports, as a witness, what arrived.

Routes (any method):
  /redirect/{code}   answers `code` (300-399) with a Location to /echo, or to `?to=PATH` on the lab;
                     the edge cases are its options (see `_INDEX`): how the Location is written
                     (none, relative, two fields, invalid, ...), a loop, a hop to the lab's other
                     origin, cacheable answers
  /echo[/...]        answers JSON: the request as received, its whole chain, and a verdict
  /client/browser    a page that sends requests from a browser (fetch() or a real form POST)
  /page/fragment     a page that tells the lab which fragment the browser kept (RFC 9110 §10.2.2)
  /login, /refresh... around the redirect (lab/beyond.py): a login's ?next= (open redirects),
                     and answers that point elsewhere without redirecting (Refresh, 201, 202)
  /hsts, /hsts/site  Strict-Transport-Security, and a site that redirects plain HTTP to https
                     (lab/hsts.py)
  /                  a short index for people exploring with curl or a browser
  /s/{name}/...      any route above for one student on a shared lab: the prefix stays on every
                     Location, so each student's chains are their own in the journal; a name
                     belongs to the computer that first used it (lab/seats.py)
  /class/..., /teacher/...   a classroom's own routes, when the lab serves one (`Annex`): never
                     journaled, since they are not experiments

Every answer, errors included, is written to the journal. A redirect's Location carries the
chain token (`?chain=`), so the target knows which chain a request belongs to even when the
client is an anonymous `curl -L`. A chain is a capability: its token is unguessable, and a
request joins (or, at /echo, reads) a chain only under the prefix the chain began under; a
request that may not is answered 403 (another prefix) or 429 (a full chain) in a chain of its
own. What a client can make the lab keep or wait for is bounded (lab/bounds.py).

A browser's CORS preflight, on any route, is allowed and journaled too, and an answer to a
request with an Origin lets that origin read it (lab/cors.py), unless the query has `cors=none`.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from tutor.lab.beyond import ROUTES as BEYOND_ROUTES
from tutor.lab.beyond import Asked
from tutor.lab.bounds import Bounds
from tutor.lab.cors import PREFLIGHT_ALLOWED, answer_headers, is_preflight, refused
from tutor.lab.deadlines import Deadlines
from tutor.lab.echo import echo_document
from tutor.lab.hsts import ROUTES as HSTS_ROUTES
from tutor.lab.journal import (
    Hop,
    Journal,
    Standing,
    digest,
    is_token,
    label,
    reason,
    split_student,
)
from tutor.lab.pages import BROWSER_PAGE, FRAGMENT_PAGE, policy
from tutor.lab.rejected import Rejected
from tutor.lab.seats import NAME, Seats, Taken

__all__ = ["ANNEX_ROUTES", "Annex", "Disconnected", "LabApp", "TooLarge", "read_body"]

_MAX_AGE = re.compile(r"^max-age=[0-9]{1,9}$")
_HOST_NAME = re.compile(r"[0-9a-z._:-]+", re.ASCII)
"""A host as `urlsplit` gives it (lowercase; an IPv6 address without its brackets): a name or
an address, and nothing that a Location or a page's policy would read as more."""
_PAGES = {"/client/browser": BROWSER_PAGE, "/page/fragment": FRAGMENT_PAGE}
_ROUTES = {**BEYOND_ROUTES, **HSTS_ROUTES}
"""The routes that answer through lab/beyond.py's Asked and Reply."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


ANNEX_ROUTES = ("/class/", "/teacher/")
"""Where a classroom's own routes live, beside the lab's."""


class Annex(Protocol):
    """A classroom served beside the lab (tutor.classroom): its routes, and who holds which
    name."""

    seats: Seats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None: ...

    def stop_waiting(self) -> None:
        """The lab is stopping: every call that waits (a long poll) answers now."""


class _Request:
    __slots__ = (
        "body",
        "body_size",
        "chain",
        "headers",
        "method",
        "params",
        "path",
        "peer",
        "query",
        "route",
        "scheme",
        "scope",
        "student",
    )

    def __init__(
        self,
        scope: Scope,
        body: bytes,
        body_size: int,
        chain: str,
        asked: tuple[str, list[tuple[str, str]]] | None = None,
        student: tuple[str, str] | None = None,
    ) -> None:
        self.scope = scope
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.student, self.route = student or split_student(self.path)
        self.query, self.params = asked if asked is not None else _query(scope)
        self.headers = tuple(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        )
        self.body = body
        self.body_size = body_size
        client = scope.get("client")
        self.peer = f"{client[0]}:{client[1]}" if client else "-"
        self.chain = chain
        self.scheme: str = "https" if scope.get("scheme") == "https" else "http"

    def param(self, name: str) -> str | None:
        if not self.params:  # most requests: a redirect asks several
            return None
        return next((v for k, v in self.params if k == name), None)

    def header(self, name: bytes) -> str | None:
        return next((v.decode("latin-1") for k, v in self.scope["headers"] if k == name), None)


class TooLarge(Exception):
    """The request's body is over the limit it was read with; `args[0]`: how many of its bytes
    had come by then (none when its Content-Length said so)."""


class Disconnected(Exception):
    """The client hung up before its request was complete; `args[0]`: the body bytes received."""


async def read_body(
    scope: Scope, receive: Receive, limit: int, chunks: list[bytes] | None = None
) -> bytes:
    """The request's body, at most `limit` bytes (TooLarge past it, said or sent); Disconnected
    when the client hangs up first. The pieces before the last are kept in `chunks`: what came
    of a body whose reading was stopped."""
    declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(0)
    chunks = [] if chunks is None else chunks
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected(b"".join(chunks))
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge(size)
        if not message.get("more_body", False):
            return b"".join([*chunks, chunk]) if chunks else chunk  # most bodies: one piece
        chunks.append(chunk)


async def _in_time(reading: Awaitable[bytes], deadlines: Deadlines) -> bytes:
    """`reading`, or TimeoutError once the `deadlines`' length has passed (what
    `asyncio.timeout` does, with a dictionary entry rather than a timer per request)."""
    task = asyncio.current_task()
    assert task is not None  # the lab runs in uvicorn's task for the request
    deadlines.start(task, task.cancel, task.get_loop())
    try:
        return await reading
    except asyncio.CancelledError:
        if deadlines.stop(task) and task.uncancel() == 0:
            raise TimeoutError from None
        raise
    finally:
        deadlines.stop(task)


def _too_long(scope: Scope, bounds: Bounds) -> tuple[int, str, int] | None:
    """414 or 431, what was too long and its limit, for a request the lab will not take."""
    if len(scope["path"]) + len(scope["query_string"]) > bounds.target:
        return 414, "target", bounds.target
    if sum([len(name) + len(value) for name, value in scope["headers"]]) > bounds.head:
        return 431, "headers", bounds.head
    return None


def _query(scope: Scope) -> tuple[str, list[tuple[str, str]]]:
    """The request's query, decoded, and its parameters (parsed once per request)."""
    query: str = scope["query_string"].decode("latin-1")
    return query, parse_qsl(query) if query else []


def _token(params: Sequence[tuple[str, str]]) -> str | None:
    """The chain token a request names in its query, if it is one a client may name."""
    for name, value in params:
        if name == "chain":
            return value if is_token(value) else None
    return None


def _unprintable(params: Sequence[tuple[str, str]]) -> str | None:
    """Why a target the lab is asked to point at (`?to=`, `?next=`) cannot be a Location: it
    holds a control or bidi character, which would break the header or rewrite a terminal."""
    for name, value in params:
        if name in _TARGETS:
            bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf")), None)
            if bad is not None:
                code = f"{ord(bad):02X}" if ord(bad) < 256 else f"u+{ord(bad):04X}"
                return (
                    f"?{name}= holds the control character {bad!a} (character "
                    f"{value.index(bad) + 1}): a Location must be printable, so the lab will not "
                    f"point there. To mean the text %{code} itself, send %25{code}.\n"
                )
    return None


_TARGETS = ("to", "next")
"""The query parameters that name where an answer points."""


class LabApp:
    """The ASGI callable. It never raises: every failure becomes an answer or a quiet close.

    `origins` are the lab's own listeners (e.g. http://127.0.0.1:8307): `?origin=other`
    redirects to one of the same scheme that the request did not arrive on, to show what crosses
    origins; `?scheme=https` to the TLS listener and `?scheme=http` back to the plain one, to show
    what crosses a change of scheme.
    """

    def __init__(
        self,
        journal: Journal,
        origins: tuple[str, ...] = (),
        annex: Annex | None = None,
        ca_pem: str | None = None,
    ) -> None:
        self.journal = journal
        self.origins = origins
        self.bounds = journal.bounds
        self.reading = Deadlines(self.bounds.body_timeout)
        """The body reads in progress and when each must end."""
        self.annex = annex
        self.ca_pem = ca_pem
        """The certificate of the CA that issued the TLS listener's (public: no key), which
        `GET /ca.pem` hands to a student's curl on another machine."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if self.annex is not None and scope["path"].startswith(ANNEX_ROUTES):
            await self.annex(scope, receive, send)
            return
        too_long = _too_long(scope, self.bounds)
        if too_long is not None:
            status, what, limit = too_long
            kept = {**scope, "path": scope["path"][:200], "query_string": b"", "headers": []}
            message = f"Request {what} over the lab's limit of {limit} bytes.\n"
            request = _Request(kept, b"", 0, self.journal.new_token())
            await self._answer(request, send, status, message, close=True)
            return
        asked = _query(scope)
        client = scope.get("client")
        student = split_student(scope["path"])
        chain, refusal = self._chain(_token(asked[1]), student[0], client[0] if client else "-")
        pieces: list[bytes] = []
        try:
            reading = read_body(scope, receive, self.bounds.body, pieces)
            body = await _in_time(reading, self.reading)
        except Disconnected as hang_up:
            # Journaled as what it is: a head (and maybe part of a body) and no answer, e.g.
            # httpx's second POST on a 307 when its streamed body cannot be sent again.
            received: bytes = hang_up.args[0]
            request = _Request(scope, received, len(received), chain, asked, student)
            self._record(request, 0, None, digest(received), hung_up=True)
            return
        except (TooLarge, TimeoutError) as stopped:  # journaled with the part of the body that came
            came = b"".join(pieces)
            if isinstance(stopped, TooLarge):
                status, size = 413, stopped.args[0]
                message = f"Request body over the lab's limit of {self.bounds.body} bytes.\n"
            else:
                status, size = 408, len(came)
                message = (
                    f"Request body not complete after {self.bounds.body_timeout:g} seconds: "
                    "the lab stopped waiting for it.\n"
                )
            request = _Request(scope, came, size, chain, asked, student)
            await self._answer(request, send, status, message, digest_=digest(came), close=True)
            return
        request = _Request(scope, body, len(body), chain, asked, student)
        request_digest = digest(body)
        if refusal is not None:
            await self._answer(request, send, *refusal, digest_=request_digest)
            return
        path = request.route
        problem = _unprintable(request.params)
        if problem is not None:
            await self._answer(request, send, 400, problem, digest_=request_digest)
        elif is_preflight(request.method, request.headers) and not refused(request.params):
            await self._answer(request, send, 200, PREFLIGHT_ALLOWED, digest_=request_digest)
        elif path.startswith("/redirect/"):
            await self._redirect(request, request_digest, send)
        elif path == "/echo" or path.startswith("/echo/"):
            await self._echo(request, request_digest, send)
        elif path in _PAGES:
            page = _PAGES[path]
            listeners = self._listeners(request)
            await self._answer(
                request,
                send,
                200,
                page,
                digest_=request_digest,
                content_type=_HTML,
                extra=[(b"content-security-policy", policy(page, listeners).encode())],
            )
        elif path in _ROUTES:  # lab/beyond.py, lab/hsts.py: ?next=, Refresh, 201/202, HSTS...
            here = Asked(
                request.params,
                request.chain,
                request.student,
                request.header(b"host"),
                self._other_origin(request),
                lambda target: _location(request, target),
                request.scheme,
                self._listener(request, "https", other=False),
            )
            reply = _ROUTES[path](here)
            await self._answer(
                request,
                send,
                reply.status,
                reply.text,
                locations=() if reply.location is None else (reply.location,),
                digest_=request_digest,
                content_type=reply.content_type,
                extra=reply.headers,
            )
        elif path == "/ca.pem":
            if self.ca_pem is None:
                text = "This lab has no TLS listener, so no certificate authority to trust.\n"
                await self._answer(request, send, 404, text, digest_=request_digest)
            else:
                await self._answer(
                    request,
                    send,
                    200,
                    self.ca_pem,
                    digest_=request_digest,
                    content_type="application/x-pem-file",
                )
        elif path == "/":
            await self._answer(request, send, 200, _INDEX, digest_=request_digest)
        elif path.startswith("/s/") and not NAME.fullmatch(path.split("/")[2]):
            text = "/s/NAME/: a name is 1 to 32 letters (a-z, A-Z), digits, '-' or '_'.\n"
            await self._answer(request, send, 404, text, digest_=request_digest)
        else:
            await self._answer(
                request, send, 404, f"No such lab route: {path}\n{_INDEX}", digest_=request_digest
            )

    def _chain(
        self, token: str | None, student: str, host: str
    ) -> tuple[str, tuple[int, str] | None]:
        """The chain a request from `student` ("" for none) at `host` joins: the one its `token`
        names if it may join it, else a new one; and if it may not, the answer it gets (403 or
        429)."""
        refusal = self._refusal(token, student) if token else None
        if refusal is None and student and self.annex is not None:
            try:
                self.annex.seats.admit(student, host, token)
            except Taken as taken:
                refusal, token = (403, f"{taken}\n"), None
        return (token if token and refusal is None else self.journal.new_token()), refusal

    def rejected(self, what: Rejected) -> None:
        """Journal a request the lab's HTTP parser refused with a 400 (the guard hears it first),
        in the chain its target names when it may join it: Go's net/http, for one, sends a
        Location's spaces as they are, and the chain must show that it followed."""
        target = what.target[: self.bounds.target]
        path, _, query = target.partition("?")
        path = unquote(path, errors="replace")
        host = what.peer.rpartition(":")[0] or what.peer
        chain, _ = self._chain(_token(parse_qsl(query)), split_student(path)[0], host)
        self.journal.record(
            chain=chain,
            peer=what.peer,
            method=what.method[:16],
            path=path,
            query=query,
            headers=what.headers,
            body=b"",
            body_size=0,
            body_digest=digest(b""),
            status=400,
            location=None,
            scheme=what.scheme,
            rejected=what.reason,
        )

    def _refusal(self, token: str, student: str) -> tuple[int, str] | None:
        """403 or 429 and why, for a request that may not join the chain its token names."""
        standing = self.journal.standing(token, student)
        if standing is Standing.FOREIGN:
            return 403, (
                f"Chain {label(token)} began under another prefix: a chain is read and extended "
                "only under the prefix it began under. Start your own, e.g. "
                "/s/NAME/redirect/307.\n"
            )
        if standing is Standing.FULL:
            return 429, (
                f"Chain {label(token)} has reached the lab's limit of {self.bounds.chain_hops} "
                "requests, so the lab stops it here. Start a new chain.\n"
            )
        return None

    async def _redirect(self, request: _Request, request_digest: str, send: Send) -> None:
        raw_code = request.route.removeprefix("/redirect/").rstrip("/")
        if not raw_code.isdigit() or not 300 <= int(raw_code) <= 399:
            text = (
                f"'{raw_code}' is not a redirect status: /redirect/ takes a code from 300 to 399, "
                "for example /redirect/307.\n"
            )
            await self._answer(request, send, 400, text, digest_=request_digest)
            return
        status = int(raw_code)
        locations, problem = self._location(request)
        cache = request.param("cache")
        if cache is not None and cache != "none" and not _MAX_AGE.match(cache):
            problem = f"?cache= takes 'none' or 'max-age=SECONDS', not {cache!r}.\n"
        if problem:
            await self._answer(request, send, 400, problem, digest_=request_digest)
            return
        shown = ", ".join(locations) or "nowhere (no Location)"
        text = f"{status} {reason(status)}: see {shown}\n"
        await self._answer(
            request,
            send,
            status,
            text,
            locations=locations,
            digest_=request_digest,
            cache_control=None if cache == "none" else cache or "no-store",
        )

    def _location(self, request: _Request) -> tuple[tuple[str, ...], str | None]:
        """The Location field values the redirect's options ask for (none, one, or two); or why
        the lab will not send them."""
        form = request.param("location") or "path"
        if form not in _LOCATION_FORMS:
            return (), f"?location= takes one of {', '.join(_LOCATION_FORMS)}, not {form!r}.\n"
        if form == "none":
            return (), None
        if request.param("loop") is not None:
            query = [(k, v) for k, v in request.params if k != "chain"]
            target = urlunsplit(("", "", request.route, urlencode(query), ""))
        else:
            target = request.param("to") or "/echo"
        location, problem = _location(request, target)
        if problem:
            return (), problem
        origin, scheme = request.param("origin"), request.param("scheme")
        if origin is None and scheme is None:
            return _written(form, location, request), None
        if origin not in (None, "other"):
            return (), f"?origin= takes 'other', not {origin!r}.\n"
        if scheme not in (None, "http", "https"):
            return (), f"?scheme= takes 'http' or 'https', not {scheme!r}.\n"
        if origin is not None and scheme is not None:
            return (), "?origin=other and ?scheme= each lead to another listener: choose one.\n"
        asked = f"?origin={origin}" if origin is not None else f"?scheme={scheme}"
        if form not in ("path", "absolute"):
            return (), (
                f"{asked} writes the Location in full (another origin has to be named), so it "
                f"cannot be combined with ?location={form}.\n"
            )
        there = (
            self._other_origin(request)
            if scheme is None
            else self._listener(request, scheme, other=False)
        )
        if there is None:
            return (), (
                "?origin=other needs a second listener, and this lab has only one.\n"
                if scheme is None
                else f"?scheme={scheme} needs a listener that speaks {scheme}, and this lab has "
                "none (the tutor could not keep its certificate authority).\n"
            )
        path_on = urlsplit(location)._replace(scheme="", netloc="")
        return (there + urlunsplit(path_on),), None

    def _other_origin(self, request: _Request) -> str | None:
        """The listener of the request's scheme that it did not arrive on, named by the host the
        client used (so a student who reached the lab at 192.0.2.7:8307 is sent to
        192.0.2.7:8308)."""
        return self._listener(request, request.scheme, other=True)

    def _listener(self, request: _Request, scheme: str, *, other: bool) -> str | None:
        """The lab's first listener that speaks `scheme` (but not the one the request arrived
        on, when `other`), named by the host the client used."""
        server = request.scope.get("server")
        here = server[1] if server and server[1] else None
        found = next(
            (
                parts
                for parts in map(urlsplit, self.origins)
                if parts.scheme == scheme and not (other and parts.port == here)
            ),
            None,
        )
        if found is None:
            return None
        host = _host_name(request) or found.hostname
        host = f"[{host}]" if host and ":" in host else host
        return f"{found.scheme}://{host}:{found.port}"

    def _listeners(self, request: _Request) -> list[str]:
        """Every listener of the lab but the one the request arrived on, as the client names
        them: where a page of the lab may send requests and forms."""
        found = [self._other_origin(request)]
        other_scheme = "http" if request.scheme == "https" else "https"
        found.append(self._listener(request, other_scheme, other=False))
        return [origin for origin in found if origin is not None]

    async def _echo(self, request: _Request, request_digest: str, send: Send) -> None:
        hop = self._record(request, 200, None, request_digest)
        chain = self.journal.chain_until(hop)
        if sum(earlier.kept_bytes for earlier in chain) > _ECHO_ON_LOOP:
            payload = await asyncio.to_thread(echo_document, hop, chain, self.bounds.echo_bytes)
        else:
            payload = echo_document(hop, chain, self.bounds.echo_bytes)
        await _send(send, request, 200, payload, "application/json", None, close=False)

    def _record(
        self,
        request: _Request,
        status: int,
        location: str | None,
        request_digest: str,
        *,
        hung_up: bool = False,
    ) -> Hop:
        return self.journal.record(
            chain=request.chain,
            peer=request.peer,
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            body=request.body,
            body_size=request.body_size,
            body_digest=request_digest,
            status=status,
            location=location,
            hung_up=hung_up,
            scheme=request.scheme,
        )

    async def _answer(
        self,
        request: _Request,
        send: Send,
        status: int,
        text: str,
        *,
        locations: Sequence[str] = (),
        digest_: str | None = None,
        close: bool = False,
        cache_control: str | None = "no-store",
        content_type: str = "text/plain; charset=utf-8",
        extra: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        """Journal the request with the answer it gets, then send that answer."""
        self._record(request, status, ", ".join(locations) or None, digest_ or digest(b""))
        more = [(b"location", later.encode("latin-1", "replace")) for later in locations[1:]]
        await _send(
            send,
            request,
            status,
            text.encode(),
            content_type,
            locations[0] if locations else None,
            close,
            cache_control,
            extra=[*more, *extra],
        )


_HTML = "text/html; charset=utf-8"

_ECHO_ON_LOOP = 64 * 1024
"""Kept bytes of a chain up to which /echo builds its answer on the server loop; a longer chain
is encoded in a worker thread, so that no other client waits for it."""


_LOCATION_FORMS = (
    "path",
    "relative",
    "dots",
    "query",
    "absolute",
    "twice",
    "invalid",
    "spaces",
    "none",
)
"""How a redirect writes its Location (see `_INDEX`); `none` sends none."""


def _written(form: str, location: str, request: _Request) -> tuple[str, ...]:
    """`location` (a path on the lab with its query, the chain token last) written in `form`:
    the Location field values to send, each a way a server may write one (RFC 9110 §10.2.2)."""
    if form == "path" or not location.startswith("/"):  # as made; or ?to= named this host
        return (location,)
    up = "../" * (request.path.count("/") - 1)  # from the request's directory to the root
    host = request.header(b"host")
    scheme = request.scope.get("scheme", "http")
    parts = urlsplit(location)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if form == "relative":  # RFC 3986 §5.2: resolved against the request's URI
        return (up + location[1:],)
    if form == "dots":  # more ".." than the path has levels: they stop at the root (§5.4.2)
        return ("../../" + up + location[1:],)
    if form == "query":  # a query alone: the same path, this query instead (§5.2.2)
        kept = [(k, v) for k, v in request.params if k not in ("location", "chain")]
        return ("?" + urlencode([*kept, ("chain", request.chain)]),)
    if form == "absolute" and host:  # without a Host, the lab does not know its own name
        return (f"{scheme}://{host}{location}",)
    if form == "twice":  # two field lines: invalid; a recipient may combine them (RFC 9110 §5.3)
        first = urlencode([*pairs, ("n", "1")])
        second = urlencode([*pairs[:-1], ("n", "2"), *pairs[-1:]])
        return (urlunsplit(parts._replace(query=first)), urlunsplit(parts._replace(query=second)))
    if form == "invalid":  # not a URI reference: a port that is not a number
        name = _host_name(request) or "lab"
        name = f"[{name}]" if ":" in name else name
        return (f"{scheme}://{name}:invalid{location}",)
    if form == "spaces":  # not a URI reference either, but a client may repair it
        return (urlunsplit(parts._replace(query=f"{parts.query}&note=not a URI")),)
    return (location,)


def _host_name(request: _Request) -> str | None:
    """The host the client named in its Host header (RFC 9110 §7.2), by which the lab names
    its listeners to it; None without one, or for one that is no host ("[", "x;script-src *"),
    where the lab names itself."""
    try:
        host = urlsplit(f"//{request.header(b'host') or ''}").hostname
    except ValueError:  # "[", "[zz]": brackets around no IP address
        return None
    return host if host and _HOST_NAME.fullmatch(host) else None


def _location(request: _Request, target: str) -> tuple[str, str | None]:
    """Where a redirect points, with the chain token added; or the reason it may not point there."""
    if target == "/echo" and not request.student and is_token(request.chain):
        return f"/echo?chain={request.chain}", None  # the default: a token needs no quoting
    parts = urlsplit(target)
    host = request.header(b"host")
    if parts.scheme or parts.netloc or target.startswith(("//", "/\\")) or "\\" in parts.path:
        if parts.scheme in ("http", "https") and host and parts.netloc == host:
            pass
        else:
            return "", (
                f"Refusing to redirect to {target!r}: the lab only redirects to its own paths "
                "(no open redirects). Use ?to=/echo or another path on this lab.\n"
            )
    elif not target.startswith("/"):
        return "", f"?to= takes a path on the lab starting with '/', not {target!r}.\n"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "chain"]
    query.append(("chain", request.chain))
    path = parts.path
    if request.student:  # a student's prefix stays on the whole chain
        path = f"/s/{request.student}{path}"
    # The target arrived decoded: encoded again, a control character or a space cannot make the
    # Location header invalid (the answer would never be sent) or act on anyone's terminal.
    path, fragment = quote(path, safe=_URI_SAFE), quote(parts.fragment, safe=_URI_SAFE)
    return urlunsplit(parts._replace(path=path, query=urlencode(query), fragment=fragment)), None


_URI_SAFE = "/:@!$&'()*+,;=~"
"""What RFC 3986 allows as it is in a path or fragment (besides letters, digits and -._~)."""


async def _send(
    send: Send,
    request: _Request,
    status: int,
    payload: bytes,
    content_type: str,
    location: str | None,
    close: bool,
    cache_control: str | None = "no-store",
    extra: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    if status == 304:  # RFC 9110 §15.4.5: a 304 has no content; a body would corrupt the stream
        payload = b""
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", b"%d" % len(payload)),
        (b"server", b"redirect-tutor-lab"),
        (b"x-redirect-tutor-chain", request.chain.encode()),
        (b"x-content-type-options", b"nosniff"),  # a student's text is never sniffed as HTML
    ]
    if cache_control is not None:
        headers.append((b"cache-control", cache_control.encode()))
    if location is not None:
        headers.append((b"location", location.encode("latin-1", errors="replace")))
    if close:
        headers.append((b"connection", b"close"))
    headers += answer_headers(request.method, request.headers, request.params)
    headers += extra
    await send({"type": "http.response.start", "status": status, "headers": headers})
    body = b"" if request.method == "HEAD" else payload
    await send({"type": "http.response.body", "body": body})


_INDEX = """\
redirect-tutor lab. Every request here is written to the journal.

  ANY /redirect/{code}          answers {code} (300-399) with a Location to /echo
  ANY /redirect/{code}?to=PATH  ... to another path on this lab (chains: ?to=/redirect/307)
  ANY /echo                     answers JSON: what arrived, the whole chain, and a verdict

Edge cases, as options of /redirect/{code} (combine them with &):
  ?location=none                a 3xx without Location (valid HTTP; nothing follows it)
  ?location=relative            Location as a relative reference (../echo?...)
  ?location=dots                ... with more '..' than the path has levels (../../../echo?...)
  ?location=query               ... as a query alone (?chain=...): the same path again
  ?location=absolute            Location as an absolute URI (http://HOST/echo?...)
  ?location=twice               two different Location fields (/echo?...&n=1 and ...&n=2)
  ?location=invalid             a Location that is no URI: its port is not a number
  ?location=spaces              a Location with spaces in its query, which some clients repair
  ?loop=1                       Location points back here: a loop, to see each client's limit
  ?origin=other                 Location on the lab's other listener: another origin
  ?scheme=https | http          Location on the lab's TLS listener (an upgrade) or on its plain
                                one (a downgrade): what crosses a change of scheme
  GET /ca.pem                   the certificate of the CA that signed the TLS listener's, for
                                curl --cacert on another machine (only the certificate, no key)
  ?cache=none | max-age=N       no Cache-Control, or explicit freshness. With none, a cache may
                                reuse a 300, 301 or 308 by its own heuristic, and no other 3xx
                                (RFC 9110 §15.1, RFC 9111 §4.2.2)
  ?to=/page/fragment            a browser page that reports the URL fragment it kept
  ?to=/echo?cors=none           the target answers like a server that knows nothing of CORS

CORS: the lab allows every preflight (OPTIONS with Access-Control-Request-Method) and gives
Access-Control-Allow-Origin to any request with an Origin, `null` included; ?cors=none does not.

Around the redirect (lab/beyond.py; ?next= may say {other} for the lab's other origin):
  ANY /login?next=PATH          signs in, then 303 to PATH if the lab's own check accepts it
  ANY /login/naive?next=PATH    checks only that PATH starts with '/' (//host and /\\host pass)
  ANY /refresh?to=PATH          200 with Refresh: 0; url=PATH (not a redirect)
  ANY /page/meta-refresh?to=PATH  200, a page with <meta http-equiv="refresh">
  ANY /created, /accepted       201 or 202 with a Location to /echo (?to=PATH): not redirects
  ANY /retry-after?code=307&after=120   a 3xx with Retry-After

HSTS (lab/hsts.py; a browser notes a host by name, never by IP address, RFC 6797 §8.1.1):
  ANY /hsts?max-age=N           200 with Strict-Transport-Security: max-age=N (60 if not given,
                                at most 600; 0 makes a browser forget). Over HTTPS a browser
                                notes the host; over plain HTTP it must ignore it (§8.1)
  ANY /hsts/site?code=301       over plain HTTP, {code} to the same URL on https (§7.2); over
                                HTTPS, 200: a browser that noted the host never asks over HTTP

Try: curl -L -d a=1 http://HOST/redirect/307
"""
