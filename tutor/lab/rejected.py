"""A request the lab's HTTP parser refused, read leniently from the bytes that came.

uvicorn's parser (llhttp) answers 400 to a request that is not HTTP/1.1 as RFC 9112 writes it,
before the lab sees it: Go's net/http, for one, sends a Location's spaces as they are. The lab
still journals what came (the guard hears the refusal), so that a chain shows its client
followed. Nothing read here is trusted or interpreted: it is shown, like any request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Rejected", "rejected"]


@dataclass(frozen=True, slots=True)
class Rejected:
    """What arrived of a request the HTTP parser refused (answered 400 before the app saw it):
    its request line and header lines as sent, as far as they can be read, and why."""

    peer: str
    scheme: str
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    reason: str


_REASON = 80
"""Characters of the parser's reason that are kept (llhttp's are short: "Expected HTTP/")."""


_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}")
"""A method is a token (RFC 9110 §9.1, §5.6.2)."""


def rejected(head: bytes, peer: str, scheme: str, error: BaseException | None) -> Rejected | None:
    """`head` (the bytes in which the parser failed) read leniently, as a client that does not
    quite speak HTTP/1.1 sent them: "GET /echo?note=not a URI HTTP/1.1" is the method, the
    target with its spaces, and the version (RFC 9112 §3). Nothing in it is trusted. None when
    it is no request at all, not even so read (a method, then a target in origin-form): a TLS
    handshake sent to the plain port, say, which the learner is told of elsewhere."""
    lines = head.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    line = lines[0].decode("latin-1")
    method, _, rest = line.partition(" ")
    target, space, version = rest.rpartition(" ")
    if not space or not version.startswith("HTTP/"):
        target = rest  # no version at its end: the whole rest is what came as the target
    if not _METHOD.fullmatch(method) or not target.startswith("/"):
        return None
    headers = []
    for field in lines[1:]:
        name, colon, value = field.decode("latin-1").partition(":")
        if colon:
            headers.append((name.strip().lower(), value.strip()))
    why = str(error.args[0] if error is not None and error.args else error or "")
    return Rejected(peer, scheme, method, target, tuple(headers), why[:_REASON] or "no reason")
