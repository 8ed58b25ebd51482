"""The reader's keys at 80x24: after a graded prediction `r` shows the prediction's own run (not
the step's first experiment), and a key that cannot act here says why instead of nothing."""

from __future__ import annotations

from pathlib import Path

from pilot import SIZE, settle, tutor_app
from textual.pilot import Pilot

from tutor.lab.server import LabServer
from tutor.ui.screens.experiment import ExperimentScreen
from tutor.ui.screens.reader import ReaderScreen
from tutor.ui.widgets.experiment.verdict import VerdictLine

LESSON = """\
format: 1
id: keys
title: Keys
summary: A step to read, then a prediction on the step's second experiment.
minutes: 2
citations:
  - id: rfc9110-15.4.4
    title: RFC 9110 §15.4.4 303 See Other
    url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.4
steps:
  - id: read
    title: Read
    cite: [rfc9110-15.4.4]
    text: Nothing to run here.
  - id: guess
    title: Guess
    cite: [rfc9110-15.4.4]
    text: Two experiments; the prediction runs the second.
    experiments:
      - id: post-307
        label: POST answered with 307, sent by httpx
        code: 307
        method: POST
        body: "name=ada"
        client: httpx
        expect: {method: POST, body: intact}
      - id: post-303
        label: POST answered with 303, sent by httpx
        code: 303
        method: POST
        body: "name=ada"
        client: httpx
        expect: {method: GET, body: dropped}
    predict:
      experiment: post-303
      prompt: httpx follows the 303. What reaches the target?
      choices:
        - id: post-kept
          text: The POST, with its body
          expect: {method: POST, body: intact}
          explanation: That is what 307 and 308 do.
        - id: get
          text: A GET, without the body
          expect: {method: GET, body: dropped}
          explanation: A 303 is answered with a GET of the Location.
"""


def _notes(pilot: Pilot[None]) -> list[str]:
    return [str(note.message) for note in pilot.app._notifications]


async def test_r_shows_the_predictions_own_run_and_idle_keys_say_why(
    lab: LabServer, tmp_path: Path
) -> None:
    (tmp_path / "01-keys.yaml").write_text(LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.check_action("run", ()) is False  # no experiment: not in the footer
        await pilot.press("p", "r")
        await pilot.pause()
        assert _notes(pilot) == ["This is the first step.", "This step has no experiment to run."]
        await pilot.press("n")
        await pilot.pause()
        assert reader.step.id == "guess"
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is reader
        assert _notes(pilot)[-1] == "Predict first: 1-2."
        state = reader._prediction_state
        assert state is not None
        await pilot.press(str([c.id for c in state.order].index("get") + 1))
        await settle(pilot)
        note = reader.query_one("#experiments Static")
        assert str(note.visual) == "To run any of them live: Tab to the list, then ↑ ↓ and Enter"
        hops_before = len(lab.journal)
        await pilot.press("r")
        await settle(pilot)
        panel = app.screen
        assert isinstance(panel, ExperimentScreen)
        assert panel.title == "POST answered with 303, sent by httpx"
        assert panel.query_one(VerdictLine).text == "! POST became GET, body dropped"
        assert len(lab.journal) == hops_before  # shown, not run again
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("n")  # the last step of the last lesson
        await pilot.pause()
        assert app.screen is reader
        assert _notes(pilot)[-1] == "This is the last step of the last lesson."


async def test_the_readers_help_lists_every_key_of_the_step(lab: LabServer, tmp_path: Path) -> None:
    """p, 1-9 Predict and h Hint are listed (dimmed when they do nothing now), once each."""
    from tutor.ui.screens.help import HelpScreen

    (tmp_path / "01-keys.yaml").write_text(LESSON, encoding="utf-8")
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "f1")
        await pilot.pause()
        shown = app.screen
        assert isinstance(shown, HelpScreen)
        local = {item.binding.description: item for item in shown.local}
        assert {"Prev", "Predict", "Hint", "Run", "Next", "Lessons"} <= set(local)
        assert local["Predict"].keys == ("1-9",)
        assert not local["Prev"].enabled and local["Next"].enabled  # step 1
        assert [item.binding.description for item in shown.local].count("Predict") == 1
