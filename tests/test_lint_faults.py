"""Course files a careless or unlucky teacher makes, each as it was found (issue 13, items 3, 4,
12-15): lint answers file:line:col lines, fast, and the tutor skips the file with the same words.

3: a file name that is not UTF-8 crashed the tutor at start; 4: a loop of links raised
RuntimeError in lint; 12: headers, `to`, `cache` and `format: true` that cannot run passed lint;
13: a YAML merge override was a "duplicate key"; 14: 150,000 empty steps took lint 23.6 s and
594 MB; 15: curl's `-H @file` was reachable through a header name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from pilot import FIXTURE_LESSON, SIZE, settle, tutor_app
from pydantic import ValidationError

from tutor.course.index import index_key, read_index
from tutor.course.lint import lint
from tutor.course.loader import load_file, load_paths
from tutor.course.models import Lesson
from tutor.experiments.clients import CLIENT_NAMES
from tutor.experiments.spec import ExperimentSpec
from tutor.lab.server import LabServer
from tutor.ui.widgets.course.lesson_list import LessonList
from tutor.ui.widgets.course.problems import Problems

LINE = re.compile(r"^(?P<path>[ -~]+):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<message>.+)$")
"""One problem as lint prints it: printable ASCII for the path, a line and column from 1."""
VALID = Path(__file__).parent / "fixtures" / "lessons" / "valid" / "01-valid.yaml"
CLI = str(Path(sys.executable).with_name("redirect-tutor"))


def run_lint(*paths: Path | str) -> subprocess.CompletedProcess[str]:
    """`redirect-tutor lint PATHS` as a teacher runs it; a hang fails the test in 60 s."""
    command = [CLI, "lint", *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def printed(done: subprocess.CompletedProcess[str]) -> list[str]:
    """Lint's problem lines, after checking that no traceback came with them."""
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    return lines


def lesson(tmp_path: Path, name: str = "lesson.yaml", *, id_: str = "fixture-valid") -> Path:
    path = tmp_path / name
    path.write_text(VALID.read_text(encoding="utf-8").replace("fixture-valid", id_), "utf-8")
    return path


def with_experiment_line(tmp_path: Path, line: str) -> Path:
    """The valid fixture lesson with `line` added to its experiment (as the file's line 23)."""
    text = VALID.read_text(encoding="utf-8")
    path = tmp_path / "experiment.yaml"
    path.write_text(text.replace("        client: httpx\n", f"        client: httpx\n{line}\n"))
    return path


# 3. A file name that is not UTF-8


def test_a_name_that_is_not_utf8_is_a_lint_error_with_its_bytes_escaped(tmp_path: Path) -> None:
    lesson(tmp_path, "good.yaml")
    bad = os.fsencode(tmp_path) + b"/bad\xff.yaml"
    shutil.copy(VALID, bad)
    (tmp_path / "sub\udcfe").mkdir()
    lesson(tmp_path / "sub\udcfe", "also.yaml", id_="also")
    done = run_lint(tmp_path)
    assert done.returncode == 1
    assert printed(done) == [
        f"{tmp_path}/bad\\xff.yaml:1:1: this name is not UTF-8 text: rename it (the tutor shows "
        "and keeps names as UTF-8)",
        f"{tmp_path}/sub\\xfe/also.yaml:1:1: this name is not UTF-8 text: rename it (the tutor "
        "shows and keeps names as UTF-8)",
    ]


def test_a_name_with_a_line_break_or_an_escape_prints_as_one_line(tmp_path: Path) -> None:
    for name in ("two\nlines.yaml", "red\x1b[31m.yaml"):
        (tmp_path / name).write_text("format: 2\n")
    lines = printed(run_lint(tmp_path))
    assert {line.split(":")[0] for line in lines} == {
        f"{tmp_path}/red\\x1b[31m.yaml",
        f"{tmp_path}/two\\nlines.yaml",
    }


def test_the_lesson_index_takes_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    lesson(tmp_path, "bad\udcff.yaml")  # how Python names the byte 0xff of a file name
    assert len(index_key([tmp_path])) == 64  # it raised UnicodeEncodeError


def test_a_cached_index_of_the_wrong_types_is_a_miss(tmp_path: Path) -> None:
    cache = tmp_path / "index.json"
    entry = {"id": "a", "title": ["not", "text"], "summary": "s", "minutes": 5, "step_ids": []}
    cache.write_text(json.dumps({"key": "k", "lessons": [entry]}))
    assert read_index("k", cache) is None


