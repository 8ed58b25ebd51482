"""Every client across a change of scheme, live: a POST answered 301, 302, 303, 307 or 308 by
the lab's plain listener with a Location on its TLS listener (an upgrade), and the other way
round (a downgrade), read from the journal. Then a lab whose certificate has expired, or names
another host, from the same CA: every client says no, none crashes.

A cell is what the lab saw, hop by hop: the listener's scheme and the method; after the first,
"∅" when the body did not arrive with it; and which credentials the request carried ("A"
Authorization, "C" Cookie, "-" neither), for a client that can add headers. When nothing
reached the target the cell ends with the matrix's word for it ("| refused", "| stopped").
The tables were measured on this machine (curl 7.88, GNU Wget 1.21, Node 20, Chromium and
Firefox 153 ESR with the CA in their NSS store, Go 1.19.8, OpenJDK 17.0.15, Python 3.11), the
lab's listeners on 127.0.0.1 at non-default ports.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trustme

from tutor.experiments import clients
from tutor.experiments.matrix import CARRIED, CODES, cell_text, matrix_specs
from tutor.experiments.outcome import Outcome
from tutor.lab.authority import LAB_NAMES, Authority
from tutor.lab.evidence import VerdictKind
from tutor.lab.server import LabServer
from tutor.session.factory import make_session


def row(moved: str, kept: str) -> tuple[str, ...]:
    """The cells of 301, 302 and 303 (`moved`), then of 307 and 308 (`kept`)."""
    return (moved,) * 3 + (kept,) * 2


UPGRADE = {
    # httpx and requests keep Authorization only on http:80 -> https:443 of one host
    # (httpx/_client.py _is_https_redirect, requests/sessions.py should_strip_auth); the lab's
    # ports differ, so both drop it, and the Cookie they were handed, as aiohttp and Node do.
    "httpx": row("http POST AC > https GET∅ -", "http POST AC > https POST -"),
    "requests": row("http POST AC > https GET∅ -", "http POST AC > https POST -"),
    "aiohttp": row("http POST AC > https GET∅ -", "http POST AC > https POST -"),
    # urllib carries both to another origin (FACTS 20), and never re-sends a POST on 307/308.
    "urllib": row("http POST AC > https GET∅ AC", "http POST AC | refused"),
    # curl sends hand-set credentials only to the host:port it was first given.
    "curl": row("http POST AC > https GET∅ -", "http POST AC > https POST -"),
    "curl-x": row("http POST AC > https POST∅ -", "http POST AC > https POST -"),
    "curl-post30x": row("http POST AC > https POST -", "http POST AC > https POST -"),
    # wget carries both, upgrade or not.
    "wget": row("http POST AC > https GET∅ AC", "http POST AC > https POST AC"),
    "node": row("http POST AC > https GET∅ -", "http POST AC > https POST -"),
    # fetch() never sends a Cookie header a script sets (a forbidden header name), and drops
    # Authorization across origins (whatwg/fetch#1544).
    "chromium-fetch": row("http POST A > https GET∅ -", "http POST A > https POST -"),
    "chromium-form": row("http POST > https GET∅", "http POST > https POST"),  # no headers
    # Firefox 153.8.0esr drops Authorization across origins as Chromium does, but then sends a
    # CORS preflight to the new origin (OPTIONS, Access-Control-Request-Method: POST, no
    # Access-Control-Request-Headers) before the request itself; Chromium 156 sends none.
    "firefox-fetch": row(
        "http POST A > https OPTIONS∅ - > https GET∅ -",
        "http POST A > https OPTIONS∅ - > https POST -",
    ),
    "firefox-form": row("http POST > https GET∅", "http POST > https POST"),
    # Go 1.19.8 copies Authorization and Cookie only to the host:port it was first given
    # (net/http/client.go shouldCopyHeaderOnRedirect compares canonicalAddr, port included).
    "go": row("http POST AC > https GET∅ -", "http POST AC > https POST -"),
    # Java 17.0.15 HttpClient carries both to another origin: it copies the request's headers
    # on every redirect it follows (measured; like urllib and wget).
    "java": row("http POST AC > https GET∅ AC", "http POST AC > https POST AC"),
}
DOWNGRADE = {
    "httpx": row("https POST AC > http GET∅ -", "https POST AC > http POST -"),
    "requests": row("https POST AC > http GET∅ -", "https POST AC > http POST -"),
    "aiohttp": row("https POST AC > http GET∅ -", "https POST AC > http POST -"),
    # urllib and wget send Authorization and Cookie in clear over plain HTTP.
    "urllib": row("https POST AC > http GET∅ AC", "https POST AC | refused"),
    "curl": row("https POST AC > http GET∅ -", "https POST AC > http POST -"),
    "curl-x": row("https POST AC > http POST∅ -", "https POST AC > http POST -"),
    "curl-post30x": row("https POST AC > http POST -", "https POST AC > http POST -"),
    "wget": row("https POST AC > http GET∅ AC", "https POST AC > http POST AC"),
    "node": row("https POST AC > http GET∅ -", "https POST AC > http POST -"),
    # Mixed content: a fetch() from an https page to http is blocked ("Failed to fetch").
    "chromium-fetch": row("https POST A | refused", "https POST A | refused"),
    # A form sent from https that is redirected to http stops there: nothing reaches http.
    "chromium-form": row("https POST | stopped", "https POST | stopped"),
    # Firefox 153.8.0esr, the same: mixed content blocked for fetch() ("NetworkError when
    # attempting to fetch resource."), a form stops at the redirect.
    "firefox-fetch": row("https POST A | refused", "https POST A | refused"),
    "firefox-form": row("https POST | stopped", "https POST | stopped"),
    "go": row("https POST AC > http GET∅ -", "https POST AC > http POST -"),
    # Redirect.NORMAL follows "except from HTTPS URLs to HTTP URLs" (HttpClient.Redirect's
    # documentation): Java hands the 30x back, nothing reaches http.
    "java": row("https POST AC | stopped", "https POST AC | stopped"),
}
EXPECTED = {"upgrade": UPGRADE, "downgrade": DOWNGRADE}
MARKS = {name[0]: name for name in CARRIED}
"""A: Authorization, C: Cookie (the credentials a scheme matrix adds)."""


def seen(outcome: Outcome) -> str:
    """The cell: what the lab saw of `outcome`'s chain, as the tables above write it."""
    first = outcome.evidence.first
    shown = []
    for index, hop in enumerate(outcome.hops):
        text = f"{hop.scheme} {hop.method}"
        if index and first is not None and hop.body_digest != first.body_digest:
            text += "∅" if hop.body_size == 0 else "≠"
        if outcome.spec.headers:
            carried = [mark for mark, name in MARKS.items() if hop.header(name) is not None]
            text += " " + ("".join(carried) or "-")
        shown.append(text)
    cell = " > ".join(shown)
    return cell if outcome.arrived is not None else f"{cell} | {cell_text(outcome)}"


