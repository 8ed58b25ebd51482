"""The wheel ships the course: a non-editable install, run from another directory, finds it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_installed_package_finds_the_built_in_lessons(tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (target / "tutor" / "lessons").is_dir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = (
        "import tutor, tutor.course.loader as loader; "
        "course = loader.load_course(); "
        "print(tutor.__file__); print(loader.builtin_lessons_dir()); print(len(course.lessons))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=elsewhere,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    module, lessons_dir, count = done.stdout.split()
    assert module.startswith(str(target))
    assert lessons_dir == str(target / "tutor" / "lessons")
    assert int(count) >= 1
    shipped = sorted(p.name for p in (target / "tutor" / "lessons").glob("*.yaml"))
    assert shipped == sorted(p.name for p in (ROOT / "lessons").glob("*.yaml"))
