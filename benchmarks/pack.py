"""A generated pack of 1,000 lessons: lint under 2 s; start-up with it at most 1.3x without it.

The lessons are copies of a built-in one under new ids, so each is as long as a real lesson.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.startup import compare

__all__ = ["generate", "main"]

SOURCE = Path(__file__).resolve().parent.parent / "lessons" / "01-what-is-a-redirect.yaml"


def generate(folder: Path, count: int = 1000) -> Path:
    """Write `count` valid lessons into `folder` and return it."""
    text = SOURCE.read_text(encoding="utf-8")
    for number in range(count):
        lesson = text.replace("id: what-is-a-redirect", f"id: generated-{number:04}", 1)
        lesson = lesson.replace("title: What a redirect is", f"title: Generated lesson {number}", 1)
        (folder / f"generated-{number:04}.yaml").write_text(lesson, encoding="utf-8")
    return folder


def _lint_seconds(pack: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("redirect-tutor")), "lint", str(pack)],
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"the generated pack does not lint clean:\n{done.stdout[:2000]}")
    return took


def main(runs: int = 5) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-pack-") as folder:
        pack = generate(Path(folder))
        lint = statistics.median(_lint_seconds(pack) for _ in range(runs))
        with_pack, builtin = compare(runs, ("tutor", [pack]), ("tutor", []))
    print(f"a pack of 1,000 generated lessons, median of {runs}:")
    print(f"  redirect-tutor lint PACK (whole process)  {lint:.2f} s (target < 2 s)")
    print(
        f"  start-up with the pack {with_pack.seconds * 1000:.0f} ms, built-in course only "
        f"{builtin.seconds * 1000:.0f} ms: {with_pack.seconds / builtin.seconds:.2f}x "
        "(target <= 1.3x)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