def test_every_client_has_its_rows():
    assert set(UPGRADE) == set(DOWNGRADE) == set(clients.CLIENT_NAMES)


@pytest.fixture(scope="module")
def crossings(lab):
    """Every client's POST across an upgrade and a downgrade, for every code: one run."""
    specs = [
        spec
        for scheme in EXPECTED
        for spec in matrix_specs(clients.CLIENT_NAMES, CODES, ("POST",), scheme)
    ]
    outcomes = make_session(lab=lab).lab.run_many(specs)
    return {(o.client, o.spec.scheme, o.code): o for o in outcomes}


@pytest.mark.parametrize("scheme", EXPECTED)
@pytest.mark.parametrize("name", clients.CLIENT_NAMES)
def test_what_the_lab_saw_across_a_change_of_scheme(crossings, name, scheme):
    assert clients.get(name).version() is not None, f"{name} is not installed here"
    shown = tuple(seen(crossings[(name, scheme, code)]) for code in CODES)
    assert shown == EXPECTED[scheme][name]


@pytest.mark.parametrize("scheme", EXPECTED)
def test_each_hop_came_to_the_listener_of_its_scheme(lab, crossings, scheme):
    """The first request on the listener the experiment starts on, the one after the redirect
    on the other: by the scheme the lab recorded, and by the port the client addressed."""
    ports = {"http": urlsplit(lab.url).port, "https": urlsplit(lab.secure_url).port}
    start, end = ("http", "https") if scheme == "upgrade" else ("https", "http")
    for name in clients.CLIENT_NAMES:
        for code in CODES:
            outcome = crossings[(name, scheme, code)]
            first, *later = outcome.hops
            assert (first.scheme, first.path, first.status) == (start, f"/redirect/{code}", code)
            assert first.location is not None and first.location.startswith(f"{end}://")
            assert first.body == b"name=ada"
            for hop in later:
                assert (hop.scheme, hop.path, hop.status) == (end, "/echo", 200)
            for hop in outcome.hops:
                assert urlsplit(f"//{hop.header('host')}").port == ports[hop.scheme]


