"""The whole redirect matrix, live: every client against the real lab, read from the journal.

The expected tables are written out by hand from ../shared/FACTS.md (facts 12, 18-22) and the
WHATWG Fetch rules. Where a live client disagrees with FACTS.md, the live behaviour is asserted
and a comment says so. A cell reads like `redirect-tutor matrix`: the method that arrived,
"∅" when it arrived without its body, "refused" when nothing arrived, "n/a" when the client
cannot send that request at all.
"""

from __future__ import annotations

import pytest

from tutor.experiments import clients
from tutor.experiments.matrix import CODES, METHODS, Cell, cell, cell_text, matrix_specs
from tutor.session.factory import make_session

# Rows are the codes 301 302 303 307 308.
SPEC_LIKE = {  # httpx (fact 18)
    "POST": "GET GET GET POST POST",
    "PUT": "PUT GET GET PUT PUT",
    "DELETE": "DELETE GET GET DELETE DELETE",
    "PATCH": "PATCH GET GET PATCH PATCH",
}
BROWSER = {  # WHATWG Fetch (fact 12): only POST on 301/302, and 303 for all but GET/HEAD
    "POST": "GET GET GET POST POST",
    "PUT": "PUT PUT GET PUT PUT",
    "DELETE": "DELETE DELETE GET DELETE DELETE",
    "PATCH": "PATCH PATCH GET PATCH PATCH",
}
SAME = {"GET": "GET GET GET GET GET", "HEAD": "HEAD HEAD HEAD HEAD HEAD"}
NOT_A_FORM = dict.fromkeys(("PUT", "DELETE", "PATCH", "HEAD"), "n/a n/a n/a n/a n/a")
REFUSED_ALL = "refused refused refused refused refused"

EXPECTED = {
    "httpx": {**SPEC_LIKE, **SAME},
    # requests (fact 19): httpx's method rules, but the body goes on every redirect but 307/308.
    "requests": {
        **SPEC_LIKE,
        "PUT": "PUT∅ GET GET PUT PUT",
        "DELETE": "DELETE∅ GET GET DELETE DELETE",
        "PATCH": "PATCH∅ GET GET PATCH PATCH",
        **SAME,
    },
    "aiohttp": {**BROWSER, **SAME},  # fact 22
    "urllib": {
        "POST": "GET GET GET refused refused",  # fact 20
        "PUT": REFUSED_ALL,
        "DELETE": REFUSED_ALL,
        "PATCH": REFUSED_ALL,
        "GET": SAME["GET"],
        # Live, not in FACTS 20: urllib follows a HEAD but re-sends it as GET on every code
        # (redirect_request builds a new Request without the method). Python 3.11.
        "HEAD": "GET GET GET GET GET",
    },
    "curl": {  # fact 21: -d alone lets curl pick POST; other methods need -X and keep the word
        "POST": "GET GET GET POST POST",
        "PUT": "PUT∅ PUT∅ PUT∅ PUT PUT",
        "DELETE": "DELETE∅ DELETE∅ DELETE∅ DELETE DELETE",
        "PATCH": "PATCH∅ PATCH∅ PATCH∅ PATCH PATCH",
        **SAME,
    },
    "curl-x": {  # fact 21's trap: -X POST keeps the word on 301/302/303 but not the body
        "POST": "POST∅ POST∅ POST∅ POST POST",
        "PUT": "PUT∅ PUT∅ PUT∅ PUT PUT",
        "DELETE": "DELETE∅ DELETE∅ DELETE∅ DELETE DELETE",
        "PATCH": "PATCH∅ PATCH∅ PATCH∅ PATCH PATCH",
        **SAME,
    },
    # Live, beyond FACTS 21: with --post301/302/303 curl 7.88 also keeps the body of a -X PUT,
    # DELETE or PATCH on 301/302/303 (the flags stop curl from switching to a body-less request).
    "curl-post30x": {
        method: " ".join([method] * 5) for method in ("POST", "PUT", "DELETE", "PATCH", "GET")
    }
    | {"HEAD": SAME["HEAD"]},
    # wget is not in FACTS.md; as seen live with GNU Wget 1.21: browser-like rules.
    "wget": {**BROWSER, **SAME},
    "node": {**BROWSER, **SAME},  # facts 12 and 15: undici follows Fetch
    "chromium-fetch": {**BROWSER, **SAME},  # fact 12
    "chromium-form": {"POST": BROWSER["POST"], "GET": SAME["GET"], **NOT_A_FORM},
    # Measured with Firefox 153.8.0esr (headless, Marionette): Gecko follows Fetch like Blink.
    "firefox-fetch": {**BROWSER, **SAME},
    "firefox-form": {"POST": BROWSER["POST"], "GET": SAME["GET"], **NOT_A_FORM},
    # Measured with Go 1.19.8: on 301, 302 and 303 every method but GET and HEAD becomes a
    # body-less GET, PUT, DELETE and PATCH too (net/http/client.go redirectBehavior: "we still
    # restrict other methods to GET to maintain compatibility", golang/go#18570); 307 and 308
    # send the body again (a *bytes.Reader, so NewRequest sets GetBody).
    "go": {
        method: f"GET GET GET {method} {method}" for method in ("POST", "PUT", "DELETE", "PATCH")
    }
    | SAME,
    # Measured with OpenJDK 17.0.15 HttpClient, Redirect.NORMAL: Fetch's rules (only a POST
    # becomes GET on 301/302), except that a 303 turns a HEAD into a GET too, where Fetch, the
    # browsers and every other client here keep HEAD.
    "java": {**BROWSER, "GET": SAME["GET"], "HEAD": "HEAD HEAD GET HEAD HEAD"},
}
PROGRAMS = {
    "curl": "curl",
    "curl-x": "curl",
    "curl-post30x": "curl",
    "wget": "wget",
    "node": "node",
    "chromium-fetch": "chromium",
    "chromium-form": "chromium",
    "firefox-fetch": "firefox-esr",
    "firefox-form": "firefox-esr",
}


