"""The lab's edge cases (lessons/edges/), live with every client, judged by the evidence.

Each edge comes from the course, as the Lab screen lists it; every registered client sends it
through one LabSession, and the assertions read what the lab saw (the Evidence of each chain),
never what a client claims. Expected results are written by hand from ../shared/FACTS.md (facts
6, 7, 8, 9, 11, 13-15, 18-22, 29, 32). Where a live client disagrees with FACTS.md, the live
behaviour is asserted and a comment says so. A client that is not installed fails the test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import parse_qsl

import pytest

from tutor.course.loader import load_course
from tutor.experiments import clients
from tutor.experiments.outcome import Outcome
from tutor.lab.server import LabServer
from tutor.session.factory import make_session

EDGES = {edge.id: edge for edge in load_course().edges}
HTTP_LIBRARIES = ("httpx", "requests", "aiohttp", "curl", "curl-x", "curl-post30x", "node")
CREDENTIALS = ("authorization", "cookie")

Outcomes = Mapping[tuple[str, str], Outcome]


@pytest.fixture(scope="module")
def outcomes(lab: LabServer) -> Outcomes:
    """Every edge with every client, run in one batch: (edge id, client) -> outcome."""
    pairs = [(edge, name) for edge in EDGES.values() for name in clients.CLIENT_NAMES]
    with make_session(lab=lab).lab as session:
        ran = session.run_many([replace(edge, **{"client": name}) for edge, name in pairs])
    return {(edge.id, name): outcome for (edge, name), outcome in zip(pairs, ran, strict=True)}


def of(outcomes: Outcomes, edge_id: str) -> dict[str, Outcome]:
    return {name: outcomes[(edge_id, name)] for name in clients.CLIENT_NAMES}


def arrived(outcome: Outcome) -> tuple[str, str] | None:
    """The method and path of the request that reached a target after the redirect."""
    hop = outcome.evidence.arrived
    return None if hop is None else (hop.method, hop.path)


def redirects_asked(outcome: Outcome) -> int:
    """How many times the client asked the lab's redirect itself (not the cache)."""
    return sum(hop.path.startswith("/redirect/") for hop in outcome.hops)


def test_the_course_has_the_labs_edges():
    assert len(EDGES) == 20
    missing = [name for name in clients.CLIENT_NAMES if name not in clients.installed()]
    assert not missing, f"not installed here: {missing} (.ci/run installs them)"


def test_every_edge_has_a_lab_route_that_answers(outcomes):
    for edge_id in EDGES:
        outcome = outcomes[(edge_id, "httpx")]
        assert outcome.hops, edge_id
        assert outcome.hops[0].path.startswith("/redirect/")


DEPARTURES = {
    # Measured live, where a client does not do what the edge's `expect` says every client
    # does; what each did instead is asserted in test_where_a_client_departs_from_an_edge.
    # OpenJDK 17.0.15: java.net.URI resolves by RFC 2396, not 3986: it keeps the '..' that climb
    # above the root ("/../../echo", URI.normalize keeps a leading '..'), and a Location that is
    # a query alone replaces the last segment of the path ("/redirect/?chain=...").
    ("dots-location", "java"),
    ("query-location", "java"),
    # OpenJDK 17.0.15 refuses to follow: URI.create throws on the space (IllegalArgumentException).
    ("spaces-location", "java"),
}


@pytest.mark.parametrize("edge_id", [edge.id for edge in EDGES.values() if edge.expect])
def test_what_an_edge_expects_holds_for_every_client(outcomes, edge_id):
    """An edge's `expect` is shown whatever client the learner picks: it must hold for all, but
    the departures measured above."""
    expect = EDGES[edge_id].expect
    assert expect is not None
    for name, outcome in of(outcomes, edge_id).items():
        if (edge_id, name) in DEPARTURES:
            assert expect.mismatches(outcome.evidence) != [], f"{name} now does as expected"
            continue
        assert expect.mismatches(outcome.evidence) == [], name


