"""The lab's edge cases as experiments: any client sends each one, the journal tells what happened.

Each edge names what it shows and a note that reads the chain the lab recorded (never what the
client claims): how many hops, which headers crossed to the other origin, what was cached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from tutor.experiments.outcome import Outcome
from tutor.experiments.runner import DEFAULT_TIMEOUT, run_many
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.journal import Journal

__all__ = ["EDGES", "Edge", "run_edges"]

_CREDENTIALS = {"Authorization": "Bearer lesson-token", "Cookie": "session=lesson"}


@dataclass(frozen=True, slots=True)
class Edge:
    id: str
    title: str
    shows: str
    """What a learner should see, with the rule it illustrates."""
    spec: ExperimentSpec
    """The request, sent by each client in turn (its `client` is replaced)."""
    note: Callable[[Outcome], str]
    """One line on what the journal shows for a client."""


def _path(outcome: Outcome) -> str:
    if outcome.arrived is None:
        return _stopped(outcome)
    return f"{outcome.arrived.method} arrived at {outcome.arrived.path}"


def _stopped(outcome: Outcome) -> str:
    if not outcome.hops:
        return outcome.error or outcome.verdict.text
    said = f"; the client said: {outcome.error}" if outcome.error else ""
    return f"stopped after {len(outcome.hops)} request(s), at a {outcome.hops[-1].status}{said}"


def _hops(outcome: Outcome) -> str:
    if not outcome.hops:
        return _stopped(outcome)
    methods = " → ".join(f"{hop.method} {hop.status}" for hop in outcome.hops)
    return f"{len(outcome.hops)} requests: {methods}"


def _loop(outcome: Outcome) -> str:
    if not outcome.hops:
        return _stopped(outcome)
    redirects = sum(hop.is_redirect for hop in outcome.hops)
    said = outcome.error or "no error"
    return f"followed {redirects - 1} redirects, then stopped; the client said: {said}"


def _credentials(outcome: Outcome) -> str:
    crossed = [
        hop for hop in outcome.hops[1:] if hop.header("host") != outcome.hops[0].header("host")
    ]
    if not crossed:
        return _stopped(outcome)
    hop, first = crossed[0], outcome.hops[0]
    sent = [name for name in _CREDENTIALS if first.header(name) is not None]
    parts = [f"{hop.method} reached the other origin"]
    if kept := [name for name in sent if hop.header(name) is not None]:
        parts.append(f"carrying {' and '.join(kept)}")
    if dropped := [name for name in sent if hop.header(name) is None]:
        parts.append(f"without {' and '.join(dropped)}")
    if never := [name for name in _CREDENTIALS if name not in sent]:
        parts.append(f"and {' and '.join(never)} never left the client")
    return ", ".join(parts)


def _fragment(outcome: Outcome) -> str:
    report = next((hop for hop in outcome.hops if hop.path == "/echo/fragment"), None)
    if report is None:
        return f"{_path(outcome)}; no page ran to report a fragment (it never reaches a server)"
    seen = dict(parse_qsl(report.query)).get("fragment") or "(none)"
    return f"the page that loaded after the redirect saw the fragment {seen}"


def _cache(outcome: Outcome) -> str:
    if not outcome.hops:
        return _stopped(outcome)
    asked = sum(hop.path.startswith("/redirect/") for hop in outcome.hops)
    if asked == 1:
        return "asked the lab once: the second time the redirect came from the client's cache"
    return f"asked the lab {asked} times: the redirect was not cached"


def _edge(id: str, title: str, shows: str, note: Callable[[Outcome], str], **spec: object) -> Edge:
    return Edge(id, title, shows, ExperimentSpec(**spec), note)  # type: ignore[arg-type]


EDGES = (
    _edge(
        "no-location",
        "A 307 without Location",
        "Location is a SHOULD (RFC 9110 §15.4): with none, nothing follows; the 3xx is the answer.",
        _path,
        code=307,
        method="POST",
        body="name=ada",
        location="none",
    ),
    _edge(
        "relative-location",
        "A relative Location (../echo)",
        "A relative reference resolves against the request's URI (RFC 9110 §10.2.2).",
        _path,
        code=302,
        method="GET",
        location="relative",
    ),
    _edge(
        "absolute-location",
        "An absolute Location (http://host/echo)",
        "RFC 2616 demanded an absolute URI; both forms are valid today.",
        _path,
        code=302,
        method="GET",
        location="absolute",
    ),
    _edge(
        "fragment",
        "A fragment crosses a redirect",
        "A Location without a fragment inherits the request's (RFC 9110 §10.2.2); only a "
        "browser shows it, since fragments never reach a server.",
        _fragment,
        code=302,
        method="GET",
        to="/page/fragment",
        fragment="section-2",
    ),
    _edge(
        "loop",
        "A redirect loop",
        "Clients must detect loops (RFC 9110 §15.4); each has its own limit and error.",
        _loop,
        code=302,
        method="GET",
        loop=True,
    ),
    _edge(
        "chain-302-307",
        "A 302 then a 307",
        "Each hop follows its own code: the 302 may turn POST into GET, and the 307 keeps "
        "whatever it receives.",
        _hops,
        code=302,
        method="POST",
        body="name=ada",
        to="/redirect/307",
    ),
    _edge(
        "other-origin",
        "A 307 to another origin, with Authorization and Cookie",
        "Clients should consider dropping credentials across origins (RFC 9110 §15.4); each "
        "strips differently.",
        _credentials,
        code=307,
        method="GET",
        origin="other",
        headers=_CREDENTIALS,
    ),
    _edge(
        "stream-307",
        "A streamed body on 307",
        "A stream cannot be replayed: a 307 must re-send the body, so clients fail or send none.",
        _path,
        code=307,
        method="POST",
        body="name=ada",
        stream=True,
    ),
    _edge(
        "stream-303",
        "A streamed body on 303",
        "A 303 needs no body again (GET), so even a stream crosses it.",
        _path,
        code=303,
        method="POST",
        body="name=ada",
        stream=True,
    ),
    _edge(
        "head-303",
        "HEAD answered with 303",
        "303 turns a method into GET, except HEAD, which stays HEAD (RFC 9110 §15.4.4).",
        _path,
        code=303,
        method="HEAD",
    ),
    _edge(
        "cache-301",
        "The same 301 twice, no Cache-Control",
        "301 is heuristically cacheable (RFC 9110 §15.4.2): a browser may not ask again.",
        _cache,
        code=301,
        method="GET",
        cache="none",
        repeat=2,
    ),
    _edge(
        "cache-308",
        "The same 308 twice, no Cache-Control",
        "308 is heuristically cacheable (RFC 9110 §15.4.9), like 301.",
        _cache,
        code=308,
        method="GET",
        cache="none",
        repeat=2,
    ),
    _edge(
        "cache-307",
        "The same 307 twice, no Cache-Control",
        "307 is stored only with explicit freshness (RFC 9111 §4.2.2): asked again each time.",
        _cache,
        code=307,
        method="GET",
        cache="none",
        repeat=2,
    ),
    _edge(
        "cache-307-max-age",
        "The same 307 twice, Cache-Control: max-age=3600",
        "With explicit freshness even a 307 may be reused from the cache.",
        _cache,
        code=307,
        method="GET",
        cache="max-age=3600",
        repeat=2,
    ),
)


def run_edges(
    edges: Sequence[Edge],
    lab_url: str,
    journal: Journal,
    client_names: Sequence[str],
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[tuple[str, str], tuple[Outcome, str]]:
    """Run every edge with every client in one batch; (edge id, client) -> (outcome, note)."""
    pairs = [(edge, name) for edge in edges for name in client_names]
    specs = [edge.spec.model_copy(update={"client": name}) for edge, name in pairs]
    outcomes = run_many(specs, lab_url, journal, timeout)
    return {
        (edge.id, name): (outcome, edge.note(outcome))
        for (edge, name), outcome in zip(pairs, outcomes, strict=True)
    }
