"""The lab's edge-case options in-process (httpx.ASGITransport): Location forms, loops, caching."""

from __future__ import annotations

import pytest
from lab_app import BASE, in_process

from tutor.lab.app import LabApp
from tutor.lab.journal import Journal

OTHER = "http://lab.test:9999"


@pytest.fixture
async def client():
    async with in_process(origins=(BASE, OTHER)) as client:
        yield client


async def test_no_location(client):
    response = await client.post(
        "/redirect/307?location=none&chain=c1-0000000000000000000", content=b"a=1"
    )
    assert response.status_code == 307
    assert "location" not in response.headers
    assert "no Location" in response.text


async def test_relative_and_absolute_location(client):
    relative = await client.get("/redirect/302?location=relative&chain=c1-0000000000000000000")
    assert relative.headers["location"] == "../echo?chain=c1-0000000000000000000"
    absolute = await client.get("/redirect/302?location=absolute&chain=c1-0000000000000000000")
    assert absolute.headers["location"] == f"{BASE}/echo?chain=c1-0000000000000000000"


async def test_a_loop_points_back_to_itself(client):
    response = await client.get("/redirect/308?loop=1&chain=c1-0000000000000000000")
    assert response.headers["location"] == "/redirect/308?loop=1&chain=c1-0000000000000000000"


async def test_another_origin_is_the_other_listener(client):
    response = await client.get("/redirect/307?origin=other&chain=c1-0000000000000000000")
    assert response.headers["location"] == f"{OTHER}/echo?chain=c1-0000000000000000000"


async def test_another_origin_needs_a_second_listener():
    async with in_process() as client:
        response = await client.get("/redirect/307?origin=other")
    assert response.status_code == 400
    assert "second listener" in response.text


async def test_cache_control_by_request(client):
    default = await client.get("/redirect/301")
    assert default.headers["cache-control"] == "no-store"
    heuristic = await client.get("/redirect/301?cache=none")
    assert "cache-control" not in heuristic.headers
    fresh = await client.get("/redirect/307?cache=max-age=3600")
    assert fresh.headers["cache-control"] == "max-age=3600"


@pytest.mark.parametrize(
    "query", ["cache=forever", "cache=max-age=1;x", "location=weird", "origin=evil"]
)
async def test_bad_options_are_a_readable_400(client, query):
    response = await client.get(f"/redirect/307?{query}")
    assert response.status_code == 400
    assert "location" not in response.headers


async def test_a_fragment_in_to_stays_after_the_chain(client):
    response = await client.get(
        "/redirect/302", params={"to": "/page/fragment#own", "chain": "c1-0000000000000000000"}
    )
    assert response.headers["location"] == "/page/fragment?chain=c1-0000000000000000000#own"


@pytest.mark.parametrize("path", ["/client/browser", "/page/fragment"])
async def test_browser_pages(client, path):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<script>" in response.text


@pytest.mark.parametrize(
    ("path", "locations"),
    [
        ("/redirect/302?location=relative", ["../echo?chain=c1-0000000000000000000"]),
        ("/redirect/302?location=dots", ["../../../echo?chain=c1-0000000000000000000"]),
        (
            "/s/ann/redirect/302?location=dots",
            ["../../../../../s/ann/echo?chain=c1-0000000000000000000"],
        ),
        ("/redirect/302?location=query", ["?chain=c1-0000000000000000000"]),
        (
            "/redirect/302?location=query&to=/page/fragment",
            ["?to=%2Fpage%2Ffragment&chain=c1-0000000000000000000"],
        ),
        (
            "/redirect/302?location=twice",
            ["/echo?chain=c1-0000000000000000000&n=1", "/echo?n=2&chain=c1-0000000000000000000"],
        ),
        ("/redirect/302?location=spaces", ["/echo?chain=c1-0000000000000000000&note=not a URI"]),
    ],
)
async def test_location_forms(path, locations):
    """Each form as a server may write it (RFC 3986 §5.2, RFC 9110 §10.2.2); two fields are
    journaled as the one value a recipient that combines them sees (RFC 9110 §5.3)."""
    journal = Journal()
    status, headers = await _answer(LabApp(journal), f"{path}&chain=c1-0000000000000000000")
    assert status == 302
    assert [value for name, value in headers if name == "location"] == locations
    assert journal.recent()[-1].location == ", ".join(locations)


async def test_an_invalid_location_is_no_uri_at_all():
    """Its port is not a number: no client can parse it, and none reaches another host."""
    status, headers = await _answer(
        LabApp(Journal()), "/redirect/307?location=invalid&chain=c1-0000000000000000000"
    )
    assert (status, dict(headers)["location"]) == (
        307,
        "http://lab.test:invalid/echo?chain=c1-0000000000000000000",
    )


async def _answer(app: LabApp, target: str) -> tuple[int, list[tuple[str, str]]]:
    """The status and headers the app answers a GET of `target` with, straight from ASGI (an
    HTTP client would try to parse a Location the lab writes wrong on purpose)."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", b"lab.test")],
    }
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    pairs = start["headers"]
    assert isinstance(pairs, list) and isinstance(start["status"], int)
    return start["status"], [(name.decode(), value.decode("latin-1")) for name, value in pairs]


def test_a_hop_target_is_what_the_client_made_of_the_location():
    """Decoded, the chain's own token left out: two Location fields joined into one by a
    client read as such."""
    journal = Journal()
    hop = journal.record(
        chain="c1",
        peer="-",
        method="GET",
        path="/s/ann/echo",
        query="chain=c1&n=1,%20/echo?n=2&chain=c1",
        headers=(),
        body=b"",
        body_size=0,
        body_digest="",
        status=200,
    )
    assert hop.target == "/echo?n=1, /echo?n=2"