def test_where_a_client_departs_from_an_edge(outcomes):
    """What each departure in DEPARTURES did, as the lab saw it."""
    dots = outcomes[("dots-location", "java")]
    assert [(hop.target, hop.status) for hop in dots.hops][1:] == [("/../../echo", 404)]
    query = outcomes[("query-location", "java")]
    assert [(hop.route, hop.status) for hop in query.hops] == [
        ("/redirect/302", 302),
        ("/redirect/", 400),
    ]
    assert query.hops[1].target.startswith("/redirect/")
    # Go 1.19.8 follows, as the edge expects, but puts the spaces raw in its request line
    # ("GET /echo?...&note=not a URI HTTP/1.1"): the lab's HTTP parser answers that 400, and
    # the journal keeps it as a request the parser rejected, in the chain it followed.
    go = outcomes[("spaces-location", "go")]
    assert [(hop.status, bool(hop.rejected)) for hop in go.hops] == [(302, False), (400, True)]
    assert go.evidence.arrived is go.hops[1]
    java = outcomes[("spaces-location", "java")]
    assert [hop.status for hop in java.hops] == [302]
    assert "IllegalArgumentException: Illegal character in query" in (java.error or "")


def test_a_3xx_without_location_is_not_followed(outcomes):
    """Fact 6 and 13: valid HTTP, and nothing follows it; a browser takes the 307 as the answer."""
    seen = of(outcomes, "no-location")
    for name, outcome in seen.items():
        assert outcome.evidence.arrived is None, name
        assert outcome.evidence.requests == 1, name
        assert outcome.hops[-1].status == 307, name
    for name in (*HTTP_LIBRARIES, "chromium-fetch", "chromium-form"):
        assert seen[name].error is None, name
        assert seen[name].verdict.kind == "not_followed", name
    for name in ("firefox-fetch", "firefox-form", "go"):
        assert seen[name].error is None, name
        assert seen[name].verdict.kind == "not_followed", name
    # OpenJDK 17.0.15 throws for a 3xx without Location (measured).
    assert seen["java"].error == "IOException: java.io.IOException: Invalid redirection"
    # urllib and wget call it an error (urllib already refuses a POST on 307, fact 20).
    assert "HTTPError: HTTP Error 307" in (seen["urllib"].error or "")
    assert "Redirection (307) without location" in (seen["wget"].error or "")


@pytest.mark.parametrize("edge_id", ["relative-location", "absolute-location"])
def test_relative_and_absolute_locations_both_arrive(outcomes, edge_id):
    """Fact 7: relative references are valid and resolve against the request URI."""
    assert {arrived(outcome) for outcome in of(outcomes, edge_id).values()} == {("GET", "/echo")}
    location = outcomes[(edge_id, "httpx")].hops[0].location
    assert location is not None
    if edge_id == "relative-location":
        assert location.startswith("../echo?chain=")
    else:
        assert location.startswith("http://127.0.0.1:") and "/echo?chain=" in location


def test_only_a_browser_shows_the_fragment_inherited(outcomes):
    """Fact 7: the fragment crosses the redirect, never reaching a server: only a page sees it.

    The page reports the fragment it kept in the query of one more request, to /echo/fragment
    (the hop table shows that request, not its query: the value is checked here).
    """
    seen = of(outcomes, "fragment")
    reports = {
        name: [hop for hop in outcome.hops if hop.path == "/echo/fragment"]
        for name, outcome in seen.items()
    }
    for browser in ("chromium-form", "firefox-form"):
        (report,) = reports[browser]
        assert dict(parse_qsl(report.query)).get("fragment") == "#section-2", browser
        assert arrived(seen[browser]) == ("GET", "/echo/fragment"), browser
    for name in (
        *HTTP_LIBRARIES,
        "urllib",
        "wget",
        "chromium-fetch",
        "firefox-fetch",
        "go",
        "java",
    ):
        assert reports[name] == [], name  # no page ran to report a fragment
        assert arrived(seen[name]) == ("GET", "/page/fragment"), name
        assert all("section-2" not in hop.query for hop in seen[name].hops), name


