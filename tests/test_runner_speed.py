"""What the runner and the lab do to be quick, without dropping anything: one client runs on the
calling thread, a browser's batch starts first, a stopped lab stops (and drains) at once, and
a session on a lab of its own never imports the class's modules. Nothing here is timed."""

from __future__ import annotations

import subprocess
import sys
import threading

import httpx

from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer
from tutor.session.lab import LabSession


def test_one_client_runs_on_the_calling_thread_and_is_judged_from_the_journal() -> None:
    heard: list[str] = []
    spec = ExperimentSpec(code=307, method="POST", body="a=1", client="httpx")
    with LabSession() as session:
        (outcome,) = session.run_many([spec], on_outcome=lambda _: heard.append(_thread()))
    assert heard == [threading.current_thread().name]
    assert [hop.method for hop in outcome.hops] == ["POST", "POST"]
    assert outcome.verdict.text


def _thread() -> str:
    return threading.current_thread().name


def test_a_browser_batch_starts_before_the_others(monkeypatch) -> None:
    import tutor.experiments.runner as runner

    started: list[str] = []
    real = runner._run_batch

    def noting(work, *args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(work[0][1].batch_group)
        return real(work, *args, **kwargs)

    monkeypatch.setattr(runner, "_run_batch", noting)
    monkeypatch.setattr(runner, "side_by_side", lambda calls, *_: [call() for call in calls])
    specs = [
        ExperimentSpec(code=307, method="GET", client=name)
        for name in ("urllib", "chromium-fetch", "chromium-form")
    ]
    with LabSession() as session:
        outcomes = session.run_many(specs)
    assert started == ["chromium", "urllib"]
    assert [outcome.spec.client for outcome in outcomes] == [spec.client for spec in specs]


def test_a_stopped_lab_has_stopped_listening_and_its_thread_has_ended() -> None:
    lab = LabServer().start()
    url = lab.url
    with httpx.Client() as client:  # a kept-alive connection the stop must close
        assert client.get(f"{url}/").status_code < 500
        lab.stop()
    assert not lab.running
    try:
        httpx.get(f"{url}/", timeout=2)
    except httpx.ConnectError:
        return
    raise AssertionError("the stopped lab still answers")


def test_a_session_on_a_lab_of_its_own_never_imports_the_class_modules() -> None:
    code = (
        "import sys\n"
        "from tutor.experiments.spec import ExperimentSpec\n"
        "from tutor.session.lab import LabSession\n"
        "with LabSession() as s:\n"
        "    s.run(ExperimentSpec(code=307, method='GET', client='urllib'))\n"
        "    assert s.joined is None\n"
        "print('tutor.classroom.student' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
