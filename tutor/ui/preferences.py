"""The learner's settings (tutor.progress.settings) on an app: the theme and keymap applied at
start, each problem told on screen, and the theme the learner picks (ctrl+p, Theme) saved for
next time."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.theme import Theme

from tutor.progress.settings import Settings, save_theme, settings_path

__all__ = ["Preferences", "binding_ids"]


def _subclasses(cls: type[DOMNode]) -> Iterator[type[DOMNode]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def binding_ids() -> set[str]:
    """Every binding id of the tutor's apps, screens and widgets (importing each of them: only
    asked when the learner remaps a key, to tell a mistyped id)."""
    import tutor.ui

    for module in pkgutil.walk_packages(tutor.ui.__path__, "tutor.ui."):
        importlib.import_module(module.name)
    return {
        binding.id
        for cls in _subclasses(DOMNode)
        if cls.__module__.startswith("tutor.ui.")
        for binding in vars(cls).get("BINDINGS", ())
        if isinstance(binding, Binding) and binding.id
    }


class Preferences:
    """Applies `settings` to `app` when built, tells its problems once the app runs, and saves
    the theme whenever the learner changes it."""

    def __init__(self, app: App[Any], settings: Settings) -> None:
        self.app = app
        self.problems = list(settings.problems)
        self.saved = settings.theme
        if settings.theme is not None:
            if settings.theme in app.available_themes:
                app.theme = settings.theme
            else:
                known = ", ".join(sorted(app.available_themes))
                self.problems.append(
                    f"{settings_path()}: unknown theme {settings.theme!r} (one of: {known})."
                )
        if settings.keymap:
            unknown = sorted(set(settings.keymap) - binding_ids())
            if unknown:
                self.problems.append(
                    f"{settings_path()}: unknown [keymap] id(s) {', '.join(unknown)}."
                )
            app.set_keymap(dict(settings.keymap))

    def start(self) -> None:
        """Call from the app's on_mount: tell the problems, then follow the theme."""
        for problem in self.problems:
            self.app.notify(problem, title="Settings", severity="warning", timeout=20, markup=False)
        self.app.theme_changed_signal.subscribe(self.app, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self.saved:
            self.saved = theme.name
            self.app.run_worker(
                lambda: self._save(theme.name),
                thread=True,
                group="settings",
                description="Saving the theme",
            )

    def _save(self, theme: str) -> None:
        try:
            save_theme(theme)
        except (OSError, ValueError) as error:
            text = f"The theme is not saved in {settings_path()}: {error}"
            self.app.call_from_thread(
                self.app.notify, text, title="Settings", severity="warning", markup=False
            )