async def test_the_tutor_starts_beside_a_name_that_is_not_utf8(
    lab: LabServer, tmp_path: Path
) -> None:
    (tmp_path / "fixture.yaml").write_text(FIXTURE_LESSON, encoding="utf-8")
    shutil.copy(VALID, os.fsencode(tmp_path) + b"/bad\xff.yaml")
    for _ in range(2):  # the second start lists the lessons from the index the first one wrote
        app = tutor_app([tmp_path], builtin=False, lab=lab)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert [entry.id for entry in app.screen.query_one(LessonList).lessons] == [
                "ui-fixture"
            ]
            assert (
                "bad\\xff.yaml:1:1: this name is not UTF-8" in app.screen.query_one(Problems).text
            )


# 4. Links that loop, and names that are no lesson file


def test_links_that_loop_and_odd_files_are_one_error_line_each(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    (tmp_path / "self.yaml").symlink_to("self.yaml")
    (tmp_path / "gone.yaml").symlink_to("nowhere.yaml")
    (tmp_path / "folder.yaml").mkdir()
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it for reading would wait for a writer
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a link to a folder that holds it
    lesson(tmp_path / "sub", "good.yaml")
    started = time.monotonic()
    done = run_lint(tmp_path)
    assert time.monotonic() - started < 20
    assert done.returncode == 1
    assert printed(done) == [
        f"{tmp_path}/sub/up:1:1: a link to a folder that holds it (a loop): not followed",
        f"{tmp_path}/a.yaml:1:1: a loop of symbolic links: following it leads back to itself",
        f"{tmp_path}/b.yaml:1:1: a loop of symbolic links: following it leads back to itself",
        f"{tmp_path}/folder.yaml:1:1: a directory, not a lesson file",
        f"{tmp_path}/gone.yaml:1:1: a broken link: nowhere.yaml does not exist",
        f"{tmp_path}/pipe.yaml:1:1: not a regular file",
        f"{tmp_path}/self.yaml:1:1: a loop of symbolic links: following it leads back to itself",
    ]


def test_a_looping_link_named_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "self.yaml").symlink_to("self.yaml")
    done = run_lint(tmp_path / "self.yaml")
    assert done.returncode == 1
    assert printed(done) == [
        f"{tmp_path}/self.yaml:1:1: a loop of symbolic links: following it leads back to itself"
    ]


def test_a_file_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    locked = lesson(tmp_path, "locked.yaml")
    locked.chmod(0)
    problems = lint([locked])
    if os.access(locked, os.R_OK):  # root reads it all the same: then it is a lesson
        assert problems == []
    else:
        assert [p.message for p in problems] == ["cannot read this file: Permission denied"]


def test_a_file_whose_read_fails_is_an_error_even_for_root(tmp_path: Path) -> None:
    (tmp_path / "mem.yaml").symlink_to("/proc/self/mem")  # opens, then fails to read at 0
    assert [p.message for p in lint([tmp_path / "mem.yaml"])] == [
        "cannot read this file: Input/output error"
    ]


# 12 and 15. What cannot run is a lint error naming what is allowed


TOKEN = "a name is a token: letters, digits and !#$%&'*+-.^_`|~ (RFC 9110 §5.1, §5.6.2)"
VALUE = "a header value is visible ASCII, with spaces and tabs only inside it (RFC 9110 §5.5"
EXPERIMENT = "steps[0].experiments[0]"


