"""The lab's CORS answers, in-process (httpx.ASGITransport): preflights allowed and journaled,
every Origin reflected, `?cors=none` a server that knows nothing of CORS (WHATWG Fetch §3.3)."""

from __future__ import annotations

import pytest
from lab_app import in_process

from tutor.lab.cors import is_preflight
from tutor.lab.evidence import Evidence
from tutor.lab.journal import Journal

PAGE = "http://127.0.0.1:8307"
PREFLIGHT = {"Origin": PAGE, "Access-Control-Request-Method": "PUT"}


@pytest.fixture
def journal() -> Journal:
    return Journal()


@pytest.fixture
async def client(journal: Journal):
    async with in_process(journal) as client:
        yield client


@pytest.mark.parametrize(
    "route",
    [
        "/echo?chain=c1-0000000000000000000",
        "/redirect/307?chain=c1-0000000000000000000",
        "/nowhere",
    ],
)
async def test_a_preflight_on_any_route_is_allowed_with_what_it_asked(client, journal, route):
    headers = {**PREFLIGHT, "Access-Control-Request-Headers": "content-type,x-lesson"}
    response = await client.options(route, headers=headers)
    assert response.status_code == 200
    assert "location" not in response.headers  # a preflight is never redirected
    assert response.headers["access-control-allow-origin"] == PAGE
    assert response.headers["access-control-allow-methods"] == "PUT"
    assert response.headers["access-control-allow-headers"] == "content-type,x-lesson"
    assert response.headers["access-control-max-age"] == "0"
    assert response.headers["vary"] == "Origin"
    [hop] = journal.recent(1)
    assert (hop.method, hop.status, hop.header("access-control-request-method")) == (
        "OPTIONS",
        200,
        "PUT",
    )


async def test_a_preflight_keeps_its_chain(client, journal):
    await client.options("/echo?chain=c1-0000000000000000000", headers=PREFLIGHT)
    await client.put("/echo?chain=c1-0000000000000000000", content=b"a=1", headers={"Origin": PAGE})
    assert [hop.method for hop in journal.chain("c1-0000000000000000000")] == ["OPTIONS", "PUT"]


@pytest.mark.parametrize("origin", [PAGE, "null"])
@pytest.mark.parametrize("route", ["/echo", "/redirect/307", "/redirect/999", "/"])
async def test_every_answer_to_a_request_with_an_origin_lets_that_origin_read_it(
    client, origin, route
):
    response = await client.get(route, headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-methods" not in response.headers  # only a preflight's answer


async def test_no_origin_no_cors_headers(client):
    response = await client.get("/redirect/307")
    assert not [name for name in response.headers if name.startswith("access-control-")]
    assert "vary" not in response.headers


async def test_an_options_without_access_control_request_method_is_an_ordinary_request(
    client, journal
):
    response = await client.options("/echo?chain=c1-0000000000000000000", headers={"Origin": PAGE})
    assert response.status_code == 200
    assert response.json()["method"] == "OPTIONS"  # the echo answered: not a preflight
    assert "access-control-allow-methods" not in response.headers


async def test_cors_none_is_a_server_that_knows_nothing_of_cors(client, journal):
    preflight = await client.options(
        "/echo?cors=none&chain=c1-0000000000000000000", headers=PREFLIGHT
    )
    assert preflight.json()["method"] == "OPTIONS"  # the route answered, like any request
    assert not [name for name in preflight.headers if name.startswith("access-control-")]
    redirect = await client.options(
        "/redirect/307?cors=none&chain=c2-0000000000000000000", headers=PREFLIGHT
    )
    assert redirect.status_code == 307
    assert "access-control-allow-origin" not in redirect.headers
    get = await client.get("/echo?cors=none", headers={"Origin": PAGE})
    assert "access-control-allow-origin" not in get.headers
    assert [hop.method for hop in journal.chain("c1-0000000000000000000")] == ["OPTIONS"]


async def test_a_redirect_keeps_cors_none_for_its_target(client):
    response = await client.get(
        "/redirect/307", params={"to": "/echo?cors=none", "chain": "c1-0000000000000000000"}
    )
    assert response.headers["location"] == "/echo?cors=none&chain=c1-0000000000000000000"


async def test_the_echo_judges_a_chain_without_its_preflight(client):
    await client.put(
        "/redirect/307?chain=c1-0000000000000000000", content=b"a=1", headers={"Origin": PAGE}
    )
    await client.options("/echo?chain=c1-0000000000000000000", headers=PREFLIGHT)
    echo = await client.put(
        "/echo?chain=c1-0000000000000000000", content=b"a=1", headers={"Origin": PAGE}
    )
    assert echo.json()["verdict"] == "PUT kept, body intact (3 bytes)"
    assert [hop["method"] for hop in echo.json()["chain"]] == ["PUT", "OPTIONS", "PUT"]


async def test_evidence_counts_preflights_and_never_takes_one_for_the_arrival(client, journal):
    await client.put(
        "/redirect/307?chain=c1-0000000000000000000", content=b"a=1", headers={"Origin": PAGE}
    )
    await client.options("/echo?chain=c1-0000000000000000000", headers=PREFLIGHT)
    stopped = Evidence.of_chain(journal.chain("c1-0000000000000000000"), error="fetch() rejected")
    assert (stopped.arrived, stopped.preflights, stopped.requests) == (None, 1, 2)
    refused = "Refused after the 307: only the CORS preflight reached the target"
    assert stopped.verdict.text == refused
    await client.put("/echo?chain=c1-0000000000000000000", content=b"a=1", headers={"Origin": PAGE})
    arrived = Evidence.of_chain(journal.chain("c1-0000000000000000000"))
    assert arrived.arrived is not None and arrived.arrived.method == "PUT"
    assert (arrived.preflights, arrived.requests, arrived.body_intact) == (1, 3, True)


@pytest.mark.parametrize(
    ("method", "headers", "preflight"),
    [
        ("OPTIONS", [("Access-Control-Request-Method", "PUT")], True),
        ("OPTIONS", [("access-control-request-method", "")], True),
        ("OPTIONS", [("Origin", PAGE)], False),
        ("PUT", [("Access-Control-Request-Method", "PUT")], False),
    ],
)
def test_is_preflight_is_fetchs_definition(method, headers, preflight):
    assert is_preflight(method, headers) is preflight
