"""Every command README.md and TEACHING.md show in a shell block is run here exactly as written,
so the docs cannot drift from the tool; and `--help` shows every command's summary whole."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.test_teaching_class import class_commands
from tutor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "TEACHING.md")
SHELL = ("sh", "console")

COVERED_ELSEWHERE = {
    "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/redirect-tutor": (
        "tests/test_packaging.py (a non-editable install, run from another folder)"
    ),
    "python3 -m venv .venv && .venv/bin/pip install -q '.[test]' && .venv/bin/python -m pytest": (
        "this test suite itself, in the venv it describes"
    ),
    **{
        command: "tests/test_teaching_class.py (the forty-minute class)"
        for command in class_commands()
    },
}
"""Commands not run here, each with the test that runs it."""

NEEDS_SERVE = {"curl -L -d name=ada http://127.0.0.1:8307/redirect/307"}
"""Run here with `redirect-tutor serve` on its default port, as README.md says."""

STATUS = {
    "redirect-tutor --lessons mypack": 2,
    'redirect-tutor quiz --seed 42 --count 10 --time-limit 600 --name "Ada" --result ada.csv': 2,
}
"""The full-screen tutor without a terminal (as here) says what to use instead and exits 2."""

SYNOPSIS = {("README.md", "redirect-tutor                      the tutor, on the built-in course")}
"""Blocks that are not shell blocks but start with `redirect-tutor` (a table of commands with
placeholders): each named by its file and first line."""


def blocks(name: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block of a document, in order."""
    text = (ROOT / name).read_text(encoding="utf-8")
    return re.findall(r"^```(\w*)\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


def commands(name: str) -> list[str]:
    """Each command of a document's shell blocks: every line of an sh block, the `$ ` lines of
    a console block."""
    found = []
    for language, body in blocks(name):
        lines = body.splitlines()
        if language == "console":
            found += [line[2:] for line in lines if line.startswith("$ ")]
        elif language == "sh":
            found += [line for line in lines if line.strip()]
    return found


def _bare(command: str) -> str:
    return command.split("  #", 1)[0].rstrip()


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """A temp REDIRECT_TUTOR_HOME, and `redirect-tutor` resolved to this venv's script."""
    env = dict(os.environ)
    env["REDIRECT_TUTOR_HOME"] = str(tmp_path / "home")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.pop("TEXTUAL_DRIVER", None)
    return env


def test_every_block_that_shows_a_command_is_a_shell_block() -> None:
    for name in DOCS:
        for language, body in blocks(name):
            first = body.splitlines()[0] if body.strip() else ""
            if language not in SHELL and first.startswith("redirect-tutor"):
                assert (name, first) in SYNOPSIS, f"{name}: label this block ```sh: {first}"


def test_commands_listed_as_covered_elsewhere_are_still_in_the_docs() -> None:
    shown = {_bare(c) for name in DOCS for c in commands(name)}
    for command in [*COVERED_ELSEWHERE, *NEEDS_SERVE, *STATUS]:
        assert command in shown, f"no longer in the docs: {command}"


@pytest.mark.parametrize("name", DOCS)
def test_every_shell_command_runs_as_written(
    name: str, tmp_path: Path, shell_env: dict[str, str]
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    ran = 0
    for command in commands(name):
        bare = _bare(command)
        if bare in COVERED_ELSEWHERE:
            continue
        if bare in NEEDS_SERVE:
            _with_serve(command, cwd, shell_env)
        else:
            done = _run(command, cwd, shell_env)
            expected = STATUS.get(bare, 0)
            assert done.returncode == expected, (command, done.stdout[-2000:], done.stderr)
        ran += 1
    assert ran


def _with_serve(command: str, cwd: Path, env: dict[str, str]) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8307)) == 0:
            pytest.fail(f"port 8307 is taken, so this cannot run: {command}")
    lab = subprocess.Popen(
        ["redirect-tutor", "serve"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", 8307)) == 0:
                    break
            assert time.monotonic() < deadline, "serve did not listen on 8307"
            time.sleep(0.1)
        done = _run(command, cwd, env)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        assert '"method": "POST"' in done.stdout or '"method":"POST"' in done.stdout
    finally:
        lab.terminate()
        lab.wait(timeout=10)


def test_the_readme_quiz_example_answers_each_question_rightly(
    tmp_path: Path, shell_env: dict[str, str]
) -> None:
    (example,) = [c for c in commands("README.md") if "quiz --plain" in c]
    done = _run(example, tmp_path, shell_env)
    assert done.returncode == 0, done.stderr
    assert "4 right of 4 graded" in done.stdout, done.stdout


def _all_commands(group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command]]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found.append((name, command))
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in _all_commands(command, ctx)]
    return found


def test_every_command_summary_shows_whole_at_80_columns() -> None:
    ctx = click.Context(cli)
    for name, command in _all_commands(cli, ctx):
        summary = command.get_short_help_str(limit=45)
        assert command.short_help, f"{name} has no short_help"
        assert summary == command.short_help, f"{name}: {summary!r} is cut"
        assert len(summary) <= 56, f"{name}: {summary!r} is too long for one line"
    for group in ([], ["new"]):
        shown = CliRunner().invoke(cli, [*group, "--help"], terminal_width=80).output
        assert "..." not in shown.split("Commands:")[1], shown