@pytest.mark.parametrize(
    ("line", "col", "message"),
    [
        (
            '        headers: {"X A": "1"}',
            19,
            f".headers.X A: 'X A' is not a header name (' ' in it): {TOKEN}",
        ),
        (
            '        headers: {"X:A": "1"}',
            19,
            ".headers.X:A: 'X:A' is not a header name (':' in it)",
        ),
        ('        headers: {"": "1"}', 19, f".headers.: a header name is never empty: {TOKEN}"),
        (
            '        headers: {"@/etc/passwd": x}',
            19,
            ".headers.@/etc/passwd: '@/etc/passwd' is not a header name ('@' in it)",
        ),
        (
            '        headers: {"X-A": "a\\r\\nX-B: c"}',
            26,
            f".headers.X-A: 'a\\r\\nX-B: c' holds '\\r': {VALUE}",
        ),
        ('        headers: {"X-A": " a"}', 26, ".headers.X-A: ' a' starts or ends with a space"),
        ('        headers: {"X-A": "a\\0"}', 26, ".headers.X-A: 'a\\x00' holds '\\x00'"),
        ('        headers: {"X-A": ""}', 26, ".headers.X-A: a header value is never empty"),
        ('        headers: {"X-A": "é"}', 26, ".headers.X-A: 'é' holds '\\xe9'"),
        (
            "        headers: {Content-Length: '5'}",
            19,
            ".headers.Content-Length: Content-Length is written by the client",
        ),
        ("        headers: {X-A: a, x-a: b}", 18, ".headers: x-a twice: header names ignore case"),
        ("        headers: {1: x}", 19, ".headers[1]: expected text, not the number 1"),
        ('        to: "/\\\\evil"', 13, ".to: 'to' is a path on the lab, with no backslash"),
        (
            '        to: "/echo\\v"',
            13,
            ".to: 'to' is a path on the lab in visible ASCII (percent-encode the rest",
        ),
        ('        to: "/echo\\r\\nX: y"', 13, ".to: 'to' is a path on the lab in visible ASCII"),
        ('        to: "/echo/a b"', 13, ".to: 'to' is a path on the lab in visible ASCII"),
        (
            f'        to: "/{"a" * 70_000}"',
            13,
            ".to: 'to' is a path on the lab of at most 2,048 characters, not 70,001",
        ),
        (
            "        to: //evil.example/",
            13,
            ".to: 'to' is a path on the lab starting with a single '/'",
        ),
        (
            "        start: /login?next=/ x",
            16,
            ".start: 'start' is a path on the lab in visible ASCII",
        ),
        (
            "        cache: private",
            16,
            ".cache: 'cache' is none, no-store or max-age=SECONDS (at most 9 digits), not"
            " 'private'",
        ),
        (
            '        body: "a\\udcff"',
            15,
            ".body: the body holds '\\udcff' (character 2), which is not text that UTF-8",
        ),
        (
            "        cache: max-age=1234567890",
            16,
            ".cache: 'cache' is none, no-store or max-age=SECONDS",
        ),
        ("        code2: 1", 9, ".code2: unknown key: did you mean 'code'?"),
        ("        repeat: true", 17, ".repeat: expected a whole number, not true"),
        ('        repeat: "2"', 17, ".repeat: expected a whole number, not '2'"),
        ("        loop: 1", 15, ".loop: expected true or false, not the number 1"),
        (f"        fragment: {'a' * 101}", 19, ".fragment: at most 100 characters, not 101"),
        (
            '        label: "a \\e[31m red"',
            16,
            ".label: holds the control character '\\x1b' (character 3)",
        ),
        ('        label: "\\u202e evil"', 16, ".label: holds the control character '\\u202e'"),
        ('        label: "\\ud800"', 16, ".label: holds a lone surrogate"),
        ('        expect: {sent: ["X A"]}', 25, ".expect.sent[0]: 'X A' is not a header name"),
        (
            '        expect: {headers: {X-B: "a\\nb"}}',
            33,
            ".expect.headers.X-B: 'a\\nb' holds '\\n'",
        ),
        (
            "        expect: {requests: -1}",
            28,
            ".expect.requests: from 0 to 100 (a chain's most requests), not -1",
        ),
        (
            '        expect: {target: "/e\\e"}',
            26,
            ".expect.target: holds the control character '\\x1b'",
        ),
        (
            "        expect: {reported: {type: weird}}",
            35,
            ".expect.reported.type: fetch() reports one of basic",
        ),
    ],
)
def test_an_experiment_that_cannot_run_is_an_error_at_its_line(
    tmp_path: Path, line: str, col: int, message: str
) -> None:
    text = with_experiment_line(tmp_path, line).read_text()
    for own in (
        "        label: POST answered with 307\n",
        "        expect: {method: POST, body: intact}\n",
        '        body: "name=ada"\n',
    ):
        if line.startswith(own.split(":")[0] + ":"):  # replaces the fixture's own
            text = text.replace(own, "", 1)
    (tmp_path / "experiment.yaml").write_text(text)
    problems = lint([tmp_path / "experiment.yaml"])
    assert [(p.line, p.col) for p in problems] == [(text.splitlines().index(line) + 1, col)]
    assert problems[0].message.startswith(EXPERIMENT + message), problems[0].message
    assert LINE.match(str(problems[0]))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("format: 1", "format: true", "format: this tutor reads lesson format 1, not true"),
        (
            "format: 1",
            "format: 1.0",
            "format: this tutor reads lesson format 1, not the number 1.0",
        ),
        ("format: 1", 'format: "1"', "format: this tutor reads lesson format 1, not '1'"),
        ("minutes: 5", 'minutes: "5"', "minutes: expected a whole number, not '5'"),
        ("minutes: 5", "minutes: 5.0", "minutes: expected a whole number, not the number 5.0"),
        ("code: 307", 'code: "307"', f"{EXPERIMENT}.code: expected a whole number, not '307'"),
        ("code: 307", "code: true", f"{EXPERIMENT}.code: expected a whole number, not true"),
        ("id: first", f"id: {'a' * 65}", "steps[0].id: at most 64 characters, not 65"),
        (
            "title: First step",
            f"title: {'x' * 201}",
            "steps[0].title: at most 200 characters, not 201",
        ),
        (
            "cite: [rfc9110-15.4.8]\n    text: |",
            "cite: [Bad]\n    text: |",
            "steps[0].cite[0]: 'Bad' is not an id",
        ),
        (
            "url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8",
            "url: https://x.example/a b",
            "citations[0].url: 'https://x.example/a b' is not a link",
        ),
    ],
)
def test_a_value_of_the_wrong_type_or_size_is_an_error(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = tmp_path / "typed.yaml"
    path.write_text(VALID.read_text(encoding="utf-8").replace(old, new, 1))
    problems = lint([path])
    assert len(problems) == 1 and problems[0].message.startswith(message), problems


@pytest.mark.parametrize(
    "headers",
    [{"@/etc/passwd": "x"}, {"@/etc/passwd": ""}, {"X-A: b\r\nX-B": "c"}, {"X-A": "a\r\nX-B: c"}],
)
@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_no_experiment_of_any_client_can_send_a_header_that_is_not_a_field(
    client: str, headers: dict[str, str]
) -> None:
    with pytest.raises(ValidationError):
        ExperimentSpec(code=307, client=client, headers=headers)


def test_try_refuses_a_header_name_that_is_a_file_before_any_client_runs() -> None:
    done = subprocess.run(
        [CLI, "try", "307", "-c", "curl", "-H", "@/etc/hostname:"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "'@/etc/hostname' is not a header name ('@' in it)" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


# 13. YAML merge keys

MERGED = """\
format: 1
id: merged
title: Merged steps
summary: Two steps share their text through a merge key.
citations:
  - {id: rfc9110, title: RFC 9110, url: "https://www.rfc-editor.org/rfc/rfc9110"}
steps:
  - &base
    id: a
    title: First
    cite: [rfc9110]
    text: Shared.
  - <<: *base
    id: b
    title: Second
"""


def test_a_merge_override_loads_and_the_later_explicit_key_wins(tmp_path: Path) -> None:
    path = tmp_path / "merged.yaml"
    path.write_text(MERGED)
    loaded, problems = load_file(path)
    assert problems == []
    assert isinstance(loaded, Lesson)
    assert [(s.id, s.title, s.text) for s in loaded.steps] == [
        ("a", "First", "Shared."),
        ("b", "Second", "Shared."),
    ]


def test_an_explicit_duplicate_key_beside_a_merge_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text(MERGED.replace("    title: Second\n", "    title: Second\n    id: c\n"))
    assert [str(p) for p in lint([path])] == [
        f"{path}:16:5: duplicate key 'id' (also at line 14): YAML would keep only the last one"
    ]


# 14. Limits per file: refused fast, at a line


def timed(path: Path) -> tuple[list[str], float, float]:
    """The problems lint prints for one file, then the seconds and the peak MB that the file's
    own check takes (without the built-in course lint loads beside it)."""
    problems = [str(problem) for problem in lint([path])]
    started = time.perf_counter()
    load_file(path)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        load_file(path)
        return problems, seconds, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


HEAD = "format: 1\nid: big\ntitle: Big\nsummary: Too big.\nsteps:\n"
LOL = "".join(f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10))


def merges(levels: int, width: int) -> str:
    """Steps that merge the one before `width` times, `levels` times over."""
    aliases = ", ".join(["*m{}"] * width)
    return "".join(
        f"  - &m{i} {{<<: [{aliases.format(*[i - 1] * width)}]}}\n" for i in range(1, levels + 1)
    )


PAST_A_LIMIT = {
    "150k-steps": (
        HEAD + "- {}\n" * 150_000,
        "1:1",
        "over 131,072 bytes: a course file is at most 128 KiB",
    ),
    "25k-steps": (
        HEAD + "- {}\n" * 25_000,
        "6:1",
        "steps: 25,001 values (aliases expanded): a course file holds at most 20,000",
    ),
    "1k-steps": (HEAD + "- {}\n" * 1_000, "6:1", "steps: at most 50 items, not 1,000"),
    "laughs": (
        HEAD + "  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + LOL,
        "10:5",
        "steps[4]: 111,111 values (aliases expanded)",
    ),
    "merges": (
        HEAD + "  - &m0 {a: 1, b: 2}\n" + merges(7, 5),
        "12:14",
        "steps[6].<<: 89,841 values (aliases expanded)",
    ),
    "one-alias-many-times": (
        HEAD + f"  - &s {'x' * 100}\n  - [{', '.join(['*s'] * 25_000)}]\n",
        "7:5",
        "steps[1]: 25,001 values",
    ),
    "loop": (
        HEAD + "  - &self [*self]\n",
        "6:5",
        "this value contains itself (an alias to its own anchor)",
    ),
    "deep-flow": (
        HEAD + "  - " + "[" * 40 + "]" * 40 + "\n",
        "6:23",
        "steps[0]" + "[0]" * 18 + ": nested more than 20 levels deep",
    ),
    "deeper-flow": (
        HEAD + "  - " + "[" * 5000 + "]" * 5000 + "\n",
        "6:1003",
        "nested more than 20 levels deep",
    ),
    "deep-block": (
        HEAD + "".join("  " * i + "  - \n" for i in range(1, 40)),
        "25:43",
        "steps[0]" + "[0]" * 18 + ": nested more than 20 levels deep",
    ),
    "long-title": (
        HEAD.replace("title: Big", f"title: {'x' * 70_000}"),
        "3:8",
        "title: at most 200 characters, not 70,000",
    ),
}


@pytest.mark.parametrize("name", PAST_A_LIMIT)
def test_a_file_past_a_limit_is_refused_fast_at_its_line(tmp_path: Path, name: str) -> None:
    text, where, message = PAST_A_LIMIT[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    problems, seconds, megabytes = timed(path)
    assert problems and problems[0].startswith(f"{path}:{where}: {message}"), problems[:3]
    assert seconds < 2, seconds
    assert megabytes < 64, megabytes


def test_the_150000_empty_steps_of_the_issue_take_lint_under_a_second(tmp_path: Path) -> None:
    path = tmp_path / "steps.yaml"
    path.write_text(HEAD + "- {}\n" * 150_000)
    started = time.monotonic()
    done = run_lint(path)
    assert time.monotonic() - started < 10  # the process, its imports and the built-in course
    assert printed(done) == [f"{path}:1:1: over 131,072 bytes: a course file is at most 128 KiB"]


def test_a_file_wrong_throughout_lists_its_first_hundred_problems(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("format: 1\nid: keys\n" + "".join(f"k{i}: 1\n" for i in range(9_000)))
    problems, seconds, _ = timed(path)
    assert len(problems) == 101
    assert problems[-1].endswith(
        "and more: the first 100 problems of a file are listed; fix them, then lint again"
    )
    assert seconds < 2


async def test_the_tutor_skips_a_file_past_a_limit_with_the_same_words(
    lab: LabServer, tmp_path: Path
) -> None:
    (tmp_path / "fixture.yaml").write_text(FIXTURE_LESSON, encoding="utf-8")
    (tmp_path / "150k-steps.yaml").write_text(HEAD + "- {}\n" * 150_000)  # took ~70 s, 2.2 GB
    (tmp_path / "25k-steps.yaml").write_text(HEAD + "- {}\n" * 25_000)
    (tmp_path / "laughs.yaml").write_text(HEAD + "  - &l0 [lol, lol]\n" + LOL)
    expected = [str(p) for p in load_paths([tmp_path]).problems]
    assert len(expected) == 3
    app = tutor_app([tmp_path], builtin=False, lab=lab)
    started = time.monotonic()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert time.monotonic() - started < 20
        assert [entry.id for entry in app.screen.query_one(LessonList).lessons] == ["ui-fixture"]
        shown = " ".join(app.screen.query_one(Problems).text.split())
        assert all(" ".join(problem.split()) in shown for problem in expected)