@pytest.mark.parametrize("scheme", EXPECTED)
def test_the_verdict_says_what_the_credentials_became(crossings, scheme):
    """The judgement of each chain that arrived names the change of scheme and, credential by
    credential, what the journal shows of it."""
    start, end = ("http", "https") if scheme == "upgrade" else ("https", "http")
    for name in clients.CLIENT_NAMES:
        for code in CODES:
            outcome = crossings[(name, scheme, code)]
            document = outcome.to_json()
            arrived, first = outcome.arrived, outcome.evidence.first
            if arrived is None:
                assert document["scheme"] is None
                assert outcome.verdict.kind in (VerdictKind.REFUSED, VerdictKind.NOT_FOLLOWED)
                continue
            assert document["scheme"] == {"from": start, "to": end}
            assert f"{start} → {end}" in outcome.verdict.text
            for header in CARRIED:
                if first is not None and first.header(header) is not None:
                    became = "kept" if arrived.header(header) is not None else "dropped"
                    assert f"{header} {became}" in outcome.verdict.text, outcome.verdict.text


# A lab whose certificate is wrong, from the CA the clients trust.

PROBLEMS = {
    # Each client's words for it, where it names the problem; Chromium says it only when the
    # page itself cannot load (a downgrade starts on the TLS listener), else "Failed to fetch".
    "expired": {
        "httpx": "certificate has expired",
        "requests": "certificate has expired",
        "aiohttp": "certificate has expired",
        "urllib": "certificate has expired",
        "curl": "SSL certificate problem: certificate has expired",
        "wget": "The certificate has expired",
        "node": "certificate has expired",
        "chromium": "net::ERR_CERT_DATE_INVALID",
        # Marionette says only "insecure certificate"; the driver reads NSS's code from the
        # error page Firefox showed (tutor/experiments/clients/firefox.py).
        "firefox": "the certificate has expired (SEC_ERROR_EXPIRED_CERTIFICATE)",
        "go": "x509: certificate has expired or is not yet valid",
        # Java says "PKIX path validation failed: ... validity check failed"; its client names
        # the CertificateExpiredException under it (programs/RedirectClient.java).
        "java": "SSLHandshakeException: the certificate has expired",
    },
    "other-name": {
        "httpx": "certificate is not valid for '127.0.0.1'",
        "requests": "certificate is not valid for '127.0.0.1'",
        "aiohttp": "certificate is not valid for '127.0.0.1'",
        "urllib": "certificate is not valid for '127.0.0.1'",
        "curl": "no alternative certificate subject name matches target host name '127.0.0.1'",
        "wget": "The certificate's owner does not match hostname",
        "node": "IP: 127.0.0.1 is not in the cert's list",
        "chromium": "net::ERR_CERT_COMMON_NAME_INVALID",
        "firefox": "the certificate is not valid for this host name (SSL_ERROR_BAD_CERT_DOMAIN)",
        "go": "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any "
        "IP SANs",
        "java": "No subject alternative names matching IP address 127.0.0.1 found",
    },
}


