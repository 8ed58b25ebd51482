"""What an experiment asks for: one request, one redirect code, one real client."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from tutor.experiments.clients import CLIENT_NAMES
from tutor.experiments.clients.base import RedirectMode
from tutor.lab.beyond import OWN_ANSWERS as BEYOND_OWN_ANSWERS
from tutor.lab.beyond import ROUTES as BEYOND_ROUTES
from tutor.lab.journal import reason

__all__ = [
    "BODY_METHODS",
    "KNOWN_CODES",
    "METHODS",
    "ClientName",
    "ExperimentSpec",
    "RedirectCode",
]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
KNOWN_CODES = (300, 301, 302, 303, 304, 305, 306, 307, 308)
"""The 3xx codes RFC 9110 §15.4 defines (305 and 306 are deprecated and reserved)."""


def _one_of(value: object, allowed: tuple[object, ...], what: str, hint: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}: use one of {hint}")


def _known_code(code: int) -> int:
    _one_of(code, KNOWN_CODES, "redirect code", "300-308")
    return code


RedirectCode = Annotated[int, AfterValidator(_known_code)]
"""A status code field that must be one of KNOWN_CODES (content, experiments and cards)."""


def _known_client(client: str) -> str:
    _one_of(client, CLIENT_NAMES, "client", ", ".join(CLIENT_NAMES))
    return client


ClientName = Annotated[str, AfterValidator(_known_client)]
"""A client field that must name a client of the registry."""


class ExperimentSpec(BaseModel):
    """One live experiment: `client` sends `method` with `body` to a lab route answering `code`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: RedirectCode | None = None
    """The redirect the lab answers; None only for a `start` route with an answer of its own."""
    method: str = "POST"
    body: str = ""
    headers: dict[str, str] = Field(default_factory=dict)
    client: ClientName = "httpx"
    to: str = "/echo"
    location: Literal[
        "path", "relative", "dots", "query", "absolute", "twice", "invalid", "spaces", "none"
    ] = "path"
    """How the lab writes its Location (the lab's index lists them): a path, a relative reference
    (`relative`, `dots`: more '..' than levels, `query`: a query alone), an absolute URI, two
    different fields (`twice`), no URI at all (`invalid`: a port that is not a number; `spaces`),
    or none (`none`: a 3xx without one)."""
    origin: Literal["same", "other"] = "same"
    """`other`: the redirect leads to the lab's second listener, another origin."""
    loop: bool = False
    """The redirect points back to itself: the client's loop limit shows in the journal."""
    cache: str | None = None
    """The redirect's Cache-Control: None the lab's `no-store`, "none" no header, "max-age=N"."""
    stream: bool = False
    """Send the body as a stream of unknown length, which cannot be rewound to replay it."""
    repeat: int = Field(default=1, ge=1, le=3)
    """Send the same request this many times in a row (to see a cached redirect)."""
    fragment: str = Field(default="", pattern=r"^[A-Za-z0-9_-]*$")
    """A fragment on the request's URL (`#...`): it never leaves the client (RFC 9110 §10.2.2)."""
    redirect: RedirectMode = "follow"
    """fetch()'s redirect mode: `manual` hands the script the redirect, `error` rejects it."""
    start: str | None = None
    """Instead of /redirect/{code}, a route of tutor/lab/beyond.py with its query (e.g.
    `/login/naive?next=//{other}/echo`, `/accepted`): it is sent `code` (unless it answers a
    status of its own, as /accepted does) and the chain token."""

    def url(self, lab_url: str, chain: str) -> str:
        """The URL the client is given: the lab's /redirect/{code} with this experiment's query,
        or the `start` route with its own query."""
        fragment = f"#{self.fragment}" if self.fragment else ""
        if self.start is not None:
            path, _, query = self.start.partition("?")
            code = [] if self.code is None else [("code", str(self.code))]
            pairs = [*parse_qsl(query), *code, ("chain", chain)]
            return f"{lab_url}{path}?{urlencode(pairs)}{fragment}"
        return f"{lab_url}/redirect/{self.code}?{urlencode(self.query(chain))}{fragment}"

    def query(self, chain: str) -> dict[str, str]:
        """The lab's /redirect/{code} query that asks for this experiment, in chain `chain`."""
        query = {} if self.to == "/echo" else {"to": self.to}
        if self.location != "path":
            query["location"] = self.location
        if self.origin == "other":
            query["origin"] = "other"
        if self.loop:
            query["loop"] = "1"
        if self.cache is not None:
            query["cache"] = self.cache
        return {**query, "chain": chain}

    @field_validator("method")
    @classmethod
    def _known_method(cls, method: str) -> str:
        _one_of(method.upper(), METHODS, "method", ", ".join(METHODS))
        return method.upper()

    @field_validator("start")
    @classmethod
    def _beyond_route(cls, start: str | None) -> str | None:
        if start is not None and start.partition("?")[0] not in BEYOND_ROUTES:
            routes = ", ".join(BEYOND_ROUTES)
            raise ValueError(f"'start' is one of the lab's routes {routes}, not {start!r}")
        return start

    @model_validator(mode="after")
    def _start_takes_no_redirect_options(self) -> ExperimentSpec:
        if self.start is not None and self.query("") != {"chain": ""}:
            raise ValueError("to, location, origin, loop, cache: options of /redirect, not 'start'")
        own = self.own_answer
        if own is not None and self.code is not None:
            raise ValueError(f"{self.start} answers {own} itself: give it no 'code'")
        if own is None and self.code is None:
            raise ValueError("'code' is missing: which redirect the lab answers, e.g. 307")
        return self

    @property
    def own_answer(self) -> str | None:
        """What the `start` route answers when it is not a redirect of `code` (e.g. "201
        Created with a Location"); None for a redirect."""
        path = None if self.start is None else self.start.partition("?")[0]
        return BEYOND_OWN_ANSWERS.get(path) if path is not None else None

    @property
    def first_answer(self) -> str:
        """The lab's first answer, as a learner reads it: "307 Temporary Redirect", "201
        Created with a Location"."""
        if self.code is None:
            return self.own_answer or ""
        return f"{self.code} {reason(self.code)}"

    @field_validator("to")
    @classmethod
    def _lab_path(cls, to: str) -> str:
        if not to.startswith("/") or to.startswith("//"):
            raise ValueError(f"'to' is a path on the lab starting with '/', not {to!r}")
        return to
