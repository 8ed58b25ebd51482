"""The scheme of each hop on the tutor's screens: an http -> https upgrade or an https -> http
downgrade at a glance in the ladder, the hop table, the Journal and the `serve` console, and the
Lab's form asking for one. Real lab (with its TLS listener), real httpx; 80x24."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pilot import SIZE, opened, settle, tutor_app
from rich.text import Text
from test_ui import hop
from textual.pilot import Pilot
from textual.widgets import DataTable, Select

from tutor.lab.authority import LAB_NAMES, local_authority
from tutor.lab.journal import Hop, Journal
from tutor.lab.journal_line import journal_line
from tutor.lab.server import LabError, LabServer
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.journal import JournalScreen
from tutor.ui.widgets.experiment.hop_table import HopTable
from tutor.ui.widgets.experiment.ladder import IN_CLEAR, SCHEME_DOWN, SCHEME_UP, render_ladder
from tutor.ui.widgets.experiment.verdict import VerdictLine

HOST, PORT, SECURE_PORT = "127.0.0.84", 8307, 8443
"""The snapshot's lab, at a fixed address: the header, the ladder and the hop table show it."""

Compare = Callable[..., bool]

UPGRADE_LESSON = textwrap.dedent(
    """\
    format: 1
    id: ui-scheme
    title: A form POST on http
    summary: One step; it runs a 307 from http to https live.
    minutes: 2
    citations:
      - id: rfc9110-15.4.8
        title: RFC 9110 §15.4.8 307 Temporary Redirect
        url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8
    steps:
      - id: run
        title: Upgrade a POST
        cite: [rfc9110-15.4.8]
        text: A **307** to https keeps the method and the body.
        experiments:
          - id: post-307-upgrade
            label: POST answered with a 307 to https, sent by httpx
            code: 307
            method: POST
            body: "a=1"
            scheme: upgrade
            headers: {Authorization: "Bearer x", Cookie: "id=1"}
            client: httpx
            expect: {method: POST, body: intact}
    """
)


def _hop(seq: int, method: str, path: str, status: int, scheme: str, location: str = "") -> Hop:
    """A hop as test_ui's, over `scheme`."""
    return replace(hop(seq, method, path, b"a=1", status, location or None), scheme=scheme)


def _styles(text: Text, word: str) -> set[str]:
    """The styles of the spans that cover `word` in `text`."""
    start = text.plain.index(word)
    return {str(span.style) for span in text.spans if span.start <= start and span.end >= start + 1}


def test_ladder_marks_an_upgrade_and_a_downgrade() -> None:
    up = [
        _hop(1, "POST", "/redirect/307", 307, "http", "https://127.0.0.1:2/echo"),
        _hop(2, "POST", "/echo", 200, "https"),
    ]
    ladder = render_ladder(up, width=78)
    lines = ladder.plain.splitlines()
    assert lines[1].startswith(" 1 │─ http POST /redirect/307 · 3 B ─")
    assert lines[3].startswith(" 2 │─ http→https POST /echo · 3 B ─")
    assert SCHEME_UP in _styles(ladder, "http→https")

    down = [
        _hop(1, "POST", "/redirect/301", 301, "https", "http://127.0.0.1:1/echo"),
        _hop(2, "GET", "/echo", 200, "http"),
    ]
    ladder = render_ladder(down, width=78)
    assert ladder.plain.splitlines()[1].startswith(" 1 │─ https POST /redirect/301 ")
    assert SCHEME_DOWN in _styles(ladder, "https→http")


def test_ladder_marks_credentials_over_plain_http_and_a_browsers_own_redirect() -> None:
    secrets = (("Authorization", "Bearer x"), ("Cookie", "id=1"), ("Referer", "http://a/"))
    down = [
        replace(
            _hop(1, "POST", "/redirect/307", 307, "https", "http://127.0.0.1:1/echo"),
            headers=secrets,
        ),
        replace(_hop(2, "POST", "/echo", 200, "http"), headers=secrets),
    ]
    ladder = render_ladder(down, width=78)
    lines = ladder.plain.splitlines()
    assert "in clear" not in lines[1]  # over https
    assert " https→http POST /echo · 3 B · in clear: Authorization, Cookie ─" in lines[3]
    assert IN_CLEAR in _styles(ladder, "in clear")

    # A chain all over http marks nothing: the scheme is not the lesson there.
    plain = [replace(hop, scheme="http") for hop in down]
    assert "in clear" not in render_ladder(plain, width=78).plain

    # A browser that went to https by itself (HSTS): a line before the first arrow says so.
    hsts = [_hop(1, "POST", "/hsts/site", 200, "https")]
    lines = render_ladder(hsts, width=78, itself="http").plain.splitlines()
    assert "↻ the client's own redirect, http → https: nothing went over http" in lines[1]
    assert lines[2].startswith(" 1 │─ https POST /hsts/site")


