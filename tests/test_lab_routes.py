"""The lab app in-process (httpx.ASGITransport): routes, chain tokens, limits, the journal."""

from __future__ import annotations

import json

import httpx
import pytest
from lab_app import BASE, in_process

from tutor.lab.bounds import Bounds
from tutor.lab.journal import Journal


@pytest.fixture
def journal() -> Journal:
    return Journal()


@pytest.fixture
async def client(journal: Journal):
    async with in_process(journal) as client:
        yield client


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
async def test_redirect_answers_code_with_location_carrying_the_chain(client, code):
    response = await client.post(f"/redirect/{code}", content=b"a=1")
    assert response.status_code == code
    token = response.headers["x-redirect-tutor-chain"]
    assert response.headers["location"] == f"/echo?chain={token}"


async def test_given_chain_token_is_kept(client):
    response = await client.get("/redirect/307?chain=student-7-000000000000")
    assert response.headers["location"] == "/echo?chain=student-7-000000000000"


async def test_to_targets_another_lab_path_and_keeps_its_query(client):
    response = await client.get(
        "/redirect/302", params={"to": "/echo/orders?x=1", "chain": "c1-0000000000000000000"}
    )
    assert response.headers["location"] == "/echo/orders?x=1&chain=c1-0000000000000000000"


async def test_absolute_location_on_the_same_host_is_allowed(client):
    response = await client.get(
        "/redirect/301", params={"to": f"{BASE}/echo", "chain": "c1-0000000000000000000"}
    )
    assert response.status_code == 301
    assert response.headers["location"] == f"{BASE}/echo?chain=c1-0000000000000000000"


@pytest.mark.parametrize(
    "target",
    ["http://evil.example/", "//evil.example/x", "https://evil.example", "/\\evil.example"],
)
async def test_other_hosts_are_refused_no_open_redirect(client, target):
    response = await client.get("/redirect/307", params={"to": target})
    assert response.status_code == 400
    assert "no open redirects" in response.text
    assert "location" not in response.headers


async def test_to_must_be_a_path(client):
    response = await client.get("/redirect/307", params={"to": "echo"})
    assert response.status_code == 400
    assert "starting with '/'" in response.text


@pytest.mark.parametrize("code", ["200", "404", "400", "299", "abc", ""])
async def test_codes_outside_3xx_are_a_readable_400(client, code):
    response = await client.get(f"/redirect/{code}")
    assert response.status_code == 400
    assert "300 to 399" in response.text


async def test_echo_reports_the_whole_chain_and_a_verdict(client):
    response = await client.post("/redirect/307", content=b"name=ada", follow_redirects=True)
    document = response.json()
    assert document["method"] == "POST"
    assert document["body"] == "name=ada"
    assert [hop["path"] for hop in document["chain"]] == ["/redirect/307", "/echo"]
    assert [hop["status"] for hop in document["chain"]] == [307, 200]
    assert document["verdict"] == "POST kept, body intact (8 bytes)"


async def test_echo_after_302_says_post_became_get(client):
    response = await client.post("/redirect/302", content=b"name=ada", follow_redirects=True)
    assert response.json()["verdict"] == "POST became GET, body dropped"


async def test_chains_mix_codes_through_to(client):
    response = await client.post(
        "/redirect/302", params={"to": "/redirect/307"}, content=b"a=1", follow_redirects=True
    )
    chain = response.json()["chain"]
    assert [(hop["method"], hop["status"]) for hop in chain] == [
        ("POST", 302),
        ("GET", 307),
        ("GET", 200),
    ]


async def test_echo_without_a_redirect_says_so(client):
    response = await client.put("/echo", content=b"x")
    assert response.json()["verdict"].startswith("No redirect")


async def test_head_gets_headers_and_no_body(client):
    response = await client.head("/redirect/303")
    assert response.status_code == 303
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


async def test_body_over_one_mib_is_413(client, journal):
    response = await client.post("/echo", content=b"x" * (Bounds().body + 1))
    assert response.status_code == 413
    hop = journal.recent(1)[0]
    assert (hop.status, hop.body_size) == (413, 0)  # its Content-Length said so: none was read


async def test_streamed_body_over_one_mib_is_413(client, journal):
    async def chunks():
        for _ in range(17):
            yield b"x" * 65536

    response = await client.post("/echo", content=chunks())
    assert response.status_code == 413
    hop = journal.recent(1)[0]
    assert hop.status == 413
    assert hop.body_size > Bounds().body  # journaled with what came, not as no body


