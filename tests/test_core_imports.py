"""The core never imports the UI, and the UI imports the heavy core only when it needs it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def _modules_after(code: str) -> set[str]:
    """The names in sys.modules after a fresh interpreter runs `code`."""
    script = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_core_never_imports_textual_or_the_ui() -> None:
    modules = _modules_after(
        """
        import importlib, pkgutil
        import tutor

        skipped = {"tutor.ui", "tutor.cli", "tutor.__main__"}

        def walk(path, prefix):
            # Not pkgutil.walk_packages: it would import tutor.ui itself to look inside.
            for info in pkgutil.iter_modules(path, prefix):
                if info.name not in skipped:
                    module = importlib.import_module(info.name)
                    yield info.name
                    if info.ispkg:
                        yield from walk(module.__path__, info.name + ".")

        names = list(walk(tutor.__path__, "tutor."))
        for name in ("tutor.course.loader", "tutor.lab.server", "tutor.experiments.runner"):
            assert name in names, name
        """
    )
    assert "tutor.lab.server" in modules
    assert "textual" not in modules
    assert not {name for name in modules if name == "tutor.ui" or name.startswith("tutor.ui.")}


def test_ui_starts_without_the_heavy_core() -> None:
    modules = _modules_after("import tutor.ui.app")
    assert "tutor.ui.app" in modules
    heavy = {
        "uvicorn",
        "httpx",
        "pydantic",
        "yaml",
        "tutor.lab.server",
        "tutor.experiments.runner",
        "tutor.course.loader",
    }
    assert heavy.isdisjoint(modules), heavy & modules
