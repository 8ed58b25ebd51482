"""Hops as JSON that loses nothing: a joined tutor judges a chain on the teacher's lab exactly as
it would judge one in its own journal, so every field crosses the wire, headers as pairs in
order and the body as base64 (it need not be text)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any

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
    }


_FIELDS: Mapping[str, type | tuple[type, ...]] = {
    "seq": int,
    "chain": str,
    "at": (int, float),
    "peer": str,
    "method": str,
    "path": str,
    "query": str,
    "body_size": int,
    "body_digest": str,
    "status": int,
    "location": (str, type(None)),
    "hung_up": bool,
}


def hop_from_wire(value: Any) -> Hop:
    """The hop `hop_to_wire` wrote; WireError for anything else."""
    if not isinstance(value, dict):
        raise WireError("a hop is a JSON object")
    fields: dict[str, Any] = {}
    for name, kind in _FIELDS.items():
        field = value.get(name)
        if not isinstance(field, kind) or (kind is int and isinstance(field, bool)):
            raise WireError(f"a hop's {name!r} is missing or of the wrong type")
        fields[name] = field
    headers = value.get("headers")
    if not isinstance(headers, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in headers
    ):
        raise WireError("a hop's 'headers' are [name, value] pairs")
    try:
        body = base64.b64decode(str(value.get("body", "")), validate=True)
    except (binascii.Error, ValueError):
        raise WireError("a hop's 'body' is base64") from None
    return Hop(headers=tuple((n, v) for n, v in headers), body=body, **fields)


def hops_from_wire(values: Any) -> list[Hop]:
    if not isinstance(values, list):
        raise WireError("hops come as a JSON list")
    return [hop_from_wire(value) for value in values]


def hops_to_wire(hops: Iterable[Hop]) -> list[dict[str, object]]:
    return [hop_to_wire(hop) for hop in hops]
