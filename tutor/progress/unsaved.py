"""Changes the record could not take, kept in a file until it can take them.

The file goes beside the record, else in the temporary folder. One beside the record is added
to it the next time the tutor opens it; one elsewhere is added with
`redirect-tutor progress --import FILE`. A file only ever grows (its changes are a prefix of
the next version's), so the record remembers how many of each file's changes it has taken.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from tutor.atomic import write_text_atomically
from tutor.progress.changes import Change, from_data, to_data

__all__ = ["FORMAT", "MOST_BYTES", "beside", "keep", "new_name", "read"]

FORMAT = "redirect-tutor unsaved progress"
MOST_BYTES = 64 * 1024 * 1024
"""A file larger than this is not one the tutor wrote: it is refused, not read."""


def new_name(record: Path) -> str:
    """A name no other run of changes has, e.g. progress.db.unsaved-20260101-120000-9f3a1c.json."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{record.name}.unsaved-{stamp}-{secrets.token_hex(3)}.json"


def beside(record: Path) -> list[Path]:
    """The files of unsaved changes beside `record`, oldest first."""
    try:
        return sorted(record.parent.glob(f"{record.name}.unsaved-*.json"))
    except OSError:
        return []


def _folders(record: Path, first: Path | None) -> list[Path]:
    """Where a file of unsaved changes may go, in the order tried: `first` (where it went last
    time), beside the record, the temporary folder (often another disk)."""
    found = [first, record.parent, Path(tempfile.gettempdir())]
    return list(dict.fromkeys(folder for folder in found if folder is not None))


def keep(record: Path, name: str, changes: Sequence[Change], first: Path | None = None) -> Path:
    """Write `changes` to a file called `name` in the first folder that takes it (see _folders);
    its path. OSError when none does."""
    text = json.dumps(
        {"format": FORMAT, "record": str(record), "changes": [to_data(c) for c in changes]},
        indent=1,
        ensure_ascii=False,
    )
    failed: OSError | None = None
    for folder in _folders(record, first):
        try:
            write_text_atomically(folder / name, text + "\n")
        except OSError as error:
            failed = failed or error
            continue
        return folder / name
    raise failed or OSError("no folder to write to")


def read(path: Path) -> list[Change]:
    """The changes in a file `keep` wrote; OSError when it cannot be read, ValueError (saying
    what is wrong) when it is not such a file."""
    with path.open("rb") as file:
        data = file.read(MOST_BYTES + 1)
    if len(data) > MOST_BYTES:
        raise ValueError(f"it is larger than {MOST_BYTES // (1024 * 1024)} MB")
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"it is not JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError("it is not a file of unsaved progress written by redirect-tutor")
    changes = document.get("changes")
    if not isinstance(changes, list):
        raise ValueError('its "changes" is not a list')
    found = []
    for number, change in enumerate(changes, 1):
        try:
            found.append(from_data(change))
        except ValueError as error:
            raise ValueError(f"change {number}: {error}") from None
    return found
