"""Run what a benchmark launches with bytecode caches, as an installed tutor has them.

`pip install .` compiles every module it installs, so a learner's tutor never compiles its own
source at launch. A work tree is different: an editable install compiles on every launch where
PYTHONDONTWRITEBYTECODE is set (as on this machine), which a learner never pays. So each
launch gets a cache folder of the benchmark's own (PYTHONPYCACHEPREFIX), filled by a warm-up
run, for the tutor and its yardstick alike.
"""

from __future__ import annotations

import os

__all__ = ["cached"]


def cached(env: dict[str, str], folder: str) -> dict[str, str]:
    """`env` for a process whose bytecode is cached in `folder`, even where writing it is off."""
    kept = {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "PYTHONPYCACHEPREFIX": os.path.join(folder, "pycache")}
