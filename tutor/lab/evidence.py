"""Evidence: what one chain of hops shows, judged once, from what the lab saw.

Everything that shows or grades a chain reads this: experiment outcomes, lesson claims,
predictions, exercises, matrix cells, `/echo`, the console line and the Journal screen. The
yardstick is the first request the lab saw (what the client really sent), never what a client
library or an experiment's spec says it sent; when the two differ, the verdict says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tutor.lab.cors import is_preflight
from tutor.lab.journal import Hop, bytes_text
from tutor.lab.reported import Reported

__all__ = [
    "CREDENTIALS",
    "SECRETS",
    "Evidence",
    "Sent",
    "Verdict",
    "VerdictKind",
    "size_text",
]


class VerdictKind(StrEnum):
    KEPT = "kept"
    METHOD_CHANGED = "method_changed"
    BODY_DROPPED = "body_dropped"
    BODY_CHANGED = "body_changed"
    NOT_FOLLOWED = "not_followed"
    REFUSED = "refused"
    NO_REDIRECT = "no_redirect"
    """The chain has no redirect: the request went straight to where it ended."""
    UNAVAILABLE = "unavailable"
    """The client is not installed: nothing was sent."""
    NOT_EXPRESSIBLE = "not_expressible"
    """The client has no way to send this request at all (e.g. a PUT from an HTML form)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: VerdictKind
    text: str


@dataclass(frozen=True, slots=True)
class Sent:
    """A request's method and body, as size and SHA-256: what a later hop is compared with."""

    method: str
    body_size: int
    body_digest: str

    @classmethod
    def from_hop(cls, hop: Hop) -> Sent:
        return cls(hop.method, hop.body_size, hop.body_digest)

    @classmethod
    def of(cls, method: str, body: bytes) -> Sent:
        return cls(method, len(body), hashlib.sha256(body).hexdigest())

    def same_body(self, other: Sent) -> bool:
        return (self.body_size, self.body_digest) == (other.body_size, other.body_digest)

    def describe(self) -> str:
        """E.g. "POST with 3 bytes", "GET with no body"."""
        return f"{self.method} with {size_text(self.body_size)}"


