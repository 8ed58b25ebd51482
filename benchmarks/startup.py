"""Cold start to the first usable screen, against a bare Textual app measured the same way.

Each run is a fresh process (benchmarks/probe.py) timed from spawn to its "ready" line; its
peak memory is the child's ru_maxrss. The two apps alternate, so both see the same machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Start", "compare", "main"]

_HOME = tempfile.TemporaryDirectory(prefix="bench-learner-")
"""A learner's record of its own, so that a run never touches (or resumes) the user's."""


@dataclass(frozen=True)
class Start:
    """The medians of several cold starts: seconds to usable, and peak RSS in MiB."""

    seconds: float
    peak_mib: float


def _once(kind: str, dirs: list[Path]) -> tuple[float, float]:
    env = {**os.environ, "REDIRECT_TUTOR_HOME": _HOME.name}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.probe", kind, *map(str, dirs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    took = time.perf_counter() - started
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if line.strip() != "ready":
        raise RuntimeError(f"the {kind} probe never became usable (exit {child.returncode})")
    return took, usage.ru_maxrss / 1024


def compare(
    runs: int, first: tuple[str, list[Path]], second: tuple[str, list[Path]]
) -> tuple[Start, Start]:
    """The medians of both, interleaved run by run so that neither gets the quieter machine."""
    a: list[tuple[float, float]] = []
    b: list[tuple[float, float]] = []
    _once(*first)  # warm the file cache for both
    _once(*second)
    for _ in range(runs):
        a.append(_once(*first))
        b.append(_once(*second))
    return _median(a), _median(b)


def _median(measured: list[tuple[float, float]]) -> Start:
    return Start(
        statistics.median(took for took, _ in measured),
        statistics.median(peak for _, peak in measured),
    )


def main(runs: int = 7) -> None:
    tutor, bare = compare(runs, ("tutor", []), ("bare", []))
    print(f"cold start, median of {runs} fresh processes each (to the lesson list / first paint):")
    print(f"  redirect-tutor  {tutor.seconds * 1000:6.0f} ms  peak RSS {tutor.peak_mib:5.1f} MiB")
    print(f"  bare Textual    {bare.seconds * 1000:6.0f} ms  peak RSS {bare.peak_mib:5.1f} MiB")
    print(
        f"  ratio: time {tutor.seconds / bare.seconds:.2f}x (target <= 1.15x), "
        f"memory {tutor.peak_mib / bare.peak_mib:.2f}x (target <= 1.5x)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
