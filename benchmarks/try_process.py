"""`redirect-tutor try 307 --json` as a process, from launch to exit, against a process that only
imports httpx (the client it runs): the ratio of the medians (goal <= 2.5).

`try` starts a lab of its own, sends the request with httpx, reads both hops from the journal,
judges them, prints the JSON and stops the lab. The two commands alternate, run by run, so that
a busy moment of the machine touches both. Both run with bytecode caches, as an installed
package does (pip compiles them): in a folder of the benchmark's own (PYTHONPYCACHEPREFIX), made
by the warm-up, even where PYTHONDONTWRITEBYTECODE is set (benchmarks.bytecode).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.bytecode import cached

__all__ = ["main"]

GOAL = 2.5

TRY = (sys.executable, "-m", "tutor", "try", "307", "--json")
BARE = (sys.executable, "-c", "import httpx")


def _took(argv: tuple[str, ...], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main(runs: int = 15) -> None:
    with tempfile.TemporaryDirectory(prefix="redirect-tutor-bench-") as home:
        env = cached(dict(os.environ), home)
        env["REDIRECT_TUTOR_HOME"] = home  # its own CA, made in the warm-up
        for argv in (TRY, BARE):  # warm up: the bytecode caches, the CA
            _took(argv, env)
        tutor, bare = [], []
        for _ in range(runs):
            tutor.append(_took(TRY, env))
            bare.append(_took(BARE, env))
    ours, theirs = statistics.median(tutor), statistics.median(bare)
    ratio = ours / theirs
    print(f"try 307 --json as a process, {runs} runs each, medians:")
    print(f"  try {ours * 1000:.0f} ms, python -c 'import httpx' {theirs * 1000:.0f} ms")
    met = "met" if ratio <= GOAL else "not met"
    print(f"goal: try as a process {ours * 1000:.0f} ms ratio {ratio:.2f} (goal <= {GOAL}) {met}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
