"""The verdict: one plain sentence on what crossed a redirect, judged from what the lab saw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tutor.lab.journal import Hop

__all__ = ["Sent", "Verdict", "VerdictKind", "arrival", "bytes_text", "chain_verdict", "judge"]


class VerdictKind(StrEnum):
    KEPT = "kept"
    METHOD_CHANGED = "method_changed"
    BODY_DROPPED = "body_dropped"
    BODY_CHANGED = "body_changed"
    NOT_FOLLOWED = "not_followed"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"
    NOT_EXPRESSIBLE = "not_expressible"
    """The client has no way to send this request at all (e.g. a PUT from an HTML form)."""


@dataclass(frozen=True, slots=True)
class Sent:
    """What the first request carried: the yardstick for everything that arrives later."""

    method: str
    body_size: int
    body_digest: str

    @classmethod
    def from_hop(cls, hop: Hop) -> Sent:
        return cls(hop.method, hop.body_size, hop.body_digest)


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: VerdictKind
    text: str


def bytes_text(size: int) -> str:
    """A size in bytes as a person reads it: "0 bytes", "1 byte", "12 bytes"."""
    return "1 byte" if size == 1 else f"{size} bytes"


def judge(
    sent: Sent, arrived: Hop | None, *, status: int | None = None, error: str | None = None
) -> Verdict:
    """Compare what was sent with what arrived at the target after the redirect `status`."""
    code = f"the {status}" if status else "the redirect"
    if arrived is None:
        if error:
            return Verdict(VerdictKind.REFUSED, f"Refused at {code}: nothing reached the target")
        return Verdict(VerdictKind.NOT_FOLLOWED, f"Not followed: the client stopped at {code}")
    body_kept = arrived.body_size == sent.body_size and arrived.body_digest == sent.body_digest
    if arrived.method != sent.method:
        if sent.body_size and not arrived.body_size:
            tail = "body dropped"
        elif sent.body_size:
            tail = "body still sent" if body_kept else "body changed"
        else:
            tail = "no body either way"
        return Verdict(VerdictKind.METHOD_CHANGED, f"{sent.method} became {arrived.method}, {tail}")
    if not sent.body_size and not arrived.body_size:
        return Verdict(VerdictKind.KEPT, f"{sent.method} kept (no body sent)")
    if body_kept:
        return Verdict(
            VerdictKind.KEPT, f"{sent.method} kept, body intact ({bytes_text(sent.body_size)})"
        )
    if not arrived.body_size:
        return Verdict(VerdictKind.BODY_DROPPED, f"{sent.method} kept, but the body was dropped")
    change = f"{bytes_text(sent.body_size)} → {bytes_text(arrived.body_size)}"
    return Verdict(VerdictKind.BODY_CHANGED, f"{sent.method} kept, body changed ({change})")


def arrival(chain: Sequence[Hop]) -> Hop | None:
    """The hop that reached a target after the first request: the chain's last, unless it is
    itself a redirect (None: nothing got past the first request's answer)."""
    return chain[-1] if len(chain) > 1 and not chain[-1].is_redirect else None


def chain_verdict(chain: Sequence[Hop]) -> Verdict | None:
    """The verdict of a chain whose last hop reached a target after a redirect; else None."""
    arrived = arrival(chain)
    redirects = [hop.status for hop in chain[:-1] if hop.is_redirect]
    if arrived is None or not redirects:
        return None
    return judge(Sent.from_hop(chain[0]), arrived, status=redirects[-1])
