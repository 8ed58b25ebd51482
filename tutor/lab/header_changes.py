"""What a client changed in a request's header fields from one hop of a chain to the next.

RFC 9110 §15.4 asks a client that follows a redirect to resend the request "with the following
modifications": among them, to "remove content-specific header fields" when the method has
been changed to GET or HEAD, and to "consider removing" fields the calling context added where
there are security implications, "Authorization and Cookie". What a client really did is read
here from what the lab received, request after request, never from what it was asked to send.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tutor.lab.cors import is_preflight
from tutor.lab.journal import Hop

__all__ = ["TAGS", "TAG_WIDTH", "Change", "HeaderLine", "compared", "header_lines", "summary"]


class Change(StrEnum):
    SENT = "sent"
    """The chain's first request, or a CORS preflight: nothing before it to compare with."""
    KEPT = "kept"
    ADDED = "added"
    DROPPED = "dropped"
    CHANGED = "changed"


@dataclass(frozen=True)
class HeaderLine:
    """One header field of a request, and what became of it since the request before."""

    name: str
    change: Change
    value: str | None
    """This request's value (repeated fields joined with ", ", RFC 9110 §5.3); None: dropped."""
    was: str | None
    """The request before's value; None when there was none (sent, added)."""

    @property
    def shown(self) -> str:
        """The value a reader sees beside the name: this request's, or the one it dropped."""
        return self.value if self.value is not None else self.was or ""

    def to_json(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "change": self.change.value,
            "value": self.value,
            "was": self.was,
        }


def compared(hops: Sequence[Hop]) -> list[Hop | None]:
    """For each hop, the request it is compared with: the last one before it that was no CORS
    preflight. None for the first request, and for a preflight, which is the browser's own
    question and no change of the request (Fetch §4.8)."""
    result: list[Hop | None] = []
    before: Hop | None = None
    for hop in hops:
        preflight = is_preflight(hop.method, hop.headers)
        result.append(None if preflight else before)
        before = before if preflight else hop
    return result


def _fields(hop: Hop) -> dict[str, tuple[str, str]]:
    """The fields of `hop` by lowercased name: the name as first spelled, and the value."""
    fields: dict[str, tuple[str, str]] = {}
    for name, value in hop.headers:
        key = name.lower()
        if key in fields:
            spelled, joined = fields[key]
            fields[key] = (spelled, f"{joined}, {value}")
        else:
            fields[key] = (name, value)
    return fields


def header_lines(hop: Hop, before: Hop | None) -> tuple[HeaderLine, ...]:
    """Every field `hop` carried, in its order, with what changed since `before`; then the
    fields of `before` it dropped. Names compare without case (RFC 9110 §5.1)."""
    now = _fields(hop)
    if before is None:
        return tuple(HeaderLine(name, Change.SENT, value, None) for name, value in now.values())
    then = _fields(before)
    lines = []
    for key, (name, value) in now.items():
        if key not in then:
            lines.append(HeaderLine(name, Change.ADDED, value, None))
        else:
            was = then[key][1]
            change = Change.KEPT if was == value else Change.CHANGED
            lines.append(HeaderLine(name, change, value, was))
    lines += [
        HeaderLine(name, Change.DROPPED, None, value)
        for key, (name, value) in then.items()
        if key not in now
    ]
    return tuple(lines)


TAGS = {
    Change.SENT: "",
    Change.KEPT: "",
    Change.ADDED: "+ added",
    Change.DROPPED: "- dropped",
    Change.CHANGED: "~ changed",
}
"""How a field's change is written beside it; a field sent or kept as it was has no tag."""
TAG_WIDTH = max(len(tag) for tag in TAGS.values())


def summary(lines: Sequence[HeaderLine]) -> str:
    """The changes in a word each, e.g. "-authorization ~host +origin"; "" when none."""
    return " ".join(f"{TAGS[line.change][0]}{line.name}" for line in lines if TAGS[line.change])