def test_each_client_has_its_own_loop_limit(outcomes):
    seen = of(outcomes, "loop")
    followed = {name: outcome.evidence.requests - 1 for name, outcome in seen.items()}
    assert followed == (
        {
            "httpx": 20,  # fact 18
            "requests": 30,  # fact 19
            # Live, against fact 22's "limit 10": aiohttp 3.14 raises when the 10th redirect
            # arrives, so it follows 9.
            "aiohttp": 9,
            # Live, against fact 20's "10": the same URL again and again trips urllib's other
            # limit first, max_repeats = 4.
            "urllib": 4,
            "curl": 50,  # fact 11
            "curl-x": 50,
            "curl-post30x": 50,
            "wget": 20,  # not in FACTS.md; wget's --max-redirect default
            "node": 20,  # fact 11, Fetch
            "chromium-fetch": 20,
            # Live: a navigation makes one request fewer than fetch() (19 redirects followed);
            # its frame then shows an error page, and the lab sees nothing more.
            "chromium-form": 19,
            # Measured with Firefox 153.8.0esr: network.http.redirection-limit, 20, for fetch()
            # and for a navigation alike.
            "firefox-fetch": 20,
            "firefox-form": 20,
            # Go 1.19.8: the default CheckRedirect stops when 10 requests have been made
            # ("stopped after 10 redirects"), so 9 redirects are followed.
            "go": 9,
            # OpenJDK 17.0.15: jdk.httpclient.redirects.retrylimit, 5 by default; measured,
            # 5 requests, then the client hands the 302 back without an error.
            "java": 4,
        }
    )
    for outcome in seen.values():
        assert outcome.evidence.arrived is None
        assert all(hop.is_redirect for hop in outcome.hops)
    said = {name: outcome.error or "" for name, outcome in seen.items()}
    assert "TooManyRedirects" in said["httpx"]
    assert "Maximum (50) redirects followed" in said["curl"]
    assert "redirect count exceeded" in said["node"]
    assert "stopped after 10 redirects" in said["go"]
    assert said["java"] == ""


def test_a_302_then_a_307(outcomes):
    """Each hop follows its own code: the chain's story tells the method and body of each hop."""
    seen = of(outcomes, "chain-302-307")
    to_get = (
        "POST /redirect/302 (8 bytes) → 302 → GET /redirect/307 (no body) → 307"
        " → GET /echo (no body) → 200"
    )
    for name in (
        "httpx",
        "requests",
        "aiohttp",
        "urllib",
        "curl",
        "wget",
        "node",
        "chromium-fetch",
        "firefox-fetch",
        "java",
    ):
        assert seen[name].evidence.story == to_get, name
        assert seen[name].evidence.requests == 3, name
    assert seen["curl-x"].evidence.story == (
        "POST /redirect/302 (8 bytes) → 302 → POST /redirect/307 (no body) → 307"
        " → POST /echo (no body) → 200"
    )
    assert seen["curl-x"].verdict.kind == "body_dropped"
    # Go 1.19.8, live: the 302 makes a body-less GET, then the 307 puts the first POST's body on
    # that GET: net/http/client.go takes the body to send again from the first request
    # (`ireq.GetBody()`, line 662), whatever the hop before did with it.
    assert seen["go"].evidence.story == (
        "POST /redirect/302 (8 bytes) → 302 → GET /redirect/307 (no body) → 307"
        " → GET /echo (8 bytes) → 200"
    )
    assert seen["curl-post30x"].verdict.kind == "kept"


