"""Client programs the tutor ships as source and builds once, on first use, into its cache
folder (Go's with `go build`, Java's with `javac`): under a name made of a digest of the source
and the compiler's version, so a new compiler or a changed program builds again. A build is
said (tutor.experiments.notices), never silent; it is made in a folder of its own and moved into
place whole, so a build cut short is never taken for a built program.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tutor.experiments import notices
from tutor.experiments.clients.program import complaint, run_program

__all__ = ["BUILD_TIMEOUT", "built", "cache_folder"]

BUILD_TIMEOUT = 120.0
"""A first build compiles what the program imports (Go's net/http and crypto/tls): well under
a minute here."""
_LOCK = threading.Lock()


def cache_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("redirect-tutor", appauthor=False))


def built(
    what: str,
    source: Path,
    version: str,
    command: Callable[[str], list[str]],
    env: Mapping[str, str] | None = None,
) -> Path | str:
    """The folder holding `what` built from `source` (`command(folder)` builds it there),
    building it first if needed; or why it could not be built."""
    digest = hashlib.sha256(source.read_bytes() + version.encode()).hexdigest()[:16]
    cache = cache_folder()
    done = cache / f"{what.lower()}-client-{digest}"
    with _LOCK:
        if done.is_dir():
            return done
        notices.say(f"building the {what} client once, into {cache}…")
        started = time.monotonic()
        try:
            cache.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder = tempfile.mkdtemp(prefix=f"{what.lower()}-build-", dir=cache)
        except OSError as error:
            return f"the {what} client could not be built in {cache}: {error}"
        ran = run_program(command(folder), timeout=BUILD_TIMEOUT, env=env)
        if isinstance(ran, str) or ran.returncode:
            shutil.rmtree(folder, ignore_errors=True)
            why = ran if isinstance(ran, str) else complaint(ran, f"exit status {ran.returncode}")
            return f"the {what} client could not be built: {why}"
        try:
            if not done.is_dir() and (done.exists() or done.is_symlink()):  # an older tutor's
                done.unlink()
            os.replace(folder, done)
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            if done.is_dir():  # another process (a classmate's tutor) built it meanwhile
                return done
            return f"the {what} client could not be put in {cache}: {error}"
        notices.say(f"built the {what} client in {time.monotonic() - started:.1f} s")
        return done
