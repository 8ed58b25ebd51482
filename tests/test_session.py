"""The session layer, as every front end uses it: the factory, the lab session, cancellation."""

from __future__ import annotations

import threading

import pytest

from tutor.experiments.clients.base import CANCELLED
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer
from tutor.session.factory import make_session
from tutor.session.lab import LabSession, LabUnavailable
from tutor.session.study import StudySession


def test_a_run_on_the_session_lab_is_judged_by_what_arrived(study: StudySession) -> None:
    outcome = study.lab.run(ExperimentSpec(code=302, body="a=1"))
    assert outcome.verdict.text == "POST became GET, body dropped"
    assert [hop.method for hop in outcome.hops] == ["POST", "GET"]


def test_a_session_starts_its_own_lab_and_stops_it_for_good() -> None:
    lab = LabSession()
    server = lab.start()
    assert server.running and lab.start() is server  # started once
    assert lab.name == f"lab {server.url.removeprefix('http://')}"
    lab.stop()
    assert not server.running
    with pytest.raises(LabUnavailable, match="closing"):
        lab.start()  # a start that comes after the close must not leave a lab behind


def test_a_given_lab_is_used_as_it_is_and_left_running(lab: LabServer) -> None:
    session = make_session(lab=lab)
    assert session.lab.wait() is lab
    session.close()
    assert lab.running


def test_waiting_for_a_lab_that_never_starts_says_so() -> None:
    lab = LabSession()
    with lab._starting, pytest.raises(LabUnavailable, match="still starting"):  # a start hangs
        lab.wait(timeout=0.01)


def test_the_first_wait_starts_the_lab_and_says_so() -> None:
    lab = LabSession()
    settled: list[str] = []
    lab.on_settle(lambda: settled.append(lab.name))
    assert lab.url is None  # nothing starts it before it is needed
    try:
        assert lab.wait().running
        assert settled == [lab.name]
        assert lab.name.startswith("lab 127.0.0.1:")
    finally:
        lab.stop()


def test_a_cancelled_run_sends_nothing_more_and_says_cancelled(lab: LabServer) -> None:
    cancel = threading.Event()
    cancel.set()
    heard = []
    specs = [ExperimentSpec(code=307, client=name) for name in ("httpx", "curl", "node")]
    outcomes = make_session(lab=lab).lab.run_many(specs, on_outcome=heard.append, cancel=cancel)
    assert [outcome.error for outcome in outcomes] == [CANCELLED] * 3
    assert all(outcome.hops == () for outcome in outcomes)
    assert heard == []  # nobody hears of a run that was cancelled


def test_any_cancel_with_is_set_reaches_the_clients(lab: LabServer) -> None:
    """The UI passes its worker's cancellation, not an Event: anything with is_set() will do."""

    class WorkerGone:
        def is_set(self) -> bool:
            return True

    spec = ExperimentSpec(code=307, method="GET", client="curl")
    outcome = make_session(lab=lab).lab.run(spec, WorkerGone())
    assert outcome.error == CANCELLED and outcome.hops == ()
