"""The /echo answer is, byte for byte, `json.dumps(document, indent=2)` of its document, hostile
content, empty headers and cut hops included (learners and tests read that text)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.lab.echo import echo_document
from tutor.lab.evidence import Evidence, VerdictKind
from tutor.lab.journal import Hop, Journal, digest

HOSTILE = [
    "",
    'a "quoted" value',
    "back\\slash \\u0041 \\n",
    "\x00\x01\x1f\x7f\t\r\n controls",
    "caf\xe9 \xff latin-1",
    "\u202e bidi \u200b zero-width",
    "emoji \U0001f600 \U0001f9ea",
    "</script><b>markup</b>",
]


def _reference(hop: Hop, chain: Sequence[Hop], limit: int) -> bytes:
    """The /echo answer as the lab first wrote it, with the json module."""
    judged = Evidence.of_chain(chain).verdict
    verdict = (
        "No redirect: this request came straight to the echo."
        if judged.kind is VerdictKind.NO_REDIRECT
        else judged.text
    )
    own = hop.to_json()
    room = limit - len(json.dumps(own, indent=2))
    listed: list[dict[str, object]] = []
    for earlier in reversed(chain):
        whole = earlier.to_json()
        text = json.dumps(whole, indent=2)
        room -= len(text) + 4 * text.count("\n")
        if room < 0:
            whole.update(headers={}, body="", cut=True)
        listed.append(whole)
    document = {
        "method": hop.method,
        "path": hop.path,
        "query": hop.query,
        "headers": own["headers"],
        "body": own["body"],
        "body_size": hop.body_size,
        "chain_token": hop.chain,
        "chain": listed[::-1],
        "verdict": verdict,
    }
    return json.dumps(document, indent=2).encode() + b"\n"


def _record(
    journal: Journal,
    chain: str,
    text: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    status: int,
    **more: object,
) -> Hop:
    return journal.record(
        chain=chain,
        peer="127.0.0.1:5555",
        method="POST",
        path=f"/redirect/{status}" if 300 <= status < 400 else f"/echo/{text}",
        query=f"chain={chain}&note={text}",
        headers=headers,
        body=body,
        body_size=len(body),
        body_digest=digest(body),
        status=status,
        location=f"/echo?chain={chain}&{text}" if 300 <= status < 400 else None,
        **more,  # type: ignore[arg-type]
    )


def _chain_of(texts: Sequence[str]) -> tuple[Hop, list[Hop]]:
    journal = Journal()
    token = journal.new_token()
    for n, text in enumerate(texts):
        headers = [(text, text), ("x-dup", text), ("X-Dup", "b"), ("x-dup", "c")] if n else []
        _record(journal, token, text, headers, text.encode("utf-8", "surrogatepass"), 307)
    _record(journal, token, "hung", [], b"ab", 0, hung_up=True)
    last = _record(
        journal, token, texts[0], [("host", "lab"), ("origin", texts[-1])], b"\xff\xfe\x00ok", 200
    )
    return last, journal.chain_until(last)


def test_hostile_content_is_written_as_json_writes_it() -> None:
    hop, chain = _chain_of(HOSTILE)
    for limit in (10**7, 4000, 2500, 1200, 0, -5):  # whole, then more and more hops cut
        assert echo_document(hop, chain, limit) == _reference(hop, chain, limit)
    assert b'"cut": true' in echo_document(hop, chain, 2500)
    assert b'"cut": true' not in echo_document(hop, chain, 10**7)


def test_a_hop_alone_and_a_hop_the_journal_forgot() -> None:
    hop, chain = _chain_of([""])
    assert echo_document(hop, chain[-1:], 10**6) == _reference(hop, chain[-1:], 10**6)
    assert echo_document(hop, [], 10**6) == _reference(hop, [], 10**6)
    assert echo_document(hop, chain[:-1], 100) == _reference(hop, chain[:-1], 100)


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.text(max_size=40), min_size=1, max_size=6),
    limit=st.integers(min_value=-10, max_value=6000),
)
def test_any_text_at_any_limit(texts: list[str], limit: int) -> None:
    hop, chain = _chain_of(texts)
    assert echo_document(hop, chain, limit) == _reference(hop, chain, limit)