def test_a_plain_chain_shows_no_scheme() -> None:
    plain = [
        _hop(1, "POST", "/redirect/307", 307, "http", "/echo"),
        _hop(2, "POST", "/echo", 200, "http"),
    ]
    lines = render_ladder(plain, width=78).plain.splitlines()
    assert lines[1].startswith(" 1 │─ POST /redirect/307 · 3 B ─")
    assert lines[3].startswith(" 2 │─ POST /echo · 3 B ─")


def test_console_line_marks_https_and_leaves_plain_lines_alone() -> None:
    journal = Journal()
    secure = _hop(2, "POST", "/echo", 200, "https")
    plain = _hop(1, "POST", "/echo", 200, "http")
    assert " https POST /echo?chain=" in journal_line(secure, journal)
    line = journal_line(plain, journal)
    assert "https" not in line
    assert " POST    /echo?chain=" in line


async def test_the_form_runs_an_upgrade_live(lab: LabServer) -> None:
    app = tutor_app(builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, "e", ExperimentScreen)
        scheme = screen.query_one("#scheme", Select)
        assert scheme.value == "same"

        # Keyboard only: code, client, method, then the scheme; open it, pick "upgrade", run.
        await pilot.press("tab", "tab", "tab")
        assert app.focused is scheme
        await pilot.press("enter", "down", "enter")
        assert scheme.value == "upgrade"
        await pilot.press("ctrl+r")
        await settle(pilot)

        verdict = screen.query_one(VerdictLine).text
        assert verdict == "✓ POST kept, body intact (8 bytes); http → https", verdict
        table = screen.query_one(HopTable)
        assert [str(column.label) for column in table.columns.values()][:3] == [
            "#",
            "scheme",
            "method",
        ]
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [(str(row[1]), str(row[2]), str(row[3])) for row in rows] == [
            ("http", "POST", "/redirect/307"),
            ("https", "POST", "/echo"),
        ]
        assert rows[1][1].style == SCHEME_UP
        # Fitted to 80 columns: the Location to https, cut with "…" (whole in the ladder).
        location = str(rows[0][6])
        assert location.startswith("https://") and location.endswith("…")
        assert (lab.secure_url + "/echo?chain=").startswith(location[:-1])

        # The same chain in the Journal: the hop over TLS is marked, the plain one is not.
        await pilot.press("escape")
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        journal = app.screen.query_one(DataTable)
        last = [journal.get_row_at(i) for i in (journal.row_count - 2, journal.row_count - 1)]
        assert [(str(row[1]), str(row[2])) for row in last] == [
            ("POST", "/redirect/307"),
            ("https POST", "/echo"),
        ]

        # Back in the Lab, a plain run draws the table as it always was.
        await pilot.press("escape", "e")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        table = app.screen.query_one(HopTable)
        assert "scheme" not in [str(column.label) for column in table.columns.values()]


# The snapshot: a lesson's upgrade with credentials, at a fixed address.


@pytest.fixture(scope="module")
def fixed_tls_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """The real lab on HOST:PORT, its TLS listener on SECURE_PORT, its chain tokens from a
    counter (token00000000000000001, ...)."""
    counter = itertools.count(1)
    server = LabServer(
        HOST,
        PORT,
        journal=Journal(tokens=lambda: f"token{next(counter):017d}"),
        # Its certificate must name HOST too, or every client refuses it.
        authority=local_authority(tmp_path_factory.mktemp("ca") / "tls", (*LAB_NAMES, HOST)),
        secure_port=SECURE_PORT,
    )
    try:
        server.start()
    except LabError as error:
        pytest.fail(
            f"The scheme snapshot needs the lab on {HOST}:{PORT} and {SECURE_PORT}, fixed "
            f"ports, because the screen shows them: {error}",
            pytrace=False,
        )
    assert server.secure_url == f"https://{HOST}:{SECURE_PORT}", server.secure_problem
    yield server
    server.stop()


def test_upgrade_ladder_hop_table_and_verdict(
    snap_compare: Compare, fixed_tls_lab: LabServer, tmp_path: Path
) -> None:
    (tmp_path / "scheme.yaml").write_text(UPGRADE_LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=fixed_tls_lab)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in ("enter", "r"):
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(pilot.app.screen, ExperimentScreen)
        verdict = pilot.app.screen.query_one(VerdictLine).text
        assert verdict.endswith("; http → https: Authorization dropped, Cookie dropped"), verdict

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
