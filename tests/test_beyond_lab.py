"""The lab's routes around the redirect (tutor/lab/beyond.py), live on the real lab server: the
logins of lesson 12 and the not-quite-redirects of lesson 15, answered and journaled."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from lab_app import in_process

from tutor.lab.server import LabServer


@pytest.fixture
def http(lab: LabServer) -> Iterator[httpx.Client]:
    """A client that follows nothing: each test reads the lab's own answer."""
    with httpx.Client(base_url=lab.url, follow_redirects=False, trust_env=False) as client:
        yield client


def _other(lab: LabServer) -> str:
    return urlsplit(lab.other_url).netloc


def test_the_login_redirects_to_a_path_on_the_lab_with_303_and_the_chain(
    http: httpx.Client, lab: LabServer
) -> None:
    answer = http.post(
        "/login", params={"next": "/echo", "chain": "login-1-00000000000000"}, data={"a": "1"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/echo?chain=login-1-00000000000000"
    assert answer.headers["cache-control"] == "no-store"
    hop = lab.journal.chain("login-1-00000000000000")[-1]
    assert (hop.method, hop.route, hop.status, hop.location) == (
        "POST",
        "/login",
        303,
        "/echo?chain=login-1-00000000000000",
    )


def test_a_login_answers_the_code_it_is_given(http: httpx.Client) -> None:
    answer = http.get(
        "/login/naive", params={"next": "/echo", "code": "307", "chain": "c-00000000000000000000"}
    )
    assert answer.status_code == 307
    assert http.get("/login", params={"code": "200"}).status_code == 400


@pytest.mark.parametrize(
    "target",
    [
        "//{other}/echo",
        "/\\{other}/echo",
        "///{other}/echo",
        "//evil.example/",
        "/\\evil.example/",
        "https:evil.example",
        "http://evil.example/",
    ],
)
def test_the_login_refuses_every_target_off_its_own_origin(http: httpx.Client, target: str) -> None:
    answer = http.post("/login", params={"next": target}, data={"a": "1"})
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "no open redirects" in answer.text


@pytest.mark.parametrize("route", ["/login", "/login/naive"])
def test_a_tab_in_next_is_refused_before_any_check(http: httpx.Client, route: str) -> None:
    """The URL Standard strips tabs, so `/\t/evil.example` is `//evil.example` to a browser."""
    answer = http.post(route, params={"next": "/\t/evil.example"}, data={"a": "1"})
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert answer.text.startswith("?next= holds the control character '\\t' (character 2)")


def test_the_naive_login_sends_its_next_as_it_came_toward_the_other_origin(
    http: httpx.Client, lab: LabServer
) -> None:
    other = _other(lab)
    for given, sent in [
        ("//{other}/echo", f"//{other}/echo?chain=n1-0000000000000000000"),
        ("/\\{other}/echo", f"/\\{other}/echo?chain=n1-0000000000000000000"),
        ("///{other}/echo?x=1#top", f"///{other}/echo?x=1&chain=n1-0000000000000000000#top"),
        ("/echo", "/echo?chain=n1-0000000000000000000"),
    ]:
        answer = http.get("/login/naive", params={"next": given, "chain": "n1-0000000000000000000"})
        assert (answer.status_code, answer.headers["location"]) == (303, sent)


def test_the_naive_check_refuses_what_does_not_start_with_a_slash(http: httpx.Client) -> None:
    answer = http.get("/login/naive", params={"next": "https:evil.example"})
    assert answer.status_code == 400
    assert "does not start with '/'" in answer.text


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example/",
        "///evil.example/",
        "/\\/evil.example/",
        "//{other}\\@evil.example/",  # RFC 3986 reads the host evil.example, WHATWG the lab's
        "//evil.example@{other}/",  # userinfo: never sent, even toward the lab's own host
        "//{other}.evil.example/",
    ],
)
def test_the_naive_login_never_sends_a_client_off_the_lab(
    http: httpx.Client, lab: LabServer, target: str
) -> None:
    answer = http.get("/login/naive", params={"next": target})
    assert answer.status_code == 403
    assert "location" not in answer.headers
    assert "The lab does not send it" in answer.text
    assert _other(lab) in answer.text


