"""Each request's header fields on screen, and what changed in them from the request before:
in the ladder (h toggles the detail), the hop table, `try` (--headers for every field) and
`try --json`. Real lab, real clients; the changes are read from what the lab received."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixed_lab import lab_at
from pilot import SIZE, settle, tutor_app
from textual.pilot import Pilot
from textual.widgets import DataTable

from tutor.cli import cli
from tutor.experiments.runner import run
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.header_changes import Change, HeaderLine, compared, header_lines, summary
from tutor.lab.journal import Hop
from tutor.lab.server import LabServer
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import Ladder, render_ladder

HOST, PORT = "127.0.0.85", 8317
"""The snapshot's lab, at a fixed address: the header and the Host field show it."""

Compare = Callable[..., bool]


def request(method: str, *headers: tuple[str, str], seq: int = 1) -> Hop:
    """A hop as the journal records one (the shape only; the live tests below use real ones)."""
    return Hop(
        seq=seq,
        chain="c" * 22,
        at=0.0,
        peer="127.0.0.1:1",
        method=method,
        path="/echo",
        query="",
        headers=tuple(headers),
        body=b"",
        body_size=0,
        body_digest="",
        status=200,
        location=None,
    )


# What a change is.


def test_the_first_request_sends_each_field_and_repeated_ones_are_joined() -> None:
    first = request("POST", ("Accept", "a"), ("accept", "b"), ("Cookie", "x=1"))
    assert header_lines(first, None) == (
        HeaderLine("Accept", Change.SENT, "a, b", None),
        HeaderLine("Cookie", Change.SENT, "x=1", None),
    )


def test_changes_compare_names_without_case_and_list_the_dropped_last() -> None:
    first = request("POST", ("Host", "a:1"), ("Cookie", "x=1"), ("Content-Length", "3"))
    second = request("GET", ("host", "b:2"), ("Origin", "null"), seq=2)
    lines = header_lines(second, first)
    assert lines == (
        HeaderLine("host", Change.CHANGED, "b:2", "a:1"),
        HeaderLine("Origin", Change.ADDED, "null", None),
        HeaderLine("Cookie", Change.DROPPED, None, "x=1"),
        HeaderLine("Content-Length", Change.DROPPED, None, "3"),
    )
    assert summary(lines) == "~host +Origin -Cookie -Content-Length"
    assert [line.shown for line in lines] == ["b:2", "null", "x=1", "3"]


def test_a_preflight_is_compared_with_nothing_and_is_no_request_before() -> None:
    first = request("PUT", ("Authorization", "x"))
    preflight = request(
        "OPTIONS", ("Origin", "null"), ("Access-Control-Request-Method", "PUT"), seq=2
    )
    second = request("PUT", ("Authorization", "x"), seq=3)
    assert compared([first, preflight, second]) == [None, None, first]


# Live: what the lab received.


def test_a_303_drops_the_content_length_and_the_cookie_httpx_was_given(lab: LabServer) -> None:
    spec = ExperimentSpec(
        code=303,
        method="POST",
        body="a=1",
        headers={"Authorization": "Bearer x", "Cookie": "id=1"},
        client="httpx",
    )
    outcome = run(spec, lab.url, lab.journal)
    first, second = outcome.hops
    changes = {line.name.lower(): line for line in header_lines(second, first)}
    assert changes["content-length"].change is Change.DROPPED
    assert changes["authorization"].change is Change.KEPT  # the same origin
    # httpx sends the cookies of its own jar after a redirect, never a Cookie field it was given.
    assert changes["cookie"].change is Change.DROPPED
    hop_changes = outcome.to_json()["hops"]
    assert isinstance(hop_changes, list)
    assert hop_changes[0]["header_changes"] == []
    assert {"name": "content-length", "change": "dropped", "value": None, "was": "3"} in (
        hop_changes[1]["header_changes"]
    )