async def test_body_of_exactly_one_mib_is_accepted(client, journal):
    response = await client.post("/echo", content=b"x" * Bounds().body)
    assert response.status_code == 200
    hop = journal.recent(1)[0]
    assert hop.body_size == Bounds().body
    assert len(hop.body) < Bounds().body, "the journal keeps only a capped prefix of each body"


async def test_every_request_is_journaled_even_errors(client, journal):
    await client.get("/nowhere")
    await client.get("/redirect/200")
    await client.get("/")
    assert [(hop.path, hop.status) for hop in journal.recent()] == [
        ("/nowhere", 404),
        ("/redirect/200", 400),
        ("/", 200),
    ]


async def test_index_explains_the_routes(client):
    response = await client.get("/")
    assert "/redirect/{code}" in response.text
    assert "/echo" in response.text


async def test_index_says_which_redirects_a_cache_may_keep_by_heuristic(client):
    """RFC 9110 §15.1: among the 3xx only 300, 301 and 308 are heuristically cacheable."""
    text = " ".join((await client.get("/")).text.split())
    assert "a cache may reuse a 300, 301 or 308 by its own heuristic, and no other 3xx" in text
    assert "(heuristically cacheable)" not in text
    for form in ("relative", "dots", "query", "absolute", "twice", "invalid", "spaces", "none"):
        assert f"?location={form} " in text, form


def test_journal_is_bounded_by_count():
    journal = Journal(Bounds(journal_hops=10))
    for index in range(50):
        _record(journal, f"c{index}", b"")
    assert len(journal) == 10
    assert journal.chain("c0") == []
    assert len(journal.chain("c49")) == 1


def test_journal_is_bounded_by_bytes_kept():
    journal = Journal(Bounds(journal_bytes=100_000))
    for index in range(100):
        hop = _record(journal, f"c{index}", b"y" * 10_000)
    assert journal.bytes_kept <= 100_000
    assert len(journal) == 100_000 // hop.kept_bytes


def test_journal_counts_each_hop_as_its_kept_bytes_headers_cut_or_whole():
    """The journal counts a hop's bytes as it records it; they are what `Hop.kept_bytes` says,
    whether its headers were kept whole or cut at `Bounds.head_kept`."""
    journal = Journal(Bounds(head_kept=400))
    whole = _record(journal, "c", b"a=1", headers=(("a", "1"), ("b", "2")))
    cut = _record(journal, "c", b"", headers=(("a", "1"), ("b", "x" * 500), ("c", "3")))
    assert whole.headers == (("a", "1"), ("b", "2"))
    assert cut.headers == (("a", "1"), ("b", "x" * 197 + "…"))
    assert journal.bytes_kept == whole.kept_bytes + cut.kept_bytes


def test_a_chain_until_a_hop_leaves_out_later_hops_and_other_chains():
    journal = Journal()
    first, second = _record(journal, "c", b""), _record(journal, "c", b"")
    _record(journal, "other", b"")
    _record(journal, "c", b"")
    assert journal.chain_until(second) == [first, second]


def test_journal_listeners_hear_every_hop():
    journal = Journal()
    heard = []
    journal.subscribe(heard.append)
    hop = _record(journal, "c", b"")
    assert heard == [hop]


def test_hop_json_joins_repeated_headers():
    hop = _record(Journal(), "c", b"", headers=(("accept", "a"), ("accept", "b")))
    assert json.loads(json.dumps(hop.to_json()))["headers"] == {"accept": "a, b"}


def _record(journal: Journal, chain: str, body: bytes, headers=()):
    return journal.record(
        chain=chain,
        peer="-",
        method="POST",
        path="/echo",
        query="",
        headers=headers,
        body=body,
        body_size=len(body),
        body_digest="",
        status=200,
    )


async def test_304_has_no_content(client):
    response = await client.get("/redirect/304")
    assert response.status_code == 304
    assert response.content == b""


def test_a_304_leaves_a_kept_alive_connection_usable(lab):
    with httpx.Client() as reused:
        assert reused.get(f"{lab.url}/redirect/304").status_code == 304
        assert reused.get(f"{lab.url}/echo").status_code == 200


async def test_a_students_prefix_holds_whatever_the_path_holds_after_it(client, journal):
    """A decoded path may hold a line break (%0a): it is still under the student's prefix."""
    response = await client.get("/s/bob/echo/x%0Ay")
    assert response.status_code == 200
    [hop] = journal.chain(response.json()["chain_token"])
    assert (hop.student, hop.route) == ("bob", "/echo/x\ny")
