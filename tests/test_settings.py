"""The learner's settings file (theme, keymap): where it lives, what a broken one does, and that
the tutor applies it at start and saves the theme the learner picks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pilot import SIZE, fixture_dir, settle, tutor_app

from tutor.lab.server import LabServer
from tutor.progress.settings import Settings, read_settings, save_theme, settings_path
from tutor.ui.preferences import binding_ids


def test_the_file_lives_beside_the_record_when_home_is_moved(learner_home: Path) -> None:
    assert settings_path() == learner_home / "settings.toml"
    assert read_settings() == Settings()  # no file: the defaults, and nothing to say


def test_the_platform_config_folder_otherwise(monkeypatch) -> None:
    monkeypatch.delenv("REDIRECT_TUTOR_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", "/somewhere/config")
    assert settings_path() == Path("/somewhere/config/redirect-tutor/settings.toml")


def test_theme_and_keymap_are_read_quoted_or_dotted(learner_home: Path) -> None:
    settings_path().write_text(
        'theme = "textual-light"\n[keymap]\n"lessons.review" = "r"\napp.help = "f1,h"\n'
    )
    settings = read_settings()
    assert settings.theme == "textual-light"
    assert settings.keymap == {"lessons.review": "r", "app.help": "f1,h"}
    assert settings.problems == ()


def test_a_broken_file_is_one_line_and_the_defaults(learner_home: Path) -> None:
    settings_path().write_text('theme = "textual-light\n')
    settings = read_settings()
    assert (settings.theme, dict(settings.keymap)) == (None, {})
    (problem,) = settings.problems
    assert "not valid TOML" in problem and "\n" not in problem


def test_wrong_values_are_each_reported(learner_home: Path) -> None:
    settings_path().write_text('theme = 3\ncolour = "red"\n[keymap]\n"lessons.quiz" = 5\n')
    problems = " ".join(read_settings().problems)
    assert "theme must be" in problems and "'colour'" in problems and "lessons.quiz" in problems


def test_saving_the_theme_keeps_the_rest(learner_home: Path) -> None:
    save_theme('odd "name"')  # escaped, so the file stays valid
    assert tomllib.loads(settings_path().read_text()) == {"theme": 'odd "name"'}
    settings_path().write_text('# mine\ntheme = "nord"\n\n[keymap]\n"app.help" = "h"\n')
    save_theme("gruvbox")
    text = settings_path().read_text()
    assert text.startswith("# mine\n")
    assert tomllib.loads(text) == {"theme": "gruvbox", "keymap": {"app.help": "h"}}


def test_every_binding_id_is_known() -> None:
    ids = binding_ids()
    assert {"app.help", "app.quit", "lessons.review", "class.quit"} <= ids


async def test_the_tutor_applies_settings_and_saves_the_picked_theme(
    lab: LabServer, tmp_path: Path
) -> None:
    settings_path().write_text('theme = "textual-light"\n[keymap]\n"lessons.progress" = "p"\n')
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light"
        await pilot.press("p")  # remapped from g
        await settle(pilot)
        assert type(app.screen).__name__ == "ProgressScreen"
        app.theme = "nord"
        await settle(pilot)
    assert read_settings().theme == "nord"
    assert read_settings().keymap == {"lessons.progress": "p"}


async def test_unknown_theme_and_ids_are_told_on_screen(lab: LabServer, tmp_path: Path) -> None:
    settings_path().write_text('theme = "no-such"\n[keymap]\n"lessons.nope" = "p"\n')
    app = tutor_app([fixture_dir(tmp_path)], builtin=False, lab=lab)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        told = " ".join(str(note.message) for note in app._notifications)
        assert "unknown theme 'no-such'" in told
        assert "lessons.nope" in told
        assert app.theme == "textual-dark"


def test_the_readme_example_is_a_valid_settings_file(learner_home: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"^```toml\n(.*?)^```", readme, re.DOTALL | re.MULTILINE)
    settings_path().write_text(example)
    settings = read_settings()
    assert settings.problems == ()
    assert settings.theme == "textual-light" and set(settings.keymap) <= binding_ids()
