"""Run every benchmark and print its figures: `.venv/bin/python -m benchmarks [--soak]`.

--soak also runs the robustness tests at full strength (a hundred kills of the quiz, fifty
connections for twenty seconds); the test suite runs them smaller.
"""

from __future__ import annotations

import sys

from benchmarks import (
    class_live,
    classroom,
    experiment,
    lab_cpu,
    matrix,
    pack,
    soak,
    startup,
    throughput,
    try_process,
)

__all__ = ["main"]


def main(argv: list[str]) -> None:
    for benchmark in (
        startup,
        experiment,
        try_process,
        matrix,
        throughput,
        lab_cpu,
        classroom,
        class_live,
        pack,
    ):
        benchmark.main()
        print(flush=True)
    if "--soak" in argv:
        soak.main()


if __name__ == "__main__":
    main(sys.argv[1:])