def test_try_shows_what_changed_and_with_headers_every_field() -> None:
    runner = CliRunner()
    args = ["try", "303", "-c", "curl", "-H", "Authorization: Bearer x"]
    changes = runner.invoke(cli, args)
    assert changes.exit_code == 0, changes.output
    assert "- dropped  content-length: 3" in changes.output
    assert "authorization" not in changes.output  # kept: listed only with --headers
    assert "Headers at the target: Authorization arrived" in changes.output
    every = runner.invoke(cli, [*args, "--headers"])
    assert every.exit_code == 0, every.output
    assert every.output.count("authorization: Bearer x") == 2  # on both requests
    assert "- dropped  content-type: application/x-www-form-urlencoded" in every.output
    as_json = json.loads(runner.invoke(cli, [*args, "--json"]).output)
    dropped = {change["name"] for change in as_json["hops"][1]["header_changes"]}
    assert dropped == {"content-length", "content-type"}


def test_the_ladder_marks_each_change_and_cuts_long_values(lab: LabServer) -> None:
    spec = ExperimentSpec(
        code=307, method="POST", body="a=1", headers={"X-Long": "v" * 200}, client="curl"
    )
    hops = run(spec, lab.url, lab.journal).hops
    plain = render_ladder(hops, width=80).plain
    assert "x-long" not in plain  # the detail is off by default
    detailed = render_ladder(hops, width=80, headers=True).plain.splitlines()
    assert all(len(line) <= 80 for line in detailed)
    long = [line for line in detailed if "x-long: vvv" in line]
    assert len(long) == 2 and all(line.endswith("…│") for line in long)


async def test_h_toggles_the_detail_and_the_table_lists_the_changes(
    lab: LabServer, tmp_path: Path
) -> None:
    (tmp_path / "headers.yaml").write_text(LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await run_the_lessons_experiment(pilot)
        screen = pilot.app.screen
        ladder = screen.query_one(Ladder)
        assert "- dropped" not in str(ladder.render())
        await pilot.press("h")
        assert "- dropped  content-length: 3" in str(ladder.render())
        table = screen.query_one(HopTable)
        assert isinstance(table, DataTable)
        # Fitted to 80 columns: cut with "…", whole in the ladder's detail above.
        changes = str(table.get_cell("2", "headers"))
        assert changes.endswith("…") and "-content-length -content-type".startswith(changes[:-1])
        assert table.virtual_size.width <= table.size.width
        await pilot.press("h")
        assert "- dropped" not in str(ladder.render())


LESSON = textwrap.dedent(
    """\
    format: 1
    id: ui-headers
    title: What a 303 does to the header fields
    summary: One step; it runs a 303 with curl live.
    minutes: 2
    citations:
      - id: rfc9110-15.4
        title: RFC 9110 §15.4 Redirection 3xx
        url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4
    steps:
      - id: run
        title: A 303 and the header fields
        cite: [rfc9110-15.4]
        text: After a **303** the request is a GET, and carries no content.
        experiments:
          - id: post-303-headers
            label: POST answered with a 303, sent by curl with a token
            code: 303
            method: POST
            body: "a=1"
            headers: {Authorization: "Bearer lab-token"}
            client: curl
            expect: {method: GET, body: dropped}
    """
)


async def run_the_lessons_experiment(pilot: Pilot[None]) -> None:
    await settle(pilot)
    for key in ("enter", "r"):
        await pilot.press(key)
        await settle(pilot)
    assert isinstance(pilot.app.screen, ExperimentScreen)


# The snapshot: the detail of a 303's two requests, at a fixed address.


@pytest.fixture(scope="module")
def fixed_lab() -> Iterator[LabServer]:
    """The real lab on HOST:PORT, its chain tokens from a counter."""
    with lab_at(HOST, PORT, counted=True) as server:
        yield server


def test_the_header_detail_of_a_303(
    snap_compare: Compare, fixed_lab: LabServer, tmp_path: Path
) -> None:
    (tmp_path / "headers.yaml").write_text(LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=fixed_lab)

    async def run_before(pilot: Pilot[None]) -> None:
        await run_the_lessons_experiment(pilot)
        await pilot.press("h")
        pilot.app.screen.query_one("#results").scroll_end(animate=False)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
