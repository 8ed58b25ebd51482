"""The robustness tests at full strength: the quiz killed 100 times, 50 connections for 20 s.

They are the same tests as in tests/test_robust_*.py, run with larger counts through their
environment variables; the test suite keeps them small so that it stays quick.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
FULL = {"ROBUST_KILLS": "100", "ROBUST_LOAD_SECONDS": "20"}


def main() -> None:
    tests = ["tests/test_robust_progress.py", "tests/test_robust_load.py"]
    print(f"soak: {', '.join(f'{k}={v}' for k, v in FULL.items())} over {', '.join(tests)}")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", *tests], cwd=ROOT, env={**os.environ, **FULL}
    )
    print(f"soak: {'passed' if done.returncode == 0 else 'FAILED'}")


if __name__ == "__main__":
    main()
