"""How long the whole live matrix takes (every installed client, 5 codes, 6 methods): under 3 s?
And across an upgrade and a downgrade, where every request also crosses TLS.

Run: .venv/bin/python -m benchmarks.matrix [RUNS]. Prints the first (cold) run, which also
detects the clients' versions, the median of the runs after it, when each client's batch ended
within the matrix, and the reference: the slowest batch group run alone, interleaved with the
matrix, so the ratio tells what running every client beside it costs. It measures; it asserts
nothing (the tests never time anything).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from tutor.experiments import clients
from tutor.experiments.matrix import matrix_specs
from tutor.experiments.outcome import Outcome
from tutor.experiments.spec import SCHEMES, ExperimentSpec, Scheme
from tutor.session.factory import make_session

GOAL = 3.0
"""Seconds, on this machine (2 cores), with every client."""
ELEVEN_GOAL = 1.7
"""Seconds, on this machine, with the eleven clients the matrix had before Firefox, Go and Java."""
LATER = ("firefox-fetch", "firefox-form", "go", "java")


def main(runs: int = 5) -> None:
    with make_session().lab as lab:
        names = clients.installed()
        took: dict[Scheme, list[float]] = {scheme: [] for scheme in SCHEMES}
        ended: dict[str, list[float]] = {name: [] for name in names}
        alone: list[float] = []
        eleven_took: list[float] = []
        eleven = [name for name in names if name not in LATER]
        group: list[str] = []
        for run in range(runs + 1):
            for scheme in SCHEMES:  # interleaved, so that a busy moment touches all three
                took[scheme].append(_timed(lab.run_many, matrix_specs(names, scheme=scheme), ended))
            if run == 0:  # the reference: the group of the batch that ended last, alone
                last = clients.get(max(names, key=lambda name: ended[name][0]))
                group = [n for n in names if clients.get(n).batch_group == last.batch_group]
            else:
                alone.append(_timed(lab.run_many, matrix_specs(group), {}))
                eleven_took.append(_timed(lab.run_many, matrix_specs(eleven), {}))
    same = took["same"]
    median = statistics.median(same[1:])
    print(f"matrix: {len(matrix_specs(names))} requests, {len(names)} clients: {', '.join(names)}")
    print(f"first run (cold, detects versions): {same[0]:.2f} s")
    print(f"median of {runs} more runs: {median:.2f} s")
    print("batch ended (median, s after the matrix began):")
    batches = {name: statistics.median(at[3::3]) for name, at in ended.items()}  # "same" only
    for name in sorted(names, key=lambda name: -batches[name]):
        print(f"  {name:16} {batches[name]:.2f}")
    reference = statistics.median(alone)
    print(
        f"reference: {', '.join(group)} alone, median {reference:.2f} s; "
        f"matrix / reference: {median / reference:.2f}"
    )
    met = "met" if median <= GOAL else "not met"
    print(f"goal: matrix, {len(names)} clients, {median:.2f} s (goal <= {GOAL} s here) {met}")
    before = statistics.median(eleven_took)
    met = "met" if before <= ELEVEN_GOAL else "not met"
    print(
        f"goal: matrix, the {len(eleven)} clients before Firefox, Go and Java, {before:.2f} s "
        f"(goal <= {ELEVEN_GOAL} s here) {met}"
    )
    for scheme in ("upgrade", "downgrade"):
        print(
            f"across a change of scheme ({scheme}, with credentials): median "
            f"{statistics.median(took[scheme][1:]):.2f} s"
        )


def _timed(
    run_many: Callable[..., object], specs: list[ExperimentSpec], ended: dict[str, list[float]]
) -> float:
    """Seconds `run_many(specs)` took; when each client's batch ended is added to `ended`."""
    started = time.perf_counter()
    heard: dict[str, float] = {}

    def hear(outcome: Outcome) -> None:
        heard[outcome.spec.client] = time.perf_counter() - started  # its last, in the end

    run_many(specs, on_outcome=hear)
    took = time.perf_counter() - started
    for name, at in heard.items():
        ended.setdefault(name, []).append(at)
    return took


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