def test_credentials_across_origins(outcomes):
    """Fact 8, 15, 18, 19, 21, 22: who carries Authorization and Cookie to another origin."""
    seen = of(outcomes, "other-origin")

    def credentials(outcome: Outcome) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The credentials that crossed to the other origin, and those dropped on the way."""
        evidence = outcome.evidence
        crossed = {name.lower() for name in evidence.crossed}
        dropped = {name.lower() for name in evidence.dropped}
        return (
            tuple(name for name in CREDENTIALS if name in crossed),
            tuple(name for name in CREDENTIALS if name in dropped),
        )

    without = ((), CREDENTIALS)
    carrying = (CREDENTIALS, ())
    assert {name: credentials(outcome) for name, outcome in seen.items()} == (
        {
            "httpx": without,
            "requests": without,
            "aiohttp": without,
            # Not in FACTS.md, live: urllib and wget carry both to another port of the same host.
            "urllib": carrying,
            "curl": without,
            "curl-x": without,
            "curl-post30x": without,
            "wget": carrying,
            "node": without,
            # Cookie is a forbidden header for fetch(): the page cannot even send it, so only
            # Authorization left the client, and was dropped.
            "chromium-fetch": ((), ("authorization",)),
            # An HTML form cannot add request headers: nothing was sent at all.
            "chromium-form": ((), ()),
            # Firefox 153.8.0esr, the same as Chromium (and a CORS preflight, OPTIONS, to the
            # other origin before the GET: the lab saw three requests).
            "firefox-fetch": ((), ("authorization",)),
            "firefox-form": ((), ()),
            # Go 1.19.8 copies both only to the host:port it was given (shouldCopyHeaderOnRedirect).
            "go": without,
            # OpenJDK 17.0.15 HttpClient carries both to another origin, measured.
            "java": carrying,
        }
    )
    for name, outcome in seen.items():
        if name in ("chromium-form", "firefox-form"):
            continue
        first, target = outcome.evidence.first, outcome.evidence.arrived
        assert first is not None and target is not None, name
        assert target.method == "GET", name
        assert target.header("host") != first.header("host"), f"{name} stayed on the origin"
    for browser in ("chromium", "firefox"):
        first = seen[f"{browser}-fetch"].evidence.first
        assert first is not None and first.header("cookie") is None  # never left the client
        form = seen[f"{browser}-form"]
        assert form.hops == ()
        assert form.verdict.kind == "not_expressible"
        assert form.error == "an HTML form cannot add request headers"
    preflight = [hop.method for hop in seen["firefox-fetch"].hops]
    assert preflight == ["GET", "OPTIONS", "GET"]


def test_a_stream_cannot_be_replayed_on_307_but_crosses_303(outcomes):
    """Fact 14, 18, 32: a 307 must replay the body; a 303 does not."""
    on_307 = of(outcomes, "stream-307")
    on_303 = of(outcomes, "stream-303")
    for name in ("httpx", "aiohttp", "urllib", "curl", "curl-x", "curl-post30x", "node"):
        assert on_307[name].verdict.kind == "refused", name
        assert on_307[name].evidence.arrived is None, name
    for name in ("aiohttp", "urllib", "curl", "curl-x", "curl-post30x", "node"):
        assert len(on_307[name].hops) == 1, name
    assert "(65)" in (on_307["curl"].error or "")
    # httpx sends the second POST's headers (Authorization would be among them), then raises
    # StreamConsumed and hangs up: the lab journals that request as cut short, not as nothing.
    httpx = on_307["httpx"]
    assert "StreamConsumed" in (httpx.error or "")
    cut = httpx.evidence.abandoned
    assert cut is not None and (cut.method, cut.route, cut.body_size) == ("POST", "/echo", 0)
    assert cut.header("transfer-encoding") == "chunked"
    assert httpx.verdict.text == (
        "Refused at the 307: the client sent the POST's headers again, then hung up before the body"
    )
    # Live, against fact 32 ("streams fail in every client"): requests re-sends the POST with
    # an empty body instead of failing.
    assert on_307["requests"].verdict.kind == "body_dropped"
    assert arrived(on_307["requests"]) == ("POST", "/echo")
    assert on_307["requests"].evidence.body_intact is False
    # Chromium streams a request body only over HTTP/2: over the lab's HTTP/1.1 fetch() fails
    # before anything is sent, whatever the redirect.
    assert on_307["chromium-fetch"].hops == ()
    assert on_303["chromium-fetch"].hops == ()
    for name in ("httpx", "requests", "aiohttp", "urllib", "node"):
        assert arrived(on_303[name]) == ("GET", "/echo"), name
    # curl streams a POST only as `-X POST -T -`, and -X keeps the method word on a 303: the
    # POST arrives without its body (fact 21's trap, live).
    assert on_303["curl"].verdict.kind == "body_dropped"
    assert on_307["wget"].verdict.kind == "not_expressible"
    # Go 1.19.8: a reader without GetBody cannot be sent again, so net/http hands the 307 back
    # (client.go redirectBehavior), no error; a 303 drops the body and arrives as GET.
    assert on_307["go"].verdict.kind == "not_followed"
    assert (len(on_307["go"].hops), on_307["go"].error) == (1, None)
    # OpenJDK 17.0.15, measured: the body publisher hands out the same spent InputStream again,
    # and the client re-sends the POST with an empty chunked body, as requests does.
    assert on_307["java"].verdict.kind == "body_dropped"
    assert arrived(on_307["java"]) == ("POST", "/echo")
    for name in ("go", "java"):
        assert arrived(on_303[name]) == ("GET", "/echo"), name
    # Firefox 153.8.0esr has no streamed request bodies: fetch() turns the ReadableStream into
    # the text "[object ReadableStream]" and sends that, and the evidence says it was not asked.
    firefox = on_307["firefox-fetch"]
    assert [hop.body for hop in firefox.hops] == [b"[object ReadableStream]"] * 2
    assert "not the POST with 8 bytes asked for" in firefox.verdict.text
    assert arrived(on_303["firefox-fetch"]) == ("GET", "/echo")


def test_head_stays_head_on_303_in_fetch_and_most_libraries(outcomes):
    """Fact 3 and 29: RFC 9110 allows GET or HEAD after a 303; keeping HEAD is Fetch's rule."""
    seen = of(outcomes, "head-303")
    for name in (*HTTP_LIBRARIES, "wget", "chromium-fetch", "firefox-fetch", "go"):
        assert arrived(seen[name]) == ("HEAD", "/echo"), name
    # Live, not in FACTS 20: urllib re-sends every followed HEAD as GET (conformant too).
    assert arrived(seen["urllib"]) == ("GET", "/echo")
    # Live: OpenJDK 17.0.15's HttpClient turns every method into GET on a 303, HEAD too.
    assert arrived(seen["java"]) == ("GET", "/echo")


