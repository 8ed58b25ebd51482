"""Writing a file so that a reader never sees half of it: write beside it, then rename."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["write_text_atomically"]


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file named by this process, then rename it
    (two processes writing at once never share a temporary file). Raises OSError, leaving no
    temporary file behind."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
