"""lint(): the same checks as the loader, over files and directories, ready for the CLI to print."""

from __future__ import annotations

import re
from pathlib import Path

from tutor.course import lint as lint_module
from tutor.course.files import Problem
from tutor.course.lint import lint
from tutor.course.loader import load_course

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"
LINE = re.compile(r"^(?P<path>.+):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<message>.+)$")


def test_no_paths_means_the_built_in_course_which_is_clean():
    assert lint([]) == []


def test_a_valid_directory_and_a_valid_file_have_no_problems():
    assert lint([FIXTURES / "valid", FIXTURES / "valid" / "02-second.yml"]) == []


def test_a_path_that_does_not_exist_is_a_problem_at_line_1_col_1(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    assert lint([missing]) == [Problem(missing, 1, 1, "no such file or directory")]


def test_one_broken_file():
    path = FIXTURES / "broken" / "unknown-code.yaml"
    assert [str(p) for p in lint([path])] == [
        f"{path}:19:15: steps[0].experiments[0].code: unknown redirect code 399: use one of 300-308"
    ]


def test_every_problem_prints_as_file_line_col_message():
    problems = lint([FIXTURES / "broken"])
    assert problems
    for problem in problems:
        match = LINE.match(str(problem))
        assert match, str(problem)
        assert Path(match["path"]).parent == FIXTURES / "broken"
        assert "\n" not in problem.message


def test_files_are_checked_in_name_order():
    names = [problem.path.name for problem in lint([FIXTURES / "broken"])]
    assert names == sorted(names)


def test_lint_and_the_loader_report_the_same_problems():
    for directory in ("broken", "mixed", "duplicate-ids", "valid"):
        path = FIXTURES / directory
        assert lint([path]) == load_course([path], builtin=False).problems


def test_duplicate_lesson_ids_across_files_are_a_problem():
    problems = lint([FIXTURES / "duplicate-ids"])
    assert [(p.path.name, p.line, p.col) for p in problems] == [("02-second.yaml", 3, 5)]


def test_paths_may_be_strings_as_a_shell_gives_them():
    assert lint([str(FIXTURES / "valid")]) == []


def test_a_directory_with_no_lessons_is_a_problem(tmp_path):
    assert lint([tmp_path]) == [Problem(tmp_path, 1, 1, "no lesson files (.yaml, .yml) here")]


def test_the_module_exports_lint():
    assert lint_module.__all__ == ["each_problem", "lint"]
