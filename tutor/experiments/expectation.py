"""What content claims an experiment shows, checked against a live outcome."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from tutor.lab.evidence import Evidence
from tutor.lab.journal import Hop, bytes_text
from tutor.lab.reported import Reported
from tutor.validated import Before, Rule, Strict, model

__all__ = ["Expectation", "ReportClaim"]


@model
class ReportClaim(Strict):
    """What the client handed its caller (fetch()'s Response), as content claims it: the
    client's own word, checked as such, never as what arrived."""

    status: int | None = None
    type: str | None = None
    redirected: bool | None = None
    location: bool | None = None
    """Whether the caller could read a Location header."""

    def describe(self) -> str:
        """The claim in words: "status 0, type opaqueredirect, no Location"."""
        parts = []
        if self.status is not None:
            parts.append(f"status {self.status}")
        if self.type is not None:
            parts.append(f"type {self.type}")
        if self.redirected is not None:
            parts.append(f"redirected {_js(self.redirected)}")
        if self.location is not None:
            parts.append("a Location" if self.location else "no Location")
        return " ".join(parts) if len(parts) < 2 else ", ".join(parts[:-1]) + " and " + parts[-1]

    def mismatches(self, reported: Reported | None) -> list[str]:
        """Each way the client's report differs from this claim."""
        if reported is None:
            return ["expected the client to hand back a response, but it reported none"]
        problems = []
        if self.status is not None and reported.status != self.status:
            problems.append(
                f"expected the client to report status {self.status}, not {reported.status}"
            )
        if self.type is not None and reported.type != self.type:
            problems.append(f"expected the client to report type {self.type}, not {reported.type}")
        if self.redirected is not None and reported.redirected != self.redirected:
            problems.append(
                f"expected the client to report redirected {_js(self.redirected)}, "
                f"not {_js(reported.redirected)}"
            )
        if self.location is not None and (reported.location is not None) != self.location:
            seen = "it saw one" if reported.location is not None else "it saw none"
            problems.append(
                f"expected the client {'to see' if self.location else 'not to see'} "
                f"a Location, but {seen}"
            )
        return problems


def _js(value: bool | None) -> str:
    return "unknown" if value is None else str(value).lower()


def _pairs(headers: object) -> object:
    return tuple(headers.items()) if isinstance(headers, Mapping) else headers


@model
class Expectation(Strict):
    """A lesson's claim: whether the request reaches the target, with which method, body and
    headers, in how many requests (CORS preflights among them), and what the client reported.

    `arrives: false` claims the client refuses or does not follow; the live result decides.
    """

    arrives: bool = True
    method: str | None = None
    body: Literal["intact", "dropped"] | None = None
    sent: Annotated[tuple[str, ...], Rule(strict=False)] = ()  # a YAML list
    """Headers that reach the target, e.g. Authorization carried to another origin."""
    dropped: Annotated[tuple[str, ...], Rule(strict=False)] = ()
    """Headers the first request carried that do not reach the target (RFC 9110 §15.4)."""
    requests: int | None = None
    """How many requests of the chain the lab saw: a redirect served from a cache is one fewer."""
    preflights: int | None = None
    """How many of them were a browser's CORS preflights (OPTIONS with
    Access-Control-Request-Method)."""
    headers: Annotated[tuple[tuple[str, str], ...], Rule(strict=False), Before(_pairs)] = ()
    """Header values on the request that reached the target, e.g. {Origin: "null"} (a mapping
    in content)."""
    error: bool | None = None
    """Whether the client itself reported a failure (fetch() rejected, a library raised)."""
    reported: ReportClaim | None = None
    """What the client said it received: its word, beside the lab's witness."""
    origin: Literal["same", "other"] | None = None
    """Where the request that reached the target went: the first request's origin or another,
    by the Host each one named (e.g. a Location `//host:port/...` leads to another)."""
    target: str | None = None
    """Where on the lab it arrived: the route and query the client made of the Location,
    decoded, without the chain token (e.g. "/echo", or "/echo?n=1, /echo?n=2" from two Location
    fields joined into one)."""
    hung_up: bool | None = None
    """Whether, after a redirect, the client sent a request's headers and then hung up before
    the request was complete (e.g. a streamed body it could not send again). That request never
    arrived (`arrives: false`); `method`, `sent` and `dropped` then speak of its headers."""

    def describe(self, why_nothing: str = "") -> str:
        """The claim in words, every part of it: "GET arrives, body dropped, in 2 requests".
        `why_nothing` follows "nothing arrives" when the claim is that nothing does."""
        if self.arrives:
            parts = [f"{self.method.upper() if self.method else 'the request'} arrives"]
        else:
            parts = [f"nothing arrives at the target{f' ({why_nothing})' if why_nothing else ''}"]
        if self.hung_up is not None:
            method = f"the {self.method.upper()}" if self.method else "a request"
            parts.append(
                f"the client sends {method}'s headers, then hangs up"
                if self.hung_up
                else "no request cut short"
            )
        if self.target is not None:
            parts.append(f"at {self.target}")
        if self.body:
            parts.append(f"body {self.body}")
        parts += [f"{name} sent" for name in self.sent]
        parts += [f"{name} dropped" for name in self.dropped]
        parts += [f"with {name}: {value}" for name, value in self.headers]
        if self.origin is not None:
            parts.append(f"at the {self.origin} origin")
        if self.requests is not None:
            parts.append(f"in {self.requests} request{'s' * (self.requests != 1)}")
        if self.preflights is not None:
            parts.append(_preflights(self.preflights))
        if self.error is not None:
            parts.append(
                "the client reports a failure" if self.error else "the client reports no error"
            )
        if self.reported is not None:
            parts.append(f"the client reports {self.reported.describe()}")
        return ", ".join(parts)

    def mismatches(self, evidence: Evidence) -> list[str]:
        """Each way the evidence differs from this claim; empty when the claim holds."""
        problems = self._arrival_problems(evidence)
        if self.requests is not None and evidence.requests != self.requests:
            problems.append(
                f"expected {self.requests} requests, but the lab saw {evidence.requests}"
            )
        if self.preflights is not None and evidence.preflights != self.preflights:
            problems.append(
                f"expected {self.preflights} CORS preflights, but the lab saw {evidence.preflights}"
            )
        problems += self._failure_problems(evidence)
        if self.reported is not None:
            problems += self.reported.mismatches(evidence.reported)
        return problems

    def _failure_problems(self, evidence: Evidence) -> list[str]:
        failed = evidence.error is not None
        if self.error is None or failed == self.error:
            return []
        if failed:
            return [f"expected no failure, but the client said: {evidence.error}"]
        return ["expected the client to report a failure, but it did not"]

    def _arrival_problems(self, evidence: Evidence) -> list[str]:
        arrived = evidence.arrived
        if not self.arrives:
            problems = (
                [] if arrived is None else [f"expected nothing to arrive, but {arrived.method} did"]
            )
            return problems + self._hang_up_problems(evidence)
        if arrived is None:
            return [
                f"expected the request to arrive, but: {evidence.error or evidence.verdict.text}"
            ]
        problems = self._head_problems(arrived, evidence, ("arrive", "did", "arrived"))
        if self.target is not None and arrived.target != self.target:
            problems.append(f"expected it to arrive at {self.target}, not at {arrived.target}")
        if self.body == "intact" and not evidence.body_intact:
            problems.append(
                f"expected the body intact, but {_arrived_body(evidence, arrived.body_size)}"
            )
        if self.body == "dropped" and arrived.body_size:
            problems.append(
                f"expected the body dropped, but {bytes_text(arrived.body_size)} arrived"
            )
        for name, value in self.headers:
            found = arrived.header(name)
            if found != value:
                came = f"no {name}" if found is None else f"{name}: {found}"
                problems.append(f"expected {name}: {value} to arrive, but {came} did")
        host = arrived.header("host")
        first = evidence.first.header("host") if evidence.first else None
        went = "same" if (host or "").lower() == (first or "").lower() else "other"
        if self.origin is not None and went != self.origin:
            problems.append(
                f"expected it to arrive at the {self.origin} origin, but it came to {host}"
            )
        return problems

    def _hang_up_problems(self, evidence: Evidence) -> list[str]:
        """How a claim that the client did (or did not) hang up mid-request differs."""
        abandoned = evidence.abandoned
        if self.hung_up is None:
            return []
        if not self.hung_up:
            cut = [] if abandoned is None else [f"the client hung up on a {abandoned.method}"]
            return [f"expected no request cut short, but {why}" for why in cut]
        if abandoned is None:
            return ["expected the client to send a request's headers and hang up, but it did not"]
        return self._head_problems(abandoned, evidence, ("be sent", "was", "was sent"))

    def _head_problems(
        self, reached: Hop, evidence: Evidence, words: tuple[str, str, str]
    ) -> list[str]:
        """How the method and headers of the request that reached the target (whole, or cut
        short by its client: `words` say which) differ from the claim."""
        verb, did, done = words
        problems = []
        if self.method and reached.method != self.method.upper():
            problems.append(f"expected {self.method.upper()} to {verb}, but {reached.method} {did}")
        problems += [
            f"expected {name} to {verb}, but it {did} not"
            for name in self.sent
            if not evidence.arrived_with(name)
        ]
        problems += [
            f"expected {name} dropped, but it {done}"
            for name in self.dropped
            if evidence.arrived_with(name)
        ]
        return problems


def _preflights(count: int) -> str:
    if count == 0:
        return "no CORS preflight"
    return "one of them a CORS preflight" if count == 1 else f"{count} of them CORS preflights"


def _arrived_body(evidence: Evidence, size: int) -> str:
    """What arrived instead of the intact body: nothing, other bytes, or a body never sent."""
    first = evidence.first
    if not size:
        return "no body arrived"
    if first is not None and first.body_size == size:
        return f"{bytes_text(size)} arrived, not the ones sent"
    return f"{bytes_text(size)} arrived"
