"""A course read file by file: the quick YAML pass builds what PyYAML builds, lint streams its
problems without keeping what loaded, and the checks across files still hold."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tutor.course import loader
from tutor.course.document import parse
from tutor.course.files import builtin_lessons_dir
from tutor.course.lint import each_problem
from tutor.course.loader import each_file, load_paths

FIXTURES = Path(__file__).parent / "fixtures"
LESSON = builtin_lessons_dir() / "01-what-is-a-redirect.yaml"


def _course_files() -> list[Path]:
    return sorted([*builtin_lessons_dir().glob("*.yaml"), *FIXTURES.rglob("*.y*ml")])


@pytest.mark.parametrize("path", _course_files(), ids=lambda path: path.name)
def test_the_quick_pass_builds_what_pyyaml_builds(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    document, value, problems = parse(path, text)
    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:  # not YAML: the quick pass must not make data of it
        assert document is None or problems
        return
    if document is not None and not problems:
        assert value == expected


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n",  # a merge: PyYAML's own
        "s: !!set {a, b}\n",
        "when: 2024-02-28\nn: 0x1F\nf: .5\nno: ~\nyes: true\nraw: !!binary aGk=\n",
        "a: &x [1, 2]\nb: *x\nc: *x\n",
        "1: one\n0x1: the same key as a number\n",  # one key to YAML's data, two as written
        "=: a value key\n",
    ],
)
def test_odd_yaml_builds_as_pyyaml_builds_it(tmp_path, text):
    document, value, problems = parse(tmp_path / "odd.yaml", text)
    assert document is not None and problems == []
    assert value == yaml.load(text, Loader=yaml.CSafeLoader)


def test_a_repeated_key_is_still_a_problem_at_its_place(tmp_path):
    _, _, problems = parse(tmp_path / "dup.yaml", "a: 1\nb: 2\na: 3\n")
    assert [(p.line, p.col) for p in problems] == [(3, 1)]
    assert "duplicate key 'a' (also at line 1)" in problems[0].message


def test_lint_reports_the_first_problem_before_reading_the_rest(tmp_path, monkeypatch):
    for number in range(5):
        (tmp_path / f"{number}-broken.yaml").write_text("format: 1\nid: [\n", encoding="utf-8")
    read: list[Path] = []
    real = loader._read
    monkeypatch.setattr(loader, "_read", lambda path: (read.append(path), real(path))[1])
    problems = each_problem([tmp_path])
    first = next(problems)
    assert first.path.name == "0-broken.yaml"
    assert len([path for path in read if path.parent == tmp_path]) == 1
    assert len([first, *problems]) == 5


def test_a_bank_may_name_a_lesson_of_a_later_file(tmp_path):
    quiz = FIXTURES / "quiz"
    (tmp_path / "a-bank.yaml").write_text((quiz / "02-bank.yaml").read_text(), encoding="utf-8")
    (tmp_path / "z-lesson.yaml").write_text((quiz / "01-lesson.yaml").read_text(), encoding="utf-8")
    course = load_paths([tmp_path])
    assert course.problems == []
    assert len(course.banks) == 1 and len(course.lessons) == 1


def test_a_bank_naming_a_lesson_that_never_loads_is_withdrawn_with_its_places(tmp_path):
    quiz = FIXTURES / "quiz"
    (tmp_path / "a-bank.yaml").write_text((quiz / "02-bank.yaml").read_text(), encoding="utf-8")
    course = load_paths([tmp_path])
    assert course.banks == []
    assert course.problems
    assert all(p.message.endswith(": file skipped") for p in course.problems)
    assert all(p.line > 1 for p in course.problems)  # places from the file, read again
    withdrawn = [loaded for loaded in each_file([tmp_path]) if loaded.withdrawn]
    assert [loaded.file.name for loaded in withdrawn] == ["a-bank.yaml"]
    assert withdrawn[0].content is None
