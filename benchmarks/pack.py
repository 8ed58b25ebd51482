"""Generated packs: lint of 10,000 lessons in bounded memory and under 8 s, against a bare YAML
load of the same files; lint of 1,000 under 2 s; start-up with 1,000 at most 1.3x without them
(benchmarks.startup.with_pack: to the list on screen, the first paint, as that target was set;
and to usable, Enter at the list opening the first lesson).

The lessons are copies of a built-in one under new ids, so each is as long as a real lesson. Each
lint is a fresh process, timed from spawn to exit; its peak memory is that child's ru_maxrss
(os.wait4). The bare reference (BARE, below) is run the same way, interleaved with lint: the same
files (the built-in course and the pack) read and parsed by the same YAML loader, libyaml's
CSafeLoader, without any check; what lint costs beyond it is the checking.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.startup import with_pack
from tutor.course.files import builtin_lessons_dir

__all__ = ["BARE", "generate", "main"]

SOURCE = Path(__file__).resolve().parent.parent / "lessons" / "01-what-is-a-redirect.yaml"

BARE = """
import os, sys, yaml
for top in sys.argv[1:]:
    for folder, _, names in sorted(os.walk(top)):
        for name in sorted(names):
            if name.endswith((".yaml", ".yml")):
                with open(os.path.join(folder, name), encoding="utf-8") as file:
                    yaml.load(file.read(), Loader=yaml.CSafeLoader)
"""
"""The reference: every course file parsed, nothing checked, nothing kept."""

LINT_SECONDS = 8.0
LINT_MIB = 100.0


def generate(folder: Path, count: int = 1000) -> Path:
    """Write `count` valid lessons into `folder` and return it."""
    text = SOURCE.read_text(encoding="utf-8")
    for number in range(count):
        lesson = text.replace("id: what-is-a-redirect", f"id: generated-{number:05}", 1)
        lesson = lesson.replace("title: What a redirect is", f"title: Generated lesson {number}", 1)
        (folder / f"generated-{number:05}.yaml").write_text(lesson, encoding="utf-8")
    return folder


def _run(argv: list[str]) -> tuple[float, float]:
    """Seconds from spawn to exit, and peak RSS in MiB, of one process that must succeed."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        took = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            output.seek(0)
            raise RuntimeError(f"{argv[:3]} failed:\n{output.read(2000).decode(errors='replace')}")
    return took, usage.ru_maxrss / 1024


def _lint(pack: Path) -> tuple[float, float]:
    return _run([str(Path(sys.executable).with_name("redirect-tutor")), "lint", str(pack)])


def _bare(pack: Path) -> tuple[float, float]:
    return _run([sys.executable, "-c", BARE, str(builtin_lessons_dir()), str(pack)])


def _medians(runs: int, pack: Path) -> tuple[tuple[float, float], tuple[float, float]]:
    """Lint's and the bare load's median (seconds, MiB), interleaved run by run."""
    lint: list[tuple[float, float]] = []
    bare: list[tuple[float, float]] = []
    _bare(pack)  # the file cache warm for both
    for _ in range(runs):
        lint.append(_lint(pack))
        bare.append(_bare(pack))
    return _median(lint), _median(bare)


def _median(measured: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s for s, _ in measured), statistics.median(m for _, m in measured)


def _met(met: bool) -> str:
    return "met" if met else "not met"


def main(runs: int = 3) -> None:
    figures = {}
    for count in (10_000, 1_000):
        with tempfile.TemporaryDirectory(prefix="bench-pack-") as folder:
            pack = generate(Path(folder), count)
            figures[count] = _medians(runs, pack)
            if count == 1_000:
                packed, builtin = with_pack(pack)
    print(f"lint of generated packs, median of {runs} fresh processes each, interleaved:")
    for count, ((seconds, mib), (bare_seconds, bare_mib)) in figures.items():
        print(
            f"  {count:6,} lessons: lint {seconds:5.2f} s {mib:4.0f} MiB, bare YAML load"
            f" {bare_seconds:5.2f} s {bare_mib:4.0f} MiB: {seconds / bare_seconds:.2f}x"
        )
    (seconds, mib), (bare_seconds, _) = figures[10_000]
    (small, small_mib), _ = figures[1_000]
    print(f"  lint of 1,000 lessons {small:.2f} s (target < 2 s)")
    print(
        f"goal: lint of 10,000 lessons {seconds:.2f} s ratio {seconds / bare_seconds:.2f} to the"
        f" bare load (goal < {LINT_SECONDS:.0f} s) {_met(seconds < LINT_SECONDS)}"
    )
    print(
        f"goal: lint of 10,000 lessons peak RSS {mib:.0f} MiB ratio {mib / small_mib:.2f} to"
        f" 1,000 lessons' (goal < {LINT_MIB:.0f} MiB, flat) {_met(mib < LINT_MIB)}"
    )
    for index, figure in enumerate(("list on screen", "usable")):
        print(
            f"  launch -> {figure} with the 1,000-lesson pack {packed[index]:.0f} ms, built-in"
            f" course only {builtin[index]:.0f} ms: {packed[index] / builtin[index]:.2f}x"
            " (target <= 1.3x)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