def test_only_the_browser_caches_redirects(outcomes):
    """Fact 9: 301 and 308 heuristically cacheable; 307 only with explicit freshness.

    Two GETs of a redirect the client asks for each time are four requests; when the second
    redirect comes from the client's cache, the lab sees three.
    """
    cached, asked_twice = (1, 3), (2, 4)
    for edge_id, browser in [
        ("cache-301", cached),
        ("cache-308", cached),
        ("cache-307", asked_twice),
        ("cache-307-max-age", cached),
    ]:
        seen = {
            name: (redirects_asked(outcome), outcome.evidence.requests)
            for name, outcome in of(outcomes, edge_id).items()
        }
        for name in ("chromium-fetch", "chromium-form"):
            assert seen[name] == browser, (edge_id, name)
        for name in (*HTTP_LIBRARIES, "urllib", "wget", "go", "java"):
            assert seen[name] == asked_twice, (edge_id, name)
        # Measured with Firefox 153.8.0esr (a fresh profile): it reuses only the 307 that says
        # max-age, and asks for the 301 and 308 again; the heuristic caching Chromium does is a
        # "may" (RFC 9111 §4.2.2).
        for name in ("firefox-fetch", "firefox-form"):
            expected = cached if edge_id == "cache-307-max-age" else asked_twice
            assert seen[name] == expected, (edge_id, name)
        for name, outcome in of(outcomes, edge_id).items():
            assert arrived(outcome) == ("GET", "/echo"), (edge_id, name)
    first = outcomes[("cache-301", "httpx")].hops[0]
    assert first.status == 301