def test_every_client_has_an_expected_table():
    assert set(EXPECTED) == set(clients.CLIENT_NAMES)


@pytest.fixture(scope="module")
def matrix(lab):
    """The full matrix, once, for every registered client (absent ones show as such)."""
    outcomes = make_session(lab=lab).lab.run_many(matrix_specs(clients.CLIENT_NAMES))
    return {(o.client, o.method, o.code): o for o in outcomes}


@pytest.mark.parametrize("name", clients.CLIENT_NAMES)
def test_matrix_row(matrix, name):
    client = clients.get(name)
    assert client.version() is not None, (
        f"{PROGRAMS.get(name, name)} is not installed here, so the {name} row cannot run "
        f"(install: {client.install_hint}; .ci/run installs it in CI)"
    )
    shown = {m: " ".join(cell_text(matrix[(name, m, c)]) for c in CODES) for m in METHODS}
    assert shown == EXPECTED[name]


@pytest.mark.parametrize("name", clients.CLIENT_NAMES)
def test_what_each_cell_means_is_read_from_the_journal(matrix, name):
    for method in METHODS:
        for code in CODES:
            outcome = matrix[(name, method, code)]
            kind = cell(outcome)
            if kind in (Cell.CANNOT, Cell.ABSENT):
                assert outcome.hops == ()
                continue
            first = outcome.hops[0]
            assert (first.method, first.path, first.status) == (method, f"/redirect/{code}", code)
            if kind is Cell.REFUSED:
                assert len(outcome.hops) == 1
                assert outcome.error
                continue
            assert len(outcome.hops) == 2
            arrived = outcome.hops[1]
            assert arrived.path == "/echo" and arrived.status == 200
            if kind is Cell.KEPT:
                assert arrived.method == method
                assert arrived.body_size == first.body_size
                assert arrived.body_digest == first.body_digest
            elif kind is Cell.BODY_DROPPED:
                assert arrived.method == method
                assert first.body_size > 0
                assert arrived.body_size == 0
            elif kind is Cell.BECAME_GET:
                assert arrived.method == "GET" != method
                assert arrived.body_size == 0


def test_a_form_cannot_send_put_and_says_why(matrix):
    outcome = matrix[("chromium-form", "PUT", 307)]
    assert outcome.verdict.kind == "not_expressible"
    assert outcome.error == "an HTML form sends only GET or POST, not PUT"
    assert outcome.to_json()["arrived"] is None
