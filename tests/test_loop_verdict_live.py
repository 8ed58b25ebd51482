"""A live redirect loop: the verdict counts the requests the lab saw and says the client gave
up at its limit (lesson 07 asks "How many requests does the lab see?")."""

from __future__ import annotations

from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer
from tutor.session.factory import make_session


def test_a_loop_verdict_counts_the_requests(lab: LabServer) -> None:
    session = make_session(builtin=False, lab=lab)
    spec = ExperimentSpec(code=307, loop=True, method="GET", client="httpx")
    outcome = session.lab.run(spec)
    count = len(outcome.hops)
    assert outcome.verdict.text == (
        f"Gave up after {count} requests (the client's redirect limit): nothing reached the target"
    )
    assert count == 21
