"""One experiment through the lab (httpx, POST, 307, two hops), end to end: p50 and p99.

Each run is the tutor's own path: the session's lab runs the client, the lab answers both hops
and journals them, and the evidence is read back from the journal.
"""

from __future__ import annotations

import statistics
import sys
import time

from tutor.experiments.spec import ExperimentSpec
from tutor.session.factory import make_session

__all__ = ["main"]


def main(runs: int = 500) -> None:
    spec = ExperimentSpec(code=307, method="POST", body="name=ada", client="httpx")
    took = []
    with make_session().lab as lab:
        for _ in range(20):  # warm up: imports, the client's first connection
            lab.run(spec)
        for _ in range(runs):
            started = time.perf_counter()
            outcome = lab.run(spec)
            took.append(time.perf_counter() - started)
    hops = len(outcome.hops)
    cuts = statistics.quantiles(took, n=100)
    print(f"one experiment (httpx, POST, 307, {hops} hops, journal and verdict), {runs} runs:")
    print(f"  p50 {cuts[49] * 1000:.2f} ms, p99 {cuts[98] * 1000:.2f} ms (target p50 <= 3 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
