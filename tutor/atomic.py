"""Writing a file so that a reader never sees half of it: write beside it, then rename."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["write_text_atomically"]


def write_text_atomically(path: Path, text: str, mode: int = 0o666) -> None:
    """Write `text` to `path` through a temporary file named by this process, then rename it
    (two processes writing at once never share a temporary file). Raises OSError, leaving no
    temporary file behind.

    A symbolic link stays a link: the file it points to is the one replaced. Something that is
    not a regular file (a terminal, /dev/stdout, a FIFO) is written to as it is, never replaced
    by a file of the same name. A new file gets `mode` (less the umask) from its first byte:
    a secret is never readable by others, even for a moment."""
    if path.exists() and not path.is_file():
        path.write_text(text, encoding="utf-8")
        return
    target = Path(os.path.realpath(path))
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(partial, target)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
