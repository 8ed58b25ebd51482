"""Hops as JSON that loses nothing: a joined tutor judges a chain on the teacher's lab exactly as
it would judge one in its own journal, so every field crosses the wire, headers as pairs in
order and the body as base64 (it need not be text).

What comes back is checked against what a lab can write, not only for type: the other end may
be anyone's program, and a hop from the year 10^292 or with a million headers would otherwise
reach the screens (time.localtime raises OverflowError) and the memory of the tutor reading it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any

from tutor.lab.bounds import FIELD_COST, Bounds
from tutor.lab.journal import Hop

__all__ = ["WireError", "hop_from_wire", "hop_to_wire", "hops_from_wire", "hops_to_wire"]


class WireError(ValueError):
    """A hop that did not come as `hop_to_wire` writes one."""


def hop_to_wire(hop: Hop) -> dict[str, object]:
    return {
        "seq": hop.seq,
        "chain": hop.chain,
        "at": hop.at,
        "peer": hop.peer,
        "method": hop.method,
        "path": hop.path,
        "query": hop.query,
        "headers": [list(pair) for pair in hop.headers],
        "body": base64.b64encode(hop.body).decode("ascii"),
        "body_size": hop.body_size,
        "body_digest": hop.body_digest,
        "status": hop.status,
        "location": hop.location,
        "hung_up": hop.hung_up,
        "scheme": hop.scheme,
        "rejected": hop.rejected,
    }


_FIELDS: Mapping[str, type | tuple[type, ...]] = {
    "seq": int,
    "chain": str,
    "at": (int, float),
    "peer": str,
    "method": str,
    "path": str,
    "query": str,
    "body": str,
    "body_size": int,
    "body_digest": str,
    "status": int,
    "location": (str, type(None)),
    "hung_up": bool,
}

_LAB = Bounds()
"""The bounds no `serve` option changes (target, head, head_kept, body, body_kept)."""
_LATEST = 2**33
"""Seconds since 1970 past which no clock of a lab's is (the year 2242), well inside what
time.localtime takes everywhere."""
_MOST_SEQ = 2**63
_MOST_FIELDS = _LAB.head_kept // FIELD_COST + 1
"""Header fields the journal keeps of one request: those that fit its budget, and the one cut."""
_MOST_HEAD = _LAB.head + 1
"""Characters of those fields' names and values: the header block the lab takes, and the "…"."""
_MOST_LOCATION = 4 * (_LAB.target + _LAB.head)
"""Well above any Location the lab writes: one is built from a request's target and Host,
percent-encoded again (a byte may come back as six characters, é as %C3%A9), and at most two
are combined (RFC 9110 §5.3)."""
_MOST_REASON = 200
"""Characters of why a lab's HTTP parser refused a request (the lab keeps at most 80)."""
_MOST_BODY = 4 * -(-_LAB.body_kept // 3)
"""Base64 characters of the body the journal keeps."""


def hop_from_wire(value: Any) -> Hop:
    """The hop `hop_to_wire` wrote; WireError for anything else, or for a field out of the
    range a lab writes."""
    if not isinstance(value, dict):
        raise WireError("a hop is a JSON object")
    fields: dict[str, Any] = {}
    for name, kind in _FIELDS.items():
        field = value.get(name)
        if not isinstance(field, kind) or (kind is int and isinstance(field, bool)):
            raise WireError(f"a hop's {name!r} is missing or of the wrong type")
        fields[name] = field
    _check_ranges(fields)
    scheme = value.get("scheme", "http")  # a lab from before TLS sent none
    if scheme not in ("http", "https"):
        raise WireError("a hop's 'scheme' is http or https")
    fields["scheme"] = scheme
    rejected = value.get("rejected", "")  # a lab from before it journaled them sent none
    if not isinstance(rejected, str) or len(rejected) > _MOST_REASON:
        raise WireError("a hop's 'rejected' is a short text")
    fields["rejected"] = rejected
    headers = _headers(value.get("headers"))
    if len(fields["body"]) > _MOST_BODY:
        raise WireError("a hop's 'body' is longer than a lab keeps")
    try:
        body = base64.b64decode(fields.pop("body"), validate=True)
    except (binascii.Error, ValueError):
        raise WireError("a hop's 'body' is base64") from None
    return Hop(headers=headers, body=body, **fields)


def _check_ranges(fields: Mapping[str, Any]) -> None:
    """WireError for a field no lab writes: a time, count or status out of range, a text longer
    than the request it came from could be."""
    if not 0 <= fields["at"] < _LATEST:  # NaN and infinities too: no comparison holds for them
        raise WireError("a hop's 'at' is not a time a lab's clock shows")
    if not 0 <= fields["seq"] < _MOST_SEQ:
        raise WireError("a hop's 'seq' is out of range")
    if not 0 <= fields["body_size"] <= _LAB.body:
        raise WireError("a hop's 'body_size' is out of range")
    if not 0 <= fields["status"] <= 999:
        raise WireError("a hop's 'status' is not a status code")
    if len(fields["path"]) + len(fields["query"]) > _LAB.target:
        raise WireError("a hop's 'path' and 'query' are longer than a lab takes")
    if len(fields["location"] or "") > _MOST_LOCATION:
        raise WireError("a hop's 'location' is longer than a lab writes")
    for name in ("chain", "peer", "method", "body_digest"):
        if len(fields[name]) > _LAB.head:
            raise WireError(f"a hop's {name!r} is longer than a lab takes")


def _headers(headers: Any) -> tuple[tuple[str, str], ...]:
    """The [name, value] pairs, as many and as long as the journal keeps; WireError else."""
    if not isinstance(headers, list):
        raise WireError("a hop's 'headers' are a JSON list")
    if len(headers) > _MOST_FIELDS:
        raise WireError("a hop has more header fields than a lab keeps")
    if not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in headers
    ):
        raise WireError("a hop's 'headers' are [name, value] pairs")
    if sum(len(name) + len(value) for name, value in headers) > _MOST_HEAD:
        raise WireError("a hop's header fields are longer than a lab keeps")
    return tuple((name, value) for name, value in headers)


def hops_from_wire(values: Any) -> list[Hop]:
    if not isinstance(values, list):
        raise WireError("hops come as a JSON list")
    return [hop_from_wire(value) for value in values]


def hops_to_wire(hops: Iterable[Hop]) -> list[dict[str, object]]:
    return [hop_to_wire(hop) for hop in hops]
