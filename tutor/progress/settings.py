"""The learner's settings (theme, keymap): one small TOML file, read at start, so a chosen theme
and remapped keys come back on the next run.

    theme = "textual-light"

    [keymap]
    "lessons.review" = "r"
    "app.help" = "f1,h"

It lives in the platform's config folder, or in $REDIRECT_TUTOR_HOME beside the record when
that is set (tests, a USB stick). A broken file never stops the tutor: the defaults apply and
`problems` says, in one line each, what was wrong.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.atomic import write_text_atomically
from tutor.progress.location import HOME_VARIABLE, home

__all__ = ["SETTINGS_NAME", "Settings", "read_settings", "save_theme", "settings_path"]

SETTINGS_NAME = "settings.toml"

THEME_LINE = re.compile(r"^[ \t]*theme[ \t]*=.*$", re.MULTILINE)
TABLE_LINE = re.compile(r"^[ \t]*\[", re.MULTILINE)


@dataclass(frozen=True)
class Settings:
    """What the file asks for; None and empty mean the tutor's defaults."""

    theme: str | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)
    """Binding id to keys (comma-separated), as Textual's App.set_keymap takes them."""
    problems: tuple[str, ...] = ()
    """One line for each thing in the file that was not used, for the learner."""


def settings_path() -> Path:
    """$REDIRECT_TUTOR_HOME/settings.toml when that is set, else the platform's config folder."""
    if os.environ.get(HOME_VARIABLE, "").strip():
        return home() / SETTINGS_NAME
    import platformdirs

    config = platformdirs.user_config_dir("redirect-tutor", appauthor=False)
    return Path(config) / SETTINGS_NAME


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """`lessons.review = "r"` written without quotes is a nested table in TOML: the id it means."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def read_settings(path: Path | None = None) -> Settings:
    """The settings in `path` (settings_path()); a missing file is the defaults, silently."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as error:
        return Settings(problems=(f"{path} could not be read ({error}); using the defaults.",))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Settings(problems=(f"{path} is not valid TOML ({error}); using the defaults.",))
    problems: list[str] = []
    theme = data.pop("theme", None)
    if theme is not None and not isinstance(theme, str):
        problems.append(f'{path}: theme must be a name in quotes, like theme = "textual-dark".')
        theme = None
    keymap: dict[str, str] = {}
    table = data.pop("keymap", {})
    if not isinstance(table, Mapping):
        problems.append(f"{path}: keymap must be a table ([keymap]).")
        table = {}
    for binding_id, keys in _flatten(table).items():
        if isinstance(keys, str) and keys.strip():
            keymap[binding_id] = keys.strip()
        else:
            problems.append(f'{path}: keymap "{binding_id}" needs keys in quotes, like "ctrl+r".')
    problems.extend(f"{path}: unknown setting {name!r}." for name in data)
    return Settings(theme, keymap, tuple(problems))


def save_theme(theme: str, path: Path | None = None) -> None:
    """Write `theme` to the file, keeping everything else in it (comments, keymap) as it is.
    Raises OSError when it cannot be written, ValueError when the file is broken (a learner's
    half-finished edit is left alone)."""
    path = path or settings_path()
    line = f"theme = {json.dumps(theme)}"  # a JSON string is a TOML basic string
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    first_table = TABLE_LINE.search(text)
    top, rest = (
        (text[: first_table.start()], text[first_table.start() :]) if first_table else (text, "")
    )
    if THEME_LINE.search(top):
        top = THEME_LINE.sub(lambda _: line, top, count=1)
    else:
        top = f"{line}\n{top}"
    try:
        tomllib.loads(top + rest)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path} is not valid TOML ({error}); the theme is not saved.") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, top + rest)
