"""A redirect loop: the client gave up at its redirect limit, it did not refuse the redirect."""

from __future__ import annotations

from test_evidence import chain, hop, redirect

from tutor.lab.evidence import Evidence, VerdictKind


def test_a_loop_says_the_client_gave_up_with_the_count() -> None:
    looped = hop("GET", "/redirect/307", 307, location="/redirect/307?loop=1")
    hops = chain(*[looped] * 51)
    evidence = Evidence.of_chain(hops, error="curl: (47) Maximum (50) redirects followed")
    assert evidence.verdict.kind is VerdictKind.REFUSED
    assert evidence.verdict.text == (
        "Gave up after 51 requests (the client's redirect limit): nothing reached the target"
    )


def test_one_refused_redirect_is_still_refused() -> None:
    hops = chain(redirect(307, "POST", b"a=1"))
    evidence = Evidence.of_chain(hops, error="cannot rewind the request body")
    assert evidence.verdict.text == "Refused at the 307: nothing reached the target"
