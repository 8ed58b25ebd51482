"""The experiment form asks for everything a lesson's experiment can say, and the panel never
passes an old result off as the form's: its title names what ran, and a result under a
changed form is marked stale until the next run. Real lab, real clients; Pilot at 80x24."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fixed_lab import lab_at
from pilot import SIZE, settle, tutor_app
from textual.pilot import Pilot
from textual.widgets import Checkbox, Collapsible, Input, Select, TextArea

from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer
from tutor.ui.screens.experiment import STALE_NOTE, ExperimentScreen
from tutor.ui.widgets.experiment.form import Choice, ExperimentForm
from tutor.ui.widgets.experiment.verdict import VerdictLine

HOST, PORT = "127.0.0.86", 8318
"""The snapshot's lab, at a fixed address: the header shows it."""

Compare = Callable[..., bool]

LESSON = textwrap.dedent(
    """\
    format: 1
    id: ui-form
    title: A 307 and its body
    summary: One step; it runs a 307 live.
    minutes: 2
    citations:
      - id: rfc9110-15.4.8
        title: RFC 9110 §15.4.8 307 Temporary Redirect
        url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8
    steps:
      - id: run
        title: A 307
        cite: [rfc9110-15.4.8]
        text: A **307** keeps the method and the body.
        experiments:
          - id: post-307
            label: POST answered with a 307, sent by httpx
            code: 307
            method: POST
            body: "a=1"
            client: httpx
            expect: {method: POST, body: intact}
    """
)


async def open_the_experiment(pilot: Pilot[None], *, run: bool = True) -> ExperimentScreen:
    """The lesson's experiment, run (r on its step); or the Lab (e on the lessons screen)."""
    await settle(pilot)
    await pilot.press(*(["enter", "r"] if run else ["e"]))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ExperimentScreen)
    return screen


def test_every_field_of_a_spec_survives_the_form() -> None:
    spec = ExperimentSpec(
        code=302,
        method="PUT",
        body="x",
        headers={"Authorization": "Bearer x", "X-Trace": "1"},
        client="curl",
        to="/echo/elsewhere",
        location="relative",
        origin="other",
        cache="max-age=60",
        loop=False,
        stream=True,
        repeat=2,
        fragment="top",
        redirect="follow",
    )
    choice = Choice.of(spec)
    assert ExperimentSpec(**choice.spec_fields()) == spec
    assert choice.more == [
        "headers",
        "target",
        "location",
        "origin",
        "cache",
        "stream",
        "repeat",
        "fragment",
    ]


async def test_the_unfolded_form_runs_what_it_shows(lab: LabServer, tmp_path: Path) -> None:
    (tmp_path / "form.yaml").write_text(LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_the_experiment(pilot, run=False)
        more = screen.query_one("#more", Collapsible)
        assert more.collapsed
        more.collapsed = False
        await settle(pilot)
        screen.query_one("#headers", TextArea).text = "Authorization: Bearer x\nX-Trace: 1"
        screen.query_one("#location", Select).value = "relative"
        screen.query_one("#origin", Select).value = "other"
        screen.query_one("#cache", Select).value = "max-age=60"
        screen.query_one("#repeat", Select).value = 2
        screen.query_one("#fragment", Input).value = "top"
        screen.query_one("#stream", Checkbox).value = True
        await pilot.press("ctrl+r")
        await settle(pilot)
        outcome = screen.last_outcome
        assert outcome is not None
        spec = outcome.spec
        assert spec.headers == {"Authorization": "Bearer x", "X-Trace": "1"}
        assert (spec.location, spec.origin, spec.cache) == ("relative", "other", "max-age=60")
        assert (spec.repeat, spec.fragment, spec.stream) == (2, "top", True)
        # What the lab received: the header fields, the relative Location resolved.
        first = outcome.evidence.first
        assert first is not None and first.header("X-Trace") == "1"
        assert screen.title == "Lab: POST through a 307 via httpx"


async def test_a_header_line_that_is_no_field_is_not_run(lab: LabServer, tmp_path: Path) -> None:
    (tmp_path / "form.yaml").write_text(LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_the_experiment(pilot, run=False)
        screen.query_one("#headers", TextArea).text = "Authorization Bearer x"
        await pilot.press("ctrl+r")
        await settle(pilot)
        verdict = screen.query_one(VerdictLine).text
        assert verdict == "✗ Not run: header 'Authorization Bearer x' is not 'Name: value'"


async def test_a_changed_form_marks_the_result_stale_until_the_next_run(
    lab: LabServer, tmp_path: Path
) -> None:
    (tmp_path / "form.yaml").write_text(LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_the_experiment(pilot)
        stale = screen.query_one("#stale")
        assert screen.title == "POST answered with a 307, sent by httpx"
        assert not stale.display
        method = screen.query_one("#method", Select)
        method.value = "PUT"
        await settle(pilot)
        assert stale.display and screen.has_class("-stale")
        method.value = "POST"  # back to what ran: the result is the form's again
        await settle(pilot)
        assert not stale.display
        method.value = "PUT"
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not stale.display and not screen.has_class("-stale")
        assert screen.title == "PUT through a 307 via httpx (changed: method)"
        assert screen.query_one(VerdictLine).text == "✓ PUT kept, body intact (3 bytes)"
        claim = str(screen.query_one("#claim").visual)
        assert claim.startswith(
            "The lesson's claim is for its own settings (this run changed method)"
        )


@pytest.fixture(scope="module")
def fixed_lab() -> Iterator[LabServer]:
    """The real lab on HOST:PORT, its chain tokens from a counter."""
    with lab_at(HOST, PORT, counted=True) as server:
        yield server


def test_the_stale_mark(snap_compare: Compare, fixed_lab: LabServer, tmp_path: Path) -> None:
    (tmp_path / "form.yaml").write_text(LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=fixed_lab)

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await open_the_experiment(pilot)
        screen.query_one(ExperimentForm).query_one("#code", Select).value = 302
        await settle(pilot)
        assert str(screen.query_one("#stale").visual) == STALE_NOTE

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
