"""What an experiment asks for: one request, one redirect code, one real client."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import field
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import parse_qsl, urlencode

from tutor.experiments.clients import CLIENT_NAMES
from tutor.experiments.clients.base import RedirectMode
from tutor.lab.beyond import OWN_ANSWERS as BEYOND_OWN_ANSWERS
from tutor.lab.beyond import ROUTES as BEYOND_ROUTES
from tutor.lab.journal import reason
from tutor.validated import After, Before, Rule, Strict, model

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "BODY_METHODS",
    "FRAGMENT_PATTERN",
    "HEADERS",
    "HEADER_NAME",
    "HEADER_VALUE",
    "KNOWN_CODES",
    "METHODS",
    "PATH_CHARS",
    "SCHEMES",
    "ClientName",
    "ExperimentSpec",
    "HeaderName",
    "HeaderValue",
    "HstsFrom",
    "RedirectCode",
    "Scheme",
    "header_fields",
    "header_name_problem",
    "header_value_problem",
    "problems",
]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
KNOWN_CODES = (300, 301, 302, 303, 304, 305, 306, 307, 308)
"""The 3xx codes RFC 9110 §15.4 defines (305 and 306 are deprecated and reserved)."""


def _one_of(value: object, allowed: tuple[object, ...], what: str, hint: str) -> None:
    if value not in allowed:
        shown = _shown(value) if isinstance(value, str) else repr(value)
        raise ValueError(f"unknown {what} {shown}: use one of {hint}")


def _known_code(code: int) -> int:
    _one_of(code, KNOWN_CODES, "redirect code", "300-308")
    return code


def _shown(value: str) -> str:
    """`value` quoted for a message, cut short: a lesson may hold 100 KB where a word was due."""
    return repr(value) if len(value) <= 40 else repr(value[:37] + "...")


Scheme = Literal["same", "upgrade", "downgrade"]
"""Whether a redirect changes scheme: http -> https (`upgrade`) or https -> http (`downgrade`)."""
SCHEMES: tuple[Scheme, ...] = ("same", "upgrade", "downgrade")

HstsFrom = Literal["https", "http"]
"""Where a browser gets the lab's Strict-Transport-Security header before the request: over
HTTPS, where it notes the host, or over plain HTTP, where it must ignore it (RFC 6797 §8.1)."""

RedirectCode = Annotated[int, After(_known_code)]
"""A status code field that must be one of KNOWN_CODES (content, experiments and cards)."""


def _known_client(client: str) -> str:
    _one_of(client, CLIENT_NAMES, "client", ", ".join(CLIENT_NAMES))
    return client


ClientName = Annotated[str, After(_known_client)]
"""A client field that must name a client of the registry."""

HEADERS = 16
HEADER_NAME = 64
HEADER_VALUE = 256
"""Header fields an experiment adds, and the characters of a name and a value: what a lesson
sends then fits in the 8 KiB of each request's fields the lab's journal keeps, beside the
client's own (a field is counted with 100 bytes more, see tutor.lab.bounds)."""
_TOKEN = frozenset("!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits)
"""RFC 9110 §5.6.2 tchar: a header name (§5.1) is a token of these, so never a file (curl's
`-H @file`), a second field (':', CR, LF) or nothing."""
_SET_BY_CLIENT = ("content-length", "transfer-encoding")
"""Fields that frame the body: the client writes them from what it sends, and a lesson's own
would make the lab wait for bytes that never come."""
_FIELD_VALUE = re.compile(r"[!-~]([ \t]*[!-~])*")
"""RFC 9110 §5.5 field-value, in visible ASCII: spaces and tabs inside, none at either end; no
CR, LF, NUL or other control character (obs-text is left out: clients encode it differently)."""
PATH_CHARS = 2_048
"""Longest `to` or `start`: every client takes a URL this long (RFC 9110 §4.1 asks for 8,000
octets), and percent-encoded into the lab's query it stays well inside the lab's request
target."""
_VISIBLE = re.compile(r"[!-~]*")
FRAGMENT_PATTERN = r"^[A-Za-z0-9_-]*$"
_MAX_AGE = re.compile(r"max-age=[0-9]{1,9}")
"""What the lab's ?cache= takes besides `none` (tutor/lab/app.py)."""


def header_name_problem(name: str) -> str | None:
    """Why `name` cannot be a header name (one an experiment sends, or a claim names); None if it
    can."""
    allowed = "a name is a token: letters, digits and !#$%&'*+-.^_`|~ (RFC 9110 §5.1, §5.6.2)"
    if not name:
        return f"a header name is never empty: {allowed}"
    if len(name) > HEADER_NAME:
        return f"a header name has at most {HEADER_NAME} characters, not {len(name):,}"
    if not _TOKEN.issuperset(name):
        bad = next(char for char in name if char not in _TOKEN)
        return f"{_shown(name)} is not a header name ({bad!a} in it): {allowed}"
    return None


def header_value_problem(value: str) -> str | None:
    """Why `value` cannot be a header value; None if it can."""
    if len(value) > HEADER_VALUE:
        return f"a header value has at most {HEADER_VALUE} characters, not {len(value):,}"
    if _FIELD_VALUE.fullmatch(value):
        return None
    allowed = (
        "a header value is visible ASCII, with spaces and tabs only inside it (RFC 9110 §5.5:"
        " no CR, LF or NUL)"
    )
    if not value:
        return f"a header value is never empty (curl would drop the header): {allowed}"
    if value != value.strip(" \t"):
        return f"{_shown(value)} starts or ends with a space: {allowed}"
    bad = next(char for char in value if not _VISIBLE.fullmatch(char) and char not in " \t")
    return f"{_shown(value)} holds {bad!a}: {allowed}"


def header_fields(lines: Iterable[str]) -> dict[str, str]:
    """Header fields written as curl's `-H` takes them, "Name: value" (one space after the colon
    is the separator's), into an experiment's `headers`; a line that is no field, or a name
    given twice, raises ValueError. What a name or a value may hold is the experiment's rule,
    checked when it is built."""
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, content = line.partition(":")
        if not sep:
            raise ValueError(f"{line!r} is not 'Name: value'")
        if name.lower() in (known.lower() for known in headers):
            raise ValueError(f"{name!r} is given twice: send each header once")
        headers[name] = content.removeprefix(" ")
    return headers


def _header_name(name: str) -> str:
    if problem := header_name_problem(name):
        raise ValueError(problem)
    if name.lower() in _SET_BY_CLIENT:
        raise ValueError(f"{name} is written by the client from the body it sends: leave it out")
    return name


def _header_value(value: str) -> str:
    if problem := header_value_problem(value):
        raise ValueError(problem)
    return value


HeaderName = Annotated[str, After(_header_name)]
"""A header name an experiment sends: a token, and not one the client writes itself."""
HeaderValue = Annotated[str, After(_header_value)]


def _lab_path_problem(path: str, what: str, *, backslash: bool) -> str | None:
    """Why `path` cannot be where an experiment points (`to`) or starts (`start`) on the lab."""
    rule = f"{what} is a path on the lab"
    if not path.startswith("/") or path.startswith("//"):
        return f"{rule} starting with a single '/', not {_shown(path)}"
    if len(path) > PATH_CHARS:
        return f"{rule} of at most {PATH_CHARS:,} characters, not {len(path):,}"
    if not _VISIBLE.fullmatch(path):
        bad = next(char for char in path if not _VISIBLE.fullmatch(char))
        return (
            f"{rule} in visible ASCII (percent-encode the rest, e.g. %20 for a space), not"
            f" {_shown(path)} with {bad!a} in it"
        )
    if not backslash and "\\" in path:
        return (
            f"{rule}, with no backslash (a browser reads '/\\x' as '//x', another site), not"
            f" {_shown(path)}"
        )
    return None


BODY = 1024 * 1024
"""The longest body an experiment sends: the lab reads no more (tutor.lab.bounds)."""


def _utf8(body: object) -> object:
    if not isinstance(body, str):
        return body  # the type check says what is wrong
    try:
        body.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = body[error.start]
        raise ValueError(
            f"the body holds {bad!a} (character {error.start + 1}), which is not text that "
            "UTF-8 can send"
        ) from None
    return body


def _known_method(method: str) -> str:
    _one_of(method.upper(), METHODS, "method", ", ".join(METHODS))
    return method.upper()


def _beyond_route(start: str | None) -> str | None:
    if start is None:
        return None
    if start.partition("?")[0] not in BEYOND_ROUTES:
        routes = ", ".join(BEYOND_ROUTES)
        raise ValueError(f"'start' is one of the lab's routes {routes}, not {_shown(start)}")
    if problem := _lab_path_problem(start, "'start'", backslash=True):
        raise ValueError(problem)
    return start


def _distinct_names(headers: dict[str, str]) -> dict[str, str]:
    seen: set[str] = set()
    for name in headers:
        if name.lower() in seen:
            raise ValueError(f"{name} twice: header names ignore case, so send it once")
        seen.add(name.lower())
    return headers


def _lab_cache(cache: str | None) -> str | None:
    if cache in (None, "no-store"):
        return None
    if cache == "none" or _MAX_AGE.fullmatch(cache or ""):
        return cache
    allowed = "none, no-store or max-age=SECONDS (at most 9 digits)"
    raise ValueError(f"'cache' is {allowed}, not {_shown(cache or '')}")


def _lab_path(to: str) -> str:
    if problem := _lab_path_problem(to, "'to'", backslash=False):
        raise ValueError(problem)
    return to


@model
class ExperimentSpec(Strict):
    """One live experiment: `client` sends `method` with `body` to a lab route answering `code`."""

    code: RedirectCode | None = None
    """The redirect the lab answers; None only for a `start` route with an answer of its own."""
    method: Annotated[str, After(_known_method)] = "POST"
    body: Annotated[str, Before(_utf8), Rule(max_length=BODY)] = ""
    """Sent as UTF-8: a lone surrogate (which a YAML escape can make) is refused here."""
    headers: Annotated[
        dict[HeaderName, HeaderValue], Rule(max_length=HEADERS), After(_distinct_names)
    ] = field(default_factory=dict)
    client: ClientName = "httpx"
    to: Annotated[str, After(_lab_path)] = "/echo"
    location: Literal[
        "path", "relative", "dots", "query", "absolute", "twice", "invalid", "spaces", "none"
    ] = "path"
    """How the lab writes its Location (the lab's index lists them): a path, a relative reference
    (`relative`, `dots`: more '..' than levels, `query`: a query alone), an absolute URI, two
    different fields (`twice`), no URI at all (`invalid`: a port that is not a number; `spaces`),
    or none (`none`: a 3xx without one)."""
    origin: Literal["same", "other"] = "same"
    """`other`: the redirect leads to the lab's second listener, another origin."""
    scheme: Scheme = "same"
    """`upgrade`: the first request goes to the lab's plain listener and the redirect leads to its
    TLS listener (http -> https); `downgrade`: the other way round (https -> http)."""
    loop: bool = False
    """The redirect points back to itself: the client's loop limit shows in the journal."""
    cache: Annotated[str | None, After(_lab_cache)] = None
    """The redirect's Cache-Control: None (or "no-store", the same) the lab's `no-store`, "none"
    no header, "max-age=N"."""
    stream: bool = False
    """Send the body as a stream of unknown length, which cannot be rewound to replay it."""
    repeat: Annotated[int, Rule(ge=1, le=3)] = 1
    """Send the same request this many times in a row (to see a cached redirect)."""
    fragment: Annotated[str, Rule(pattern=FRAGMENT_PATTERN, max_length=100)] = ""
    """A fragment on the request's URL (`#...`): it never leaves the client (RFC 9110 §10.2.2)."""
    redirect: RedirectMode = "follow"
    """fetch()'s redirect mode: `manual` hands the script the redirect, `error` rejects it."""
    start: Annotated[str | None, After(_beyond_route)] = None
    """Instead of /redirect/{code}, a route of tutor/lab/beyond.py with its query (e.g.
    `/login/naive?next=//{other}/echo`, `/accepted`): it is sent `code` (unless it answers a
    status of its own, as /accepted does) and the chain token."""
    hsts: HstsFrom | None = None
    """A browser first fetches the lab's /hsts, over `https` (it notes the host) or over `http`
    (it must ignore the header); then the request goes to http://, to a site that answers plain
    HTTP with `code` to https (/hsts/site, RFC 6797 §7.2)."""

    def url(self, lab_url: str, chain: str, secure_url: str = "") -> str:
        """The URL the client is given: the lab's /redirect/{code} with this experiment's query,
        the `start` route with its own query, or the HSTS site; on the lab's TLS listener
        (`secure_url`) for a downgrade."""
        fragment = f"#{self.fragment}" if self.fragment else ""
        if self.scheme == "downgrade":
            lab_url = secure_url
        if self.hsts is not None:
            query = urlencode({"code": self.code, "chain": chain})
            return f"{lab_url}/hsts/site?{query}{fragment}"
        if self.start is not None:
            path, _, query = self.start.partition("?")
            code = [] if self.code is None else [("code", str(self.code))]
            pairs = [*parse_qsl(query), *code, ("chain", chain)]
            return f"{lab_url}{path}?{urlencode(pairs)}{fragment}"
        return f"{lab_url}/redirect/{self.code}?{urlencode(self.query(chain))}{fragment}"

    def hsts_url(self, lab_url: str, secure_url: str) -> str | None:
        """The lab's Strict-Transport-Security route that the browser fetches first, on the
        listener `hsts` names; None when it fetches none."""
        if self.hsts is None:
            return None
        return f"{secure_url if self.hsts == 'https' else lab_url}/hsts"

    def query(self, chain: str) -> dict[str, str]:
        """The lab's /redirect/{code} query that asks for this experiment, in chain `chain`."""
        query = {} if self.to == "/echo" else {"to": self.to}
        if self.location != "path":
            query["location"] = self.location
        if self.origin == "other":
            query["origin"] = "other"
        if self.scheme != "same":
            query["scheme"] = "https" if self.scheme == "upgrade" else "http"
        if self.loop:
            query["loop"] = "1"
        if self.cache is not None:
            query["cache"] = self.cache
        return {**query, "chain": chain}

    def __post_init__(self) -> None:
        """The options of /redirect only there, one way to another listener, and `code` exactly
        when the route needs one."""
        if self.start is not None and self.query("") != {"chain": ""}:
            raise ValueError(
                "to, location, origin, scheme, loop, cache: options of /redirect, not 'start'"
            )
        if self.hsts is not None and (self.start is not None or self.query("") != {"chain": ""}):
            raise ValueError(
                "hsts: the request goes to the lab's HSTS site, so no start, to, location, "
                "origin, scheme, loop or cache"
            )
        if self.scheme != "same" and self.origin == "other":
            raise ValueError(
                "origin: other and a scheme change each lead to another listener: choose one"
            )
        if self.scheme != "same" and self.location not in ("path", "absolute"):
            raise ValueError(
                f"a scheme change writes the Location in full, so 'location' is path or absolute, "
                f"not {self.location}"
            )
        own = self.own_answer
        if own is not None and self.code is not None:
            raise ValueError(f"{self.start} answers {own} itself: give it no 'code'")
        if own is None and self.code is None:
            raise ValueError("'code' is missing: which redirect the lab answers, e.g. 307")

    @property
    def own_answer(self) -> str | None:
        """What the `start` route answers when it is not a redirect of `code` (e.g. "201
        Created with a Location"); None for a redirect."""
        path = None if self.start is None else self.start.partition("?")[0]
        return BEYOND_OWN_ANSWERS.get(path) if path is not None else None

    @property
    def secure(self) -> bool:
        """Whether it needs the lab's TLS listener."""
        return self.scheme != "same" or self.hsts is not None

    @property
    def first_scheme(self) -> str:
        """The scheme of the URL the client is given (`url`): a browser on its HSTS list may
        send the request by another."""
        return "https" if self.scheme == "downgrade" else "http"

    @property
    def first_answer(self) -> str:
        """The lab's first answer, as a learner reads it: "307 Temporary Redirect", "201
        Created with a Location"."""
        if self.code is None:
            return self.own_answer or ""
        if self.hsts is not None:  # the lab's answer to plain HTTP, which a browser may skip
            return f"{self.code} {reason(self.code)} to https (over plain HTTP)"
        return f"{self.code} {reason(self.code)}"


def problems(error: ValidationError) -> list[str]:
    """Why an experiment asked for by a person (on the command line, in the Lab's form) cannot
    run: a sentence per problem, naming the header it is in."""
    said = []
    for detail in error.errors():
        problem = detail["msg"].removeprefix("Value error, ")
        match detail["loc"]:
            case ("headers", str(name)):  # a value's problem: its message names only the value
                problem = f"header {name!r}: {problem}"
            case ("headers", *_):
                problem = f"-H: {problem}"
        said.append(problem)
    return said