def size_text(size: int) -> str:
    """A body size as a person reads it: "no body", "1 byte", "12 bytes"."""
    return bytes_text(size) if size else "no body"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One chain as the lab saw it, and the one judgement of it.

    `asked` is what an experiment asked its client to send (None for a request the tutor did not
    make, such as a student's curl), and `asked_scheme` the scheme of the URL it was given;
    `error` is what the client said when it failed, and `reported` what it said it received
    (fetch()'s Response): the client's word, not the witness.
    """

    hops: tuple[Hop, ...]
    verdict: Verdict
    asked: Sent | None = None
    error: str | None = None
    reported: Reported | None = None
    asked_scheme: str | None = None

    @classmethod
    def of_chain(
        cls,
        hops: Sequence[Hop],
        *,
        asked: Sent | None = None,
        error: str | None = None,
        reported: Reported | None = None,
        asked_scheme: str | None = None,
    ) -> Evidence:
        """Judge a chain (oldest hop first) that the lab recorded."""
        hops = tuple(hops)
        first = next(iter(_requests(hops)), None)
        itself = _went_itself(first, asked_scheme)
        verdict = _judge(hops, error, itself)
        reached = _arrival(hops, itself) or _abandoned(_requests(hops))
        if first is not None and reached is not None and reached.scheme != first.scheme:
            verdict = Verdict(verdict.kind, f"{verdict.text}; {_crossing(first, reached)}")
        if first is not None and itself:
            logged = reported.internal if reported is not None else None
            said = f" (it logged a {logged})" if logged else ""
            verdict = Verdict(
                verdict.kind,
                f"The client went to {first.scheme} itself{said}: nothing reached the lab over "
                f"{asked_scheme}; {verdict.text}",
            )
        if asked is not None and first is not None and Sent.from_hop(first) != asked:
            sent = Sent.from_hop(first)
            verdict = Verdict(
                verdict.kind,
                f"{verdict.text}; but the client sent {sent.describe()}, "
                f"not the {asked.describe()} asked for",
            )
        return cls(hops, verdict, asked, error, reported, asked_scheme)

    @classmethod
    def unsent(cls, kind: VerdictKind, text: str, error: str | None, asked: Sent) -> Evidence:
        """Nothing was sent: the client is missing, or cannot express the request."""
        return cls((), Verdict(kind, text), asked, error)

    @property
    def first(self) -> Hop | None:
        """The first request the lab saw, CORS preflights aside (a browser that went to https
        itself may ask one first): the yardstick."""
        return next(iter(_requests(self.hops)), None)

    @property
    def went_itself(self) -> bool:
        """Whether the client sent its first request by another scheme than its URL's: it
        rewrote http:// to https:// before sending, as a browser does for a host on its HSTS list
        (RFC 6797 §8.3), a redirect the lab never answered."""
        return _went_itself(self.first, self.asked_scheme)

    @property
    def arrived(self) -> Hop | None:
        """The hop that reached a target after a redirect (the lab's, or the client's own);
        None when nothing got past one."""
        return _arrival(self.hops, self.went_itself)

    @property
    def abandoned(self) -> Hop | None:
        """The request after a redirect whose client hung up before it was complete: its head
        reached the target, and the lab answered nothing."""
        return _abandoned(_requests(self.hops))

    @property
    def reached(self) -> Hop | None:
        """The request whose head reached the target: the one that arrived, or one abandoned."""
        return self.arrived or self.abandoned

    @property
    def requests(self) -> int:
        """How many requests of the chain the lab saw (a redirect from a cache is one fewer)."""
        return len(self.hops)

    @property
    def preflights(self) -> int:
        """How many of them were a browser's CORS preflights (OPTIONS), not the request itself."""
        return len(self.hops) - len(_requests(self.hops))

    @property
    def body_intact(self) -> bool | None:
        """Whether the target got exactly the body that was meant to be sent (size and digest):
        the first request's, which must also be the one asked for. None: nothing arrived."""
        arrived, first = self.arrived, self.first
        if arrived is None or first is None:
            return None
        meant = Sent.from_hop(first)
        if self.asked is not None and not meant.same_body(self.asked):
            return False
        return meant.same_body(Sent.from_hop(arrived))

    def arrived_with(self, header: str) -> bool:
        """Whether the request that reached the target carried `header` (in its head: a request
        the client hung up on counts)."""
        reached = self.reached
        return reached is not None and reached.header(header) is not None

    @property
    def crossed(self) -> tuple[str, ...]:
        """The first request's headers that reached the target too."""
        return tuple(name for name in self._first_headers() if self.arrived_with(name))

    @property
    def dropped(self) -> tuple[str, ...]:
        """The first request's headers that did not reach the target (RFC 9110 §15.4)."""
        if self.reached is None:
            return ()
        return tuple(name for name in self._first_headers() if not self.arrived_with(name))

    def _first_headers(self) -> list[str]:
        first = self.first
        return list(dict.fromkeys(name for name, _ in first.headers)) if first else []

    @property
    def scheme_change(self) -> tuple[str, str] | None:
        """The schemes before and after, when what reached the target came by another scheme
        than the first request ("http", "https"): an upgrade or a downgrade."""
        first, reached = self.first, self.reached
        if first is None or reached is None or first.scheme == reached.scheme:
            return None
        return first.scheme, reached.scheme

    @property
    def in_clear(self) -> tuple[str, ...]:
        """The SECRETS the first request sent over https that a later one sent again over plain
        http: what a downgrade let anyone on the path read."""
        first = self.first
        if first is None or first.scheme != "https":
            return ()
        later = [hop for hop in _requests(self.hops)[1:] if hop.scheme == "http"]
        return tuple(
            name
            for name in SECRETS
            if first.header(name) is not None and any(h.header(name) is not None for h in later)
        )

    @property
    def story(self) -> str:
        """The chain in one line, e.g. "POST /redirect/302 (3 bytes) → 302 → GET /echo (no body) →
        200"."""
        if not self.hops:
            return "nothing reached the lab"
        parts = []
        for hop in self.hops:
            parts.append(f"{hop.method} {hop.path} ({size_text(hop.body_size)})")
            parts.append(hop.status_text)
        return " → ".join(parts)


SECRETS = ("Authorization", "Proxy-Authorization", "Cookie")
"""The credentials RFC 9110 §15.4 asks clients to consider dropping on a redirect elsewhere."""
CREDENTIALS = (*SECRETS, "Referer")
"""What a client may carry from one site to another that tells who the user is or where they
came from: the SECRETS, and a Referer, which the browsers' default policy cuts to its origin
across origins and drops from HTTPS to HTTP (Referrer Policy §3,
strict-origin-when-cross-origin)."""


def _crossing(first: Hop, reached: Hop) -> str:
    """What the first request's credentials became across a change of scheme, e.g.
    "http → https: Authorization dropped, Cookie kept"."""
    said = []
    for name in CREDENTIALS:
        before, after = first.header(name), reached.header(name)
        if before is None:
            continue
        if after is None:
            said.append(f"{name} dropped")
        else:
            said.append(f"{name} kept" if after == before else f"{name} changed")
    across = f"{first.scheme} → {reached.scheme}"
    return f"{across}: {', '.join(said)}" if said else across


def _requests(hops: Sequence[Hop]) -> tuple[Hop, ...]:
    """The chain's hops but the CORS preflights: a browser's question before a request."""
    return tuple(hop for hop in hops if not is_preflight(hop.method, hop.headers))


def _went_itself(first: Hop | None, asked_scheme: str | None) -> bool:
    return first is not None and asked_scheme is not None and first.scheme != asked_scheme


def _arrival(hops: Sequence[Hop], itself: bool = False) -> Hop | None:
    """The chain's last request, if it came after a redirect (a lab's, or, when `itself`, the
    client's own before its first request), is not itself one, and was whole."""
    requests = _requests(hops)
    last = requests[-1] if len(requests) > (0 if itself else 1) else None
    return last if last is not None and not (last.is_redirect or last.hung_up) else None


def _abandoned(requests: Sequence[Hop]) -> Hop | None:
    """The chain's last request (preflights aside), if it followed a redirect and its client
    hung up before it was complete."""
    last = requests[-1] if len(requests) > 1 else None
    return last if last is not None and last.hung_up and requests[-2].is_redirect else None


_NOT_TO_FOLLOW = {
    304: "Not Modified points to a copy the client already has (RFC 9110 §15.4.5)",
    305: "Use Proxy is deprecated (RFC 9110 §15.4.6)",
    306: "the code is unused and reserved (RFC 9110 §15.4.7)",
}
"""The 3xx codes that are no redirect to another URI, and why: a Location on them is not one to
follow."""


def _judge(hops: tuple[Hop, ...], error: str | None, itself: bool) -> Verdict:
    if not hops:
        kind = VerdictKind.REFUSED if error else VerdictKind.NOT_FOLLOWED
        return Verdict(kind, "Nothing reached the lab")
    preflight_last = is_preflight(hops[-1].method, hops[-1].headers)
    hops = _requests(hops)
    redirects = [hop.status for hop in hops if hop.is_redirect]
    arrived = _arrival(hops, itself)
    if not redirects and not (itself and arrived is not None):
        only = hops[0] if len(hops) == 1 else None
        if only is not None and only.hung_up:
            text = f"No redirect: the client sent a {only.method}'s headers, then hung up"
            return Verdict(VerdictKind.NO_REDIRECT, f"{text} {only.hang_up_point}")
        if only is not None and only.location is not None:  # a 201's, a 202's (RFC 9110 §10.2.2)
            text = f"Not a redirect: the {only.status} is the answer, its Location not followed"
        elif only is not None and only.status >= 400:  # e.g. a target the lab will not send to
            text = f"No redirect: the lab answered {only.status}"
        else:
            text = "No redirect: the request went straight there"
        return Verdict(VerdictKind.NO_REDIRECT, text)
    if abandoned := _abandoned(hops):
        return _hung_up(hops, abandoned, error)
    if arrived is None:
        code = f"the {hops[-1].status}"
        if hops[-1].status in _NOT_TO_FOLLOW:
            kind = VerdictKind.REFUSED if error else VerdictKind.NOT_FOLLOWED
            why = _NOT_TO_FOLLOW[hops[-1].status]
            return Verdict(kind, f"Stopped at {code}, no redirect to follow: {why}")
        if hops[-1].location is None:
            return Verdict(VerdictKind.NOT_FOLLOWED, f"Not followed: {code} had no Location")
        if error and preflight_last:
            text = f"Refused after {code}: only the CORS preflight reached the target"
            return Verdict(VerdictKind.REFUSED, text)
        last_two = [(hop.path, hop.location) for hop in hops[-2:]]
        if error and len(hops) > 2 and last_two[0] == last_two[1]:
            # A loop: the client did not refuse, it gave up at its redirect limit.
            text = f"Gave up after {len(hops)} requests (the client's redirect limit)"
            return Verdict(VerdictKind.REFUSED, f"{text}: nothing reached the target")
        if error:
            return Verdict(VerdictKind.REFUSED, f"Refused at {code}: nothing reached the target")
        return Verdict(VerdictKind.NOT_FOLLOWED, f"Not followed: the client stopped at {code}")
    judged = _compare(Sent.from_hop(hops[0]), Sent.from_hop(arrived))
    followed = next((hop.status for hop in hops[:-1] if hop.status in _NOT_TO_FOLLOW), None)
    if followed is None:
        return judged
    why = _NOT_TO_FOLLOW[followed]
    return Verdict(
        judged.kind, f"{judged.text}; the client followed a {followed}'s Location: {why}"
    )


def _hung_up(hops: Sequence[Hop], abandoned: Hop, error: str | None) -> Verdict:
    """A request after a redirect that the client sent only in part: what crossed, and where it
    stopped (httpx, for one, sends the head of a streamed POST again on a 307, then raises)."""
    code = hops[-2].status
    first = hops[0]
    again = abandoned.method == first.method
    what = f"the {first.method}'s headers again" if again else f"a {abandoned.method}'s headers"
    text = f"the client sent {what}, then hung up {abandoned.hang_up_point}"
    if error:
        return Verdict(VerdictKind.REFUSED, f"Refused at the {code}: {text}")
    return Verdict(VerdictKind.NOT_FOLLOWED, f"Abandoned after the {code}: {text}")


def _compare(sent: Sent, arrived: Sent) -> Verdict:
    """Compare what the first request carried with what reached the target."""
    method = sent.method
    if arrived.method != method:
        if sent.body_size and not arrived.body_size:
            tail = "body dropped"
        elif sent.body_size:
            tail = "body still sent" if sent.same_body(arrived) else "body changed"
        elif arrived.body_size:
            tail = f"body added ({bytes_text(arrived.body_size)})"
        else:
            tail = "no body either way"
        return Verdict(VerdictKind.METHOD_CHANGED, f"{method} became {arrived.method}, {tail}")
    if not sent.body_size and not arrived.body_size:
        return Verdict(VerdictKind.KEPT, f"{method} kept (no body sent)")
    if sent.same_body(arrived):
        return Verdict(
            VerdictKind.KEPT, f"{method} kept, body intact ({bytes_text(sent.body_size)})"
        )
    if not arrived.body_size:
        return Verdict(VerdictKind.BODY_DROPPED, f"{method} kept, but the body was dropped")
    change = (
        f"{bytes_text(sent.body_size)} → {bytes_text(arrived.body_size)}"
        if sent.body_size != arrived.body_size
        else f"{bytes_text(sent.body_size)}, other bytes"
    )
    return Verdict(VerdictKind.BODY_CHANGED, f"{method} kept, body changed ({change})")
