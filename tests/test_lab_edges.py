"""The lab's edge-case options in-process (httpx.ASGITransport): Location forms, loops, caching."""

from __future__ import annotations

import httpx
import pytest

from tutor.lab.app import LabApp
from tutor.lab.journal import Journal

BASE = "http://lab.test"
OTHER = "http://lab.test:9999"


@pytest.fixture
async def client():
    app = LabApp(Journal(), origins=(BASE, OTHER))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


async def test_no_location(client):
    response = await client.post("/redirect/307?location=none&chain=c1", content=b"a=1")
    assert response.status_code == 307
    assert "location" not in response.headers
    assert "no Location" in response.text


async def test_relative_and_absolute_location(client):
    relative = await client.get("/redirect/302?location=relative&chain=c1")
    assert relative.headers["location"] == "../echo?chain=c1"
    absolute = await client.get("/redirect/302?location=absolute&chain=c1")
    assert absolute.headers["location"] == f"{BASE}/echo?chain=c1"


async def test_a_loop_points_back_to_itself(client):
    response = await client.get("/redirect/308?loop=1&chain=c1")
    assert response.headers["location"] == "/redirect/308?loop=1&chain=c1"


async def test_another_origin_is_the_other_listener(client):
    response = await client.get("/redirect/307?origin=other&chain=c1")
    assert response.headers["location"] == f"{OTHER}/echo?chain=c1"


async def test_another_origin_needs_a_second_listener():
    app = LabApp(Journal())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
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
    response = await client.get("/redirect/302", params={"to": "/page/fragment#own", "chain": "c1"})
    assert response.headers["location"] == "/page/fragment?chain=c1#own"


@pytest.mark.parametrize("path", ["/client/browser", "/page/fragment"])
async def test_browser_pages(client, path):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<script>" in response.text
