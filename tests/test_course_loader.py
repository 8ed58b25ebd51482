"""The loader: lessons load; a broken file becomes problems at file:line:col, never a crash."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tutor.course import Course
from tutor.course.base import CrossCheckError
from tutor.course.files import Problem, builtin_lessons_dir
from tutor.course.loader import MAX_BYTES, load_course, load_file, load_paths
from tutor.course.models import Lesson

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"

EXPERIMENT = "steps[0].experiments[0]"

# file in fixtures/lessons/broken: (line, col, exact message) of its one problem
ONE_PROBLEM = {
    "unknown-code.yaml": (
        19,
        15,
        f"{EXPERIMENT}.code: unknown redirect code 399: use one of 300-308",
    ),
    "unknown-method.yaml": (
        20,
        17,
        f"{EXPERIMENT}.method: unknown method 'FETCH': "
        "use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
    ),
    "unknown-client.yaml": (
        22,
        17,
        f"{EXPERIMENT}.client: unknown client 'lynx': use one of httpx, requests, aiohttp, "
        "urllib, curl, curl-x, curl-post30x, wget, node, chromium-fetch, chromium-form, "
        "firefox-fetch, firefox-form, go, java",
    ),
    "extra-key.yaml": (
        23,
        9,
        f"{EXPERIMENT}.colour: unknown key: "
        "allowed here: code, method, body, headers, client, to, location, origin, scheme, loop, "
        "cache, stream, repeat, fragment, redirect, start, hsts, id, label, expect",
    ),
    "wrong-types.yaml": (5, 10, "minutes: expected a whole number, not 'ten'"),
    "empty-value.yaml": (12, 5, "steps[0].title: expected text, not an empty value"),
    "number-as-text.yaml": (
        21,
        15,
        f'{EXPERIMENT}.body: expected text, not the number 1234 (put it in quotes: "...")',
    ),
    "format-2.yaml": (1, 9, "format: this tutor reads lesson format 1, not the number 2"),
    "bad-id.yaml": (
        11,
        9,
        "steps[0].id: 'First Step' is not an id: use a-z, 0-9, '-' and '.', starting a-z or 0-9",
    ),
    "duplicate-step-id.yaml": (
        24,
        9,
        "steps[1].id: duplicate step id 'first' (steps[0] already uses it)",
    ),
    "duplicate-experiment-id.yaml": (
        28,
        13,
        "steps[1].experiments[0].id: duplicate experiment id 'post-307' "
        "(steps[0].experiments[0] already uses it)",
    ),
    "dangling-cite.yaml": (
        13,
        28,
        "steps[0].cite[1]: 'rfc7538' is not among the lesson's citations",
    ),
    "duplicate-key.yaml": (
        27,
        5,
        "duplicate key 'text' (also at line 26): YAML would keep only the last one",
    ),
    "body-on-get.yaml": (21, 15, f"{EXPERIMENT}.body: a GET carries no body: remove 'body'"),
    "expect-contradiction.yaml": (
        23,
        27,
        f"{EXPERIMENT}.expect.arrives: "
        "'arrives: false' cannot also say what method, body or headers arrive",
    ),
    "python-tag.yaml": (
        21,
        15,
        "the tag !!python/object/apply:os.system is not allowed: a lesson is plain data",
    ),
    "not-a-mapping.yaml": (
        1,
        1,
        "a lesson is a mapping (format: 1, id: ..., steps: ...), not a list",
    ),
    "prose.yaml": (1, 1, "not a lesson: it has none of format, id, title, summary, steps"),
    "empty.yaml": (1, 1, "empty file: a lesson starts with 'format: 1'"),
    "only-comments.yaml": (1, 1, "empty file: a lesson starts with 'format: 1'"),
    "nul-byte.yaml": (3, 9, "binary data (a NUL byte): a lesson is a UTF-8 text file"),
    "latin-1.yaml": (8, 21, "not UTF-8 text (byte 0xa7): save the lesson as UTF-8"),
    "binary.yaml": (1, 1, "not UTF-8 text (byte 0x89): save the lesson as UTF-8"),
    "self-reference.yaml": (
        5,
        8,
        "this value contains itself (an alias to its own anchor): it never ends",
    ),
}

# YAML syntax errors: (line, col, parts of the message), since PyYAML words the details
SYNTAX = {
    "syntax-error.yaml": (14, 9, ["not valid YAML:", "flow sequence at line 13"]),
    "bad-indentation.yaml": (25, 4, ["not valid YAML:", "block collection at line 11"]),
    "not-yaml.yaml": (2, 1, ["not valid YAML:", "is this file YAML at all?"]),
}

MANY_PROBLEMS = {"misspelt-key.yaml", "alias-bomb.yaml"}


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(path: Path) -> Problem:
    lesson, problems = load_file(path)
    assert lesson is None
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_the_valid_fixture_loads_with_every_field():
    lesson, problems = load_file(VALID / "01-valid.yaml")
    assert problems == []
    assert isinstance(lesson, Lesson)
    assert (lesson.id, lesson.minutes, len(lesson.steps)) == ("fixture-valid", 5, 2)
    experiment = lesson.steps[0].experiments[0]
    assert (experiment.code, experiment.method, experiment.client) == (307, "POST", "httpx")
    assert experiment.expect is not None and experiment.expect.body == "intact"
    assert lesson.citations[0].url.endswith("#section-15.4.8")
    assert lesson.experiments == [experiment]


@pytest.mark.parametrize("name", sorted(ONE_PROBLEM))
def test_a_broken_file_is_one_problem_at_its_line_and_column(name):
    line, col, message = ONE_PROBLEM[name]
    problem = only_problem(BROKEN / name)
    assert (problem.line, problem.col, problem.message) == (line, col, message)
    assert str(problem) == f"{BROKEN / name}:{line}:{col}: {message}"


@pytest.mark.parametrize("name", sorted(SYNTAX))
def test_a_yaml_syntax_error_points_where_the_parser_stopped(name):
    line, col, parts = SYNTAX[name]
    problem = only_problem(BROKEN / name)
    assert (problem.line, problem.col) == (line, col)
    for part in parts:
        assert part in problem.message


def test_every_broken_fixture_is_covered_by_a_test():
    covered = set(ONE_PROBLEM) | set(SYNTAX) | MANY_PROBLEMS
    assert {path.name for path in BROKEN.iterdir()} == covered


def test_a_misspelt_key_is_reported_with_a_suggestion_and_the_missing_key():
    _, problems = load_file(BROKEN / "misspelt-key.yaml")
    assert [(p.line, p.col, p.message) for p in problems] == [
        (24, 5, "steps[1]: missing required key 'title'"),
        (25, 5, "steps[1].tittle: unknown key: did you mean 'title'?"),
    ]


def test_an_alias_bomb_is_rejected_quickly_without_expanding_it():
    _, problems = load_file(BROKEN / "alias-bomb.yaml")
    assert [(p.line, p.col) for p in problems] == [(6, 4)]
    assert problems[0].message.startswith("e: 111,111 values")


def test_problems_of_one_file_come_in_line_order():
    _, problems = load_file(BROKEN / "alias-bomb.yaml")
    assert problems == sorted(problems, key=lambda p: (p.line, p.col))


def test_a_directory_is_a_problem_not_a_crash():
    assert only_problem(VALID).message == "a directory, not a lesson file"


def test_a_missing_file_is_a_problem(tmp_path):
    assert only_problem(tmp_path / "nowhere.yaml").message == "no such file"


def test_a_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert only_problem(fifo).message == "not a regular file"


def test_a_dangling_symlink_is_a_problem(tmp_path):
    link = tmp_path / "gone.yaml"
    link.symlink_to(tmp_path / "missing-target.yaml")
    assert (
        only_problem(link).message
        == f"a broken link: {tmp_path}/missing-target.yaml does not exist"
    )


def test_a_huge_file_is_not_parsed(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * MAX_BYTES)
    assert (
        only_problem(path).message == f"over {MAX_BYTES:,} bytes: a course file is at most 128 KiB"
    )


def test_deep_nesting_is_a_problem_not_a_recursion_error(tmp_path):
    path = write(tmp_path, "deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    problem = only_problem(path)
    assert (problem.line, problem.col, problem.message) == (
        1,
        1003,
        "nested more than 20 levels deep: a lesson needs fewer than 10",
    )


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        ("a: 1\nb: !!int\n", 2, 4, "YAML cannot read '' as !!int"),
        ("a: 1\nday: 2024-02-30\n", 2, 6, "YAML cannot read '2024-02-30' as !!timestamp"),
        ("a: [1\n", 2, 1, "not valid YAML: expected ',' or ']'"),
        ("a: 1\n---\nb: 2\n", 2, 1, "not valid YAML: but found another document"),
        ("a: *nowhere\n", 1, 4, "not valid YAML: found undefined alias 'nowhere'"),
        ("? [a, b]\n: c\n", 1, 3, "not valid YAML: found unhashable key"),
        ("format: 1\n\tid: x\n", 2, 1, "indent with spaces, never tabs"),
        ("format: 1\ntitle: Step 1: go\n", 2, 14, "a ':' inside a value? Put the value in quotes"),
        ("format: 1\ntitle: \x07\n", 2, 8, "control character U+0007 is not allowed in YAML"),
        ("just a sentence\n", 1, 1, "a lesson is a mapping (format: 1, id: ..., steps: ...)"),
        ("~\n", 1, 1, "not an empty value"),
    ],
)
def test_odd_yaml_is_a_problem_at_its_place(tmp_path, text, line, col, message):
    problem = only_problem(write(tmp_path, "odd.yaml", text))
    assert (problem.line, problem.col) == (line, col)
    assert message in problem.message


def test_a_bom_and_crlf_line_ends_are_fine(tmp_path):
    text = (VALID / "01-valid.yaml").read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    lesson, problems = load_file(path)
    assert problems == []
    assert lesson is not None and lesson.id == "fixture-valid"


def test_merge_keys_load_and_an_error_in_merged_values_points_at_the_value(tmp_path):
    text = (VALID / "01-valid.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    text: No experiment here.\n",
        "    text: Merged.\n"
        "    experiments:\n"
        "      - <<: {label: Shared, code: 308, method: POST, body: 'a=1'}\n"
        "        id: merged\n",
    )
    lesson, problems = load_file(write(tmp_path, "merged.yaml", text))
    assert problems == []
    assert lesson is not None and lesson.steps[1].experiments[0].code == 308
    broken = write(tmp_path, "broken.yaml", text.replace("code: 308", "code: 399"))
    problem = only_problem(broken)
    assert problem.message.startswith("steps[1].experiments[0].code: unknown redirect code 399")
    assert (problem.line, problem.col) == (28, 35)


def test_a_rejected_header_name_points_at_the_key(tmp_path):
    text = (VALID / "01-valid.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "        client: httpx\n", "        client: httpx\n        headers: {1: x}\n"
    )
    problem = only_problem(write(tmp_path, "headers.yaml", text))
    assert (problem.line, problem.col) == (23, 19)
    assert problem.message.startswith(f"{EXPERIMENT}.headers[1]: expected text, not the number 1")


def test_load_course_orders_lessons_by_file_name_and_loads_yml_too():
    course = load_course([VALID], builtin=False)
    assert course.problems == []
    assert [lesson.id for lesson in course.lessons] == [
        "fixture-valid",
        "fixture-second",
        "fixture-tenth",
    ]
    assert course.lesson("fixture-second") is course.lessons[1]
    assert course.lesson("nope") is None


def test_numbers_in_file_names_sort_as_numbers(tmp_path):
    for name, source in [("10-ten.yaml", "10-tenth.yaml"), ("9-nine.yml", "02-second.yml")]:
        shutil.copy(VALID / source, tmp_path / name)
    course = load_course([tmp_path], builtin=False)
    assert [lesson.id for lesson in course.lessons] == ["fixture-second", "fixture-tenth"]


def test_load_course_skips_a_broken_file_and_keeps_going():
    course = load_course([FIXTURES / "mixed"], builtin=False)
    assert [lesson.id for lesson in course.lessons] == ["mixed-good-one", "mixed-good-three"]
    assert [str(p) for p in course.problems] == [
        f"{FIXTURES / 'mixed' / '02-broken.yaml'}:12:15: steps[0].experiments[0].code: "
        "unknown redirect code 399: use one of 300-308"
    ]


def test_load_course_survives_every_broken_fixture_at_once():
    course = load_course([BROKEN], builtin=False)
    assert course.lessons == []
    assert {p.path.name for p in course.problems} == {p.name for p in BROKEN.iterdir()}


def test_a_second_lesson_with_the_same_id_is_skipped():
    course = load_course([FIXTURES / "duplicate-ids"], builtin=False)
    assert [lesson.title for lesson in course.lessons] == ["First with this id"]
    second = FIXTURES / "duplicate-ids" / "02-second.yaml"
    first = FIXTURES / "duplicate-ids" / "01-first.yaml"
    assert course.problems == [
        Problem(
            second,
            3,
            5,
            f"id: lesson id 'same-id' is already used by {first}: file skipped",
        )
    ]


def test_a_lesson_pack_may_not_reuse_a_built_in_id(tmp_path):
    shutil.copy(builtin_lessons_dir() / "01-what-is-a-redirect.yaml", tmp_path / "01-copy.yaml")
    course = load_course([tmp_path])
    assert len(course.lessons) == len(load_course().lessons)
    assert len(course.problems) == 1
    assert "already used by" in course.problems[0].message


def test_the_same_file_twice_loads_once():
    course = load_paths([VALID, VALID / "01-valid.yaml"])
    assert course.problems == []
    assert len(course.lessons) == 3


def test_an_empty_or_missing_directory_is_a_problem(tmp_path):
    course = load_course([tmp_path, tmp_path / "missing"], builtin=False)
    assert course == Course(
        lessons=[],
        problems=[
            Problem(tmp_path, 1, 1, "no lesson files (.yaml, .yml) here"),
            Problem(tmp_path / "missing", 1, 1, "no such file or directory"),
        ],
    )


def test_a_directory_scan_skips_hidden_files_and_reads_subfolders_after_its_own_files(tmp_path):
    (tmp_path / "a-pack").mkdir()
    shutil.copy(VALID / "02-second.yml", tmp_path / "a-pack" / "02-second.yml")
    shutil.copy(VALID / "01-valid.yaml", tmp_path / "01-valid.yaml")
    write(tmp_path, ".01-valid.yaml.swp.yaml", "not: [valid")
    (tmp_path / ".hidden").mkdir()
    write(tmp_path / ".hidden", "x.yaml", "not: [valid")
    (tmp_path / "quiz.yaml").mkdir()
    course = load_course([tmp_path], builtin=False)
    assert course.problems == [
        Problem(tmp_path / "quiz.yaml", 1, 1, "a directory, not a lesson file")
    ]
    assert [lesson.id for lesson in course.lessons] == ["fixture-valid", "fixture-second"]


def test_the_built_in_course_loads_in_file_order():
    course = load_course()
    assert course.problems == []
    files = sorted(builtin_lessons_dir().glob("*.yaml"))
    assert len(course.lessons) == len(files)
    assert [lesson.id for lesson in course.lessons] == [
        "what-is-a-redirect",
        "moved-permanently-301",
        "found-302",
        "see-other-303",
        "temporary-redirect-307",
        "permanent-redirect-308",
        "clients-disagree",
        "bodies-not-resent",
        "location-details",
        "credentials-origins",
        "cors-redirects",
        "open-redirects",
        "caching-permanence",
        "seo-and-hsts",
        "not-quite-redirects",
        "choosing-a-code",
        "https-redirects",
    ]
    assert course.banks and course.cards


def test_a_cross_check_error_says_every_issue():
    error = CrossCheckError([(("a",), "first"), (("b", 0), "second")])
    assert str(error) == "first; second"
    assert error.issues == ((("a",), "first"), (("b", 0), "second"))