def test_a_space_in_next_is_percent_encoded_never_sent_raw(http: httpx.Client) -> None:
    answer = http.get(
        "/login/naive", params={"next": "/echo me", "chain": "t-00000000000000000000"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/echo%20me?chain=t-00000000000000000000"


async def test_other_in_next_needs_a_second_listener() -> None:
    async with in_process() as client:  # one origin only
        answer = await client.get("/login/naive", params={"next": "//{other}/echo"})
    assert answer.status_code == 400
    assert "needs a second listener" in answer.text


def test_refresh_is_a_200_whose_header_names_the_next_url(http: httpx.Client) -> None:
    answer = http.get("/refresh", params={"chain": "r1-0000000000000000000"})
    assert answer.status_code == 200
    assert answer.headers["refresh"] == "0; url=/echo?chain=r1-0000000000000000000"
    assert "location" not in answer.headers
    later = http.get(
        "/refresh", params={"after": "5", "to": "/echo/later", "chain": "r2-0000000000000000000"}
    )
    assert later.headers["refresh"] == "5; url=/echo/later?chain=r2-0000000000000000000"


def test_the_meta_refresh_page_carries_the_url_escaped_for_html(http: httpx.Client) -> None:
    answer = http.get(
        "/page/meta-refresh", params={"to": "/echo?a=1", "chain": "m1-0000000000000000000"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        '<meta http-equiv="refresh" content="0; url=/echo?a=1&amp;chain=m1-0000000000000000000">'
        in answer.text
    )
    assert "refresh" not in answer.headers


@pytest.mark.parametrize(("route", "status"), [("/created", 201), ("/accepted", 202)])
def test_created_and_accepted_answer_2xx_with_a_location(
    http: httpx.Client, route: str, status: int
) -> None:
    answer = http.post(
        route, params={"to": "/echo/jobs/7", "chain": "j1-0000000000000000000"}, data={"a": "1"}
    )
    assert answer.status_code == status
    assert answer.headers["location"] == "/echo/jobs/7?chain=j1-0000000000000000000"
    assert "Not a redirect" in answer.text


def test_retry_after_rides_on_the_3xx_it_is_asked_for(http: httpx.Client) -> None:
    answer = http.post(
        "/retry-after", params={"after": "3600", "chain": "w1-0000000000000000000"}, data={"a": "1"}
    )
    assert (answer.status_code, answer.headers["retry-after"]) == (307, "3600")
    assert answer.headers["location"] == "/echo?chain=w1-0000000000000000000"
    moved = http.get("/retry-after", params={"code": "301"})
    assert (moved.status_code, moved.headers["retry-after"]) == (301, "120")


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("/retry-after", {"after": "soon"}),
        ("/retry-after", {"code": "200"}),
        ("/refresh", {"after": "-1"}),
        ("/page/meta-refresh", {"after": "1.5"}),
        *[
            (route, {"to": "//evil.example/"})
            for route in ("/retry-after", "/refresh", "/page/meta-refresh", "/created", "/accepted")
        ],
    ],
)
def test_bad_options_are_a_400_without_location(
    http: httpx.Client, route: str, query: dict[str, str]
) -> None:
    answer = http.get(route, params=query)
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "refresh" not in answer.headers


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/\\evil.example/", "https:evil.example", "/\t/evil.example"],
)
def test_the_lesson_curl_lines_are_each_a_400_without_location(
    http: httpx.Client, target: str
) -> None:
    """Lesson 12's `curl -g -i '.../redirect/302?to=...'` lines, as the lab answers them."""
    answer = http.get("/redirect/302", params={"to": target})
    assert answer.status_code == 400
    assert "location" not in answer.headers


def test_the_lab_compares_with_the_host_the_request_named(http: httpx.Client) -> None:
    """Lesson 12 says so: a forged Host is answered for that client alone."""
    answer = http.get(
        "/login", params={"next": "http://lab.example/echo"}, headers={"host": "lab.example"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("http://lab.example/echo?chain=")


def test_the_index_names_the_routes(http: httpx.Client) -> None:
    index = http.get("/").text
    for route in ("/login?next=", "/login/naive", "/refresh", "/created", "/retry-after"):
        assert route in index
