"""How long the whole live matrix takes (every installed client, 5 codes, 6 methods): under 3 s?
And across an upgrade and a downgrade, where every request also crosses TLS.

Run: .venv/bin/python benchmarks/matrix.py [RUNS]. Prints the first (cold) run, which also
detects the clients' versions, and the median of the runs after it. It measures; it asserts
nothing (the tests never time anything).
"""

from __future__ import annotations

import statistics
import sys
import time

from tutor.experiments import clients
from tutor.experiments.matrix import CODES, METHODS, matrix_specs
from tutor.experiments.spec import SCHEMES, Scheme
from tutor.session.factory import make_session

GOAL = 1.7
"""Seconds, on this machine: Chromium's batch alone takes about 1.2 of them."""


def main(runs: int = 5) -> None:
    with make_session().lab as lab:
        took: dict[Scheme, list[float]] = {scheme: [] for scheme in SCHEMES}
        for _ in range(runs + 1):
            for scheme in SCHEMES:  # interleaved, so that a busy moment touches all three
                started = time.perf_counter()
                names = clients.installed()
                outcomes = lab.run_many(matrix_specs(names, CODES, METHODS, scheme))
                took[scheme].append(time.perf_counter() - started)
    print(f"matrix: {len(outcomes)} requests, {len(names)} clients: {', '.join(names)}")
    same = took["same"]
    print(f"first run (cold, detects versions): {same[0]:.2f} s")
    print(f"median of {runs} more runs: {statistics.median(same[1:]):.2f} s")
    median = statistics.median(same[1:])
    met = "met" if median <= GOAL else "not met"
    print(f"goal: matrix, {len(names)} clients, {median:.2f} s (goal <= {GOAL} s here) {met}")
    for scheme in ("upgrade", "downgrade"):
        print(
            f"across a change of scheme ({scheme}, with credentials): median "
            f"{statistics.median(took[scheme][1:]):.2f} s"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