def test_relative_references_resolve_alike_in_every_client(outcomes):
    """RFC 3986 §5.2: a relative Location, one with more '..' than levels, a query alone."""
    for edge_id, requests in [
        ("relative-location", 2),
        ("dots-location", 2),
        ("query-location", 3),
    ]:
        for name, outcome in of(outcomes, edge_id).items():
            if (edge_id, name) in DEPARTURES:  # Java resolves by RFC 2396: see DEPARTURES
                continue
            assert outcome.evidence.requests == requests, (edge_id, name)
            hop = outcome.evidence.arrived
            assert hop is not None and hop.target == "/echo", (edge_id, name)
    again = outcomes[("query-location", "httpx")].hops[1]
    assert (again.route, again.target) == ("/redirect/302", "/redirect/302")


def test_two_location_fields_split_the_clients(outcomes):
    """RFC 9110 §10.2.2's note, live: recovery is not interoperable. Measured here: urllib,
    aiohttp, curl and wget follow the first field; httpx, requests and Node's fetch join both
    with a comma (the combined value of RFC 9110 §5.2) and follow that; Chromium refuses."""
    seen = of(outcomes, "twice-location")
    first = seen["httpx"].hops[0]
    assert first.location is not None and first.location.count("/echo?") == 2
    targets = {
        name: (None if outcome.evidence.arrived is None else outcome.evidence.arrived.target)
        for name, outcome in seen.items()
    }
    for name in ("urllib", "aiohttp", "curl", "curl-x", "curl-post30x", "wget"):
        assert targets[name] == "/echo?n=1", name
    for name in ("httpx", "requests", "node"):
        assert targets[name] == "/echo?n=1, /echo?n=2", name
    assert (targets["chromium-fetch"], targets["chromium-form"]) == (None, None)
    assert seen["chromium-fetch"].error == "fetch() rejected with TypeError: Failed to fetch"
    # Measured: Go 1.19.8 (Header.Get) and OpenJDK 17.0.15 follow the first field; Firefox
    # 153.8.0esr refuses, as Chromium does.
    for name in ("go", "java"):
        assert targets[name] == "/echo?n=1", name
    assert (targets["firefox-fetch"], targets["firefox-form"]) == (None, None)
    assert seen["firefox-fetch"].error == (
        "fetch() rejected with TypeError: NetworkError when attempting to fetch resource."
    )


def test_an_invalid_location_stops_every_client_with_its_own_error(outcomes):
    seen = of(outcomes, "invalid-location")
    for name in (*HTTP_LIBRARIES, "urllib", "wget", "chromium-fetch"):
        assert seen[name].error, name
        assert seen[name].evidence.requests == 1, name
    assert "Invalid port" in (seen["httpx"].error or "")
    assert "nonnumeric port" in (seen["urllib"].error or "")
    assert "(3)" in (seen["curl"].error or "")
    for name in ("go", "java", "firefox-fetch"):
        assert seen[name].error, name
        assert seen[name].evidence.requests == 1, name
    assert 'invalid port ":invalid" after host' in (seen["go"].error or "")
    assert "hostname can't be null" in (seen["java"].error or "")


def test_a_304_is_no_redirect_to_follow_but_curl_follows_it(outcomes):
    """RFC 9110 §15.4.5: a 304 points at a stored copy. Live: curl -L follows its Location
    (fact 21); every other client stops, and the verdict does not call it a missing Location."""
    seen = of(outcomes, "not-modified-304")
    for name in ("curl", "curl-x", "curl-post30x"):
        assert arrived(seen[name]) == ("GET", "/echo"), name
        assert "followed a 304's Location" in seen[name].verdict.text, name
    for name in (
        *("httpx", "requests", "aiohttp", "urllib", "node", "wget", "chromium-fetch"),
        *("firefox-fetch", "firefox-form", "go", "java"),
    ):
        assert seen[name].evidence.arrived is None, name
        assert seen[name].verdict.text.startswith("Stopped at the 304, no redirect to follow"), name