FETCH_SAYS = {
    "chromium-fetch": "fetch() rejected with TypeError: Failed to fetch",
    "firefox-fetch": (
        "fetch() rejected with TypeError: NetworkError when attempting to fetch resource."
    ),
}
"""What fetch() tells the page when the redirect's target has a bad certificate."""


def _program(name: str) -> str:
    return name.split("-")[0]


def _bad_lab_authority(good: Authority, folder: Path, problem: str) -> Authority:
    """The lab's files with a certificate from the same CA that has expired, or names only
    other.test."""
    ca = trustme.CA.from_pem(good.ca.read_bytes(), (good.ca.parent / "ca-key.pem").read_bytes())
    now = datetime.datetime.now(datetime.UTC)
    if problem == "expired":
        leaf = ca.issue_cert(
            *LAB_NAMES,
            not_before=now - datetime.timedelta(days=30),
            not_after=now - datetime.timedelta(days=1),
        )
    else:
        leaf = ca.issue_cert("other.test")
    cert, key = folder / f"{problem}.pem", folder / f"{problem}-key.pem"
    leaf.private_key_pem.write_to_path(str(key))
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    return Authority(good.ca, cert, key)


@pytest.fixture(scope="module", params=PROBLEMS)
def refusals(request, lab, tmp_path_factory):
    """Every client's 301 upgrade and 307 downgrade against a lab with a bad certificate."""
    authority = _bad_lab_authority(lab.authority, tmp_path_factory.mktemp("bad"), request.param)
    specs = [
        *matrix_specs(clients.CLIENT_NAMES, (301,), ("POST",), "upgrade"),
        *matrix_specs(clients.CLIENT_NAMES, (307,), ("POST",), "downgrade"),
    ]
    with LabServer(authority=authority) as bad:
        outcomes = make_session(lab=bad).lab.run_many(specs)
        log = list(bad.log)
    return request.param, {(o.client, o.spec.scheme): o for o in outcomes}, log


@pytest.mark.parametrize("name", clients.CLIENT_NAMES)
def test_a_bad_certificate_is_refused_in_so_many_words(refusals, name):
    problem, outcomes, log = refusals
    said = PROBLEMS[problem][_program(name)]
    upgrade, downgrade = outcomes[(name, "upgrade")], outcomes[(name, "downgrade")]

    # The upgrade: the plain 301 arrived; what it pointed to was never reached.
    assert [(hop.scheme, hop.status) for hop in upgrade.hops] == [("http", 301)]
    assert upgrade.arrived is None
    if name in ("chromium-form", "firefox-form"):  # the browser shows its error page instead
        assert upgrade.verdict.kind is VerdictKind.NOT_FOLLOWED
        assert upgrade.error is None
    elif name in FETCH_SAYS:  # a page is never told why a fetch() failed
        assert upgrade.verdict.kind is VerdictKind.REFUSED
        assert upgrade.error == FETCH_SAYS[name]
    else:
        assert upgrade.verdict.kind is VerdictKind.REFUSED
        assert upgrade.error is not None and said in upgrade.error

    # The downgrade: nothing reached the lab at all; the client says why.
    assert downgrade.hops == ()
    assert downgrade.verdict.kind is VerdictKind.REFUSED
    assert downgrade.verdict.text == "Nothing reached the lab"
    assert downgrade.error is not None and said in downgrade.error

    for outcome in (upgrade, downgrade):
        assert "Traceback" not in (outcome.error or "")
        assert "\n" not in (outcome.error or "")
    assert log == [], "a refused handshake is the client's business, not a lab warning"
