"""The lab's CORS answers: it lets any origin's script read it, so a browser's redirects show whole.

WHATWG Fetch's CORS protocol (https://fetch.spec.whatwg.org/#http-cors-protocol): a browser asks
another origin before a request that is not "simple" with a CORS-preflight request (OPTIONS with
Access-Control-Request-Method), and lets a script see an answer from another origin only when
it carries Access-Control-Allow-Origin with the request's Origin, which can be `null`. The lab
allows every preflight and reflects every Origin, so what the browser sends next reaches the
journal; `?cors=none` makes it a server that knows nothing of CORS, to show the browser stop.
Preflights are journaled like any other request: the journal is the witness of what crossed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["PREFLIGHT_ALLOWED", "answer_headers", "is_preflight", "refused"]

PREFLIGHT_ALLOWED = "CORS preflight: allowed (the lab allows every method and header).\n"
"""The text of the lab's answer to a preflight (a browser reads only its status and headers)."""


def _value(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def is_preflight(method: str, headers: Iterable[tuple[str, str]]) -> bool:
    """Whether a request is a CORS-preflight request: "It uses `OPTIONS` as method and includes
    the following header: `Access-Control-Request-Method`" (Fetch #cors-preflight-request)."""
    return method == "OPTIONS" and _value(headers, "access-control-request-method") is not None


def refused(params: Sequence[tuple[str, str]]) -> bool:
    """Whether the request asks the lab to answer as a server that does not know CORS."""
    return ("cors", "none") in params


def answer_headers(
    method: str, headers: Sequence[tuple[str, str]], params: Sequence[tuple[str, str]]
) -> list[tuple[bytes, bytes]]:
    """The Access-Control-* headers of the lab's answer to a request (none without an Origin).

    Access-Control-Allow-Origin repeats the Origin "literal" (`null` included); a preflight is
    also allowed the method and headers it asks for, cached for 0 seconds so that every
    preflight shows in the journal (Fetch #http-responses).
    """
    origin = _value(headers, "origin")
    if origin is None or refused(params):
        return []
    answer = [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"vary", b"Origin"),
    ]
    if is_preflight(method, headers):
        asked = _value(headers, "access-control-request-method") or ""
        answer.append((b"access-control-allow-methods", asked.encode("latin-1")))
        asked_headers = _value(headers, "access-control-request-headers")
        if asked_headers:
            answer.append((b"access-control-allow-headers", asked_headers.encode("latin-1")))
        answer.append((b"access-control-max-age", b"0"))
    return answer
