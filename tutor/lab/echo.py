"""The /echo answer: the request as received, its chain and the chain's verdict, as JSON.

The text is exactly what `json.dumps(document, indent=2)` writes (learners and tests read it),
made for the document's one known shape: with `indent`, CPython's json falls back to its
pure-Python encoder, several times slower than building the same text here with the C string
encoder. Each hop is written once, at the indentation it has in the answer, so that its length
is its size in the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring_ascii
from typing import Any

from tutor.lab.evidence import Evidence, VerdictKind
from tutor.lab.journal import Hop

__all__ = ["echo_document"]

_IN_CHAIN = " " * 4
"""The indentation of a hop's opening line inside the answer's "chain" list."""


class _Json(str):
    """Text that is JSON already, written at the indentation of the place it goes."""


_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring_ascii,  # the C encoder json.dumps uses too (ensure_ascii)
    int: int.__repr__,
    bool: {True: "true", False: "false"}.__getitem__,
    type(None): lambda _: "null",
    _Json: str,
}


def _nested(value: object, indent: str) -> str:
    """A value of the document that is not a scalar, as `json.dumps(indent=2)` writes it at
    `indent`."""
    if isinstance(value, Mapping):
        return _object(value, indent)
    if isinstance(value, str):  # a subclass of str
        return encode_basestring_ascii(value)
    raise TypeError(f"not part of an /echo answer: {type(value).__name__}")


def _object(fields: Mapping[str, object], indent: str) -> str:
    """A JSON object of scalars and objects, its opening brace at `indent`."""
    if not fields:
        return "{}"
    inner = indent + "  "
    members = []
    for name, value in fields.items():
        scalar = _SCALARS.get(type(value))
        text = scalar(value) if scalar is not None else _nested(value, inner)
        members.append(f"{inner}{encode_basestring_ascii(name)}: {text}")
    return "{\n" + ",\n".join(members) + f"\n{indent}}}"


def echo_document(hop: Hop, chain: Sequence[Hop], limit: int) -> bytes:
    """The /echo answer to `hop`, whose `chain` is given oldest first, as JSON of at most about
    `limit` bytes. The latest hops come in full; when they fill the answer, the earlier ones are
    listed without their headers and bodies (`"cut": true`)."""
    judged = Evidence.of_chain(chain).verdict
    verdict = (
        "No redirect: this request came straight to the echo."
        if judged.kind is VerdictKind.NO_REDIRECT
        else judged.text
    )
    own = hop.to_json()
    own_text = _object(own, _IN_CHAIN)
    # Its size at the top level: each line but the first is indented 4 spaces less there.
    room = limit - (len(own_text) - len(_IN_CHAIN) * own_text.count("\n"))
    listed: list[str] = []
    for earlier in reversed(chain):
        whole = own if earlier is hop else earlier.to_json()
        if room >= 0:  # once the answer is full, every earlier hop is cut: no need to size them
            text = own_text if earlier is hop else _object(whole, _IN_CHAIN)
            room -= len(text)
        if room < 0:
            text = _object({**whole, "headers": {}, "body": "", "cut": True}, _IN_CHAIN)
        listed.append(_IN_CHAIN + text)
    hops = _Json("[\n" + ",\n".join(reversed(listed)) + "\n  ]" if listed else "[]")
    document = {
        "method": hop.method,
        "path": hop.path,
        "query": hop.query,
        "headers": own["headers"],
        "body": own["body"],
        "body_size": hop.body_size,
        "chain_token": hop.chain,
        "chain": hops,
        "verdict": verdict,
    }
    return (_object(document, "") + "\n").encode()
