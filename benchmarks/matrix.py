"""How long the whole live matrix takes (every installed client, 5 codes, 6 methods): under 3 s?

Run: .venv/bin/python benchmarks/matrix.py [RUNS]. Prints the first (cold) run, which also
detects the clients' versions, and the median of the runs after it. It measures; it asserts
nothing (the tests never time anything).
"""

from __future__ import annotations

import statistics
import sys
import time

from tutor.experiments import clients
from tutor.experiments.matrix import matrix_specs
from tutor.session.factory import make_session


def main(runs: int = 5) -> None:
    with make_session().lab as lab:
        took = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            names = clients.installed()
            outcomes = lab.run_many(matrix_specs(names))
            took.append(time.perf_counter() - started)
    print(f"matrix: {len(outcomes)} requests, {len(names)} clients: {', '.join(names)}")
    print(f"first run (cold, detects versions): {took[0]:.2f} s")
    print(f"median of {runs} more runs: {statistics.median(took[1:]):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
